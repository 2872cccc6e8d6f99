// The RPCs brokers send the active controller in KRaft mode, with Kafka's request names:
// BrokerRegistration, BrokerHeartbeat and AlterPartition (the ISR change a partition leader asks for,
// fenced by the partition epoch, with its members' broker epochs from KIP-903).
import type { LeaderRecoveryState } from './records.ts';

export type ControllerError =
  | 'NONE'
  | 'NOT_CONTROLLER'
  | 'DUPLICATE_BROKER_REGISTRATION'
  | 'STALE_BROKER_EPOCH'
  | 'FENCED_LEADER_EPOCH'
  | 'INVALID_UPDATE_VERSION'
  | 'INELIGIBLE_REPLICA'
  | 'UNKNOWN_TOPIC_OR_PARTITION'
  | 'INVALID_REQUEST';

export interface BrokerRegistrationRequest {
  type: 'BrokerRegistration';
  correlationId: number;
  brokerId: number;
  incarnationId: number;
  rack: string | null;
  /** KIP-966: whether the broker's previous run ended with a clean shutdown. */
  cleanShutdown: boolean;
}

export interface BrokerRegistrationResponse {
  type: 'BrokerRegistrationResponse';
  correlationId: number;
  error: ControllerError;
  brokerEpoch: number;
}

export interface BrokerHeartbeatRequest {
  type: 'BrokerHeartbeat';
  correlationId: number;
  brokerId: number;
  brokerEpoch: number;
  /** How much of the metadata log the broker has applied (the next offset it needs). */
  currentMetadataOffset: number;
  /** BrokerLifecycleManager in PENDING_CONTROLLED_SHUTDOWN: the broker asks to shut down (WantShutDown). */
  wantShutDown?: boolean;
}

export interface BrokerHeartbeatResponse {
  type: 'BrokerHeartbeatResponse';
  correlationId: number;
  error: ControllerError;
  isCaughtUp: boolean;
  isFenced: boolean;
  /** The controller lets the broker finish its shutdown (ShouldShutDown). */
  shouldShutDown: boolean;
}

export interface AlterPartitionRequest {
  type: 'AlterPartition';
  correlationId: number;
  brokerId: number;
  brokerEpoch: number;
  partition: number;
  leaderEpoch: number;
  partitionEpoch: number;
  newIsr: number[];
  /**
   * KIP-903 (AlterPartition v3, MV 3.5-IV1): the new ISR with each member's broker epoch as the leader knows it
   * (from its last Fetch; -1 when unknown, which the controller does not check). Absent before 3.5.
   */
  newIsrWithEpochs?: { brokerId: number; brokerEpoch: number }[];
  leaderRecoveryState: LeaderRecoveryState;
}

export interface AlterPartitionResponse {
  type: 'AlterPartitionResponse';
  correlationId: number;
  error: ControllerError;
  partition: number;
  leaderEpoch: number;
  partitionEpoch: number;
  isr: number[];
  elr: number[];
  leaderRecoveryState: LeaderRecoveryState;
}

export type ControllerRequest = BrokerRegistrationRequest | BrokerHeartbeatRequest | AlterPartitionRequest;
