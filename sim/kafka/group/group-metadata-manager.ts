// The group coordinator's cache of groups and committed offsets, kept in the __consumer_offsets partitions this
// broker leads (kafka.coordinator.group.GroupMetadataManager, 3.9.0): writes go through the partition with
// acks=-1 (offsets.commit.required.acks) and offsets.commit.timeout.ms, and the cache changes only once the
// append is acknowledged; a partition's groups load from its log when the broker becomes its leader and unload
// when it stops leading. A transactional offset commit (TxnOffsetCommit) is appended as a transactional batch of
// the producer and waits, pending, until the transaction's marker is written to the partition
// (scheduleHandleTxnCompletion): materialised on COMMIT, dropped on ABORT.
import type { KafkaError } from '../messages.ts';
import type { GroupError, TxnOffsetCommitError } from './group-messages.ts';
import type { GroupMetadata } from './group-metadata.ts';
import type { CommittedOffset, GroupLogBatch, GroupRecord, LoadedGroup } from './group-records.ts';
import { olderThan, replayGroupLog } from './group-records.ts';

/** A TxnOffsetCommit's append: the producer's id and epoch, and the verification guard (KIP-890) if any. */
export interface TxnAppend {
  producerId: number;
  producerEpoch: number;
  verificationGuard: number | null;
}

/** What the coordinator needs of the replicated log (the internal-topics foundation provides it). */
export interface GroupLog {
  /** GroupMetadataManager.partitionFor: the offsets partition that holds a group. */
  partitionFor(groupId: string): number;
  /**
   * An append as the partition's leader, answered once acknowledged (acks=-1) or failed, with the batch's base
   * offset; `txn`: a transactional batch of that producer (origin COORDINATOR).
   */
  append(
    partition: number,
    records: GroupRecord[],
    timeoutMs: number,
    done: (error: KafkaError, baseOffset: number) => void,
    txn?: TxnAppend,
  ): void;
  /**
   * ReplicaManager.maybeStartTransactionVerificationForPartition (KIP-890, 3.6): NONE with the guard to append
   * under (null: none needed), or the error the commit fails with.
   */
  verify(
    partition: number,
    transactionalId: string,
    producerId: number,
    producerEpoch: number,
    done: (error: KafkaError, guard: number | null) => void,
  ): void;
  /** The partition's batches up to its log end offset, as doLoadGroupsAndOffsets reads them (LOG_END). */
  read(partition: number): GroupLogBatch[];
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

/**
 * maybeConvertOffsetCommitError (3.9) for a TxnOffsetCommit, whose verification and append may also fail with the
 * producer's errors: a verification that got no answer (NETWORK_EXCEPTION) is COORDINATOR_LOAD_IN_PROGRESS (retried
 * without a coordinator lookup); INVALID_PRODUCER_EPOCH, INVALID_TXN_STATE, INVALID_PRODUCER_ID_MAPPING and the
 * rest go out unchanged.
 */
export function txnOffsetCommitError(error: KafkaError): TxnOffsetCommitError {
  if (error === 'NETWORK_EXCEPTION') return 'COORDINATOR_LOAD_IN_PROGRESS';
  const mapped = storeGroupError(error);
  return mapped === 'UNKNOWN_SERVER_ERROR' || error === 'REQUEST_TIMED_OUT' ? error : mapped;
}

type OffsetEntry = { partition: number; offset: number; leaderEpoch: number };

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
  /** openGroupsForProducer: the groups each producer id has transactional offsets pending in. */
  private readonly openGroupsForProducer = new Map<number, Set<string>>();

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
    const loaded = replayGroupLog(this.log.read(partition));
    for (const g of loaded) for (const producerId of g.pending.keys()) this.addProducerGroup(producerId, g.groupId);
    return loaded;
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
      // removeGroupFromAllProducers.
      for (const groups of this.openGroupsForProducer.values()) groups.delete(id);
    }
    return gone;
  }

  private addProducerGroup(producerId: number, groupId: string): void {
    let groups = this.openGroupsForProducer.get(producerId);
    if (groups === undefined) this.openGroupsForProducer.set(producerId, (groups = new Set()));
    groups.add(groupId);
  }

  private removeProducerGroup(producerId: number, groupId: string): void {
    const groups = this.openGroupsForProducer.get(producerId);
    if (groups === undefined) return;
    groups.delete(groupId);
    if (groups.size === 0) this.openGroupsForProducer.delete(producerId);
  }

  /**
   * handleTxnCompletion (run by scheduleHandleTxnCompletion once the transaction's marker is in these offsets
   * partitions): each of the producer's groups on them completes its pending offsets; a group that moved away
   * meanwhile is the new coordinator's to complete from its log.
   */
  handleTxnCompletion(producerId: number, partitions: readonly number[], isCommit: boolean): void {
    const open = [...(this.openGroupsForProducer.get(producerId) ?? [])];
    for (const groupId of open.filter((id) => partitions.includes(this.partitionFor(id)))) {
      const group = this.groups.get(groupId);
      if (group === undefined || group.is('Dead')) continue;
      group.completePendingTxnOffsetCommit(producerId, isCommit, this.offsetsOf(groupId));
      this.removeProducerGroup(producerId, groupId);
    }
  }

  /**
   * getOffsets: the cache only, never a stale offset. With requireStable (KIP-447) a partition whose commit is
   * pending, transactional or not yet acknowledged, is UNSTABLE_OFFSET_COMMIT.
   */
  getOffsets(
    groupId: string,
    requireStable: boolean,
    partitions: readonly number[],
  ): { partition: number; offset: CommittedOffset | undefined; unstable: boolean }[] {
    const group = this.groups.get(groupId);
    const live = group !== undefined && !group.is('Dead');
    const offsets = live ? this.offsets.get(groupId) : undefined;
    return partitions.map((partition) => {
      if (live && requireStable && group.hasPendingOffsetCommitsForTopicPartition(partition))
        return { partition, offset: undefined, unstable: true };
      return { partition, offset: offsets?.get(partition), unstable: false };
    });
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
  storeOffsets(group: GroupMetadata, offsets: OffsetEntry[], done: (e: GroupError) => void): void {
    group.prepareOffsetCommit(offsets);
    this.log.append(
      this.partitionFor(group.groupId),
      this.offsetRecords(group, offsets),
      OFFSET_COMMIT_TIMEOUT_MS,
      (e, base) => {
        if (!group.is('Dead')) {
          const cache = this.offsetsOf(group.groupId);
          for (const o of offsets) {
            const appended = { offset: o.offset, leaderEpoch: o.leaderEpoch, appendedBatchOffset: base };
            // onOffsetCommitAppend: the commit is cached unless a newer one is (olderThan).
            const current = cache.get(o.partition);
            if (
              e === 'NONE' &&
              group.pendingOffsetCommits.has(o.partition) &&
              (current === undefined || olderThan(current, appended))
            )
              cache.set(o.partition, appended);
            group.completePendingOffsetWrite(o.partition, appended);
          }
        }
        done(offsetCommitError(e));
      },
    );
  }

  /**
   * storeOffsets with a producer id (handleTxnCommitOffsets): the offsets wait in the group as the producer's,
   * appended as its transactional batch; once appended they know their batch offset, and the marker completes them
   * (handleTxnCompletion). A failed append drops them (failPendingTxnOffsetCommit) and the client retries.
   */
  storeTxnOffsets(
    group: GroupMetadata,
    offsets: OffsetEntry[],
    txn: TxnAppend,
    done: (e: TxnOffsetCommitError) => void,
  ): void {
    const { producerId } = txn;
    this.addProducerGroup(producerId, group.groupId);
    group.prepareTxnOffsetCommit(producerId, offsets);
    const partition = this.partitionFor(group.groupId);
    const records = this.offsetRecords(group, offsets);
    this.log.append(
      partition,
      records,
      OFFSET_COMMIT_TIMEOUT_MS,
      (e, base) => {
        if (!group.is('Dead')) {
          if (e === 'NONE') {
            for (const o of offsets) {
              const appended = { offset: o.offset, leaderEpoch: o.leaderEpoch, appendedBatchOffset: base };
              group.onTxnOffsetCommitAppend(producerId, o.partition, appended);
            }
          } else {
            // createPutCacheCallback asks before failing the offsets, so the producer may stay mapped to the group.
            if (!group.hasPendingOffsetCommitsFromProducer(producerId))
              this.removeProducerGroup(producerId, group.groupId);
            for (const o of offsets) group.failPendingTxnOffsetCommit(producerId, o.partition);
          }
        }
        done(txnOffsetCommitError(e));
      },
      txn,
    );
  }

  private offsetRecords(group: GroupMetadata, offsets: OffsetEntry[]): GroupRecord[] {
    return offsets.map((o) => ({
      kind: 'offset',
      groupId: group.groupId,
      partition: o.partition,
      value: { offset: o.offset, leaderEpoch: o.leaderEpoch },
    }));
  }
}
