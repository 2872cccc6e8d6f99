// A slow replication path: the links between chosen brokers and the other brokers take seconds instead
// of a millisecond (a congested cross-zone link, a saturated NIC). Nothing is lost and TCP keeps each
// connection in order, so a follower behind such a link still fetches, only late: its fetch reaches the
// leader, which may act on it (move the high watermark, admit the follower to the ISR), while the answer
// carrying the records is still on its way, and is lost if the leader dies meanwhile. ZooKeeper and
// client links keep their latency. Opt-in: generated only when named, or by swarm's extra draw (fault-kinds.ts).
import fc from 'fast-check';
import type { Distribution } from '../../sim/world/distribution.ts';
import { Fields } from '../fields.ts';
import type { FaultContext, FaultKindModule } from '../kind.ts';
import { done, spanMs } from '../kind.ts';
import type { Link } from '../links.ts';
import type { ClusterShape } from '../shape.ts';
import type { Target } from '../target.ts';
import { parseTarget, resolveTarget, targetArbitrary } from '../target.ts';

const RULES = { zk: false };
const DIRECTIONS = ['in', 'out', 'both'] as const;
/** Longest one-way latency a schedule may ask for: longer is a partition, the partition kind's business. */
const MAX_MS = 60000;

export type SlowLinkDirection = (typeof DIRECTIONS)[number];
/** One-way latency drawn uniformly from minMs to maxMs on every slowed link; `in` slows what the target receives. */
export type SlowLinkParams = { target: Target; direction: SlowLinkDirection; minMs: number; maxMs: number };
export type SlowLinkApplied = { nodes: string[]; links: Link[]; minMs: number; maxMs: number };

/** The parameters' parser, shared with slow-control-link. */
export function parseSlowLink(raw: unknown, where: string, shape?: ClusterShape): SlowLinkParams {
  const f = Fields.of(raw, where);
  f.only(['target', 'direction', 'minMs', 'maxMs']);
  const minMs = f.number('minMs', { min: 0, max: MAX_MS });
  return {
    target: parseTarget(f.get('target'), f.at('target'), RULES, shape),
    direction: f.oneOf('direction', DIRECTIONS, 'direction'),
    minMs,
    maxMs: f.number('maxMs', { min: minMs, max: MAX_MS }),
  };
}

export const slowLinkKind: FaultKindModule<SlowLinkParams, SlowLinkApplied> = {
  kind: 'slow-link',
  summary: 'seconds of latency between chosen brokers and the other brokers (nothing lost, order kept); opt-in',
  parse: parseSlowLink,
  generate(random, shape, intensity) {
    // Mostly the whole inter-broker network (every fetch answered late, whoever leads after the next
    // failure), else one follower or leader: the lagging replica the ISR rules are about.
    const partition = random.int(0, shape.partitions - 1);
    const pick = random.float();
    const target: Target =
      pick < 0.6
        ? { target: 'random', count: shape.brokers }
        : pick < 0.85
          ? { target: 'follower-of', partition }
          : { target: 'leader-of', partition };
    const roll = random.float();
    const direction: SlowLinkDirection = roll < 0.6 ? 'in' : roll < 0.9 ? 'both' : 'out';
    // Whole milliseconds, from about the ZooKeeper round trip up to several fetch waits.
    const minMs = Math.round(300 + 2700 * intensity * random.float());
    const maxMs = minMs + Math.round(3000 * random.float());
    return { target, direction, minMs, maxMs };
  },
  arbitrary: slowLinkArbitrary,
  duration: (random, intensity) => spanMs(random, intensity, 10000, 60000),
  tailMs: () => 0,
  start({ cluster, world, random }, params) {
    const nodes = resolveTarget(params.target, cluster, random);
    const brokers = cluster.brokerNodes();
    const links: Link[] = [];
    for (const node of nodes) {
      for (const other of brokers) {
        if (other === node) continue;
        if (params.direction !== 'out') links.push([other, node]);
        if (params.direction !== 'in') links.push([node, other]);
      }
    }
    return slowLinks(world, nodes, links, params);
  },
  stop: restoreLinks,
};

/** Schedules for property tests, shared with slow-control-link. */
export function slowLinkArbitrary(shape: ClusterShape): fc.Arbitrary<SlowLinkParams> {
  return fc
    .record({
      target: targetArbitrary(shape, RULES, shape.brokers),
      direction: fc.constantFrom(...DIRECTIONS),
      minMs: fc.integer({ min: 0, max: 10000 }),
      spread: fc.integer({ min: 0, max: 5000 }),
    })
    .map(({ target, direction, minMs, spread }): SlowLinkParams => ({
      target,
      direction,
      minMs,
      maxMs: minMs + spread,
    }));
}

/** Sets the latency on `links`, what start records. */
export function slowLinks(
  world: FaultContext['world'],
  nodes: string[],
  links: Link[],
  params: SlowLinkParams,
): SlowLinkApplied {
  const latency: Distribution = { kind: 'uniform', min: params.minMs, max: params.maxMs };
  for (const [from, to] of links) world.net.setLinkLatency(from, to, latency);
  return { nodes, links, minMs: params.minMs, maxMs: params.maxMs };
}

/** Back to the network's default latency; what is already in flight arrives as it was sent. */
export function restoreLinks({ world }: FaultContext, applied: SlowLinkApplied): ReturnType<typeof done> {
  for (const [from, to] of applied.links) world.net.setLinkLatency(from, to, null);
  return done({ nodes: applied.nodes, restored: applied.links.length });
}
