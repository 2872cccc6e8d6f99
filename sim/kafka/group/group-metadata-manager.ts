// The group coordinator's cache of groups and committed offsets, kept in the __consumer_offsets partitions this
// broker leads (kafka.coordinator.group.GroupMetadataManager, 3.9.0): writes go through the partition with
// acks=-1 (offsets.commit.required.acks) and offsets.commit.timeout.ms, and the cache changes only once the
// append is acknowledged; a partition's groups load from its log when the broker becomes its leader and unload
// when it stops leading.
import type { KafkaError } from '../messages.ts';
import type { GroupError } from './group-messages.ts';
import type { GroupMetadata } from './group-metadata.ts';
import type { CommittedOffset, GroupRecord, LoadedGroup } from './group-records.ts';
import { replayGroupRecords } from './group-records.ts';

/** What the coordinator needs of the replicated log (the internal-topics foundation provides it). */
export interface GroupLog {
  /** GroupMetadataManager.partitionFor: the offsets partition that holds a group. */
  partitionFor(groupId: string): number;
  /** An append as the partition's leader, answered once acknowledged (acks=-1) or failed. */
  append(partition: number, records: GroupRecord[], timeoutMs: number, done: (error: KafkaError) => void): void;
  /** The partition's records up to its log end offset, as doLoadGroupsAndOffsets reads them (LOG_END). */
  read(partition: number): GroupRecord[];
}

/** GroupMetadataManager.storeGroup's putCacheCallback: an append error as the member sees it. */
export function storeGroupError(error: KafkaError): GroupError {
  switch (error) {
    case 'NONE':
      return 'NONE';
    case 'UNKNOWN_TOPIC_OR_PARTITION':
    case 'NOT_ENOUGH_REPLICAS':
    case 'NOT_ENOUGH_REPLICAS_AFTER_APPEND':
      return 'COORDINATOR_NOT_AVAILABLE';
    case 'NOT_LEADER_OR_FOLLOWER':
    case 'KAFKA_STORAGE_ERROR':
      return 'NOT_COORDINATOR';
    case 'REQUEST_TIMED_OUT':
      return 'REBALANCE_IN_PROGRESS';
    default:
      return 'UNKNOWN_SERVER_ERROR';
  }
}

/** GroupMetadataManager.maybeConvertOffsetCommitError: the same, but a timeout stays REQUEST_TIMED_OUT. */
export function offsetCommitError(error: KafkaError): GroupError {
  return error === 'REQUEST_TIMED_OUT' ? 'REQUEST_TIMED_OUT' : storeGroupError(error);
}

/** offsets.commit.timeout.ms (5000 in every release with Kafka-stored offsets). */
export const OFFSET_COMMIT_TIMEOUT_MS = 5000;

export class GroupMetadataManager {
  readonly groups = new Map<string, GroupMetadata>();
  /** Committed offsets per group (GroupMetadata.offsets in Kafka). */
  readonly offsets = new Map<string, Map<number, CommittedOffset>>();
  /** Offsets partitions this broker leads and has loaded (ownedPartitions). */
  private readonly owned = new Set<number>();
  /** Offsets partitions being loaded (loadingPartitions). */
  private readonly loading = new Set<number>();
  /** The leader epoch each owned partition was elected in: the coordinator epoch. */
  private readonly epochs = new Map<number, number>();

  constructor(readonly log: GroupLog) {}

  partitionFor(groupId: string): number {
    return this.log.partitionFor(groupId);
  }

  isLoading(groupId: string): boolean {
    return this.loading.has(this.partitionFor(groupId));
  }

  isCoordinatorFor(groupId: string): boolean {
    return this.owned.has(this.partitionFor(groupId));
  }

  coordinatorEpoch(groupId: string): number {
    return this.epochs.get(this.partitionFor(groupId)) ?? -1;
  }

  startLoading(partition: number, epoch: number): void {
    this.loading.add(partition);
    this.epochs.set(partition, epoch);
  }

  /** loadGroupsAndOffsets: read the log; the partition is owned from then on. Null if leadership went meanwhile. */
  finishLoading(partition: number, epoch: number): LoadedGroup[] | null {
    if (!this.loading.has(partition) || this.epochs.get(partition) !== epoch) return null;
    this.loading.delete(partition);
    this.owned.add(partition);
    return replayGroupRecords(this.log.read(partition));
  }

  /** removeGroupsForPartition: the groups of a partition this broker no longer leads. */
  unload(partition: number): GroupMetadata[] {
    this.loading.delete(partition);
    this.owned.delete(partition);
    this.epochs.delete(partition);
    const gone: GroupMetadata[] = [];
    for (const [id, g] of [...this.groups]) {
      if (this.partitionFor(id) !== partition) continue;
      gone.push(g);
      this.groups.delete(id);
      this.offsets.delete(id);
    }
    return gone;
  }

  offsetsOf(groupId: string): Map<number, CommittedOffset> {
    let m = this.offsets.get(groupId);
    if (m === undefined) this.offsets.set(groupId, (m = new Map()));
    return m;
  }

  /** storeGroup: the group metadata record with this assignment; done gets the error as the member sees it. */
  storeGroup(group: GroupMetadata, assignment: Map<string, number[]>, done: (e: GroupError) => void): void {
    const protocol = group.protocolName;
    const record: GroupRecord = {
      kind: 'group',
      groupId: group.groupId,
      value: {
        generationId: group.generationId,
        protocolName: protocol,
        leaderId: group.leaderId,
        members: [...group.members.values()].map((m) => ({
          memberId: m.memberId,
          clientId: m.clientId,
          rebalanceTimeoutMs: m.rebalanceTimeoutMs,
          sessionTimeoutMs: m.sessionTimeoutMs,
          protocolName: protocol ?? '',
          subscription: m.metadataFor(protocol as string),
          assignment: assignment.get(m.memberId) ?? [],
        })),
      },
    };
    const partition = this.partitionFor(group.groupId);
    this.log.append(partition, [record], OFFSET_COMMIT_TIMEOUT_MS, (e) => done(storeGroupError(e)));
  }

  /**
   * storeOffsets: the offsets become visible (GroupMetadata.onOffsetCommitAppend) only once appended, and only if
   * the group is still loaded (not Dead).
   */
  storeOffsets(
    group: GroupMetadata,
    offsets: { partition: number; offset: number; leaderEpoch: number }[],
    done: (e: GroupError) => void,
  ): void {
    const records: GroupRecord[] = offsets.map((o) => ({
      kind: 'offset',
      groupId: group.groupId,
      partition: o.partition,
      value: { offset: o.offset, leaderEpoch: o.leaderEpoch },
    }));
    this.log.append(this.partitionFor(group.groupId), records, OFFSET_COMMIT_TIMEOUT_MS, (e) => {
      if (e === 'NONE' && !group.is('Dead')) {
        const cache = this.offsetsOf(group.groupId);
        for (const o of offsets) cache.set(o.partition, { offset: o.offset, leaderEpoch: o.leaderEpoch });
      }
      done(offsetCommitError(e));
    });
  }
}
