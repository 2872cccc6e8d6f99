// A rolling restart, as an operator's script does one for an upgrade or a configuration change: once the
// cluster is healthy (every broker serving, no partition under-replicated or offline: fullyReplicated), one
// broker at a time is asked to stop (SIGTERM, so it goes through Kafka's controlled shutdown), started again
// after `downMs`, and the next one is taken only once the cluster is healthy again. Each wait is bounded by
// `timeoutMs`, as such scripts bound theirs: a broker
// still stopping by then is killed (systemd's SIGKILL after TimeoutStopSec), and a cluster that does not
// recover ends the roll (the script gives up). The roll goes on by itself after the start, recording each
// step; the stop ends it where it is: a broker still stopping is killed, and every broker it took down starts
// again. Only brokers are restarted (ZooKeeper and KRaft controllers are not).
import fc from 'fast-check';
import type { Timer } from '../../sim/world/node.ts';
import { brokerNode } from '../../sim/kafka/zk-layout.ts';
import { checkNumber, checkOneOf, fail, Fields } from '../fields.ts';
import type { FaultContext, FaultKindModule } from '../kind.ts';
import { done, spanMs } from '../kind.ts';
import { fullyReplicated } from '../replicated.ts';
import type { ClusterShape } from '../shape.ts';
import { checkNode, compareNodes } from '../target.ts';

const ORDERS = ['by-id', 'random'] as const;
/** Every broker by id or in a random order, or the brokers listed (only those, in that order). */
export type RollOrder = (typeof ORDERS)[number] | string[];

export type RollingRestartParams = { order: RollOrder; downMs: number; timeoutMs: number };
export type RollingRestartApplied = { brokers: string[]; downMs: number; timeoutMs: number };

/** How often the script looks at the cluster while it waits for it to recover. */
const POLL_MS = 500;

function parseOrder(v: unknown, where: string, shape?: ClusterShape): RollOrder {
  if (!Array.isArray(v)) return checkOneOf(v, where, ORDERS, 'roll order');
  if (v.length === 0) fail(where, 'expected at least one broker');
  const nodes = v.map((n, i) => checkNode(n, `${where}[${i}]`, { zk: false }, shape));
  for (const [i, n] of nodes.entries()) {
    if (!n.startsWith('b')) fail(`${where}[${i}]`, `a rolling restart restarts brokers, not "${n}"`);
  }
  const dup = nodes.find((n, i) => nodes.indexOf(n) !== i);
  if (dup !== undefined) fail(where, `node "${dup}" listed twice`);
  return nodes;
}

function parse(raw: unknown, where: string, shape?: ClusterShape): RollingRestartParams {
  const f = Fields.of(raw, where);
  f.only(['order', 'downMs', 'timeoutMs']);
  return {
    order: parseOrder(f.get('order'), f.at('order'), shape),
    downMs: checkNumber(f.get('downMs'), f.at('downMs'), { min: 0, max: 600_000 }),
    timeoutMs: checkNumber(f.get('timeoutMs'), f.at('timeoutMs'), { min: 1, max: 600_000 }),
  };
}

/** Where a roll is, for its stop: the broker it is stopping, those it took down, and its pending timers. */
interface Roll {
  stopping: string | null;
  down: Set<string>;
  timers: Timer[];
  over: boolean;
}

const rolls = new WeakMap<FaultContext, Roll>();

/** Runs the roll over `brokers`, one after another, recording each step. */
function roll(ctx: FaultContext, brokers: readonly string[], downMs: number, timeoutMs: number, state: Roll): void {
  const { world } = ctx;
  const later = (ms: number, fn: () => void): void => {
    state.timers.push(world.schedule(ms, () => (state.over ? undefined : fn())));
  };
  let next = 0;
  const stopNext = (): void => {
    if (next >= brokers.length) {
      state.over = true;
      return ctx.step({ done: true });
    }
    const node = brokers[next++];
    const from = world.now;
    if (world.node(node).status === 'down') {
      ctx.step({ broker: node, stopped: 'already down' });
      return startAfterDown(node);
    }
    state.stopping = node;
    let settled = false;
    const stopped = (how: string): void => {
      settled = true;
      state.stopping = null;
      state.down.add(node);
      ctx.step({ broker: node, stopped: how, afterMs: world.now - from });
      startAfterDown(node);
    };
    world.terminate(node, () => {
      if (!settled && !state.over) stopped('cleanly');
    });
    later(timeoutMs, () => {
      if (settled) return;
      // Still shutting down (or gone some other way): SIGKILL.
      if (world.node(node).status !== 'down') world.crash(node, 'process');
      stopped('killed');
    });
  };
  const startAfterDown = (node: string): void =>
    later(downMs, () => {
      if (world.node(node).status === 'down') world.start(node);
      state.down.delete(node);
      ctx.step({ broker: node, started: true });
      awaitRecovery(node, world.now);
    });
  /** Waits for a healthy cluster, after `node`'s restart (null: before the first stop). */
  const awaitRecovery = (node: string | null, from: number): void => {
    if (fullyReplicated(ctx.cluster)) {
      // Healthy from the start: nothing to record.
      if (node !== null || world.now > from) ctx.step({ broker: node, replicatedAfterMs: world.now - from });
      return stopNext();
    }
    if (world.now - from >= timeoutMs) {
      state.over = true;
      return ctx.step({ broker: node, gaveUp: `not fully replicated after ${timeoutMs} ms` });
    }
    later(POLL_MS, () => awaitRecovery(node, from));
  };
  awaitRecovery(null, world.now);
}

export const rollingRestartKind: FaultKindModule<RollingRestartParams, RollingRestartApplied> = {
  kind: 'rolling-restart',
  summary: 'restart every broker in turn with controlled shutdown, each once the cluster is fully replicated again',
  parse,
  generate: (random) => ({
    order: random.chance(0.5) ? 'by-id' : 'random',
    downMs: random.int(0, 5) * 1000,
    timeoutMs: random.int(10, 30) * 1000,
  }),
  arbitrary: (shape) =>
    fc.record({
      order: fc.oneof(
        fc.constantFrom<RollOrder>(...ORDERS),
        fc
          .uniqueArray(fc.integer({ min: 0, max: shape.brokers - 1 }), { minLength: 1, maxLength: shape.brokers })
          .map((ids): RollOrder => ids.map(brokerNode)),
      ),
      downMs: fc.integer({ min: 0, max: 10000 }),
      timeoutMs: fc.integer({ min: 1000, max: 40000 }),
    }),
  // Long enough for a roll of three brokers most times; the stop bounds the rest.
  duration: (random, intensity) => spanMs(random, intensity, 15000, 45000),
  tailMs: () => 0,
  start(ctx, { order, downMs, timeoutMs }) {
    const all = ctx.cluster.brokerNodes().sort(compareNodes);
    const brokers = Array.isArray(order) ? [...order] : order === 'by-id' ? all : ctx.random.shuffle(all);
    const state: Roll = { stopping: null, down: new Set(), timers: [], over: false };
    rolls.set(ctx, state);
    roll(ctx, brokers, downMs, timeoutMs, state);
    return { brokers, downMs, timeoutMs };
  },
  stop(ctx) {
    const state = rolls.get(ctx);
    if (state === undefined) return done({ killed: [], restarted: [] });
    state.over = true;
    for (const t of state.timers) t.cancel();
    const killed: string[] = [];
    if (state.stopping !== null) {
      if (ctx.world.node(state.stopping).status !== 'down') {
        ctx.world.crash(state.stopping, 'process');
        killed.push(state.stopping);
      }
      state.down.add(state.stopping);
    }
    const restarted = [...state.down].filter((n) => ctx.world.node(n).status === 'down').sort(compareNodes);
    for (const node of restarted) ctx.world.start(node);
    state.down.clear();
    return done({ killed, restarted });
  },
};
