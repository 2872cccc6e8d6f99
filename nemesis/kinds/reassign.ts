// Metadata churn: an operator moves one partition's replicas to another set of brokers (KIP-455,
// kafka-reassign-partitions.sh --execute), the same replication factor, while the producers keep writing. The
// controllers add the new replicas, which start empty and fetch from the leader, wait for every target replica to
// be in the ISR, move leadership into the target if needed and have the removed replicas deleted. Optionally the
// active controller is killed (kill -9) part-way, so that the reassignment is carried on by its successor from the
// metadata log or ZooKeeper, as Kafka must; the stop restarts it. The reassignment itself is not undone: the stop
// only ends the admin's retries if no controller ever took it. Opt-in: generated only when named, or by swarm's
// extra draw.
import fc from 'fast-check';
import type { FaultKindModule } from '../kind.ts';
import { adminFaultTiming, drawKillAfter, parseKillAfter, startAdminFault, stopAdminFault } from './admin-fault.ts';
import { Fields, fail } from '../fields.ts';
import type { ClusterShape } from '../shape.ts';

export type ReassignParams = {
  partition: number;
  /** The target replicas, in order (the first is the preferred leader). */
  replicas: number[];
  /** Kill the active controller this long after the start (null: no kill). */
  killControllerAfterMs: number | null;
};
export type ReassignApplied = { partition: number; replicas: number[]; from: number[] };

function parse(raw: unknown, where: string, shape?: ClusterShape): ReassignParams {
  const f = Fields.of(raw, where);
  f.only(['partition', 'replicas', 'killControllerAfterMs']);
  const partition = f.number('partition', {
    min: 0,
    integer: true,
    ...(shape === undefined ? {} : { max: shape.partitions - 1 }),
  });
  const list = f.get('replicas');
  const max = shape === undefined ? Infinity : shape.brokers - 1;
  if (
    !Array.isArray(list) ||
    list.length === 0 ||
    list.some((b, i) => !Number.isInteger(b) || (b as number) < 0 || (b as number) > max || list.indexOf(b) !== i)
  ) {
    fail(f.at('replicas'), 'expected a non-empty list of distinct broker ids');
  }
  return { partition, replicas: list as number[], killControllerAfterMs: parseKillAfter(f) };
}

/**
 * Another set of brokers of the same size (the replication factor), in a random order; with no broker to spare,
 * the same brokers in another order (a new preferred leader, which moves no data).
 */
function drawReplicas(random: { shuffle<T>(x: readonly T[]): T[] }, shape: ClusterShape, partition: number): number[] {
  const rf = Math.min(shape.replicationFactor, shape.brokers);
  const initial = Array.from({ length: rf }, (_, j) => (partition + j) % shape.brokers);
  const ids = Array.from({ length: shape.brokers }, (_, i) => i);
  let target = random.shuffle(ids).slice(0, rf);
  for (let i = 0; i < 3 && target.join() === initial.join(); i++) target = random.shuffle(ids).slice(0, rf);
  return target;
}

export const reassignKind: FaultKindModule<ReassignParams, ReassignApplied> = {
  kind: 'reassign',
  summary: "move a partition's replicas to other brokers (KIP-455), maybe killing the active controller; opt-in",
  parse,
  generate(random, shape, intensity) {
    const partition = random.int(0, shape.partitions - 1);
    const replicas = drawReplicas(random, shape, partition);
    return { partition, replicas, killControllerAfterMs: drawKillAfter(random, intensity) };
  },
  arbitrary: (shape) =>
    fc.record({
      partition: fc.integer({ min: 0, max: shape.partitions - 1 }),
      replicas: fc.shuffledSubarray(
        Array.from({ length: shape.brokers }, (_, i) => i),
        { minLength: 1, maxLength: Math.max(1, Math.min(shape.replicationFactor, shape.brokers)) },
      ),
      killControllerAfterMs: fc.option(fc.integer({ min: 0, max: 5000 }), { nil: null }),
    }),
  ...adminFaultTiming(10000, 40000),
  start(ctx, params) {
    const { cluster, step } = ctx;
    const from = cluster.currentReplicas(params.partition);
    const admin = cluster.reassignPartition(params.partition, params.replicas, (how) =>
      step({ partition: params.partition, replicas: params.replicas, acceptedBy: how }),
    );
    const applied: ReassignApplied = { partition: params.partition, replicas: [...params.replicas], from };
    startAdminFault(ctx, applied, admin, params.killControllerAfterMs, (node) => ({
      partition: params.partition,
      killedController: node,
    }));
    return applied;
  },
  stop(ctx, applied) {
    return stopAdminFault(ctx, applied, { partition: applied.partition });
  },
};
