// Network partitions among the cluster's nodes (brokers and ZooKeeper), in Jepsen's shapes: one node
// isolated, a random minority/majority split, a majorities ring (every node sees a majority, no two the
// same one) and a bridge (two halves that share one node). Clients are left connected to everyone, as
// Jepsen's clients run beside the partitioned network rather than inside it.
import fc from 'fast-check';
import { ZK_NODE } from '../../sim/kafka/zk-layout.ts';
import type { Random } from '../../sim/world/random.ts';
import { Fields } from '../fields.ts';
import type { FaultContext, FaultKindModule } from '../kind.ts';
import { done, spanMs } from '../kind.ts';
import type { Link } from '../links.ts';
import type { ClusterShape } from '../shape.ts';
import type { Target } from '../target.ts';
import { clusterNodes, compareNodes, generateTarget, parseTarget, resolveTarget, targetArbitrary } from '../target.ts';

const MODES = ['isolate', 'minority-majority', 'majorities-ring', 'bridge'] as const;
const SIDES = ['majority', 'minority'] as const;
const RULES = { zk: true };

export type PartitionParams =
  | { mode: 'isolate'; target: Target }
  /** `zk` says which side ZooKeeper ends up on: with the minority, the majority cannot elect anyone. */
  | { mode: 'minority-majority'; zk: 'majority' | 'minority' }
  | { mode: 'majorities-ring' }
  | { mode: 'bridge' };

export type PartitionApplied =
  | { mode: 'isolate'; nodes: string[]; links: Link[] }
  | { mode: 'minority-majority'; minority: string[]; majority: string[]; links: Link[] }
  | { mode: 'majorities-ring'; ring: string[]; links: Link[] }
  | { mode: 'bridge'; halves: string[][]; bridge: string; links: Link[] };

function parse(raw: unknown, where: string, shape?: ClusterShape): PartitionParams {
  const f = Fields.of(raw, where);
  const mode = f.oneOf('mode', MODES, 'partition mode');
  switch (mode) {
    case 'isolate':
      f.only(['mode', 'target']);
      return { mode, target: parseTarget(f.get('target'), f.at('target'), RULES, shape) };
    case 'minority-majority':
      f.only(['mode', 'zk']);
      return { mode, zk: f.oneOf('zk', SIDES, 'side') };
    case 'majorities-ring':
    case 'bridge':
      f.only(['mode']);
      return { mode };
  }
}

function generate(random: Random, shape: ClusterShape): PartitionParams {
  const roll = random.float();
  if (roll < 0.4) return { mode: 'isolate', target: generateTarget(random, shape, RULES, 1) };
  if (roll < 0.65) return { mode: 'minority-majority', zk: random.chance(0.7) ? 'majority' : 'minority' };
  if (roll < 0.8) return { mode: 'majorities-ring' };
  return { mode: 'bridge' };
}

function arbitrary(shape: ClusterShape): fc.Arbitrary<PartitionParams> {
  return fc.oneof(
    fc.record({ mode: fc.constant('isolate' as const), target: targetArbitrary(shape, RULES, 1) }),
    fc.record({ mode: fc.constant('minority-majority' as const), zk: fc.constantFrom(...SIDES) }),
    fc.constant({ mode: 'majorities-ring' as const }),
    fc.constant({ mode: 'bridge' as const }),
  );
}

/** Ring neighbours within distance d stay connected, d chosen so each node sees a majority. */
function ringLinks(ring: string[]): [string, string][] {
  const n = ring.length;
  const majority = Math.floor(n / 2) + 1;
  const reach = Math.ceil((majority - 1) / 2);
  const pairs: [string, string][] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (Math.min(j - i, n - (j - i)) > reach) pairs.push([ring[i], ring[j]]);
    }
  }
  return pairs;
}

function start(ctx: FaultContext, params: PartitionParams): PartitionApplied {
  const { cluster, random, links } = ctx;
  const everyone = clusterNodes(cluster);
  switch (params.mode) {
    case 'isolate': {
      const nodes = resolveTarget(params.target, cluster, random);
      const cut: Link[] = [];
      for (const node of nodes) cut.push(...links.cutBetween([node], everyone));
      return { mode: 'isolate', nodes, links: cut };
    }
    case 'minority-majority': {
      const brokers = random.shuffle(cluster.brokerNodes());
      const size = brokers.length < 2 ? 0 : random.int(1, Math.max(1, Math.floor((brokers.length - 1) / 2)));
      const minority = brokers.slice(0, size).sort(compareNodes);
      const majority = brokers.slice(size).sort(compareNodes);
      const metadata = cluster.metadataNodes();
      if (metadata.length === 1 && metadata[0] === ZK_NODE) {
        (params.zk === 'minority' && size > 0 ? minority : majority).push(ZK_NODE);
      } else {
        // KRaft: the quorum is split too; its majority goes to the side `zk` names, its minority to the other.
        const voters = random.shuffle(metadata);
        const small = Math.floor((voters.length - 1) / 2);
        const quorumMinority = voters.slice(0, small).sort(compareNodes);
        const quorumMajority = voters.slice(small).sort(compareNodes);
        const toMinority = params.zk === 'minority' && size > 0;
        minority.push(...(toMinority ? quorumMajority : quorumMinority));
        majority.push(...(toMinority ? quorumMinority : quorumMajority));
      }
      return { mode: 'minority-majority', minority, majority, links: links.cutBetween(minority, majority) };
    }
    case 'majorities-ring': {
      const ring = random.shuffle(everyone);
      const cut: Link[] = [];
      for (const [a, b] of ringLinks(ring)) cut.push(...links.cutBetween([a], [b]));
      return { mode: 'majorities-ring', ring, links: cut };
    }
    case 'bridge': {
      const members = random.shuffle(everyone);
      const half = Math.floor((members.length - 1) / 2);
      const a = members.slice(0, half).sort(compareNodes);
      const bridge = members[half];
      const b = members.slice(half + 1).sort(compareNodes);
      return { mode: 'bridge', halves: [a, b], bridge, links: links.cutBetween(a, b) };
    }
  }
}

export const partitionKind: FaultKindModule<PartitionParams, PartitionApplied> = {
  kind: 'partition',
  summary: 'network partition among brokers and ZooKeeper: isolate, minority-majority, majorities-ring, bridge',
  parse,
  generate,
  arbitrary,
  duration: (random, intensity) => spanMs(random, intensity, 3000, 30000),
  tailMs: () => 0,
  start,
  stop(ctx, applied) {
    ctx.links.releaseAll(applied.links);
    return done({ mode: applied.mode, healed: applied.links.length });
  },
};
