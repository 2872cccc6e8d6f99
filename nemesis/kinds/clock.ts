// Clock faults: a step of the node's clock (NTP step, VM migration) and a rate error (drift). Kafka
// measures replica lag, session expiry and request timeouts on local clocks, so a jump can make a
// leader drop its whole ISR or ZooKeeper expire every session at once. Stop resynchronises the clocks.
import fc from 'fast-check';
import { Fields } from '../fields.ts';
import type { FaultKindModule } from '../kind.ts';
import { done, spanMs } from '../kind.ts';
import type { ClusterShape } from '../shape.ts';
import type { Target } from '../target.ts';
import { generateTarget, parseTarget, resolveTarget, targetArbitrary } from '../target.ts';

const RULES = { zk: true };
const MAX_JUMP_MS = 3_600_000;

/** jumpMs steps the clock (negative: backwards); drift is the rate error (0.01 = 1% fast). */
export type ClockParams = { target: Target; jumpMs: number; drift: number };
export type ClockApplied = { nodes: string[]; jumpMs: number; drift: number };

function parse(raw: unknown, where: string, shape?: ClusterShape): ClockParams {
  const f = Fields.of(raw, where);
  f.only(['target', 'jumpMs', 'drift']);
  return {
    target: parseTarget(f.get('target'), f.at('target'), RULES, shape),
    jumpMs: f.number('jumpMs', { min: -MAX_JUMP_MS, max: MAX_JUMP_MS }),
    drift: f.number('drift', { min: -0.5, max: 10 }),
  };
}

export const clockKind: FaultKindModule<ClockParams, ClockApplied> = {
  kind: 'clock',
  summary: 'per-node clock jump (± seconds) and drift; stop resets the clocks',
  parse,
  generate(random, shape, intensity) {
    const target = generateTarget(random, shape, RULES, Math.max(1, shape.brokers));
    const seconds = random.int(1, Math.round(5 + 55 * intensity));
    const jumpMs = (random.chance(0.5) ? -1 : 1) * seconds * 1000;
    const drift = random.chance(0.5)
      ? Math.round((random.chance(0.5) ? -1 : 1) * random.float() * 0.2 * intensity * 1000) / 1000
      : 0;
    // `|| 0` turns -0 into 0: JSON has no -0, and a saved schedule must load back equal.
    return { target, jumpMs, drift: drift || 0 };
  },
  arbitrary: (shape) =>
    fc.record({
      target: targetArbitrary(shape, RULES, shape.brokers + 1),
      jumpMs: fc.integer({ min: -120000, max: 120000 }),
      drift: fc.integer({ min: -200, max: 1000 }).map((d) => d / 1000),
    }),
  duration: (random, intensity) => spanMs(random, intensity, 5000, 30000),
  tailMs: () => 0,
  start({ cluster, world, random }, { target, jumpMs, drift }) {
    const nodes = resolveTarget(target, cluster, random);
    for (const node of nodes) {
      if (jumpMs !== 0) world.jumpClock(node, jumpMs);
      if (drift !== 0) world.setClockDrift(node, drift);
    }
    return { nodes, jumpMs, drift };
  },
  stop({ world }, applied) {
    for (const node of applied.nodes) world.resetClock(node);
    return done({ reset: applied.nodes });
  },
};
