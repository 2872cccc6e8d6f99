// A slow control path: the links between chosen brokers and the cluster's metadata nodes (the KRaft controller
// quorum, or ZooKeeper) take seconds instead of a millisecond (controllers in another zone behind a congested
// link), while the brokers' links to each other and to clients keep their latency. Nothing is lost and TCP keeps
// each connection in order: such a broker hears of metadata late and in bulk (a leader change and the next one in
// one fetch), and its requests to the controller (AlterPartition, heartbeats, ZooKeeper writes) land on a state
// that has moved on since it sent them. The data path is slow-link's. Opt-in: generated only when named, or by
// swarm's extra draw (fault-kinds.ts).
import type { FaultKindModule } from '../kind.ts';
import { spanMs } from '../kind.ts';
import type { Link } from '../links.ts';
import type { Target } from '../target.ts';
import { resolveTarget } from '../target.ts';
import type { SlowLinkApplied, SlowLinkDirection, SlowLinkParams } from './slow-link.ts';
import { parseSlowLink, restoreLinks, slowLinkArbitrary, slowLinks } from './slow-link.ts';

/** slow-link's parameters, on other links. */
export type SlowControlLinkParams = SlowLinkParams;

export const slowControlLinkKind: FaultKindModule<SlowControlLinkParams, SlowLinkApplied> = {
  kind: 'slow-control-link',
  summary: 'seconds of latency between chosen brokers and the controllers or ZooKeeper (order kept); opt-in',
  parse: parseSlowLink,
  generate(random, shape, intensity) {
    // Mostly a leader (whose ISR changes and leadership the controller decides on), else every broker (the
    // controllers' zone far from all of them), a follower, or the controller (ZooKeeper mode: the broker that
    // holds /controller, its link to ZooKeeper; KRaft: the active controller, its links to the brokers).
    const partition = random.int(0, shape.partitions - 1);
    const pick = random.float();
    const target: Target =
      pick < 0.4
        ? { target: 'leader-of', partition }
        : pick < 0.7
          ? { target: 'random', count: shape.brokers }
          : pick < 0.85
            ? { target: 'follower-of', partition }
            : { target: 'controller' };
    const roll = random.float();
    const direction: SlowLinkDirection = roll < 0.5 ? 'both' : roll < 0.8 ? 'in' : 'out';
    // From a few fetch waits up to most of a KRaft broker session (broker.session.timeout.ms, 9 s).
    const minMs = Math.round(300 + 2700 * intensity * random.float());
    const maxMs = minMs + Math.round(3000 * random.float());
    return { target, direction, minMs, maxMs };
  },
  arbitrary: slowLinkArbitrary,
  duration: (random, intensity) => spanMs(random, intensity, 10000, 60000),
  tailMs: () => 0,
  start({ cluster, world, random }, params) {
    const nodes = resolveTarget(params.target, cluster, random);
    const metadata = cluster.metadataNodes();
    const links: Link[] = [];
    for (const node of nodes) {
      // A KRaft controller as the target (the active one): its links to every broker.
      for (const other of metadata.includes(node) ? cluster.brokerNodes() : metadata) {
        if (params.direction !== 'out') links.push([other, node]);
        if (params.direction !== 'in') links.push([node, other]);
      }
    }
    return slowLinks(world, nodes, links, params);
  },
  stop: restoreLinks,
};
