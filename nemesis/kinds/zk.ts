// Brokers cut off from ZooKeeper only: their sessions expire after zookeeper.session.timeout.ms, the
// controller drops them (and a cut-off controller loses /controller), while the data path between
// brokers stays up, so a fenced leader may keep serving followers for a while.
import type { FaultKindModule } from '../kind.ts';
import { done, spanMs } from '../kind.ts';
import type { Link } from '../links.ts';
import { Fields } from '../fields.ts';
import type { ClusterShape } from '../shape.ts';
import type { Target } from '../target.ts';
import { generateTarget, parseTarget, resolveTarget, targetArbitrary } from '../target.ts';

const RULES = { zk: false };

export type ZkParams = { target: Target };
export type ZkApplied = { nodes: string[]; links: Link[] };

function parse(raw: unknown, where: string, shape?: ClusterShape): ZkParams {
  const f = Fields.of(raw, where);
  f.only(['target']);
  return { target: parseTarget(f.get('target'), f.at('target'), RULES, shape) };
}

export const zkKind: FaultKindModule<ZkParams, ZkApplied> = {
  kind: 'zk',
  summary: 'cut chosen brokers off from ZooKeeper only (their sessions expire; broker links stay up)',
  parse,
  generate: (random, shape) => ({
    target: generateTarget(random, shape, RULES, Math.max(1, Math.floor((shape.brokers - 1) / 2))),
  }),
  arbitrary: (shape) => targetArbitrary(shape, RULES, shape.brokers).map((target) => ({ target })),
  // Often past the 18 s default session timeout, so that sessions really expire.
  duration: (random, intensity) => spanMs(random, intensity, 3000, 35000),
  tailMs: () => 0,
  start({ cluster, random, links }, { target }) {
    const nodes = resolveTarget(target, cluster, random);
    // In KRaft mode the brokers are cut off from every controller: fenced once their session runs out.
    return { nodes, links: links.cutBetween(nodes, cluster.metadataNodes()) };
  },
  stop(ctx, applied) {
    ctx.links.releaseAll(applied.links);
    return done({ nodes: applied.nodes, healed: applied.links.length });
  },
};
