// Kafka's requests and responses between clients, brokers and the controller, as plain objects. Names
// follow the protocol (Produce, Fetch, OffsetsForLeaderEpoch, LeaderAndIsr, UpdateMetadata, StopReplica,
// AlterIsr, ControlledShutdown, Metadata, ListOffsets, InitProducerId) and errors use Kafka's error names.
import type { RecordBatch } from './records.ts';
import type { CoordinatorRequest, CoordinatorResponse } from './coordinator-messages.ts';

export type KafkaError =
  | 'NONE'
  | 'NOT_LEADER_OR_FOLLOWER'
  | 'STALE_BROKER_EPOCH'
  | 'NOT_ENOUGH_REPLICAS'
  | 'NOT_ENOUGH_REPLICAS_AFTER_APPEND'
  | 'REQUEST_TIMED_OUT'
  | 'FENCED_LEADER_EPOCH'
  | 'UNKNOWN_LEADER_EPOCH'
  | 'OFFSET_OUT_OF_RANGE'
  | 'OUT_OF_ORDER_SEQUENCE_NUMBER'
  | 'UNKNOWN_PRODUCER_ID'
  | 'INVALID_PRODUCER_EPOCH'
  | 'STALE_CONTROLLER_EPOCH'
  | 'UNKNOWN_TOPIC_OR_PARTITION'
  | 'LEADER_NOT_AVAILABLE'
  | 'NETWORK_EXCEPTION'
  | 'KAFKA_STORAGE_ERROR'
  | 'NOT_CONTROLLER'
  | 'INVALID_UPDATE_VERSION'
  | 'INELIGIBLE_REPLICA'
  | 'BROKER_NOT_AVAILABLE'
  | 'UNKNOWN_SERVER_ERROR'
  // The coordinators' (FindCoordinator, the group and transaction coordinators).
  | 'COORDINATOR_NOT_AVAILABLE'
  | 'NOT_COORDINATOR'
  | 'COORDINATOR_LOAD_IN_PROGRESS'
  // Transactions (KIP-98).
  | 'PRODUCER_FENCED'
  | 'CONCURRENT_TRANSACTIONS'
  | 'INVALID_TXN_STATE'
  | 'INVALID_PRODUCER_ID_MAPPING'
  | 'INVALID_TRANSACTION_TIMEOUT'
  | 'TRANSACTION_COORDINATOR_FENCED';

/**
 * Errors after which a client may retry the same request (Kafka's RetriableException subclasses). The
 * idempotent producer's errors are not among them: the producer decides per release (producer.ts).
 */
export const RETRIABLE: ReadonlySet<KafkaError> = new Set<KafkaError>([
  'NOT_LEADER_OR_FOLLOWER',
  'NOT_ENOUGH_REPLICAS',
  'NOT_ENOUGH_REPLICAS_AFTER_APPEND',
  'REQUEST_TIMED_OUT',
  'FENCED_LEADER_EPOCH',
  'UNKNOWN_LEADER_EPOCH',
  'LEADER_NOT_AVAILABLE',
  'NETWORK_EXCEPTION',
  'KAFKA_STORAGE_ERROR',
]);

/** Consumers use replica id -1; followers their broker id. */
export const CONSUMER_REPLICA_ID = -1;
/** No leader epoch known (pre-KIP-320 clients send this: no fencing). */
export const NO_EPOCH = -1;

export interface ProduceRequest {
  type: 'Produce';
  correlationId: number;
  partition: number;
  acks: 0 | 1 | -1;
  timeoutMs: number;
  producerId: number;
  /** The producer epoch of the batch (RecordBatch.producerEpoch); -1 without a producer id. */
  producerEpoch: number;
  baseSequence: number;
  values: number[];
  /** A transactional producer's batch (its partition added to the transaction first). */
  transactional?: boolean;
  /** ProduceRequest.transactionalId: the leader verifies the batch with this id's coordinator (KIP-890, 3.6). */
  transactionalId?: string;
}

export interface ProduceResponse {
  type: 'ProduceResponse';
  correlationId: number;
  partition: number;
  error: KafkaError;
  baseOffset: number;
  /** The partition's log start offset (Produce v5+, KAFKA-5793); -1 when the broker could not say. */
  logStartOffset: number;
}

export interface FetchPartition {
  partition: number;
  fetchOffset: number;
  /** KIP-320: the fetcher's view of the leader epoch, or NO_EPOCH to skip fencing. */
  currentLeaderEpoch: number;
  /** KAFKA-10554 (Fetch v12): the epoch of the follower's last fetched batch; absent or NO_EPOCH if none. */
  lastFetchedEpoch?: number;
}

export interface FetchRequest {
  type: 'Fetch';
  correlationId: number;
  replicaId: number;
  maxWaitMs: number;
  partitions: FetchPartition[];
  /** KIP-392: the consumer's rack, to read from a follower in the same rack. */
  rackId: string | null;
  /** KIP-903 (Fetch v15, ReplicaState.ReplicaEpoch): a KRaft follower's broker epoch; -1 or absent: none. */
  replicaEpoch?: number;
  /** A consumer's isolation.level (KIP-98, Fetch v4); absent: read_uncommitted. */
  isolationLevel?: IsolationLevel;
}

export type IsolationLevel = 'read_uncommitted' | 'read_committed';

export interface FetchPartitionData {
  partition: number;
  error: KafkaError;
  highWatermark: number;
  logStartOffset: number;
  logEndOffset: number;
  batches: RecordBatch[];
  /** The answering broker's leader epoch for the partition (used to detect stale views). */
  leaderEpoch: number;
  /**
   * KAFKA-10554 (Fetch v12): the largest epoch ≤ the follower's last fetched epoch and its end offset, when
   * the follower's log diverges from the leader's; no batches come with it.
   */
  divergingEpoch?: { epoch: number; endOffset: number };
  /** read_committed: the last stable offset, below which every batch is of a completed transaction or none. */
  lastStableOffset?: number;
  /** read_committed: the aborted transactions the batches overlap (FetchResponseData.AbortedTransaction). */
  abortedTransactions?: { producerId: number; firstOffset: number }[];
}

export interface FetchResponse {
  type: 'FetchResponse';
  correlationId: number;
  partitions: FetchPartitionData[];
}

export interface OffsetsForLeaderEpochRequest {
  type: 'OffsetsForLeaderEpoch';
  correlationId: number;
  replicaId: number;
  partitions: { partition: number; currentLeaderEpoch: number; leaderEpoch: number }[];
}

export interface OffsetsForLeaderEpochResponse {
  type: 'OffsetsForLeaderEpochResponse';
  correlationId: number;
  partitions: { partition: number; error: KafkaError; leaderEpoch: number; endOffset: number }[];
}

export interface PartitionState {
  partition: number;
  leader: number;
  leaderEpoch: number;
  isr: number[];
  /** The ZooKeeper version of the partition state znode (the partition epoch). */
  partitionEpoch: number;
  replicas: number[];
  /** KIP-966 eligible leader replicas. */
  elr: number[];
}

export interface LeaderAndIsrRequest {
  type: 'LeaderAndIsr';
  correlationId: number;
  controllerId: number;
  controllerEpoch: number;
  /** KIP-380: the receiver's broker epoch (its registration's czxid) as the controller knows it; -1 if none. */
  brokerEpoch: number;
  partitionStates: PartitionState[];
  /** Live brokers with their racks, so a broker knows where to fetch from. */
  liveBrokers: { id: number; rack: string | null }[];
}

export interface LeaderAndIsrResponse {
  type: 'LeaderAndIsrResponse';
  correlationId: number;
  error: KafkaError;
}

export interface UpdateMetadataRequest {
  type: 'UpdateMetadata';
  correlationId: number;
  controllerId: number;
  controllerEpoch: number;
  /** KIP-380, as on LeaderAndIsr. */
  brokerEpoch: number;
  partitionStates: PartitionState[];
  liveBrokers: { id: number; rack: string | null }[];
}

/**
 * KIP-497's AlterIsr (AlterPartition from 3.2) in ZooKeeper mode: a leader asks the controller for ISR
 * changes, each at its leader epoch and the partition state's zkVersion (the partition epoch) it read.
 */
export interface AlterIsrRequest {
  type: 'AlterIsr';
  correlationId: number;
  brokerId: number;
  /** The sender's broker epoch (its registration's czxid) as it knows it. */
  brokerEpoch: number;
  partitions: { partition: number; leaderEpoch: number; newIsr: number[]; partitionEpoch: number }[];
}

export interface AlterIsrPartitionResult {
  partition: number;
  error: KafkaError;
  leader: number;
  leaderEpoch: number;
  isr: number[];
  partitionEpoch: number;
  /** KIP-966 eligible leader replicas as written (modelled in ZooKeeper mode too). */
  elr: number[];
}

export interface AlterIsrResponse {
  type: 'AlterIsrResponse';
  correlationId: number;
  /** A top-level error (NOT_CONTROLLER, STALE_BROKER_EPOCH, UNKNOWN_SERVER_ERROR) answers no partition. */
  error: KafkaError;
  partitions: AlterIsrPartitionResult[];
}

/**
 * StopReplica with deletePartitions false, as the controller sends a broker in controlled shutdown for the
 * partitions it follows: the broker stops fetching them (ReplicaManager.stopReplicas) and keeps their logs.
 */
export interface StopReplicaRequest {
  type: 'StopReplica';
  correlationId: number;
  controllerId: number;
  controllerEpoch: number;
  /** KIP-380, as on LeaderAndIsr. */
  brokerEpoch: number;
  partitions: number[];
  /** StopReplica's deletePartitions: the replicas are deleted too (a reassignment removed them). */
  deletePartitions?: true;
}

export interface StopReplicaResponse {
  type: 'StopReplicaResponse';
  correlationId: number;
  error: KafkaError;
}

/** ZooKeeper mode: a broker about to stop asks the controller to move its leaderships away first. */
export interface ControlledShutdownRequest {
  type: 'ControlledShutdown';
  correlationId: number;
  brokerId: number;
  /** KIP-380 (ControlledShutdown v2, 2.2): the sender's broker epoch; -1 before. */
  brokerEpoch: number;
}

export interface ControlledShutdownResponse {
  type: 'ControlledShutdownResponse';
  correlationId: number;
  error: KafkaError;
  /** Partitions the broker still leads (with more than one replica); empty: it may stop. */
  remainingPartitions: number[];
}

export interface MetadataRequest {
  type: 'Metadata';
  correlationId: number;
}

export interface MetadataResponse {
  type: 'MetadataResponse';
  correlationId: number;
  brokers: { id: number; rack: string | null }[];
  controllerId: number;
  partitions: PartitionState[];
}

export interface ListOffsetsRequest {
  type: 'ListOffsets';
  correlationId: number;
  partition: number;
  currentLeaderEpoch: number;
  /** -2 earliest, -1 latest (below the high watermark). */
  timestamp: -1 | -2;
  /** read_committed: latest is the last stable offset (ListOffsets v2). */
  isolationLevel?: IsolationLevel;
}

export interface ListOffsetsResponse {
  type: 'ListOffsetsResponse';
  correlationId: number;
  partition: number;
  error: KafkaError;
  offset: number;
  leaderEpoch: number;
}

export interface InitProducerIdRequest {
  type: 'InitProducerId';
  correlationId: number;
  /** A transactional producer's transactional.id: the request goes to its transaction coordinator. */
  transactionalId?: string;
  transactionTimeoutMs?: number;
}

export interface InitProducerIdResponse {
  type: 'InitProducerIdResponse';
  correlationId: number;
  error: KafkaError;
  producerId: number;
  producerEpoch: number;
}

export type KafkaRequest =
  | ProduceRequest
  | FetchRequest
  | OffsetsForLeaderEpochRequest
  | LeaderAndIsrRequest
  | UpdateMetadataRequest
  | StopReplicaRequest
  | AlterIsrRequest
  | ControlledShutdownRequest
  | MetadataRequest
  | ListOffsetsRequest
  | InitProducerIdRequest
  | CoordinatorRequest;

export type KafkaResponse =
  | ProduceResponse
  | FetchResponse
  | OffsetsForLeaderEpochResponse
  | LeaderAndIsrResponse
  | StopReplicaResponse
  | AlterIsrResponse
  | ControlledShutdownResponse
  | MetadataResponse
  | ListOffsetsResponse
  | InitProducerIdResponse
  | CoordinatorResponse;

export type KafkaMessage = KafkaRequest | KafkaResponse;

export function isKafkaMessage(m: unknown): m is KafkaMessage {
  return (
    typeof m === 'object' && m !== null && typeof (m as { type?: unknown }).type === 'string' && 'correlationId' in m
  );
}
