// Crashed brokers: memory and connections are gone. A process crash (kill -9, as Jepsen's kill nemesis
// does) keeps the page cache; a power-loss mode also loses unsynced data. Generated kills are process
// crashes here; generate.ts then turns a quarter of them into power losses from a stream of their own.
// The stop restarts the brokers from what their disks kept.
import fc from 'fast-check';
import { CRASH_MODES } from '../../sim/world/disk.ts';
import type { CrashMode } from '../../sim/world/disk.ts';
import { Fields } from '../fields.ts';
import type { FaultKindModule } from '../kind.ts';
import { done, spanMs } from '../kind.ts';
import type { ClusterShape } from '../shape.ts';
import type { Target } from '../target.ts';
import { generateTarget, parseTarget, resolveTarget, targetArbitrary } from '../target.ts';

const RULES = { zk: false };

export type KillParams = { target: Target; mode: CrashMode };
export type KillApplied = { nodes: string[]; mode: CrashMode };

function parse(raw: unknown, where: string, shape?: ClusterShape): KillParams {
  const f = Fields.of(raw, where);
  f.only(['target', 'mode']);
  return {
    target: parseTarget(f.get('target'), f.at('target'), RULES, shape),
    mode: f.oneOf('mode', CRASH_MODES, 'crash mode'),
  };
}

/** At most a minority by default: killing a majority is kill-all's (or outage's) business. */
export function minority(shape: ClusterShape): number {
  return Math.max(1, Math.floor((shape.brokers - 1) / 2));
}

export const killKind: FaultKindModule<KillParams, KillApplied> = {
  kind: 'kill',
  summary: 'crash chosen brokers (crash mode per fault), restart them at stop',
  parse,
  generate: (random, shape) => ({ target: generateTarget(random, shape, RULES, minority(shape)), mode: 'process' }),
  arbitrary: (shape) =>
    fc.record({ target: targetArbitrary(shape, RULES, shape.brokers), mode: fc.constantFrom(...CRASH_MODES) }),
  duration: (random, intensity) => spanMs(random, intensity, 2000, 25000),
  tailMs: () => 0,
  start({ cluster, world, random }, { target, mode }) {
    const up = (node: string): boolean => world.node(node).status !== 'down';
    const nodes = resolveTarget(target, cluster, random, up).filter(up);
    for (const node of nodes) world.crash(node, mode);
    return { nodes, mode };
  },
  stop({ world }, applied) {
    const restarted = applied.nodes.filter((n) => world.node(n).status === 'down');
    for (const node of restarted) world.start(node);
    return done({ restarted });
  },
};
