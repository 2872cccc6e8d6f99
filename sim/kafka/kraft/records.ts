// The records of the KRaft metadata log (__cluster_metadata), with Kafka's record names and fields.
// Only what replication needs is modelled: broker registrations and fencing, the topic and its
// partitions, the active controller's NoOpRecord and the Raft leader's LeaderChange control record.
// Records are plain JSON data.

/** KIP-704: after an unclean election the partition is RECOVERING until its new leader says RECOVERED. */
export type LeaderRecoveryState = 'RECOVERED' | 'RECOVERING';

export interface RegisterBrokerRecord {
  type: 'RegisterBrokerRecord';
  brokerId: number;
  /** The offset of this record: a broker epoch is the registration's place in the log, as in Kafka. */
  brokerEpoch: number;
  /** Kafka's incarnationId (a UUID per process start); here the node's incarnation number. */
  incarnationId: number;
  rack: string | null;
  /** A new registration starts fenced; the controller unfences it once the broker has caught up. */
  fenced: true;
  /** KIP-966: false when the broker's previous run ended in a crash (it may have lost unflushed records). */
  cleanShutdown: boolean;
}

export interface FenceBrokerRecord {
  type: 'FenceBrokerRecord';
  id: number;
  epoch: number;
}

export interface UnfenceBrokerRecord {
  type: 'UnfenceBrokerRecord';
  id: number;
  epoch: number;
}

/**
 * KIP-841 (3.3, MV 3.3-IV3): a registration's change of state; kafkasim writes it for one only, the broker
 * entering controlled shutdown (ReplicationControlManager.handleBrokerInControlledShutdown). Fencing and
 * unfencing keep their own records (FenceBrokerRecord, UnfenceBrokerRecord), as before MV 3.3-IV2.
 */
export interface BrokerRegistrationChangeRecord {
  type: 'BrokerRegistrationChangeRecord';
  brokerId: number;
  brokerEpoch: number;
  inControlledShutdown: true;
}

export interface TopicRecord {
  type: 'TopicRecord';
  name: string;
  partitions: number;
}

export interface PartitionRecord {
  type: 'PartitionRecord';
  partitionId: number;
  replicas: number[];
  isr: number[];
  leader: number;
  leaderEpoch: number;
  partitionEpoch: number;
  eligibleLeaderReplicas: number[];
  lastKnownElr: number[];
  leaderRecoveryState: LeaderRecoveryState;
  /**
   * KIP-455: replicas a reassignment in progress removes and adds (PartitionRecord's removingReplicas and
   * addingReplicas); written only when not empty, so that records of partitions never reassigned stay as they were.
   */
  removingReplicas?: number[];
  addingReplicas?: number[];
}

/**
 * A change to a partition: absent fields stay as they are. A leader field bumps the leader epoch, even one
 * naming the current leader (Kafka's way to ask for a bump: PartitionRegistration.merge); every change bumps
 * the partition epoch (which AlterPartition requests must match).
 */
export interface PartitionChangeRecord {
  type: 'PartitionChangeRecord';
  partitionId: number;
  leader?: number;
  isr?: number[];
  eligibleLeaderReplicas?: number[];
  lastKnownElr?: number[];
  leaderRecoveryState?: LeaderRecoveryState;
  /** KIP-455: a new replica list, and the replicas a reassignment removes and adds (PartitionChangeRecord). */
  replicas?: number[];
  removingReplicas?: number[];
  addingReplicas?: number[];
  /** Not Kafka's: why the controller wrote it (Kafka logs this), for events and reports. */
  reason: string;
}

/**
 * KIP-835 (3.3, MV 3.3-IV1): the record the active controller appends every metadata.max.idle.interval.ms
 * (QuorumController.maybeScheduleNextWriteNoOpRecord), so that the quorum commits something while the cluster is
 * quiet and a lagging voter or broker shows as lagging. Replaying it changes nothing but the applied offset
 * (MetadataDelta.replay, QuorumController.replay: NO_OP_RECORD).
 */
export interface NoOpRecord {
  type: 'NoOpRecord';
}

/** The control record a new Raft leader appends first in its epoch (Kafka's LeaderChangeMessage). */
export interface LeaderChangeRecord {
  type: 'LeaderChange';
  leaderId: number;
  voters: number[];
}

export type MetadataRecord =
  | RegisterBrokerRecord
  | FenceBrokerRecord
  | UnfenceBrokerRecord
  | BrokerRegistrationChangeRecord
  | TopicRecord
  | PartitionRecord
  | PartitionChangeRecord
  | NoOpRecord
  | LeaderChangeRecord;

/** One entry of the Raft log: its offset, the leader epoch it was written in, and the record. */
export interface RaftEntry {
  offset: number;
  epoch: number;
  record: MetadataRecord;
}

/** A stable text of a record, to compare entries across nodes. */
export function digestOf(e: RaftEntry): string {
  return `${e.epoch}:${JSON.stringify(e.record)}`;
}
