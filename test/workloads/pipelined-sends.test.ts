// A producer node keeps up to sendsInFlight sends open (by default its producer's
// max.in.flight.requests.per.connection), each the op of a Jepsen process of its own sharing the node's
// KafkaProducer, so that the producer pipelines them as Kafka's does (issue 18). The history keeps Jepsen's
// discipline and the checkers find it valid; a crash of the node ends the sends still open on it in info.
import { describe, expect, it } from 'vitest';
import { checkDurability } from '../../checkers/durability/index.ts';
import { checkQueue } from '../../checkers/queue/index.ts';
import { KafkaCluster } from '../../sim/kafka/cluster.ts';
import { clusterConfig } from '../../sim/kafka/config.ts';
import type { History } from '../../workloads/history/format.ts';
import { HistoryRecorder } from '../../workloads/history-recorder.ts';
import {
  NODE_RESTARTED_ERROR,
  QueueWorkload,
  queueWorkloadOptions,
  sendsInFlightOf,
  type QueueWorkloadOverrides,
} from '../../workloads/queue/index.ts';
import { expectProcessDiscipline } from '../helpers/process-discipline.ts';

interface Run {
  history: History;
  workload: QueueWorkload;
  /** The most sends open at once on one producer node. */
  maxOpenPerNode: number;
}

/**
 * The queue workload for 20 s with brokers 1 and 2 down from 5 s to 9 s: below min.insync.replicas 2, every send
 * waits (NOT_ENOUGH_REPLICAS, retried), so the producers' sends pile up while the generator goes on.
 */
function run(seed: number, overrides: QueueWorkloadOverrides): Run {
  const cluster = new KafkaCluster({
    seed,
    config: clusterConfig({ partitions: 3, broker: { 'min.insync.replicas': 2 } }),
  });
  const world = cluster.world;
  const recorder = new HistoryRecorder(() => world.now);
  const workload = new QueueWorkload(cluster, recorder, queueWorkloadOptions({ partitions: 3, ...overrides }));
  let maxOpenPerNode = 0;
  world.onEvent(() => {
    const open = new Map<string, number>();
    for (const slot of workload.producerSlots) if (slot.busy) open.set(slot.node, (open.get(slot.node) ?? 0) + 1);
    for (const n of open.values()) maxOpenPerNode = Math.max(maxOpenPerNode, n);
  });
  cluster.start();
  world.runUntil((w) => [0, 1, 2].every((p) => cluster.leaderOf(p) >= 0) || w.now > 30000);
  workload.start();
  const from = world.now;
  world.at(from + 5000, () => ['b1', 'b2'].forEach((b) => world.crash(b)));
  world.at(from + 9000, () => ['b1', 'b2'].forEach((b) => world.start(b)));
  world.runUntil(from + 20_000);
  workload.beginFinalPhase(() => {});
  world.runUntil((w) => workload.finished || w.now >= workload.finalReadsDeadline + 1000);
  return { history: recorder.history, workload, maxOpenPerNode };
}

describe('pipelined sends', () => {
  const pipelined = run(3, {});

  it('run max.in.flight.requests.per.connection processes per producer node by default, numbered node by node', () => {
    const { workload } = pipelined;
    expect(sendsInFlightOf(queueWorkloadOptions({}))).toBe(5);
    expect(workload.producerSlots.map((s) => s.node)).toEqual(
      ['producer-0', 'producer-1', 'producer-2'].flatMap((n) => Array<string>(5).fill(n)),
    );
    // Consumers come after the producers' processes: 15 and 16 when the run began.
    expect(pipelined.history.find((op) => op.f === 'assign')?.process).toBeGreaterThanOrEqual(15);
  });

  it('keep several sends of one producer open while the partitions cannot take them, never more than five', () => {
    expect(pipelined.maxOpenPerNode).toBe(5);
  });

  it('keep Jepsen process discipline and give a history the checkers find valid', () => {
    expectProcessDiscipline(pipelined.history);
    const queue = checkQueue(pipelined.history);
    expect(queue.anomalies).toEqual([]);
    expect(queue.stats?.acked).toBeGreaterThan(100);
    expect(pipelined.workload.stats().acked).toBe(queue.stats?.acked);
    expect(checkDurability(pipelined.history).valid).toBe(true);
  });

  it('with sendsInFlight 1 run one process per producer node, one send at a time (Jepsen clients)', () => {
    const single = run(3, { sendsInFlight: 1 });
    expect(single.workload.producerSlots).toHaveLength(3);
    expect(single.maxOpenPerNode).toBe(1);
    expect(checkQueue(single.history).anomalies).toEqual([]);
  });

  it('end the sends still open on a node in info when one of its processes crashes it', () => {
    const crashing = run(11, { crashProbability: 0.05 });
    const { history } = crashing;
    expectProcessDiscipline(history);
    const restarted = history.filter((op) => op.type === 'info' && op.error === NODE_RESTARTED_ERROR);
    expect(restarted.length).toBeGreaterThan(0);
    for (const op of restarted) {
      expect(op.f).toBe('send');
      // Between the crash op's invocation and its completion, on the same node.
      const crash = history.slice(0, op.index).findLast((o) => o.f === 'crash' && o.type === 'invoke');
      expect(crash).toBeDefined();
      const completion = history.slice(op.index).find((o) => o.f === 'crash' && o.process === crash?.process);
      expect(completion?.type).toBe('info');
    }
    expect(checkQueue(history).anomalies).toEqual([]);
    expect(checkDurability(history).valid).toBe(true);
  });
});
