// The group coordinator as a broker runs it (KafkaServer / BrokerServer start one GroupCoordinator per broker):
// told by the ReplicaManager when this broker starts or stops leading a __consumer_offsets partition (onElection,
// onResignation), handed the group requests KafkaApis receives, and writing its records through the
// ReplicaManager's coordinator appends (acks -1). Its GroupLog reads a partition's local log up to its log end
// offset, as GroupMetadataManager.doLoadGroupsAndOffsets does (FetchIsolation.LOG_END).
import type { Coordinator, CoordinatorDeps } from '../coordinator/coordinator.ts';
import type { KafkaMessage } from '../messages.ts';
import type { NodeId } from '../../world/network.ts';
import { CONSUMER_OFFSETS_TOPIC, coordinatorPartition } from '../topics.ts';
import { handleGroupRequest } from './group-apis.ts';
import { groupBehaviours } from './group-behaviours.ts';
import type { GroupObserver } from './group-coordinator.ts';
import { GROUP_CONFIG_DEFAULTS, GroupCoordinator } from './group-coordinator.ts';
import { isGroupRequest } from './group-messages.ts';
import type { GroupLog } from './group-metadata-manager.ts';
import { GroupMetadataManager } from './group-metadata-manager.ts';
import { decodeGroupLog, encodeGroupRecord } from './group-records.ts';

export class GroupCoordinatorService implements Coordinator {
  readonly topic = CONSUMER_OFFSETS_TOPIC;
  readonly coordinator: GroupCoordinator;

  constructor(private readonly deps: CoordinatorDeps) {
    const { config, replicaManager } = deps;
    const log: GroupLog = {
      partitionFor: (groupId) => coordinatorPartition(config, 'GROUP', groupId) ?? -1,
      append: (partition, records, timeoutMs, done, txn) =>
        replicaManager.appendCoordinatorRecords(partition, records.map(encodeGroupRecord), timeoutMs, done, txn),
      verify: (partition, transactionalId, producerId, producerEpoch, done) =>
        replicaManager.maybeStartTransactionVerificationForPartition(
          partition,
          transactionalId,
          producerId,
          producerEpoch,
          done,
        ),
      read: (partition) => decodeGroupLog(replicaManager.partitions.get(partition)?.log.all() ?? []),
    };
    const setTimer = (ms: number, fn: () => void) => deps.ctx.setTimer(ms, fn);
    this.coordinator = new GroupCoordinator(
      new GroupMetadataManager(log),
      GROUP_CONFIG_DEFAULTS,
      groupBehaviours(config.kafka),
      setTimer,
      this.observer(),
    );
  }

  /**
   * The assignment of each generation that reached Stable, for the invariants (GroupAssignmentExclusive), and each
   * committed offset OffsetFetch returned, with its commit's batch (TxnOffsetCommitIsolation).
   */
  private observer(): GroupObserver {
    const { ctx, observe, brokerId } = this.deps;
    return {
      fetched: (groupId, partition, offset, appendedBatchOffset) => {
        if (!observe.active) return;
        observe.emit({
          kind: 'offset-fetched',
          time: ctx.now(),
          broker: brokerId,
          partition: this.coordinator.manager.partitionFor(groupId),
          groupId,
          topicPartition: partition,
          offset,
          appendedBatchOffset: appendedBatchOffset ?? -1,
        });
      },
      stable: (group, assignment) => {
        if (!observe.active) return;
        const protocol = group.protocolName ?? '';
        observe.emit({
          kind: 'group-stable',
          time: ctx.now(),
          broker: brokerId,
          partition: this.coordinator.manager.partitionFor(group.groupId),
          groupId: group.groupId,
          generationId: group.generationId,
          protocol,
          members: [...group.members.values()].map((m) => ({
            memberId: m.memberId,
            partitions: assignment.get(m.memberId) ?? [],
            owned: m.metadataFor(protocol).ownedPartitions,
          })),
        });
      },
    };
  }

  onElection(partition: number, leaderEpoch: number): void {
    this.coordinator.onElection(partition, leaderEpoch);
  }

  onResignation(partition: number): void {
    this.coordinator.onResignation(partition);
  }

  /** GroupCoordinator.onTransactionCompleted: a transaction's marker was written to these offsets partitions. */
  onTransactionCompleted(producerId: number, partitions: readonly number[], committed: boolean): void {
    this.coordinator.onTransactionCompleted(producerId, partitions, committed);
  }

  handle(from: NodeId, m: KafkaMessage): boolean {
    if (!isGroupRequest(m)) return false;
    handleGroupRequest(this.coordinator, m, (r) => this.deps.ctx.send(from, r));
    return true;
  }
}
