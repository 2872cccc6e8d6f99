// Every replica of one partition down at once, then back one by one. With the stalest replica first
// (the smallest log end offset when it went down) and unclean.leader.election.enable=true, the
// controller elects it, and everything the others had beyond its log end is lost; with the setting off,
// the partition stays offline until an ISR member returns.
import fc from 'fast-check';
import { CRASH_MODES } from '../../sim/world/disk.ts';
import type { CrashMode } from '../../sim/world/disk.ts';
import { brokerNode } from '../../sim/kafka/zk-layout.ts';
import { Fields } from '../fields.ts';
import type { FaultKindModule } from '../kind.ts';
import { spanMs } from '../kind.ts';
import type { Crashed, RestartOrder } from '../restart-order.ts';
import { orderArbitrary, parseGap, parseRestartOrder, planRestarts, staggeredRestart } from '../restart-order.ts';
import type { ClusterShape } from '../shape.ts';
import { replicasOf } from '../shape.ts';
import { checkPartition } from '../target.ts';

export type OutageParams = { partition: number; mode: CrashMode; order: RestartOrder; gapMs: number };
export type OutageApplied = { partition: number; mode: CrashMode; crashed: Crashed[]; plan: string[][]; gapMs: number };

function parse(raw: unknown, where: string, shape?: ClusterShape): OutageParams {
  const f = Fields.of(raw, where);
  f.only(['partition', 'mode', 'order', 'gapMs']);
  return {
    partition: checkPartition(f.get('partition'), f.at('partition'), shape),
    mode: f.oneOf('mode', CRASH_MODES, 'crash mode'),
    order: parseRestartOrder(f.get('order'), f.at('order'), shape),
    gapMs: parseGap(f.get('gapMs'), f.at('gapMs')),
  };
}

export const outageKind: FaultKindModule<OutageParams, OutageApplied> = {
  kind: 'outage',
  summary: 'crash every replica of one partition, bring them back one by one (stale-first or random order)',
  parse,
  generate: (random, shape) => ({
    partition: random.int(0, shape.partitions - 1),
    mode: 'process' as CrashMode,
    order: random.chance(0.6) ? 'stale-first' : 'random',
    // Gaps past the ZooKeeper session timeout let the first replica be elected before the next returns.
    gapMs: random.int(2, 25) * 1000,
  }),
  arbitrary: (shape) =>
    fc.record({
      partition: fc.integer({ min: 0, max: shape.partitions - 1 }),
      mode: fc.constantFrom(...CRASH_MODES),
      order: orderArbitrary(shape),
      gapMs: fc.integer({ min: 0, max: 30000 }),
    }),
  duration: (random, intensity) => spanMs(random, intensity, 1000, 15000),
  tailMs: (params, shape) =>
    params.order === 'together' ? 0 : params.gapMs * Math.max(0, shape.replicationFactor - 1),
  start({ cluster, world, random }, { partition, mode, order, gapMs }) {
    const crashed: Crashed[] = [];
    for (const id of replicasOf(cluster, partition)) {
      const node = brokerNode(id);
      if (world.node(node).status === 'down') continue;
      // Measured before the crash: the crash mode may cut every tail, but who lagged is who lagged.
      crashed.push({ node, logEndOffset: cluster.broker(id)?.partitions.get(partition)?.logEndOffset ?? 0 });
      world.crash(node, mode);
    }
    return { partition, mode, crashed, plan: planRestarts(order, crashed, random), gapMs };
  },
  stop(ctx, applied) {
    return staggeredRestart(ctx, applied.plan, applied.gapMs, { partition: applied.partition, gapMs: applied.gapMs });
  },
};
