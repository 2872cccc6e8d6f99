// The active controller's partition decisions as metadata records (Kafka's ReplicationControlManager):
// handleBrokerFenced, handleBrokerUnfenced, handleBrokerInControlledShutdown and handleBrokerUncleanShutdown, each
// running
// generateLeaderAndIsrUpdates over the partitions the broker matters to (one PartitionChangeBuilder per
// partition, partition-change-builder.ts; only active brokers, neither fenced nor in controlled shutdown, may
// lead: ClusterControlManager.isActive); maybeBalancePartitionLeaders; createTopics; and AlterPartition,
// checked in validateAlterPartitionData's order (with ineligibleReplicasForIsr: KIP-841, KIP-903) and built
// by the same PartitionChangeBuilder. An unclean election leaves the partition RECOVERING (KIP-704) until
// its new leader reports RECOVERED. Brokers are handled one at a time, as Kafka fences one stale broker per
// event (maybeFenceOneStaleBroker): several fenced at once give what fencing them in turn gives.
import type { ClusterConfig } from '../config.ts';
import { assignmentOf, MAX_TOPIC_PARTITIONS, partitionId, topicPartitionOf, topicsOf } from '../topics.ts';
import type { TopicName } from '../topics.ts';
import type { ElectionPolicy } from '../election.ts';
import { preferredLeader } from '../election.ts';
import type { KafkaBehaviours } from '../protocol.ts';
import type { MetadataImage, PartitionRegistration } from './image.ts';
import { mergeChange } from './image.ts';
import { buildPartitionChange } from './partition-change-builder.ts';
import type { LeaderRecoveryState, PartitionChangeRecord, PartitionRecord, TopicRecord } from './records.ts';
import { P, probe } from '../probes.ts';

/** The controller's rules for partition changes: the election policy and the release's behaviours. */
export interface ChangePolicy extends Omit<ElectionPolicy, 'unclean'> {
  /**
   * ConfigurationControlManager.uncleanLeaderElectionEnabledForTopic (3.9): the topic's
   * unclean.leader.election.enable, which ReplicationControlManager asks before each PartitionChangeBuilder it
   * sets to Election.UNCLEAN (generateLeaderAndIsrUpdates, alterPartition).
   */
  uncleanLeaderElectionEnabledForTopic: (topic: TopicName) => boolean;
  behaviours: KafkaBehaviours;
}

/** Election.UNCLEAN for a partition's builder: whether its topic allows unclean election. */
const uncleanFor = (policy: ChangePolicy, p: PartitionRegistration): boolean =>
  policy.uncleanLeaderElectionEnabledForTopic(topicPartitionOf(p.partition).topic);

/**
 * Whom generateLeaderAndIsrUpdates takes out of the ISR (brokerToRemove), lets lead although fenced
 * (brokerToAdd), or treats as back from an unclean shutdown (brokerWithUncleanShutdown).
 */
interface BrokerChange {
  brokerToRemove?: number;
  brokerToAdd?: number;
  brokerWithUncleanShutdown?: number;
}

/**
 * ReplicationControlManager.generateLeaderAndIsrUpdates: each partition of `partitions` built again with the
 * broker removed from (or uncleanly shut down out of) its ISR, applied to `image` as it is made.
 */
function generateLeaderAndIsrUpdates(
  image: MetadataImage,
  change: BrokerChange,
  partitions: PartitionRegistration[],
  policy: ChangePolicy,
  reason: string,
): PartitionChangeRecord[] {
  const remove = change.brokerToRemove ?? -1;
  const add = change.brokerToAdd ?? -1;
  const uncleanShutdown = change.brokerWithUncleanShutdown ?? -1;
  const isAcceptableLeader = (r: number): boolean =>
    r !== remove && r !== uncleanShutdown && (r === add || image.isActive(r));
  const out: PartitionChangeRecord[] = [];
  for (const p of partitions) {
    const record = buildPartitionChange(p, {
      targetIsr: p.isr.filter((r) => r !== remove && r !== uncleanShutdown),
      isAcceptableLeader,
      unclean: uncleanFor(policy, p),
      elr: policy.elr,
      minIsr: policy.minIsr,
      uncleanShutdownReplicas: uncleanShutdown >= 0 ? [uncleanShutdown] : [],
      bumpLeaderEpochOnIsrShrink: !policy.behaviours.kafka15021,
      reason,
    });
    if (record === null) continue;
    mergeChange(p, record);
    out.push(record);
  }
  return out;
}

const byId = (image: MetadataImage, keep: (p: PartitionRegistration) => boolean): PartitionRegistration[] =>
  [...image.partitions.values()].filter(keep).sort((a, b) => a.partition - b.partition);

/**
 * ReplicationControlManager.handleBrokerFenced (and handleBrokerUnregistered): the broker leaves every ISR it
 * is in and every leadership, the last ISR member staying without eligible leader replicas. `image` already
 * has it fenced.
 */
export function handleBrokerFenced(
  image: MetadataImage,
  broker: number,
  policy: ChangePolicy,
  reason: string,
): PartitionChangeRecord[] {
  const partitions = byId(image, (p) => p.isr.includes(broker));
  return generateLeaderAndIsrUpdates(image, { brokerToRemove: broker }, partitions, policy, reason);
}

/**
 * ReplicationControlManager.handleBrokerInControlledShutdown (its BrokerRegistrationChangeRecord comes first, in
 * `image` already): the broker leaves every ISR it is in, and the partitions it leads elect an active leader, or
 * none when no other ISR member is (the broker, the last member, stays in the ISR).
 */
export function handleBrokerInControlledShutdown(
  image: MetadataImage,
  broker: number,
  policy: ChangePolicy,
): PartitionChangeRecord[] {
  const partitions = byId(image, (p) => p.isr.includes(broker));
  const reason = `enterControlledShutdown[${broker}]`;
  return generateLeaderAndIsrUpdates(image, { brokerToRemove: broker }, partitions, policy, reason);
}

/** ReplicationControlManager.handleBrokerUnfenced: leaderless partitions elect again, the broker now eligible. */
export function handleBrokerUnfenced(
  image: MetadataImage,
  broker: number,
  policy: ChangePolicy,
  reason: string,
): PartitionChangeRecord[] {
  const partitions = byId(image, (p) => p.leader < 0);
  return generateLeaderAndIsrUpdates(image, { brokerToAdd: broker }, partitions, policy, reason);
}

/**
 * ReplicationControlManager.handleBrokerUncleanShutdown (KIP-966, with eligible leader replicas): a broker back
 * from an unclean shutdown may have lost acknowledged records, so it leaves the ISR and the ELR of every
 * partition (the partitions with it in the ISR first, then those with it in the ELR, as Kafka does).
 */
export function handleBrokerUncleanShutdown(
  image: MetadataImage,
  broker: number,
  policy: ChangePolicy,
  reason: string,
): PartitionChangeRecord[] {
  if (!policy.elr) return [];
  const change = { brokerWithUncleanShutdown: broker };
  const inIsr = byId(image, (p) => p.isr.includes(broker));
  const out = generateLeaderAndIsrUpdates(image, change, inIsr, policy, reason);
  const inElr = byId(image, (p) => p.elr.includes(broker));
  const records = [...out, ...generateLeaderAndIsrUpdates(image, change, inElr, policy, reason)];
  if (records.length > 0) probe(P.kraftUncleanShutdownHandled);
  return records;
}

export function preferredElections(image: MetadataImage): PartitionChangeRecord[] {
  const live = (b: number): boolean => image.isActive(b);
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

/**
 * The run's topics (topics.ts: the data topic, then any enabled internal ones), each a TopicRecord and its
 * PartitionRecords (ReplicationControlManager.createTopic), by Kafka's assignment rule; leader the first live
 * replica. PartitionRecord.partitionId is the global id (Kafka's is the index under the record's topicId).
 */
export function topicRecords(image: MetadataImage, config: ClusterConfig): (TopicRecord | PartitionRecord)[] {
  const out: (TopicRecord | PartitionRecord)[] = [];
  for (const spec of topicsOf(config)) {
    out.push({ type: 'TopicRecord', name: spec.topic, partitions: spec.partitions });
    for (const [p, replicas] of assignmentOf(config, spec)) {
      const live = replicas.filter((r) => image.isActive(r));
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
    }
  }
  return out;
}

export type AlterPartitionError =
  | 'NONE'
  | 'UNKNOWN_TOPIC_OR_PARTITION'
  | 'NOT_CONTROLLER'
  | 'FENCED_LEADER_EPOCH'
  | 'INVALID_REQUEST'
  | 'INVALID_UPDATE_VERSION'
  | 'INELIGIBLE_REPLICA';

/** One partition of an AlterPartition request (AlterPartitionRequestData.PartitionData). */
export interface AlterPartitionData {
  brokerId: number;
  leaderEpoch: number;
  partitionEpoch: number;
  newIsr: number[];
  /** KIP-903 (AlterPartition v3): every new ISR member with the broker epoch the leader knows (-1: unknown). */
  newIsrWithEpochs?: { brokerId: number; brokerEpoch: number }[];
  leaderRecoveryState: LeaderRecoveryState;
}

/**
 * ReplicationControlManager.validateAlterPartitionData, in its order: unknown partition; a leader or partition
 * epoch newer than the controller's (NOT_CONTROLLER: this controller is likely stale, KAFKA-14154); an older
 * leader epoch; a sender that is not the leader; an older partition epoch (3.2 and before: any other leader
 * epoch was FENCED_LEADER_EPOCH and any other partition epoch INVALID_UPDATE_VERSION); an ISR outside the
 * replicas or without the leader; KIP-704's recovery rules; then ineligibleReplicasForIsr: a member not
 * registered, in controlled shutdown or fenced (KIP-841) or, with KIP-903's epochs, of another broker epoch than
 * its registration's.
 */
export function validateAlterPartitionData(
  p: PartitionRegistration | undefined,
  req: AlterPartitionData,
  image: MetadataImage,
  behaviours: KafkaBehaviours,
): AlterPartitionError {
  if (p === undefined) return 'UNKNOWN_TOPIC_OR_PARTITION';
  if (behaviours.kafka14154) {
    if (req.leaderEpoch > p.leaderEpoch || req.partitionEpoch > p.partitionEpoch) return 'NOT_CONTROLLER';
    if (req.leaderEpoch < p.leaderEpoch) return 'FENCED_LEADER_EPOCH';
  } else if (req.leaderEpoch !== p.leaderEpoch) {
    return 'FENCED_LEADER_EPOCH';
  }
  if (req.brokerId !== p.leader) return 'INVALID_REQUEST';
  if (behaviours.kafka14154 ? req.partitionEpoch < p.partitionEpoch : req.partitionEpoch !== p.partitionEpoch) {
    return 'INVALID_UPDATE_VERSION';
  }
  const newIsr = req.newIsr;
  // Replicas.validateIsr: members of the replicas, no one twice.
  if (newIsr.some((r, i) => !p.replicas.includes(r) || newIsr.indexOf(r) !== i)) return 'INVALID_REQUEST';
  if (!newIsr.includes(p.leader)) return 'INVALID_REQUEST';
  if (req.leaderRecoveryState === 'RECOVERING' && newIsr.length > 1) return 'INVALID_REQUEST';
  if (p.leaderRecoveryState === 'RECOVERED' && req.leaderRecoveryState === 'RECOVERING') return 'INVALID_REQUEST';
  const epochs = behaviours.kip903 ? req.newIsrWithEpochs : undefined;
  for (const [i, id] of newIsr.entries()) {
    const registration = image.brokers.get(id);
    const shuttingDown = registration?.inControlledShutdown === true;
    if (behaviours.kip841 && (registration === undefined || shuttingDown || registration.fenced)) {
      return 'INELIGIBLE_REPLICA';
    }
    // KIP-903: "The given broker epoch should match with the broker epoch in the broker registration, except
    // the given broker epoch is -1 which means skipping the broker epoch verification."
    const epoch = epochs?.[i]?.brokerEpoch ?? -1;
    if (epoch !== -1 && epoch !== registration?.epoch) return 'INELIGIBLE_REPLICA';
  }
  return 'NONE';
}

/** The reason an AlterPartition's change record gives (Kafka logs it; kafkasim's events name the change by it). */
export const ALTER_PARTITION_REASON = 'AlterPartition';

/** ReplicationControlManager.alterPartition's PartitionChangeBuilder: the record for a valid request, or null. */
export function alterPartitionChange(
  image: MetadataImage,
  p: PartitionRegistration,
  req: AlterPartitionData,
  policy: ChangePolicy,
): PartitionChangeRecord | null {
  return buildPartitionChange(p, {
    targetIsr: [...req.newIsr],
    isAcceptableLeader: (r) => image.isActive(r),
    unclean: uncleanFor(policy, p),
    elr: policy.elr,
    minIsr: policy.minIsr,
    bumpLeaderEpochOnIsrShrink: !policy.behaviours.kafka15021,
    targetLeaderRecoveryState: req.leaderRecoveryState,
    reason: ALTER_PARTITION_REASON,
  });
}

export type ReassignmentError = 'NONE' | 'UNKNOWN_TOPIC_OR_PARTITION' | 'INVALID_REPLICA_ASSIGNMENT';

/**
 * ReplicationControlManager.alterPartitionReassignment and changePartitionReassignment (3.9, KIP-455): the target
 * checked by validateManualPartitionAssignment (not empty, registered brokers, none twice), then
 * PartitionReassignmentReplicas (removing = current - target, adding = target - current, replicas = target then
 * removing) built by PartitionChangeBuilder, which completes it at once when the ISR already holds the target. The
 * record is null when nothing changes (the same target again: an admin's retry).
 */
export function changePartitionReassignment(
  image: MetadataImage,
  partition: number,
  target: number[],
  policy: ChangePolicy,
): { error: ReassignmentError; record: PartitionChangeRecord | null } {
  const p = image.partitions.get(partition);
  if (p === undefined) return { error: 'UNKNOWN_TOPIC_OR_PARTITION', record: null };
  if (target.length === 0) return { error: 'INVALID_REPLICA_ASSIGNMENT', record: null };
  if (target.some((b, i) => !image.brokers.has(b) || target.indexOf(b) !== i)) {
    return { error: 'INVALID_REPLICA_ASSIGNMENT', record: null };
  }
  const removing = sortedUnique(p.replicas.filter((r) => !target.includes(r)));
  const adding = sortedUnique(target.filter((r) => !p.replicas.includes(r)));
  const replicas = [...target, ...removing];
  const record = buildPartitionChange(p, {
    targetIsr: [...p.isr],
    isAcceptableLeader: (r) => image.isActive(r),
    // The builder's default election, Election.ONLINE: never unclean.
    unclean: false,
    elr: policy.elr,
    minIsr: policy.minIsr,
    bumpLeaderEpochOnIsrShrink: !policy.behaviours.kafka15021,
    ...(replicas.join() !== p.replicas.join() ? { targetReplicas: replicas } : {}),
    ...(removing.length > 0 ? { targetRemoving: removing } : {}),
    ...(adding.length > 0 ? { targetAdding: adding } : {}),
    reason: `AlterPartitionReassignments [${target}]`,
  });
  if (record !== null && (removing.length > 0 || adding.length > 0)) probe(P.kraftReassignmentStarted);
  return { error: 'NONE', record };
}

/** PartitionReassignmentReplicas.calculateDifference keeps a TreeSet: ascending, each once. */
const sortedUnique = (xs: number[]): number[] => [...new Set(xs)].sort((a, b) => a - b);

export type CreateTopicError = 'NONE' | 'TOPIC_ALREADY_EXISTS' | 'INVALID_REPLICA_ASSIGNMENT';

/**
 * ReplicationControlManager.createTopics and createTopic with a manual assignment (3.9, kafka-topics.sh --create
 * --replica-assignment): TOPIC_ALREADY_EXISTS for a known name; each partition's replicas checked by
 * validateManualPartitionAssignment (not empty, registered brokers, none twice, one replication factor); its ISR the
 * active replicas (ClusterControlManager.isActive), INVALID_REPLICA_ASSIGNMENT when none is; leader the first of them
 * (buildPartitionRegistration), leader and partition epoch 0. One TopicRecord and its PartitionRecords, written as
 * one atomic batch as Kafka's controller writes a user operation's records.
 */
export function createTopicRecords(
  image: MetadataImage,
  topic: TopicName,
  assignment: readonly (readonly number[])[],
): { error: CreateTopicError; records: (TopicRecord | PartitionRecord)[] } {
  const ids = assignment.map((_, k) => partitionId(topic, k));
  const first = partitionId(topic, 0);
  const exists = [...image.partitions.keys()].some((p) => p >= first && p < first + MAX_TOPIC_PARTITIONS);
  if (exists) return { error: 'TOPIC_ALREADY_EXISTS', records: [] };
  const invalid = { error: 'INVALID_REPLICA_ASSIGNMENT' as const, records: [] };
  if (assignment.length === 0) return invalid;
  const records: (TopicRecord | PartitionRecord)[] = [{ type: 'TopicRecord', name: topic, partitions: ids.length }];
  for (const [k, replicas] of assignment.entries()) {
    if (replicas.length === 0 || replicas.length !== assignment[0].length) return invalid;
    if (replicas.some((b, i) => !image.brokers.has(b) || replicas.indexOf(b) !== i)) return invalid;
    const isr = replicas.filter((r) => image.isActive(r));
    if (isr.length === 0) return invalid;
    records.push({
      type: 'PartitionRecord',
      partitionId: ids[k],
      replicas: [...replicas],
      isr,
      leader: isr[0],
      leaderEpoch: 0,
      partitionEpoch: 0,
      eligibleLeaderReplicas: [],
      lastKnownElr: [],
      leaderRecoveryState: 'RECOVERED',
    });
  }
  probe(P.kraftTopicCreated);
  return { error: 'NONE', records };
}
