// The coordinators' requests and responses (Kafka's FindCoordinator, and from milestone 2 the transaction
// coordinator's), as plain objects beside messages.ts, which adds them to KafkaMessage.
import type { KafkaError } from './messages.ts';
import type { CoordinatorType } from './topics.ts';
import type { GroupRequest, GroupResponse } from './group/group-messages.ts';

/** FindCoordinator v0-v3 (one key): which broker coordinates this group or transactional id. */
export interface FindCoordinatorRequest {
  type: 'FindCoordinator';
  correlationId: number;
  keyType: CoordinatorType;
  key: string;
}

export interface FindCoordinatorResponse {
  type: 'FindCoordinatorResponse';
  correlationId: number;
  /** NONE, or COORDINATOR_NOT_AVAILABLE (no such topic yet, no live leader for the key's partition). */
  error: KafkaError;
  /** The coordinator's broker id, -1 with an error (Node.noNode). */
  nodeId: number;
}

/** AddPartitionsToTxn v0-v3 (one transaction): the partitions the producer is about to write to. */
export interface AddPartitionsToTxnRequest {
  type: 'AddPartitionsToTxn';
  correlationId: number;
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  partitions: number[];
  /**
   * KIP-890 (v4, 3.6.0): a leader asks whether the partitions are already in the producer's ongoing transaction,
   * adding nothing (TransactionCoordinator.handleVerifyPartitionsInTransaction). kafkasim's leaders ask about one
   * partition at a time, so the answer's one error is that partition's.
   */
  verifyOnly?: true;
}

export interface AddPartitionsToTxnResponse {
  type: 'AddPartitionsToTxnResponse';
  correlationId: number;
  /** One error for every partition, as TransactionCoordinator.handleAddPartitionsToTransaction answers it. */
  error: KafkaError;
}

/**
 * AddOffsetsToTxn (KIP-98): adds the group's __consumer_offsets partition to the producer's transaction
 * (KafkaApis.handleAddOffsetsToTxnRequest hands it to TransactionCoordinator.handleAddPartitionsToTransaction), so
 * that the transaction's marker reaches the group coordinator.
 */
export interface AddOffsetsToTxnRequest {
  type: 'AddOffsetsToTxn';
  correlationId: number;
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  groupId: string;
}

export interface AddOffsetsToTxnResponse {
  type: 'AddOffsetsToTxnResponse';
  correlationId: number;
  error: KafkaError;
}

/** EndTxn: commit (true) or abort the producer's transaction. */
export interface EndTxnRequest {
  type: 'EndTxn';
  correlationId: number;
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  committed: boolean;
}

export interface EndTxnResponse {
  type: 'EndTxnResponse';
  correlationId: number;
  error: KafkaError;
  /**
   * EndTxnResponse v5 (KIP-890 part 2, 4.0, transaction.version 2): the producer id and epoch the producer's next
   * transaction uses (the epoch the coordinator bumped). Absent before (v4 and older carry none).
   */
  producerId?: number;
  producerEpoch?: number;
}

/** One marker of WriteTxnMarkers: the transaction's result on these partitions. */
export interface TxnMarkerEntry {
  producerId: number;
  producerEpoch: number;
  coordinatorEpoch: number;
  committed: boolean;
  partitions: number[];
}

/** WriteTxnMarkers: the transaction coordinator to a data partition leader. */
export interface WriteTxnMarkersRequest {
  type: 'WriteTxnMarkers';
  correlationId: number;
  markers: TxnMarkerEntry[];
}

export interface WriteTxnMarkersResponse {
  type: 'WriteTxnMarkersResponse';
  correlationId: number;
  /** Per marker (in request order), each partition's error. */
  markers: { producerId: number; partitions: { partition: number; error: KafkaError }[] }[];
}

/** Every coordinator request and response: KafkaMessage includes them (coordinators add theirs here). */
export type CoordinatorRequest =
  | FindCoordinatorRequest
  | AddPartitionsToTxnRequest
  | AddOffsetsToTxnRequest
  | EndTxnRequest
  | WriteTxnMarkersRequest
  | GroupRequest;
export type CoordinatorResponse =
  | FindCoordinatorResponse
  | AddPartitionsToTxnResponse
  | AddOffsetsToTxnResponse
  | EndTxnResponse
  | WriteTxnMarkersResponse
  | GroupResponse;
