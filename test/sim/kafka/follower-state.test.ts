// The leader's view of its followers and a follower's high watermark, per release, in whole-cluster
// scenarios: ReplicaFetcherThread.processPartitionData (a follower's high watermark follows the leader's down
// as well as up), Partition.getOutOfSyncReplicas / isFollowerOutOfSync / ReplicaState.isCaughtUp (KAFKA-7152)
// and Partition.maybeIncrementLeaderHW (KAFKA-4485's caught-up followers outside the ISR, KAFKA-15021's
// isReplicaIsrEligible). test/sim/kafka/partition-follower-state.test.ts drives Replica.updateLogReadResult's
// rules on one partition.
import { describe, expect, it } from 'vitest';
import type { KafkaBehaviours } from '../../../sim/kafka/protocol.ts';
import { releaseOf } from '../../../sim/kafka/releases.ts';
import { HistoricalScenario } from '../../helpers/historical.ts';
import { describeViolations } from '../../helpers/historical-verdict.ts';

const behaviours = (version: string): KafkaBehaviours => releaseOf(version).behaviours;

describe('a follower takes the leader high watermark, down as well (ReplicaFetcherThread.processPartitionData)', () => {
  // Replicas [A, B, C]: B's requests reach A 20 ms late, so when m4 commits C hears the new high watermark at
  // once and B (whose fetch moved it) only with its next answer. A dies: B leads with high watermark 3, and
  // appends m5 before C's first fetch (held up on the way) arrives. The answer brings m5 with the high
  // watermark from before that fetch moved it (Partition.readRecords reads it first): C goes from 4 down to 3.
  for (const version of ['0.10.2', '2.7', '4.4']) {
    it(`${version}: C's high watermark goes 4 → 3 → 5 when B, one fetch behind, takes over`, () => {
      const s = new HistoricalScenario({ brokers: 4, partitions: 4, rf: 3, protocol: behaviours(version) }).start();
      const p = s.partitionAwayFromController();
      const [a, b, c] = s.replicasOf(p);
      expect(s.acked(s.produce(3, { partition: p }))).toEqual([1, 2, 3]);
      s.run(1000);
      s.world.net.setLinkLatency(s.cluster.nodeOf(b), s.cluster.nodeOf(a), { kind: 'constant', ms: 20 });
      s.startSends(1, { partition: p });
      s.world.runUntil(() => s.partition(c, p).highWatermark === 4, { maxEvents: 1_000_000 });
      expect([s.partition(b, p).highWatermark, s.partition(b, p).logEndOffset]).toEqual([3, 4]);
      const from = s.events.length;
      s.crash(a, 'process');
      s.world.net.setLinkLatency(s.cluster.nodeOf(c), s.cluster.nodeOf(b), { kind: 'constant', ms: 3000 });
      s.world.runUntil(() => s.leader(p) === b, { maxEvents: 1_000_000 });
      // A producer that gives up on the dead A quickly finds B.
      const m5 = s.startSends(1, { partition: p, producer: { 'request.timeout.ms': 500 } });
      s.world.runUntil(() => s.partition(b, p).logEndOffset === 5, { maxEvents: 1_000_000 });
      s.world.net.setLinkLatency(s.cluster.nodeOf(c), s.cluster.nodeOf(b), null);
      s.world.runUntil(() => m5.done(), { maxEvents: 1_000_000 });
      expect(m5.results.map((x) => x.outcome.type)).toEqual(['ok']);
      s.run(1000);
      const cHw = s.events
        .slice(from)
        .flatMap((e) => (e.kind === 'high-watermark' && e.broker === c && e.partition === p ? [e.highWatermark] : []));
      expect(cHw).toEqual([3, 5]);
      expect(describeViolations(s.monitor.violations)).toEqual([]);
    });
  }
});

describe('KAFKA-7152: a follower at the leader log end offset is in sync (Partition.getOutOfSyncReplicas)', () => {
  // An idle partition: F is cut from the leader on the data path for 15 s (replica.lag.time.max.ms is 10 s).
  function idleCut(version: string) {
    const s = new HistoricalScenario({ brokers: 4, partitions: 4, rf: 3, protocol: behaviours(version) }).start();
    const p = s.partitionAwayFromController();
    const [l, f] = s.replicasOf(p);
    s.acked(s.produce(3, { partition: p }));
    s.run(1000);
    s.cut(l, f).run(15_000);
    return { s, p, l, f, idleIsr: s.isr(p) };
  }

  it('2.0: a follower that has not caught up for replica.lag.time.max.ms leaves, even on an idle partition', () => {
    const r = idleCut('2.0');
    expect(r.idleIsr).not.toContain(r.f);
  });

  it("2.1: it stays while its log end offset equals the leader's, and leaves once a write moves the leader's", () => {
    const r = idleCut('2.1');
    expect(r.idleIsr).toContain(r.f);
    // The write waits for F, which is now behind and has not caught up for 16 s: the next check drops it.
    const start = r.s.world.now;
    const write = r.s.produce(1, { partition: r.p });
    expect(write[0].outcome.type).toBe('ok');
    expect(r.s.world.now - start).toBeLessThan(6000);
    expect(r.s.isr(r.p)).not.toContain(r.f);
    expect(describeViolations(r.s.monitor.violations)).toEqual([]);
  });
});

describe('the high watermark and caught-up followers outside the ISR (Partition.maybeIncrementLeaderHW)', () => {
  // Replicas [L, F, G]: F crashes; ZooKeeper expires its session after 6 s and the controller drops it from
  // the ISR; at 7 s a write comes. KAFKA-4485 (0.10.2) lets a follower caught up less than
  // replica.lag.time.max.ms ago hold the high watermark, and KAFKA-15021 (3.6) only one that may join the ISR
  // (unit tests in partition-follower-state.test.ts). But in ZooKeeper mode the controller's removal of F
  // bumps the leader epoch (ReplicaStateMachine.doRemoveReplicasFromIsr), L is re-elected, and re-election
  // sets a follower outside the ISR as never caught up (Replica.resetReplicaState, 3.5.0; resetLastCaughtUpTime
  // before): in every release the write commits at once.
  function writeAfterFollowerDeath(version: string) {
    const s = new HistoricalScenario({ brokers: 4, partitions: 4, rf: 3, protocol: behaviours(version) }).start();
    const p = s.partitionAwayFromController();
    const [l, f] = s.replicasOf(p);
    s.acked(s.produce(3, { partition: p }));
    s.run(1000);
    const crashed = s.world.now;
    s.crash(f, 'process').run(7000);
    const isr = s.isr(p);
    const write = s.produce(1, { partition: p });
    return { s, l, f, isr, acked: write[0].outcome.type === 'ok', ackedAfter: s.world.now - crashed };
  }

  for (const version of ['0.8.2', '3.5', '3.9']) {
    it(`${version}: the ISR without F sets it once the controller has re-elected L: the write commits at once`, () => {
      const r = writeAfterFollowerDeath(version);
      expect(r.isr).not.toContain(r.f);
      expect(r.acked).toBe(true);
      expect(r.ackedAfter).toBeLessThan(8500);
    });
  }
});
