// Paused brokers (a long GC pause, SIGSTOP): the process keeps its memory but does nothing, while the
// world moves on. A pause longer than zookeeper.session.timeout.ms expires its session; a leader that
// resumes after that is a zombie, still believing it leads until the controller's word reaches it.
import { Fields } from '../fields.ts';
import type { FaultKindModule } from '../kind.ts';
import { done, spanMs } from '../kind.ts';
import type { ClusterShape } from '../shape.ts';
import type { Target } from '../target.ts';
import { generateTarget, parseTarget, resolveTarget, targetArbitrary } from '../target.ts';
import { minority } from './kill.ts';

const RULES = { zk: true };

export type PauseParams = { target: Target };
export type PauseApplied = { nodes: string[] };

function parse(raw: unknown, where: string, shape?: ClusterShape): PauseParams {
  const f = Fields.of(raw, where);
  f.only(['target']);
  return { target: parseTarget(f.get('target'), f.at('target'), RULES, shape) };
}

export const pauseKind: FaultKindModule<PauseParams, PauseApplied> = {
  kind: 'pause',
  summary: 'pause chosen nodes (GC pause, SIGSTOP), often past the ZooKeeper session timeout; resume at stop',
  parse,
  generate: (random, shape) => ({ target: generateTarget(random, shape, RULES, minority(shape)) }),
  arbitrary: (shape) => targetArbitrary(shape, RULES, shape.brokers).map((target) => ({ target })),
  duration(random, intensity) {
    // Either a short stall or one that outlives the default 18 s session, so a zombie leader comes back.
    if (random.chance(0.3 + 0.4 * intensity)) return random.int(20000, 35000);
    return spanMs(random, intensity, 500, 10000);
  },
  tailMs: () => 0,
  start({ cluster, world, random }, { target }) {
    const running = (node: string): boolean => world.node(node).status === 'running';
    const nodes = resolveTarget(target, cluster, random, running).filter(running);
    for (const node of nodes) world.pause(node);
    return { nodes };
  },
  stop({ world }, applied) {
    const resumed = applied.nodes.filter((n) => world.node(n).status === 'paused');
    for (const node of resumed) world.resume(node);
    return done({ resumed });
  },
};
