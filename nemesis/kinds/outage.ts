// Every replica of one partition down, then back one by one. The replicas fail either together (one
// power cut, one bad deploy) or one after another while the producers keep writing, as users meet it: the
// ISR shrinks as each goes, the partition may run on its last replica for a while, then that one fails
// too. They come back in an order: with the stalest first (the smallest log end offset when it went down,
// so the first to fail) and unclean.leader.election.enable=true, the controller elects it, and everything
// acknowledged after it went down is lost; with the setting off, the partition stays offline until the last
// ISR member returns.
//
// Schedules written before the one-by-one failures have no failOrder: they fail together, as they did.
import fc from 'fast-check';
import { CRASH_MODES } from '../../sim/world/disk.ts';
import type { CrashMode } from '../../sim/world/disk.ts';
import type { Timer } from '../../sim/world/node.ts';
import { brokerNode } from '../../sim/kafka/zk-layout.ts';
import { checkOneOf, fail, Fields } from '../fields.ts';
import type { FaultContext, FaultKindModule } from '../kind.ts';
import { spanMs } from '../kind.ts';
import type { Crashed, RestartOrder } from '../restart-order.ts';
import { orderArbitrary, parseGap, parseRestartOrder, planRestarts, staggeredRestart } from '../restart-order.ts';
import type { ClusterShape } from '../shape.ts';
import { replicasOf } from '../shape.ts';
import { checkNode, checkPartition } from '../target.ts';

export const FAIL_ORDERS = ['together', 'leader-last', 'random'] as const;
/**
 * How the replicas fail: all at once; one after another with the leader of the moment spared until the
 * last (followers first, so the ISR shrinks to the leader, which then runs alone); one after another in a
 * random order (a leader failing hands over to an ISR member); or the nodes listed first, in that order.
 */
export type FailOrder = (typeof FAIL_ORDERS)[number] | string[];

export type OutageParams = {
  partition: number;
  mode: CrashMode;
  /** The restart order at stop. */
  order: RestartOrder;
  /** Between two restarts. */
  gapMs: number;
  /** Absent in schedules written before one-by-one failures: then 'together'. */
  failOrder?: FailOrder;
  /** failGapsMs[i]: from the (i+1)-th failure to the next; the last gap repeats if the list is short. */
  failGapsMs?: number[];
};
export type OutageApplied = {
  partition: number;
  mode: CrashMode;
  crashed: Crashed[];
  /** Together: the restart order, fixed at the start. One by one: fixed at the stop, when all are known. */
  plan?: string[][];
  gapMs: number;
  failOrder?: FailOrder;
  /** One by one: the replicas still to fail, in the order they were drawn so far (the rest are drawn later). */
  pendingFailures?: number;
};

function parseFailOrder(v: unknown, where: string, shape?: ClusterShape): FailOrder {
  if (!Array.isArray(v)) return checkOneOf(v, where, FAIL_ORDERS, 'failure order');
  if (v.length === 0) fail(where, 'expected at least one broker');
  const nodes = v.map((n, i) => checkNode(n, `${where}[${i}]`, { zk: false }, shape));
  for (const [i, n] of nodes.entries()) {
    if (!n.startsWith('b')) fail(`${where}[${i}]`, `an outage fails brokers, not "${n}"`);
  }
  const dup = nodes.find((n, i) => nodes.indexOf(n) !== i);
  if (dup !== undefined) fail(where, `node "${dup}" listed twice`);
  return nodes;
}

function parseFailGaps(v: unknown, where: string): number[] {
  if (!Array.isArray(v)) fail(where, 'expected an array of gaps in ms, e.g. [8000, 12000]');
  return v.map((g, i) => parseGap(g, `${where}[${i}]`));
}

function parse(raw: unknown, where: string, shape?: ClusterShape): OutageParams {
  const f = Fields.of(raw, where);
  f.only(['partition', 'mode', 'order', 'gapMs', 'failOrder', 'failGapsMs']);
  const params: OutageParams = {
    partition: checkPartition(f.get('partition'), f.at('partition'), shape),
    mode: f.oneOf('mode', CRASH_MODES, 'crash mode'),
    order: parseRestartOrder(f.get('order'), f.at('order'), shape),
    gapMs: parseGap(f.get('gapMs'), f.at('gapMs')),
  };
  // Only fields given are kept: an old schedule reads back exactly as written (and hashes the same).
  if (f.has('failOrder')) params.failOrder = parseFailOrder(f.get('failOrder'), f.at('failOrder'), shape);
  if (f.has('failGapsMs')) {
    const gaps = parseFailGaps(f.get('failGapsMs'), f.at('failGapsMs'));
    const order = params.failOrder ?? 'together';
    if (order === 'together' && gaps.length > 0)
      fail(f.at('failGapsMs'), 'replicas that fail together have no gaps between failures (expected [])');
    if (order !== 'together' && gaps.length === 0)
      fail(f.at('failGapsMs'), `failOrder ${JSON.stringify(order)} needs at least one gap in ms`);
    params.failGapsMs = gaps;
  } else if (params.failOrder !== undefined && params.failOrder !== 'together') {
    fail(f.at('failGapsMs'), `missing (failOrder ${JSON.stringify(params.failOrder)} needs the gaps between failures)`);
  }
  return params;
}

/** From the first failure to the last (0 when together). */
export function failSpanMs(params: OutageParams, replicationFactor: number): number {
  const gaps = params.failGapsMs ?? [];
  if ((params.failOrder ?? 'together') === 'together' || gaps.length === 0) return 0;
  let span = 0;
  for (let i = 0; i < replicationFactor - 1; i++) span += gaps[Math.min(i, gaps.length - 1)];
  return span;
}

/** A one-by-one outage in progress: who failed so far, and the failures still to come. */
interface Failing {
  crashed: Crashed[];
  timers: Timer[];
  order: RestartOrder;
}

const failing = new WeakMap<FaultContext, Failing>();

/** Crashes `id`'s broker now, noting its log end offset first: the crash mode may cut its tail. */
function crashReplica(ctx: FaultContext, partition: number, id: number, mode: CrashMode): Crashed {
  const node = brokerNode(id);
  // Measured before the crash: the crash mode may cut every tail, but who lagged is who lagged.
  const crashed = { node, logEndOffset: ctx.cluster.broker(id)?.partitions.get(partition)?.logEndOffset ?? 0 };
  ctx.world.crash(node, mode);
  return crashed;
}

/** The next replica to fail among those still up: per the order, the current leader last for 'leader-last'. */
function nextVictim(ctx: FaultContext, partition: number, order: FailOrder, up: number[]): number {
  if (Array.isArray(order)) {
    const listed = order.map((n) => Number(n.slice(1))).find((id) => up.includes(id));
    return listed ?? Math.min(...up);
  }
  if (order === 'leader-last') {
    const leader = ctx.cluster.leaderOf(partition);
    const followers = up.filter((id) => id !== leader);
    if (followers.length > 0) return ctx.random.pick(followers);
  }
  return ctx.random.pick(up);
}

export const outageKind: FaultKindModule<OutageParams, OutageApplied> = {
  kind: 'outage',
  summary:
    'crash every replica of one partition, together or one by one while writes go on; ' +
    'bring them back one by one (stale-first or random order)',
  parse,
  generate: (random, shape) => {
    const roll = random.float();
    const failOrder: FailOrder = roll < 0.1 ? 'together' : roll < 0.65 ? 'leader-last' : 'random';
    return {
      partition: random.int(0, shape.partitions - 1),
      mode: 'process' as CrashMode,
      order: random.chance(0.6) ? 'stale-first' : 'random',
      // The first replica back is elected once the controller has seen the last ISR member go (ZooKeeper's
      // session timeout, 6 s in tests; KRaft's broker.session.timeout.ms, 9 s): a few seconds apart, the next
      // returns after that election or just before it.
      gapMs: random.int(2, 8) * 1000,
      failOrder,
      // Each spacing short (the next replica fails while the producers still wait for the ISR to drop the one
      // before) or long (past the session timeouts and replica.lag.time.max.ms: the ISR has shrunk and writes
      // went on without the replicas that failed, the last gap on the last replica alone).
      failGapsMs:
        failOrder === 'together'
          ? []
          : Array.from({ length: Math.max(1, shape.replicationFactor - 1) }, () =>
              random.chance(0.3) ? random.int(1, 5) * 1000 : random.int(10, 16) * 1000,
            ),
    };
  },
  arbitrary: (shape) => {
    const base = {
      partition: fc.integer({ min: 0, max: shape.partitions - 1 }),
      mode: fc.constantFrom(...CRASH_MODES),
      order: orderArbitrary(shape),
      gapMs: fc.integer({ min: 0, max: 30000 }),
    };
    const gaps = fc.array(fc.integer({ min: 0, max: 20000 }), { minLength: 1, maxLength: shape.brokers });
    const oneByOne = fc.oneof(
      fc.constantFrom<FailOrder>('leader-last', 'random'),
      fc
        .uniqueArray(fc.integer({ min: 0, max: shape.brokers - 1 }), { minLength: 1, maxLength: shape.brokers })
        .map((ids): FailOrder => ids.map(brokerNode)),
    );
    return fc.oneof(
      fc.record(base),
      fc.record({ ...base, failOrder: fc.constant<FailOrder>('together'), failGapsMs: fc.constant<number[]>([]) }),
      fc.record({ ...base, failOrder: oneByOne, failGapsMs: gaps }),
    );
  },
  // The outage lasts from its first failure past its last, then the partition stays down a while.
  duration: (random, intensity, params, shape) =>
    (params === undefined || shape === undefined ? 0 : failSpanMs(params, shape.replicationFactor)) +
    spanMs(random, intensity, 1000, 15000),
  minDurationMs: (params, shape) => failSpanMs(params, shape.replicationFactor),
  tailMs: (params, shape) =>
    params.order === 'together' ? 0 : params.gapMs * Math.max(0, shape.replicationFactor - 1),
  start(ctx, params) {
    const { cluster, world, random } = ctx;
    const { partition, mode, order, gapMs } = params;
    const failOrder = params.failOrder ?? 'together';
    const replicas = replicasOf(cluster, partition).filter((id) => world.node(brokerNode(id)).status !== 'down');
    if (failOrder === 'together') {
      const crashed = replicas.map((id) => crashReplica(ctx, partition, id, mode));
      const applied: OutageApplied = { partition, mode, crashed, plan: planRestarts(order, crashed, random), gapMs };
      if (params.failOrder !== undefined) applied.failOrder = failOrder;
      return applied;
    }
    const gaps = params.failGapsMs ?? [];
    const state: Failing = { crashed: [], timers: [], order };
    failing.set(ctx, state);
    const failNext = (): void => {
      const up = replicasOf(cluster, partition).filter(
        (id) => world.node(brokerNode(id)).status !== 'down' && !state.crashed.some((c) => c.node === brokerNode(id)),
      );
      if (up.length === 0) return;
      const victim = nextVictim(ctx, partition, failOrder, up);
      const crashed = crashReplica(ctx, partition, victim, mode);
      state.crashed.push(crashed);
      if (state.crashed.length > 1) ctx.step({ failed: crashed.node, logEndOffset: crashed.logEndOffset });
      if (up.length > 1) {
        const gap = gaps[Math.min(state.crashed.length - 1, gaps.length - 1)];
        state.timers.push(world.schedule(gap, failNext));
      }
    };
    failNext();
    return {
      partition,
      mode,
      crashed: [...state.crashed],
      gapMs,
      failOrder,
      pendingFailures: Math.max(0, replicas.length - state.crashed.length),
    };
  },
  stop(ctx, applied) {
    const state = failing.get(ctx);
    if (state === undefined) {
      return staggeredRestart(ctx, applied.plan ?? [], applied.gapMs, {
        partition: applied.partition,
        gapMs: applied.gapMs,
      });
    }
    // Failures still to come do not happen: the outage is over before they were due.
    for (const t of state.timers) t.cancel();
    failing.delete(ctx);
    // The restart order is fixed now that every failure is known (stale-first: the first to fail).
    const plan = planRestarts(state.order, state.crashed, ctx.random);
    return staggeredRestart(ctx, plan, applied.gapMs, {
      partition: applied.partition,
      gapMs: applied.gapMs,
      crashed: state.crashed,
      plan,
    });
  },
};
