// The 2013 Jepsen scenario ("Call me maybe: Kafka"): a partition's leader is cut off from the other
// brokers, so followers cannot fetch and the controller cannot reach it, yet its links to ZooKeeper stay
// up, so its session lives and nobody replaces it. The leader shrinks the ISR to itself and, with
// min.insync.replicas 1, keeps acknowledging writes only it holds. Clients still reach it.
import fc from 'fast-check';
import { brokerNode } from '../../sim/kafka/zk-layout.ts';
import { Fields } from '../fields.ts';
import type { FaultKindModule } from '../kind.ts';
import { done, spanMs } from '../kind.ts';
import type { Link } from '../links.ts';
import type { ClusterShape } from '../shape.ts';
import { checkPartition } from '../target.ts';

export type LeaderDataPathParams = { partition: number };
export type LeaderDataPathApplied = { partition: number; leader: string | null; cutFrom: string[]; links: Link[] };

function parse(raw: unknown, where: string, shape?: ClusterShape): LeaderDataPathParams {
  const f = Fields.of(raw, where);
  f.only(['partition']);
  return { partition: checkPartition(f.get('partition'), f.at('partition'), shape) };
}

export const leaderDataPathKind: FaultKindModule<LeaderDataPathParams, LeaderDataPathApplied> = {
  kind: 'leader-data-path',
  summary: "cut a partition's leader off from the other brokers, keeping its ZooKeeper session",
  parse,
  generate: (random, shape) => ({ partition: random.int(0, shape.partitions - 1) }),
  arbitrary: (shape) => fc.record({ partition: fc.integer({ min: 0, max: shape.partitions - 1 }) }),
  // Long enough, often, to outlast replica.lag.time.max.ms (30 s modern, 10 s before 2.5).
  duration: (random, intensity) => spanMs(random, intensity, 5000, 45000),
  tailMs: () => 0,
  start({ cluster, links }, { partition }) {
    const leader = cluster.leaderOf(partition);
    if (leader < 0) return { partition, leader: null, cutFrom: [], links: [] };
    const node = brokerNode(leader);
    const others = cluster.brokerNodes().filter((n) => n !== node);
    return { partition, leader: node, cutFrom: others, links: links.cutBetween([node], others) };
  },
  stop(ctx, applied) {
    ctx.links.releaseAll(applied.links);
    return done({ partition: applied.partition, leader: applied.leader, healed: applied.links.length });
  },
};
