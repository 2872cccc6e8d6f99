// Every broker crashes at once (kill -9 of the whole cluster, generated as process crashes that keep the
// page cache) and comes back at stop either together or one by one in a chosen order with gaps. A saved
// schedule may give a power-loss crash mode; power-loss.ts generates those. ZooKeeper stays up: its
// state lives in memory only here. In KRaft mode the controllers are part of the cluster and crash too
// (their metadata log is fsynced, so they keep what they acknowledged); they come back first at stop.
import fc from 'fast-check';
import { CRASH_MODES } from '../../sim/world/disk.ts';
import type { CrashMode } from '../../sim/world/disk.ts';
import { Fields } from '../fields.ts';
import type { FaultKindModule } from '../kind.ts';
import { spanMs } from '../kind.ts';
import type { Crashed, RestartOrder } from '../restart-order.ts';
import {
  generateOrder,
  orderArbitrary,
  parseGap,
  parseRestartOrder,
  planRestarts,
  staggeredRestart,
} from '../restart-order.ts';
import type { ClusterShape } from '../shape.ts';

export type KillAllParams = { mode: CrashMode; order: RestartOrder; gapMs: number };
/** `controllers` only in KRaft mode, so that ZooKeeper-mode records (and history hashes) stay as they were. */
export type KillAllApplied = {
  mode: CrashMode;
  crashed: Crashed[];
  plan: string[][];
  gapMs: number;
  controllers?: string[];
};

function parse(raw: unknown, where: string, shape?: ClusterShape): KillAllParams {
  const f = Fields.of(raw, where);
  f.only(['mode', 'order', 'gapMs']);
  return {
    mode: f.oneOf('mode', CRASH_MODES, 'crash mode'),
    order: parseRestartOrder(f.get('order'), f.at('order'), shape),
    gapMs: parseGap(f.get('gapMs'), f.at('gapMs')),
  };
}

export const killAllKind: FaultKindModule<KillAllParams, KillAllApplied> = {
  kind: 'kill-all',
  summary:
    'crash every broker and KRaft controller (kill -9), restart them at stop (together or in an order with gaps)',
  parse,
  generate: (random) => ({
    mode: 'process' as CrashMode,
    order: generateOrder(random),
    gapMs: random.int(0, 10) * 1000,
  }),
  arbitrary: (shape) =>
    fc.record({
      mode: fc.constantFrom<CrashMode>(...CRASH_MODES),
      order: orderArbitrary(shape),
      gapMs: fc.integer({ min: 0, max: 20000 }),
    }),
  duration: (random, intensity) => spanMs(random, intensity, 1000, 20000),
  tailMs: (params, shape) => (params.order === 'together' ? 0 : params.gapMs * Math.max(0, shape.brokers - 1)),
  start({ cluster, world, random }, { mode, order, gapMs }) {
    const crashed: Crashed[] = [];
    for (const id of cluster.brokerIds) {
      const node = cluster.nodeOf(id);
      if (world.node(node).status === 'down') continue;
      // Staleness across all partitions the broker holds: the total of its log end offsets.
      let logEndOffset = 0;
      for (const p of cluster.broker(id)?.partitions.values() ?? []) logEndOffset += p.logEndOffset;
      crashed.push({ node, logEndOffset });
      world.crash(node, mode);
    }
    const controllers = cluster.controllerNodes().filter((node) => world.node(node).status !== 'down');
    for (const node of controllers) world.crash(node, mode);
    // The order is fixed now, while the log end offsets are known, and recorded for the report.
    const applied: KillAllApplied = { mode, crashed, plan: planRestarts(order, crashed, random), gapMs };
    if (controllers.length > 0) applied.controllers = controllers;
    return applied;
  },
  stop(ctx, applied) {
    if (applied.controllers === undefined)
      return staggeredRestart(ctx, applied.plan, applied.gapMs, { gapMs: applied.gapMs });
    // The quorum first: brokers that come back find controllers to register with.
    const controllers = applied.controllers.filter((node) => ctx.world.node(node).status === 'down');
    for (const node of controllers) ctx.world.start(node);
    return staggeredRestart(ctx, applied.plan, applied.gapMs, {
      gapMs: applied.gapMs,
      controllersRestarted: controllers,
    });
  },
};
