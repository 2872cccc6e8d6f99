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

/** Every coordinator request and response: KafkaMessage includes them (coordinators add theirs here). */
export type CoordinatorRequest = FindCoordinatorRequest | GroupRequest;
export type CoordinatorResponse = FindCoordinatorResponse | GroupResponse;
