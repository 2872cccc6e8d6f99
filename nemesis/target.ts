// Which nodes a fault hits, as plain data in the schedule ("the leader of partition 0", "two random
// brokers", "b1 and b2"), resolved against the cluster only when the fault starts: the same schedule
// then means the same thing whatever leader the run happened to elect, and the start records the
// concrete node ids it chose so that the stop undoes exactly that.
import fc from 'fast-check';
import type { KafkaCluster } from '../sim/kafka/cluster.ts';
import { brokerNode, ZK_NODE } from '../sim/kafka/zk-layout.ts';
import { CONTROLLER_NODE } from '../sim/kafka/kraft/config.ts';
import type { Random } from '../sim/world/random.ts';
import { checkNumber, fail, Fields } from './fields.ts';
import type { ClusterShape } from './shape.ts';
import { replicasOf } from './shape.ts';

export type Target =
  | { target: 'random'; count: number }
  | { target: 'leader-of'; partition: number }
  | { target: 'follower-of'; partition: number }
  | { target: 'controller' }
  | { target: 'zk' }
  | { target: 'nodes'; nodes: string[] };

const TARGETS = ['random', 'leader-of', 'follower-of', 'controller', 'zk', 'nodes'] as const;

/** Whether a kind may hit the ZooKeeper node (it keeps its state in memory only, so it is never crashed). */
export interface TargetRules {
  zk: boolean;
}

const BROKER_NODE = /^b(0|[1-9][0-9]*)$/;

export function checkNode(v: unknown, where: string, rules: TargetRules, shape?: ClusterShape): string {
  if (typeof v !== 'string') fail(where, `expected a node id such as "b0", got ${JSON.stringify(v)}`);
  if (v === ZK_NODE) {
    if (!rules.zk) fail(where, `this fault cannot target the ZooKeeper node "${ZK_NODE}"`);
    return v;
  }
  const c = CONTROLLER_NODE.exec(v);
  if (c !== null) {
    // A KRaft controller node (ctl1, ...): it keeps its metadata log on disk, so every fault may hit it.
    if (shape !== undefined && (shape.controllers === undefined || Number(c[1]) > shape.controllers)) {
      fail(
        where,
        shape.controllers === undefined
          ? `no controller node "${v}" in ZooKeeper mode`
          : `no controller node "${v}" in a cluster with ${shape.controllers} controller(s)`,
      );
    }
    return v;
  }
  const m = BROKER_NODE.exec(v);
  if (m === null) fail(where, `"${v}" is not a broker node id (b0, b1, ...)${rules.zk ? ` or "${ZK_NODE}"` : ''}`);
  if (shape !== undefined && Number(m[1]) >= shape.brokers)
    fail(where, `no broker node "${v}" in a ${shape.brokers}-broker cluster`);
  return v;
}

export function checkPartition(v: unknown, where: string, shape?: ClusterShape): number {
  const max = shape === undefined ? undefined : shape.partitions - 1;
  const p = checkNumber(v, where, { min: 0, integer: true });
  if (max !== undefined && p > max) fail(where, `no partition ${p} in a topic of ${shape?.partitions} partition(s)`);
  return p;
}

export function parseTarget(raw: unknown, where: string, rules: TargetRules, shape?: ClusterShape): Target {
  const f = Fields.of(raw, where);
  const kind = f.oneOf('target', TARGETS, 'target');
  switch (kind) {
    case 'random': {
      f.only(['target', 'count']);
      const count = f.number('count', { min: 1, integer: true, max: shape?.brokers });
      return { target: kind, count };
    }
    case 'leader-of':
    case 'follower-of':
      f.only(['target', 'partition']);
      return { target: kind, partition: checkPartition(f.get('partition'), f.at('partition'), shape) };
    case 'controller':
      f.only(['target']);
      return { target: kind };
    case 'zk':
      f.only(['target']);
      if (!rules.zk) fail(f.at('target'), `this fault cannot target the ZooKeeper node "${ZK_NODE}"`);
      return { target: kind };
    case 'nodes': {
      f.only(['target', 'nodes']);
      const nodes = f.get('nodes');
      if (!Array.isArray(nodes) || nodes.length === 0) fail(f.at('nodes'), 'expected a non-empty array of node ids');
      const out = nodes.map((n, i) => checkNode(n, `${f.at('nodes')}[${i}]`, rules, shape));
      const dup = out.find((n, i) => out.indexOf(n) !== i);
      if (dup !== undefined) fail(f.at('nodes'), `node "${dup}" listed twice`);
      return { target: kind, nodes: out };
    }
  }
}

/** A random target for generated schedules: mostly the roles that matter (leader, controller). */
export function generateTarget(random: Random, shape: ClusterShape, rules: TargetRules, maxCount: number): Target {
  const roll = random.float();
  const partition = random.int(0, shape.partitions - 1);
  if (rules.zk && roll < 0.08) return { target: 'zk' };
  if (roll < 0.4) return { target: 'leader-of', partition };
  if (roll < 0.55) return { target: 'follower-of', partition };
  if (roll < 0.7) return { target: 'controller' };
  return { target: 'random', count: random.int(1, Math.max(1, Math.min(maxCount, shape.brokers))) };
}

/** Targets for property tests; shrinking goes towards one random broker. */
export function targetArbitrary(shape: ClusterShape, rules: TargetRules, maxCount: number): fc.Arbitrary<Target> {
  const partition = fc.integer({ min: 0, max: shape.partitions - 1 });
  const options: fc.Arbitrary<Target>[] = [
    fc.record({
      target: fc.constant('random' as const),
      count: fc.integer({ min: 1, max: Math.max(1, Math.min(maxCount, shape.brokers)) }),
    }),
    fc.record({ target: fc.constant('leader-of' as const), partition }),
    fc.record({ target: fc.constant('follower-of' as const), partition }),
    fc.constant({ target: 'controller' as const }),
    fc
      .uniqueArray(fc.integer({ min: 0, max: shape.brokers - 1 }), {
        minLength: 1,
        maxLength: Math.max(1, Math.min(maxCount, shape.brokers)),
      })
      .map((ids) => ({ target: 'nodes' as const, nodes: ids.map(brokerNode) })),
  ];
  if (rules.zk) options.push(fc.constant({ target: 'zk' as const }));
  return fc.oneof(...options);
}

/**
 * The node ids a target means right now. `eligible` narrows random choices (a kill picks among brokers
 * that are up); roles resolve to whoever holds them, or to nothing when nobody does (no leader elected).
 */
export function resolveTarget(
  t: Target,
  cluster: KafkaCluster,
  random: Random,
  eligible: (node: string) => boolean = () => true,
): string[] {
  switch (t.target) {
    case 'random': {
      const candidates = cluster.brokerNodes().filter(eligible);
      return random.shuffle(candidates).slice(0, t.count).sort(compareNodes);
    }
    case 'leader-of': {
      const leader = cluster.leaderOf(t.partition);
      return leader < 0 ? [] : [brokerNode(leader)];
    }
    case 'follower-of': {
      const leader = cluster.leaderOf(t.partition);
      const followers = replicasOf(cluster, t.partition).filter((r) => r !== leader);
      return followers.length === 0 ? [] : [brokerNode(random.pick(followers))];
    }
    case 'controller': {
      const c = cluster.activeControllerNode();
      return c === null ? [] : [c];
    }
    case 'zk':
      // The metadata service: ZooKeeper, or in KRaft mode the whole controller quorum.
      return cluster.metadataNodes();
    case 'nodes':
      return [...t.nodes];
  }
}

/** Broker nodes by number (b2 before b10), ZooKeeper last: a stable order for records. */
export function compareNodes(a: string, b: string): number {
  const na = BROKER_NODE.test(a) ? Number(a.slice(1)) : Infinity;
  const nb = BROKER_NODE.test(b) ? Number(b.slice(1)) : Infinity;
  if (na !== nb) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The nodes a partition fault splits: the brokers and ZooKeeper (or the KRaft controllers). Clients stay outside, as in
 * Jepsen.
 */
export function clusterNodes(cluster: KafkaCluster): string[] {
  return cluster.serverNodes();
}
