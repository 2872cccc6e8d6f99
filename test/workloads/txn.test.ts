// The transactional workload (workloads/txn) on a simulated cluster, judged by Jepsen's Kafka checker: its
// histories have Jepsen's form, and Kafka's transactions give none of the anomalies Jepsen looks for.
import { describe, expect, it } from 'vitest';
import { checkJepsenKafka } from '../../checkers/jepsen-kafka/index.ts';
import { KafkaCluster } from '../../sim/kafka/cluster.ts';
import { clusterConfig } from '../../sim/kafka/config.ts';
import { TRANSACTION_STATE_TOPIC } from '../../sim/kafka/topics.ts';
import type { IsolationLevel } from '../../sim/kafka/messages.ts';
import { HistoryRecorder } from '../../workloads/history-recorder.ts';
import { TxnWorkload } from '../../workloads/txn/index.ts';
import { FAST_BROKER } from '../helpers/scenario.ts';

function run(seed: number, isolation: IsolationLevel, crashCoordinatorAt: number | null) {
  const cluster = new KafkaCluster({
    seed,
    config: clusterConfig({
      partitions: 2,
      broker: { ...FAST_BROKER, 'min.insync.replicas': 2 },
      internalTopics: { enabled: [TRANSACTION_STATE_TOPIC], 'transaction.state.log.num.partitions': 3 },
    }),
  });
  const world = cluster.world;
  const recorder = new HistoryRecorder(() => world.now);
  // No client crashes: a crashed client's transaction would hold the last stable offset for the default
  // transaction.timeout.ms (60 s) past the final reads (test/harness/txn-crash.test.ts has them).
  const workload = new TxnWorkload(cluster, recorder, world.stream('txn-workload'), { isolation, crashProbability: 0 });
  cluster.start();
  world.runUntil(5000);
  workload.start();
  if (crashCoordinatorAt !== null) {
    world.at(crashCoordinatorAt, () => world.crash(cluster.nodeOf(1)));
    world.at(crashCoordinatorAt + 8000, () => world.start(cluster.nodeOf(1)));
  }
  world.runUntil(25_000);
  workload.stop();
  // A send lost on the crashed broker holds its transaction open until request.timeout.ms (30 s) passes, and the
  // read_committed final reads stop at the last stable offset it holds: they start once such a transaction ended.
  world.runUntil(60_000);
  let complete: boolean | null = null;
  workload.finalReads(50, (c) => (complete = c));
  world.runUntil((w) => complete !== null || w.now > 120_000, { maxEvents: 5_000_000 });
  return { history: recorder.history, stats: workload.stats, complete };
}

describe('the txn workload', () => {
  it('records transactions Jepsen s Kafka checker finds valid, without faults', () => {
    const r = run(1, 'read_committed', null);
    expect(r.complete).toBe(true);
    expect(r.stats.ok).toBeGreaterThan(50);
    const result = checkJepsenKafka(r.history);
    expect(result.anomalies).toEqual([]);
    expect(result.valid).toBe(true);
    expect(r.history.filter((op) => op.f === 'txn' && op.type === 'ok').length).toBe(r.stats.ok);
  });

  it('stays valid under read_committed when a broker crashes mid-run', () => {
    const r = run(2, 'read_committed', 12_000);
    expect(r.complete).toBe(true);
    const result = checkJepsenKafka(r.history);
    expect(result.anomalies.map((a) => a.name)).toEqual([]);
  });

  it('is deterministic: the same seed gives the same history', () => {
    const a = run(3, 'read_committed', 12_000);
    const b = run(3, 'read_committed', 12_000);
    expect(JSON.stringify(a.history)).toBe(JSON.stringify(b.history));
  });
});
