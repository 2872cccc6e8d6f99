// The metadata image: the state the metadata log's records add up to (Kafka's MetadataImage), with the
// brokers' registrations and every partition's registration. Controllers and brokers replay the same
// records into it; the active controller also applies the records it writes before they commit.
import type { PartitionState } from '../messages.ts';
import type { LeaderRecoveryState, MetadataRecord, PartitionChangeRecord } from './records.ts';

export interface BrokerRegistration {
  id: number;
  epoch: number;
  incarnationId: number;
  rack: string | null;
  fenced: boolean;
  cleanShutdown: boolean;
  /** KIP-841: the broker is in controlled shutdown (BrokerRegistration.inControlledShutdown). */
  inControlledShutdown: boolean;
}

export interface PartitionRegistration {
  partition: number;
  replicas: number[];
  isr: number[];
  leader: number;
  leaderEpoch: number;
  partitionEpoch: number;
  elr: number[];
  lastKnownElr: number[];
  leaderRecoveryState: LeaderRecoveryState;
  /** KIP-455 (PartitionRegistration.removingReplicas / addingReplicas): empty unless a reassignment is running. */
  removingReplicas: number[];
  addingReplicas: number[];
}

export class MetadataImage {
  readonly brokers = new Map<number, BrokerRegistration>();
  readonly partitions = new Map<number, PartitionRegistration>();
  topicCreated = false;
  /**
   * The Raft leader that wrote the latest LeaderChange record (and the voters it named), and the number of records
   * applied.
   */
  raftLeader = -1;
  raftVoters: number[] = [];
  offset = 0;

  clone(): MetadataImage {
    const c = new MetadataImage();
    for (const [id, b] of this.brokers) c.brokers.set(id, { ...b });
    for (const [p, r] of this.partitions) c.partitions.set(p, copyPartition(r));
    c.topicCreated = this.topicCreated;
    c.raftLeader = this.raftLeader;
    c.raftVoters = [...this.raftVoters];
    c.offset = this.offset;
    return c;
  }

  /** Applies one record; returns the partition it changed, or -1. */
  apply(record: MetadataRecord): number {
    this.offset++;
    switch (record.type) {
      case 'RegisterBrokerRecord':
        this.brokers.set(record.brokerId, {
          id: record.brokerId,
          epoch: record.brokerEpoch,
          incarnationId: record.incarnationId,
          rack: record.rack,
          fenced: true,
          cleanShutdown: record.cleanShutdown,
          inControlledShutdown: false,
        });
        return -1;
      case 'FenceBrokerRecord':
      case 'UnfenceBrokerRecord': {
        const b = this.brokers.get(record.id);
        // A fence or unfence of an older registration does not touch a newer one.
        if (b !== undefined && b.epoch === record.epoch) b.fenced = record.type === 'FenceBrokerRecord';
        return -1;
      }
      case 'BrokerRegistrationChangeRecord': {
        const b = this.brokers.get(record.brokerId);
        // ClusterControlManager.replay(BrokerRegistrationChangeRecord): for the registration of that epoch only.
        if (b !== undefined && b.epoch === record.brokerEpoch) b.inControlledShutdown = true;
        return -1;
      }
      case 'TopicRecord':
        this.topicCreated = true;
        return -1;
      case 'PartitionRecord':
        this.partitions.set(record.partitionId, {
          partition: record.partitionId,
          replicas: [...record.replicas],
          isr: [...record.isr],
          leader: record.leader,
          leaderEpoch: record.leaderEpoch,
          partitionEpoch: record.partitionEpoch,
          elr: [...record.eligibleLeaderReplicas],
          lastKnownElr: [...record.lastKnownElr],
          leaderRecoveryState: record.leaderRecoveryState,
          removingReplicas: [...(record.removingReplicas ?? [])],
          addingReplicas: [...(record.addingReplicas ?? [])],
        });
        return record.partitionId;
      case 'PartitionChangeRecord': {
        const p = this.partitions.get(record.partitionId);
        if (p === undefined) return -1;
        mergeChange(p, record);
        return record.partitionId;
      }
      case 'NoOpRecord':
        // Nothing to replay beyond the offset (MetadataDelta.replay: NO_OP_RECORD).
        return -1;
      case 'LeaderChange':
        this.raftLeader = record.leaderId;
        this.raftVoters = [...record.voters];
        return -1;
    }
  }

  isLive(broker: number): boolean {
    const b = this.brokers.get(broker);
    return b !== undefined && !b.fenced;
  }

  /** ClusterControlManager.isActive: registered, neither fenced nor in controlled shutdown; who may lead. */
  isActive(broker: number): boolean {
    const b = this.brokers.get(broker);
    return b !== undefined && !b.fenced && !b.inControlledShutdown;
  }

  /** Unfenced brokers with their racks, by id. */
  liveBrokers(): { id: number; rack: string | null }[] {
    return [...this.brokers.values()]
      .filter((b) => !b.fenced)
      .sort((a, b) => a.id - b.id)
      .map((b) => ({ id: b.id, rack: b.rack }));
  }

  /** A partition as brokers and clients see it (the same shape LeaderAndIsr carries in ZooKeeper mode). */
  partitionState(p: number): PartitionState | undefined {
    const r = this.partitions.get(p);
    if (r === undefined) return undefined;
    return {
      partition: p,
      leader: r.leader,
      leaderEpoch: r.leaderEpoch,
      isr: [...r.isr],
      partitionEpoch: r.partitionEpoch,
      replicas: [...r.replicas],
      elr: [...r.elr],
    };
  }
}

export function copyPartition(r: PartitionRegistration): PartitionRegistration {
  return {
    ...r,
    replicas: [...r.replicas],
    isr: [...r.isr],
    elr: [...r.elr],
    lastKnownElr: [...r.lastKnownElr],
    removingReplicas: [...r.removingReplicas],
    addingReplicas: [...r.addingReplicas],
  };
}

/** PartitionRegistration.merge: a partition as a change record leaves it (in place). */
export function mergeChange(p: PartitionRegistration, record: PartitionChangeRecord): void {
  // Any leader field bumps the leader epoch, the same leader too: that is how PartitionChangeBuilder asks for a
  // bump without a leader change (an ISR shrink before KAFKA-15021).
  if (record.leader !== undefined) {
    p.leader = record.leader;
    p.leaderEpoch++;
  }
  if (record.isr !== undefined) p.isr = [...record.isr];
  if (record.eligibleLeaderReplicas !== undefined) p.elr = [...record.eligibleLeaderReplicas];
  if (record.lastKnownElr !== undefined) p.lastKnownElr = [...record.lastKnownElr];
  if (record.leaderRecoveryState !== undefined) p.leaderRecoveryState = record.leaderRecoveryState;
  if (record.replicas !== undefined) p.replicas = [...record.replicas];
  if (record.removingReplicas !== undefined) p.removingReplicas = [...record.removingReplicas];
  if (record.addingReplicas !== undefined) p.addingReplicas = [...record.addingReplicas];
  p.partitionEpoch++;
}
