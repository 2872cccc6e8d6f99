// The order in which crashed brokers come back, for power losses and whole-partition outages. Which
// replica returns first decides what an election can pick: the stalest first is the interesting case
// for unclean election (KIP-101's double power loss, Jepsen's lost writes), the freshest first the benign one.
import fc from 'fast-check';
import { checkNumber, checkOneOf, fail } from './fields.ts';
import type { FaultContext, JsonObject, StopResult } from './kind.ts';
import type { ClusterShape } from './shape.ts';
import { checkNode, compareNodes } from './target.ts';

export const ORDER_NAMES = ['together', 'random', 'stale-first', 'fresh-first'] as const;
/** A named order, or explicit node ids (listed nodes first, in that order; the others after, by id). */
export type RestartOrder = (typeof ORDER_NAMES)[number] | string[];

/** A crashed node and its log end offset when it went down (smaller means staler). */
export type Crashed = { node: string; logEndOffset: number };

export function parseRestartOrder(v: unknown, where: string, shape?: ClusterShape): RestartOrder {
  if (Array.isArray(v)) {
    const nodes = v.map((n, i) => checkNode(n, `${where}[${i}]`, { zk: false }, shape));
    const dup = nodes.find((n, i) => nodes.indexOf(n) !== i);
    if (dup !== undefined) fail(where, `node "${dup}" listed twice`);
    return nodes;
  }
  return checkOneOf(v, where, ORDER_NAMES, 'restart order');
}

export function parseGap(v: unknown, where: string): number {
  return checkNumber(v, where, { min: 0, max: 600000 });
}

export function generateOrder(random: { float(): number }): RestartOrder {
  const roll = random.float();
  return roll < 0.4 ? 'stale-first' : roll < 0.7 ? 'random' : roll < 0.85 ? 'fresh-first' : 'together';
}

export function orderArbitrary(shape: ClusterShape): fc.Arbitrary<RestartOrder> {
  return fc.oneof(
    fc.constantFrom(...ORDER_NAMES),
    fc
      .uniqueArray(fc.integer({ min: 0, max: shape.brokers - 1 }), { minLength: 1, maxLength: shape.brokers })
      .map((ids) => ids.map((i) => `b${i}`)),
  );
}

/** Groups of nodes to start together, in order: one group for 'together', else one node per group. */
export function planRestarts(
  order: RestartOrder,
  crashed: readonly Crashed[],
  random: { shuffle<T>(items: readonly T[]): T[] },
): string[][] {
  const byId = [...crashed].sort((a, b) => compareNodes(a.node, b.node));
  if (byId.length === 0) return [];
  if (order === 'together') return [byId.map((c) => c.node)];
  let sorted: Crashed[];
  if (order === 'random') sorted = random.shuffle(byId);
  else if (order === 'stale-first') sorted = [...byId].sort((a, b) => a.logEndOffset - b.logEndOffset);
  else if (order === 'fresh-first') sorted = [...byId].sort((a, b) => b.logEndOffset - a.logEndOffset);
  else {
    const listed = order.flatMap((n) => byId.filter((c) => c.node === n));
    sorted = [...listed, ...byId.filter((c) => !order.includes(c.node))];
  }
  return sorted.map((c) => [c.node]);
}

/** Starts the first group now and each later one gapMs after the previous, as steps of a stop. */
export function staggeredRestart(
  ctx: FaultContext,
  plan: readonly string[][],
  gapMs: number,
  value: JsonObject,
): StopResult {
  const restart = (group: readonly string[]): string[] => {
    const started: string[] = [];
    for (const node of group) {
      if (ctx.world.node(node).status !== 'down') continue;
      ctx.world.start(node);
      started.push(node);
    }
    return started;
  };
  const first = plan.length > 0 ? restart(plan[0]) : [];
  return {
    value: { ...value, restarted: first, pending: plan.slice(1).flat() },
    steps: plan.slice(1).map((group, i) => ({
      afterMs: gapMs * (i + 1),
      run: () => ({ restarted: restart(group) }),
    })),
  };
}
