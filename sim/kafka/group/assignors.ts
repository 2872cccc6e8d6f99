// The consumer's partition assignors the group leader runs (clients' RangeAssignor and CooperativeStickyAssignor,
// 3.9.0, without racks: kafkasim's consumers subscribe to one topic, so each subscription is that topic's
// partitions). Members are keyed by member id; Kafka's assignors sort them the same way.
import type { Subscription } from './group-metadata.ts';

/** ConsumerPartitionAssignor.RebalanceProtocol. */
export type RebalanceProtocol = 'EAGER' | 'COOPERATIVE';

export interface Assignor {
  /** partition.assignment.strategy's name for it, sent in JoinGroup. */
  name: string;
  /** Cooperative assignors support both; the client then follows COOPERATIVE (ConsumerCoordinator). */
  protocol: RebalanceProtocol;
  assign(members: { memberId: string; metadata: Subscription }[]): Map<string, number[]>;
}

/**
 * RangeAssignor.assign: members in id order, each a contiguous range; the first `n mod m` one partition more.
 * Every member subscribes to the same topic, so its partitions are those of the first subscription.
 */
export const RANGE: Assignor = {
  name: 'range',
  protocol: 'EAGER',
  assign(members) {
    const ids = members.map((m) => m.memberId).sort();
    const partitions = [...(members[0]?.metadata.partitions ?? [])].sort((a, b) => a - b);
    const per = Math.floor(partitions.length / Math.max(ids.length, 1));
    const extra = partitions.length % Math.max(ids.length, 1);
    const out = new Map<string, number[]>();
    ids.forEach((id, i) => {
      const start = per * i + Math.min(i, extra);
      out.set(id, partitions.slice(start, start + per + (i < extra ? 1 : 0)));
    });
    return out;
  },
};

/**
 * AbstractStickyAssignor's constrained assignment (every member subscribes to the same partitions): a member keeps
 * the partitions it owned up to its quota, the rest go round-robin to members under the quota. Claims from a
 * generation older than the newest claimed are ignored, and a partition two members of that generation claim is
 * owned by neither (allSubscriptionsEqual).
 */
export function stickyAssign(members: { memberId: string; metadata: Subscription }[]): Map<string, number[]> {
  const ids = members.map((m) => m.memberId).sort();
  const all = [...(members[0]?.metadata.partitions ?? [])].sort((a, b) => a - b);
  const maxGeneration = Math.max(-1, ...members.map((m) => m.metadata.generation));
  const claims = new Map<number, number>();
  for (const m of members) {
    if (m.metadata.generation !== maxGeneration) continue;
    for (const p of m.metadata.ownedPartitions) claims.set(p, (claims.get(p) ?? 0) + 1);
  }
  const ownedOf = (id: string): number[] => {
    const m = members.find((x) => x.memberId === id) as { metadata: Subscription };
    if (m.metadata.generation !== maxGeneration) return [];
    return m.metadata.ownedPartitions.filter((p) => claims.get(p) === 1 && all.includes(p)).sort((a, b) => a - b);
  };
  const n = all.length;
  const count = Math.max(ids.length, 1);
  const minQuota = Math.floor(n / count);
  const maxQuota = Math.ceil(n / count);
  const expectedOverMin = n % count;
  let overMin = 0;
  const assignment = new Map<string, number[]>(ids.map((id) => [id, []]));
  const assigned = new Set<number>();
  const underMin: string[] = [];
  let exactlyMin: string[] = [];
  // assignOwnedPartitions
  for (const id of ids) {
    const owned = ownedOf(id);
    const mine = assignment.get(id) as number[];
    let keep: number[];
    if (owned.length < minQuota) {
      keep = owned;
      underMin.push(id);
    } else if (owned.length >= maxQuota && overMin < expectedOverMin) {
      overMin++;
      if (overMin === expectedOverMin) exactlyMin = [];
      keep = owned.slice(0, maxQuota);
    } else {
      keep = owned.slice(0, minQuota);
      if (overMin < expectedOverMin) exactlyMin.push(id);
    }
    for (const p of keep) {
      mine.push(p);
      assigned.add(p);
    }
  }
  // assignRoundRobin over the partitions left, members under the quota first.
  let i = 0;
  for (const p of all.filter((x) => !assigned.has(x))) {
    let id: string;
    if (i < underMin.length) id = underMin[i++];
    else if (underMin.length === 0) {
      const next = exactlyMin.shift();
      if (next === undefined) throw new Error('no more unfilled consumers to be assigned');
      id = next;
    } else {
      i = 0;
      id = underMin[i++];
    }
    const mine = assignment.get(id) as number[];
    mine.push(p);
    if (mine.length === minQuota) {
      underMin.splice(--i, 1);
      exactlyMin.push(id);
    } else if (mine.length === maxQuota) {
      overMin++;
      if (overMin === expectedOverMin) exactlyMin = [];
    }
  }
  for (const list of assignment.values()) list.sort((a, b) => a - b);
  return assignment;
}

/**
 * CooperativeStickyAssignor (KIP-429, 2.4): the sticky assignment, less each partition that moves from one member
 * to another (adjustAssignment): its owner revokes it first, rejoins, and the next rebalance hands it over.
 */
export const COOPERATIVE_STICKY: Assignor = {
  name: 'cooperative-sticky',
  protocol: 'COOPERATIVE',
  assign(members) {
    const assignment = stickyAssign(members);
    const added = new Map<number, string>();
    const revoked = new Set<number>();
    for (const m of members) {
      const got = assignment.get(m.memberId) ?? [];
      for (const p of got) if (!m.metadata.ownedPartitions.includes(p)) added.set(p, m.memberId);
      for (const p of m.metadata.ownedPartitions) if (!got.includes(p)) revoked.add(p);
    }
    for (const [p, to] of added) {
      if (!revoked.has(p)) continue;
      const list = assignment.get(to) as number[];
      list.splice(list.indexOf(p), 1);
    }
    return assignment;
  },
};

export const ASSIGNORS: readonly Assignor[] = [RANGE, COOPERATIVE_STICKY];

export function assignorNamed(name: string): Assignor {
  const a = ASSIGNORS.find((x) => x.name === name);
  if (a === undefined) throw new Error(`unknown partition.assignment.strategy ${name}`);
  return a;
}
