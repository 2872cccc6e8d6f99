// Liveness after the final heal, on whole runs: the workload's acks=all probes reach every partition once the
// faults are healed, and a cluster deliberately left unable to take acks=all writes is `unavailable-after-heal`.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runTest, testOf } from '../../harness/index.ts';
import { FINAL_READS_F } from '../../workloads/history/format.ts';
import { loadSchedule } from '../../nemesis/index.ts';
import { repoRoot } from '../helpers/paths.ts';

describe('liveness after the final heal', () => {
  it('probes every partition with acks=all after the heal; each is acknowledged and read', () => {
    const run = runTest(testOf({ seed: 3, nemesis: ['kill', 'partition'], timeSeconds: 30 }));
    const heal = run.history.find((op) => op.f === FINAL_READS_F)?.time ?? Infinity;
    const probes = run.history.filter((op) => op.f === 'send' && op.type === 'invoke' && op.time >= heal);
    expect(new Set(probes.map((op) => (op.value as [[string, number, number]])[0][1]))).toEqual(new Set([0, 1, 2]));
    const liveness = run.result.checkers.find((c) => c.checker === 'liveness');
    expect(liveness).toMatchObject({ valid: true, stats: { judged: 3, unavailable: 0 } });
    expect(run.result.valid).toBe(true);
  });

  it('a cluster left with one broker after the heal takes no acks=all write: unavailable-after-heal', () => {
    const run = runTest(testOf({ seed: 3, nemesis: [], timeSeconds: 20 }), {
      // Deliberately wrong for a healed cluster: two of three brokers gone for good, below min.insync.replicas 2.
      onFinalPhase: (cluster) => {
        cluster.world.crash('b1');
        cluster.world.crash('b2');
      },
    });
    const liveness = run.result.checkers.find((c) => c.checker === 'liveness');
    expect(liveness?.valid).toBe(false);
    expect(run.result.anomalies['unavailable-after-heal']).toBe(3);
    const example = liveness?.anomalies[0].examples[0];
    expect(example?.detail).toMatchObject({ partition: 0, firstAckAfterHealMs: null, boundMs: 70_000 });
    expect(example?.description).toMatch(/^Partition 0 took no acknowledged write within 70\.000 s of the heal/);
  });

  it('is not judged for a workload without producers (it sends no probes)', () => {
    const test = testOf({ seed: 3, nemesis: [], timeSeconds: 5, workload: { producers: 0 } });
    expect(test.checkers.map((c) => c.name)).not.toContain('liveness');
    expect(testOf({ seed: 3 }).checkers.map((c) => c.name)).toContain('liveness');
  });
});

describe('liveness after the heal on seeds the 10,000-seed swarm fuzz found', () => {
  it('seed 15295 (swarm): a message in retransmission backoff goes out once the loss ends', () => {
    // Found by `kafkasim fuzz --nemesis swarm --seed 10000 --count 10000`: at 31% loss a heartbeat from broker 2 to
    // the active controller drew 11 lost sendings, 409 s of backoff, and held every later message on that
    // connection behind it after the fault ended; broker 2 stayed fenced and partition 0 took no write after the
    // heal. A real TCP stack sends it on the first retransmission due after the loss ends.
    const file = join(repoRoot, 'test/harness/fixtures/kraft-15295.schedule.json');
    const run = runTest(testOf({ seed: 15295, kafka: '4.4', schedule: loadSchedule(readFileSync(file, 'utf8')) }));
    const liveness = run.result.checkers.find((c) => c.checker === 'liveness');
    expect(liveness).toMatchObject({ valid: true, stats: { unavailable: 0 } });
    expect(run.result.findings).toBe(0);
    expect(run.result.historyHash).toBe('9ab3d05f76ea24d6');
  });

  it('seed 129 (3.9 ZooKeeper swarm): an AlterIsr write whose answer was lost does not strand the ISR', () => {
    // Found by `kafkasim fuzz --nemesis swarm --kafka 3.9 --metadata zk`: the controller (broker 2, also the
    // leader) wrote the ISR [1,2] at 50.9 s, lost the answer with its ZooKeeper connection, and sent the write again
    // on reconnecting: BADVERSION, INVALID_UPDATE_VERSION. kafkasim then (1) left the partition out of its answer,
    // so the leader sent it again every 5 ms (14,894 times), and (2) kept ISR [2] at zkVersion 4 in its cache, so
    // broker 1's failure found nothing to remove, and every later AlterIsr failed on the moved znode. Kafka answers
    // INVALID_UPDATE_VERSION (processAlterPartition's badVersionUpdates) and decides broker failures on the state
    // read from ZooKeeper (ZkReplicaStateMachine.doRemoveReplicasFromIsr), which bumps the leader epoch.
    const file = join(repoRoot, 'test/harness/fixtures/zk39-129.schedule.json');
    const schedule = loadSchedule(readFileSync(file, 'utf8'));
    const run = runTest(testOf({ seed: 129, kafka: '3.9', metadata: 'zk', schedule }));
    const liveness = run.result.checkers.find((c) => c.checker === 'liveness');
    expect(liveness).toMatchObject({ valid: true, stats: { unavailable: 0 } });
    expect(run.result.findings).toBe(0);
    expect(run.result.historyHash).toBe('3047f079699a543e');
  });

  it('seed 18900 (swarm): a controller clock stepped back does not stretch the brokers old sessions', () => {
    // Found by the same fuzz: the controllers ran 52 s ahead from 34 s until an NTP resync at 57 s. Measured on the
    // wall clock, the sessions of brokers heard from before the resync looked 52 s younger, so their restarted
    // incarnations were refused (DUPLICATE_BROKER_REGISTRATION) until 112 s and every partition stayed unavailable.
    // Kafka measures sessions on the monotonic clock (BrokerHeartbeatManager.lastContactNs, time.nanoseconds()).
    const file = join(repoRoot, 'test/harness/fixtures/kraft-18900.schedule.json');
    const run = runTest(testOf({ seed: 18900, kafka: '4.4', schedule: loadSchedule(readFileSync(file, 'utf8')) }));
    const liveness = run.result.checkers.find((c) => c.checker === 'liveness');
    expect(liveness).toMatchObject({ valid: true, stats: { unavailable: 0 } });
    expect(run.result.findings).toBe(0);
    expect(run.result.historyHash).toBe('f664db6c34619d21');
  });

  it('seed 11745 (swarm): a leader-epoch checkpoint replaced under a lying fsync comes back whole', () => {
    // Found by the same fuzz: the checkpoint "0 0, 3 31" was written under a lying fsync and a torn-last power loss
    // left "0 0, 3 3", placing epoch 3 under 27 records of epoch 0; the followers truncated at 3 forever. Kafka
    // writes checkpoints to a temporary file renamed over the old one: a crash leaves one or the other.
    const file = join(repoRoot, 'test/harness/fixtures/kraft-11745.schedule.json');
    const run = runTest(testOf({ seed: 11745, kafka: '4.4', schedule: loadSchedule(readFileSync(file, 'utf8')) }));
    expect(run.result.anomalies).toEqual({});
    expect(run.result.findings).toBe(0);
    expect(run.result.historyHash).toBe('d468c121b85dddd6');
  });
});
