// One partition's change as the KRaft controller decides it (Kafka's PartitionChangeBuilder.build, 3.4-3.9):
// a target ISR (the old one without a fenced or unclean-shutdown broker, or what AlterPartition asks for),
// then electAnyLeader (the current leader if still valid, else the first valid replica in assignment order:
// in the target ISR, or in the ELR when the target ISR is empty; KIP-966's last known leader; unclean only
// when the topic allows it), maybePopulateTargetElr / maybeUpdateRecordElr / maybeUpdateLastKnownLeader with
// eligible leader replicas, the ISR written unless it would be empty without ELR ("We don't want to shrink
// the ISR to size 0", 2.8's handleNodeDeactivated), and before KAFKA-15021 a leader-epoch bump for any ISR
// shrink (triggerLeaderEpochBumpIfNeeded; triggerLeaderEpochBumpForIsrShrinkIfNeeded from MV 3.6 bumps only
// for metadata versions before 3.6). The result is a PartitionChangeRecord, or null when nothing changes.
import type { PartitionRegistration } from './image.ts';
import type { LeaderRecoveryState, PartitionChangeRecord } from './records.ts';
import { P, probe } from '../probes.ts';

export interface PartitionChangeOptions {
  /** The ISR asked for (Kafka's setTargetIsr). */
  targetIsr: number[];
  /** Whether a broker may lead: unfenced (and not the one being removed), as ClusterControlManager.isActive. */
  isAcceptableLeader: (broker: number) => boolean;
  /** Election.UNCLEAN: a replica outside the ISR may lead when no ISR member can. */
  unclean: boolean;
  /** KIP-966 eligible leader replicas (setEligibleLeaderReplicasEnabled). */
  elr: boolean;
  /** The topic's effective min.insync.replicas (getTopicEffectiveMinIsr). */
  minIsr: number;
  /** KIP-966: brokers back from an unclean shutdown, neither eligible nor in the ISR (setUncleanShutdownReplicas). */
  uncleanShutdownReplicas?: number[];
  /** Before KAFKA-15021 (MV 3.6-IV0): an ISR shrink bumps the leader epoch too. */
  bumpLeaderEpochOnIsrShrink: boolean;
  /** AlterPartition's leader recovery state (setTargetLeaderRecoveryState); absent: unchanged. */
  targetLeaderRecoveryState?: LeaderRecoveryState;
  /**
   * KIP-455 (setTargetReplicas, setTargetRemoving, setTargetAdding): the replica list and the replicas a
   * reassignment removes and adds; absent: the partition's own.
   */
  targetReplicas?: number[];
  targetRemoving?: number[];
  targetAdding?: number[];
  reason: string;
}

/**
 * PartitionReassignmentReplicas.maybeCompleteReassignment (3.9): once the target ISR holds every replica that stays,
 * the reassignment is complete: the removed replicas leave the replica list and the ISR, and nothing is being added
 * or removed any more. Null while it is not (or none runs), or when nothing would be left.
 */
export function maybeCompleteReassignment(
  replicas: number[],
  removing: number[],
  adding: number[],
  targetIsr: number[],
): { replicas: number[]; isr: number[] } | null {
  if (removing.length === 0 && adding.length === 0) return null;
  const isr = targetIsr.filter((r) => !removing.includes(r));
  const kept = replicas.filter((r) => !removing.includes(r));
  if (isr.length === 0 || kept.length === 0) return null;
  if (!kept.every((r) => isr.includes(r))) return null;
  return { replicas: kept, isr };
}

const sorted = (xs: Iterable<number>): number[] => [...new Set(xs)].sort((a, b) => a - b);
const same = (a: number[], b: number[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
/** Replicas.contains: every member of `b` is in `a`. */
const containsAll = (a: number[], b: number[]): boolean => b.every((x) => a.includes(x));

/** The suffix of a record's reason that says KIP-966's last known leader was elected (the events report it). */
export const LAST_KNOWN_LEADER = 'KIP-966 last known leader';

export function buildPartitionChange(
  p: PartitionRegistration,
  o: PartitionChangeOptions,
): PartitionChangeRecord | null {
  const record: PartitionChangeRecord = { type: 'PartitionChangeRecord', partitionId: p.partition, reason: o.reason };
  const uncleanShutdown = o.uncleanShutdownReplicas ?? [];
  let targetIsr = [...o.targetIsr];
  let targetElr = [...p.elr];
  let targetReplicas = [...(o.targetReplicas ?? p.replicas)];
  let targetRemoving = [...(o.targetRemoving ?? p.removingReplicas)];
  let targetAdding = [...(o.targetAdding ?? p.addingReplicas)];

  // completeReassignmentIfNeeded, first of all.
  const completed = maybeCompleteReassignment(targetReplicas, targetRemoving, targetAdding, targetIsr);
  if (completed !== null) {
    probe(P.kraftReassignmentCompleted);
    targetIsr = completed.isr;
    targetReplicas = completed.replicas;
    targetRemoving = [];
    targetAdding = [];
  }

  // maybePopulateTargetElr: below min ISR, the members leaving the ISR stay eligible (unless back from an
  // unclean shutdown); at or above it, nobody outside the ISR is. (Its last known ELR is used only without
  // useLastKnownLeaderInBalancedRecovery, on by default, which kafkasim always has: lastKnownElr holds the
  // last known leader alone.)
  if (o.elr) {
    targetElr =
      targetIsr.length >= o.minIsr
        ? []
        : sorted([...targetElr, ...p.isr].filter((r) => !targetIsr.includes(r) && !uncleanShutdown.includes(r)));
  }

  // tryElection with electAnyLeader.
  const isValidNewLeader = (r: number): boolean =>
    (targetIsr.includes(r) || (targetIsr.length === 0 && targetElr.includes(r))) && o.isAcceptableLeader(r);
  let leader = -1;
  let unclean = false;
  let lastKnownLeader = false;
  if (p.leader >= 0 && isValidNewLeader(p.leader)) {
    leader = p.leader;
  } else {
    const clean = targetReplicas.find(isValidNewLeader);
    if (clean !== undefined) {
      if (targetIsr.length === 0) probe(P.kraftElectionEligibleLeaderReplica);
      leader = clean;
    } else if (
      o.elr &&
      targetElr.length === 0 &&
      targetIsr.length === 0 &&
      p.lastKnownElr.length === 1 &&
      // 3.9's canElectLastKnownLeader only logs a last known leader that is not alive and elects it anyway;
      // kafkasim waits for it to be unfenced, as the leader must then serve.
      o.isAcceptableLeader(p.lastKnownElr[0])
    ) {
      leader = p.lastKnownElr[0];
      unclean = true;
      lastKnownLeader = true;
      probe(P.kraftElectionLastKnownLeader);
    } else if (o.unclean) {
      const any = targetReplicas.find((r) => o.isAcceptableLeader(r));
      if (any !== undefined) {
        leader = any;
        unclean = true;
        probe(P.kraftElectionUnclean);
      }
    }
  }
  if (leader !== p.leader) {
    if (targetElr.includes(leader)) {
      targetIsr = [leader];
      targetElr = targetElr.filter((r) => r !== leader);
    }
    record.leader = leader;
    if (leader < 0) probe(P.kraftPartitionLeaderless);
    if (unclean) {
      // "If the election was unclean, we have to forcibly set the ISR to just the new leader." KIP-704: the
      // partition is RECOVERING until its leader says otherwise (written again if it already was, so that
      // the events can tell an unclean election).
      record.isr = [leader];
      record.leaderRecoveryState = 'RECOVERING';
      if (lastKnownLeader) record.reason = `${o.reason}: ${LAST_KNOWN_LEADER}`;
    }
  }

  // triggerLeaderEpochBumpForReplicaReassignmentIfNeeded: a replica list that loses a member bumps the leader epoch.
  if (record.leader === undefined && !containsAll(targetReplicas, p.replicas)) record.leader = p.leader;

  // maybeUpdateRecordElr (with useLastKnownLeaderInBalancedRecovery, Kafka's default).
  if (record.isr !== undefined || !o.elr) targetElr = [];
  if (!same(targetElr, p.elr)) record.eligibleLeaderReplicas = targetElr;

  // The ISR, unless the election set it; empty only with ELR ("If ELR is enabled, the ISR is allowed to be empty").
  if (record.isr === undefined && (targetIsr.length > 0 || o.elr) && !same(targetIsr, p.isr)) record.isr = targetIsr;

  // triggerLeaderEpochBumpIfNeeded (before KAFKA-15021): an ISR that loses a member bumps the leader epoch.
  if (o.bumpLeaderEpochOnIsrShrink && record.leader === undefined && record.isr !== undefined) {
    if (!containsAll(record.isr, p.isr)) record.leader = p.leader;
  }

  // maybeUpdateLastKnownLeader: the leader a partition had when its ISR went empty, kept until one is elected.
  if (o.elr) {
    const emptied = record.isr !== undefined && record.isr.length === 0;
    if (emptied && p.leader >= 0 && !(p.lastKnownElr.length === 1 && p.lastKnownElr[0] === p.leader)) {
      record.lastKnownElr = [p.leader];
    } else if (((record.leader ?? -2) >= 0 || (p.leader >= 0 && record.leader !== -1)) && p.lastKnownElr.length > 0) {
      record.lastKnownElr = [];
    }
  }

  if (o.targetLeaderRecoveryState !== undefined && o.targetLeaderRecoveryState !== p.leaderRecoveryState) {
    record.leaderRecoveryState = o.targetLeaderRecoveryState;
  }
  // setAssignmentChanges
  if (targetReplicas.length > 0 && !same(targetReplicas, p.replicas)) record.replicas = targetReplicas;
  if (!same(targetRemoving, p.removingReplicas)) record.removingReplicas = targetRemoving;
  if (!same(targetAdding, p.addingReplicas)) record.addingReplicas = targetAdding;

  // changeRecordIsNoOp
  const noOp =
    record.replicas === undefined &&
    record.removingReplicas === undefined &&
    record.addingReplicas === undefined &&
    record.leader === undefined &&
    record.isr === undefined &&
    record.eligibleLeaderReplicas === undefined &&
    record.lastKnownElr === undefined &&
    record.leaderRecoveryState === undefined;
  return noOp ? null : record;
}
