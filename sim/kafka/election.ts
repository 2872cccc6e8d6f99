// Leader election rules as pure functions over a partition's state and the set of live brokers: ZooKeeper
// mode's controller's (controller.ts, Kafka's PartitionLeaderElectionAlgorithms:
// offlinePartitionLeaderElection, preferredReplicaPartitionLeaderElection, with KIP-966's eligible leader
// replicas as kafkasim models them there; KRaft shares the preferred election and the policy, and builds
// its changes as PartitionChangeBuilder does, kraft/partition-change-builder.ts). Clean election picks the
// first live ISR member in assignment order; with KIP-966, else the first live eligible leader replica
// (ELR); unclean election (only when unclean.leader.election.enable) any live replica. A replica back from
// an unclean shutdown ("justUnclean") may have lost acknowledged records: it leaves the ISR and the ELR,
// and a leader that bounced that way is elected away from.

export interface ElectionPolicy {
  /** KIP-966's eligible leader replicas, unclean-shutdown exclusion and last-known-leader recovery. */
  elr: boolean;
  /** unclean.leader.election.enable */
  unclean: boolean;
  /** min.insync.replicas */
  minIsr: number;
}

export interface PartitionView {
  leader: number;
  isr: number[];
  elr: number[];
  replicas: number[];
  /** KIP-966's LastKnownELR: the leader the partition had when it went leaderless. */
  lastKnownElr: number[];
}

export interface Election {
  leader: number;
  isr: number[];
  unclean: boolean;
  /** KIP-966 Balanced recovery: the last known leader elected back (an unclean election). */
  lastKnownLeader?: boolean;
}

export type LiveChange =
  | { kind: 'isr'; isr: number[]; elr: number[] }
  | { kind: 'offline'; isr: number[]; elr: number[]; lastKnownElr: number[] }
  | { kind: 'elected'; leader: number; isr: number[]; elr: number[]; unclean: boolean; lastKnownLeader: boolean };

/**
 * KIP-966: replicas removed from the ISR while it is (or becomes) smaller than min.insync.replicas stay
 * eligible to lead, because the high watermark cannot advance past what they hold; at or above min ISR
 * the list is empty.
 */
function nextEligibleLeaders(oldIsr: number[], newIsr: number[], elr: number[], minIsr: number): number[] {
  if (newIsr.length >= minIsr) return [];
  const removed = oldIsr.filter((r) => !newIsr.includes(r));
  return [...new Set([...elr, ...removed])].filter((r) => !newIsr.includes(r)).sort((a, b) => a - b);
}

/** KIP-966's eligible leader replicas after an ISR change (empty without KIP-966). */
export function eligibleAfter(oldIsr: number[], newIsr: number[], elr: number[], policy: ElectionPolicy): number[] {
  return policy.elr ? nextEligibleLeaders(oldIsr, newIsr, elr, policy.minIsr) : [];
}

export function electLeader(
  state: PartitionView,
  live: (b: number) => boolean,
  policy: ElectionPolicy,
  bounced: number[] = [],
): Election | null {
  const replicas = state.replicas;
  const liveIsr = replicas.filter(
    (r) => state.isr.includes(r) && live(r) && !(policy.elr && r === state.leader && bounced.includes(r)),
  );
  if (liveIsr.length > 0) return { leader: liveIsr[0], isr: state.isr.filter((r) => live(r)), unclean: false };
  const liveElr = replicas.filter((r) => state.elr.includes(r) && live(r));
  if (policy.elr && liveElr.length > 0) return { leader: liveElr[0], isr: [liveElr[0]], unclean: false };
  // KIP-966 Balanced recovery: with no ISR or ELR member left, the last known leader is elected once it
  // is back, even with unclean election disabled; it is unclean (its unflushed tail may be gone).
  const lastKnown = state.lastKnownElr;
  if (policy.elr && lastKnown.length === 1 && live(lastKnown[0]) && state.isr.length === 0 && state.elr.length === 0) {
    return { leader: lastKnown[0], isr: [lastKnown[0]], unclean: true, lastKnownLeader: true };
  }
  if (!policy.unclean) return null;
  const liveReplica = replicas.find((r) => live(r));
  return liveReplica === undefined ? null : { leader: liveReplica, isr: [liveReplica], unclean: true };
}

/**
 * What a change in the live brokers means for one partition: nothing (null), a smaller ISR (dead or
 * unclean-restarted members out), a new leader, or no leader at all (offline, keeping the last ISR).
 */
export function decideLiveChange(
  current: PartitionView,
  live: (b: number) => boolean,
  justUnclean: number[],
  policy: ElectionPolicy,
): LiveChange | null {
  const notUnclean = (r: number): boolean => !justUnclean.includes(r);
  // A leader back from an unclean shutdown that no controller saw go (it bounced while no controller was
  // watching) lost its unflushed tail: it must not carry on in its old epoch, so it is elected again.
  const leaderBounced = justUnclean.includes(current.leader);
  if (current.leader >= 0 && live(current.leader) && !leaderBounced) {
    // A follower back from an unclean shutdown must catch up before it counts as in sync again.
    const isr = current.isr.filter((r) => live(r) && (r === current.leader || notUnclean(r)));
    const elr = current.elr.filter(notUnclean);
    if (isr.length === current.isr.length && elr.length === current.elr.length) return null;
    if (isr.length === current.isr.length) return { kind: 'isr', isr, elr };
    // Dropped because they died, members stay eligible; back from an unclean shutdown, they may not be.
    return { kind: 'isr', isr, elr: eligibleAfter(current.isr, isr, elr, policy).filter(notUnclean) };
  }
  let stale = false;
  let state = current;
  if (policy.elr && justUnclean.length > 0) {
    // Neither eligible nor the last ISR member to lead a leaderless partition, after an unclean shutdown.
    stale = !current.isr.every(notUnclean) || !current.elr.every(notUnclean);
    state = { ...current, isr: current.isr.filter(notUnclean), elr: current.elr.filter(notUnclean) };
  }
  let election = electLeader(state, live, policy, leaderBounced ? [current.leader] : []);
  if (election === null && policy.elr && current.leader >= 0) {
    // Leaderless from now on: the leader becomes the last known one, elected at once if it is the bounced
    // leader and nobody else may lead.
    election = electLeader({ ...state, lastKnownElr: [current.leader] }, live, policy);
  }
  if (election === null) {
    if (current.leader < 0 && !stale) return null;
    const lastKnownElr = current.leader >= 0 && policy.elr ? [current.leader] : current.lastKnownElr;
    return { kind: 'offline', isr: state.isr, elr: state.elr, lastKnownElr };
  }
  const chosen = election.leader;
  // Members dropped because their broker died keep the committed data: eligible while ISR < min.
  const elr = eligibleAfter(state.isr, election.isr, state.elr, policy).filter((r) => r !== chosen && notUnclean(r));
  return {
    kind: 'elected',
    leader: chosen,
    isr: election.isr,
    elr: policy.elr && !election.unclean ? elr : [],
    unclean: election.unclean,
    lastKnownLeader: election.lastKnownLeader === true,
  };
}

/** Preferred leader election: the first replica, when it is live, in the ISR and not already leading. */
export function preferredLeader(current: PartitionView, live: (b: number) => boolean): number | null {
  const preferred = current.replicas[0];
  if (preferred === undefined || current.leader === preferred || !live(preferred) || !current.isr.includes(preferred)) {
    return null;
  }
  return preferred;
}
