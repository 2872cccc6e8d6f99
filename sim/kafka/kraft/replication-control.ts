// The active controller's partition decisions as metadata records (Kafka's ReplicationControlManager:
// generateLeaderAndIsrUpdates after handleBrokerFenced, handleBrokerUnfenced and
// handleBrokerUncleanShutdown; maybeBalancePartitionLeaders; createTopics; alterPartition's checks):
// after brokers are fenced, unfenced or re-registered, every partition is decided again with the shared
// election rules (../election.ts), and each decision becomes a PartitionChangeRecord. An unclean election leaves the
// partition RECOVERING (KIP-704) until its new leader reports RECOVERED.
import { assignReplicas, TOPIC } from '../zk-layout.ts';
import type { ElectionPolicy } from '../election.ts';
import { decideLiveChange, preferredLeader } from '../election.ts';
import type { MetadataImage, PartitionRegistration } from './image.ts';
import type { PartitionChangeRecord, PartitionRecord, TopicRecord } from './records.ts';

const same = (a: number[], b: number[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/** Partition changes for every partition after a change in which brokers are live. */
export function partitionChanges(
  image: MetadataImage,
  justUnclean: number[],
  policy: ElectionPolicy,
  reason: string,
): PartitionChangeRecord[] {
  const live = (b: number): boolean => image.isLive(b);
  const out: PartitionChangeRecord[] = [];
  for (const p of [...image.partitions.values()].sort((a, b) => a.partition - b.partition)) {
    const change = decideLiveChange(p, live, justUnclean, policy);
    if (change === null) continue;
    const record: PartitionChangeRecord = { type: 'PartitionChangeRecord', partitionId: p.partition, reason };
    if (change.kind === 'elected') {
      record.leader = change.leader;
      record.leaderRecoveryState = change.unclean ? 'RECOVERING' : 'RECOVERED';
      if (p.lastKnownElr.length > 0) record.lastKnownElr = [];
      if (change.lastKnownLeader) record.reason = `${reason}: KIP-966 last known leader`;
    } else if (change.kind === 'offline') {
      if (p.leader >= 0) record.leader = -1;
      if (!same(change.lastKnownElr, p.lastKnownElr)) record.lastKnownElr = change.lastKnownElr;
    }
    if (!same(change.isr, p.isr)) record.isr = change.isr;
    if (!same(change.elr, p.elr)) record.eligibleLeaderReplicas = change.elr;
    if (
      record.leader === undefined &&
      record.isr === undefined &&
      record.eligibleLeaderReplicas === undefined &&
      record.lastKnownElr === undefined
    ) {
      continue;
    }
    out.push(record);
  }
  return out;
}

export function preferredElections(image: MetadataImage): PartitionChangeRecord[] {
  const live = (b: number): boolean => image.isLive(b);
  const out: PartitionChangeRecord[] = [];
  for (const p of [...image.partitions.values()].sort((a, b) => a.partition - b.partition)) {
    if (p.leaderRecoveryState === 'RECOVERING') continue;
    const preferred = preferredLeader(p, live);
    if (preferred === null) continue;
    const reason = 'preferred replica';
    out.push({ type: 'PartitionChangeRecord', partitionId: p.partition, leader: preferred, reason });
  }
  return out;
}

/** The test topic: its replica assignment by Kafka's rule; leader the first live replica. */
export function topicRecords(
  image: MetadataImage,
  partitions: number,
  replicationFactor: number,
  brokers: number,
  racks: string[],
): (TopicRecord | PartitionRecord)[] {
  const assignment = assignReplicas(partitions, replicationFactor, brokers, racks);
  const out: (TopicRecord | PartitionRecord)[] = [{ type: 'TopicRecord', name: TOPIC, partitions }];
  assignment.forEach((replicas, p) => {
    const live = replicas.filter((r) => image.isLive(r));
    out.push({
      type: 'PartitionRecord',
      partitionId: p,
      replicas,
      // A new partition's replicas are all empty, hence all in sync; fenced ones join once they fetch.
      isr: live.length > 0 ? live : [...replicas],
      leader: live[0] ?? -1,
      leaderEpoch: 0,
      partitionEpoch: 0,
      eligibleLeaderReplicas: [],
      lastKnownElr: [],
      leaderRecoveryState: 'RECOVERED',
    });
  });
  return out;
}

export type AlterPartitionCheck =
  | { error: 'NONE' }
  | {
      error:
        | 'FENCED_LEADER_EPOCH'
        | 'INVALID_UPDATE_VERSION'
        | 'INELIGIBLE_REPLICA'
        | 'NOT_LEADER_OR_FOLLOWER'
        | 'INVALID_REQUEST';
    };

/** AlterPartition's checks, in Kafka's order: leader and leader epoch, partition epoch, new members, KIP-704. */
export function checkAlterPartition(
  p: PartitionRegistration,
  req: { brokerId: number; leaderEpoch: number; partitionEpoch: number; newIsr: number[]; leaderRecoveryState: string },
  live: (b: number) => boolean,
): AlterPartitionCheck {
  if (req.leaderEpoch < p.leaderEpoch) return { error: 'FENCED_LEADER_EPOCH' };
  if (p.leader !== req.brokerId || req.leaderEpoch !== p.leaderEpoch) return { error: 'NOT_LEADER_OR_FOLLOWER' };
  if (req.partitionEpoch !== p.partitionEpoch) return { error: 'INVALID_UPDATE_VERSION' };
  if (!req.newIsr.includes(p.leader)) return { error: 'INVALID_REQUEST' };
  // KIP-841: only unfenced replicas of the partition may join the ISR.
  const added = req.newIsr.filter((r) => !p.isr.includes(r));
  if (added.some((r) => !p.replicas.includes(r) || !live(r))) return { error: 'INELIGIBLE_REPLICA' };
  // KIP-704: while RECOVERING the ISR is the leader alone.
  const recovering = req.leaderRecoveryState === 'RECOVERING';
  if (p.leaderRecoveryState === 'RECOVERING' && recovering && req.newIsr.length > 1) {
    return { error: 'INVALID_REQUEST' };
  }
  if (p.leaderRecoveryState === 'RECOVERED' && recovering) return { error: 'INVALID_REQUEST' };
  return { error: 'NONE' };
}
