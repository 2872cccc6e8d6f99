// The classic group protocol's requests and responses (JoinGroup, SyncGroup, Heartbeat, LeaveGroup,
// OffsetCommit, OffsetFetch) and the transactional producer's TxnOffsetCommit (KIP-98, KIP-447), as plain objects
// with Kafka's error names. FindCoordinator is the internal-topics foundation's (messages.ts).
import type { KafkaError } from '../messages.ts';
import type { GroupProtocol, Subscription } from './group-metadata.ts';

/** The errors the group coordinator answers with, beyond NONE (Errors.java names). */
export type GroupError =
  | 'NONE'
  | 'COORDINATOR_NOT_AVAILABLE'
  | 'NOT_COORDINATOR'
  | 'COORDINATOR_LOAD_IN_PROGRESS'
  | 'UNKNOWN_MEMBER_ID'
  | 'ILLEGAL_GENERATION'
  | 'REBALANCE_IN_PROGRESS'
  | 'MEMBER_ID_REQUIRED'
  | 'INCONSISTENT_GROUP_PROTOCOL'
  | 'INVALID_SESSION_TIMEOUT'
  | 'UNKNOWN_SERVER_ERROR'
  | 'REQUEST_TIMED_OUT'
  // KIP-447 (2.5): OffsetFetch with requireStable while an offset commit of the partition is pending.
  | 'UNSTABLE_OFFSET_COMMIT'
  // KIP-345's static members (group.instance.id): a request naming an instance another member id now holds.
  | 'FENCED_INSTANCE_ID';

export interface JoinGroupRequest {
  type: 'JoinGroup';
  correlationId: number;
  groupId: string;
  /** '' (JoinGroupRequest.UNKNOWN_MEMBER_ID) on a first join. */
  memberId: string;
  clientId: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocols: GroupProtocol[];
  /** KIP-394 (JoinGroup v4, 2.2): the client can take MEMBER_ID_REQUIRED and rejoin with the id. */
  requireKnownMemberId: boolean;
}

export interface JoinGroupResponse {
  type: 'JoinGroupResponse';
  correlationId: number;
  error: GroupError;
  generationId: number;
  protocolName: string | null;
  leaderId: string;
  memberId: string;
  /** For the leader: every member with its subscription. */
  members: { memberId: string; metadata: Subscription }[];
}

export interface SyncGroupRequest {
  type: 'SyncGroup';
  correlationId: number;
  groupId: string;
  generationId: number;
  memberId: string;
  /** From the leader: each member's partitions. */
  assignments: { memberId: string; partitions: number[] }[];
}

export interface SyncGroupResponse {
  type: 'SyncGroupResponse';
  correlationId: number;
  error: GroupError;
  assignment: number[];
}

export interface HeartbeatRequest {
  type: 'Heartbeat';
  correlationId: number;
  groupId: string;
  generationId: number;
  memberId: string;
}

export interface HeartbeatResponse {
  type: 'HeartbeatResponse';
  correlationId: number;
  error: GroupError;
}

export interface LeaveGroupRequest {
  type: 'LeaveGroup';
  correlationId: number;
  groupId: string;
  memberId: string;
}

export interface LeaveGroupResponse {
  type: 'LeaveGroupResponse';
  correlationId: number;
  error: GroupError;
}

export interface OffsetCommitRequest {
  type: 'OffsetCommit';
  correlationId: number;
  groupId: string;
  /** -1 with memberId '' for a commit outside the group protocol (a consumer that assigns). */
  generationId: number;
  memberId: string;
  offsets: { partition: number; offset: number; leaderEpoch: number }[];
}

export interface OffsetCommitResponse {
  type: 'OffsetCommitResponse';
  correlationId: number;
  partitions: { partition: number; error: GroupError }[];
}

export interface OffsetFetchRequest {
  type: 'OffsetFetch';
  correlationId: number;
  groupId: string;
  partitions: number[];
  /**
   * KIP-447 (OffsetFetch v7, 2.5): a partition with an offset commit still pending (transactional, or appended and
   * not yet acknowledged) is answered UNSTABLE_OFFSET_COMMIT instead of its offset. Absent before 2.5.
   */
  requireStable?: true;
}

export interface OffsetFetchResponse {
  type: 'OffsetFetchResponse';
  correlationId: number;
  error: GroupError;
  /** offset -1: nothing committed (OffsetFetchResponse.INVALID_OFFSET); `error` only when it is not NONE. */
  partitions: { partition: number; offset: number; leaderEpoch: number; error?: 'UNSTABLE_OFFSET_COMMIT' }[];
}

/**
 * TxnOffsetCommit (KIP-98, 0.11): a transactional producer's offsets for a group, appended to the group's
 * __consumer_offsets partition inside the producer's transaction and visible only once its COMMIT marker is there.
 * From v3 (KIP-447, 2.5) it carries the consumer's group metadata, which the coordinator checks as an
 * OffsetCommit's; before, generationId -1 and memberId ''.
 */
export interface TxnOffsetCommitRequest {
  type: 'TxnOffsetCommit';
  correlationId: number;
  transactionalId: string;
  groupId: string;
  producerId: number;
  producerEpoch: number;
  generationId: number;
  memberId: string;
  /** group.instance.id (KIP-345); kafkasim's consumers have none. */
  groupInstanceId: string | null;
  offsets: { partition: number; offset: number; leaderEpoch: number }[];
}

/** The group coordinator's errors, and those of the transaction verification and the log append it passes on. */
export type TxnOffsetCommitError = GroupError | KafkaError;

export interface TxnOffsetCommitResponse {
  type: 'TxnOffsetCommitResponse';
  correlationId: number;
  partitions: { partition: number; error: TxnOffsetCommitError }[];
}

export type GroupRequest =
  | JoinGroupRequest
  | SyncGroupRequest
  | HeartbeatRequest
  | LeaveGroupRequest
  | OffsetCommitRequest
  | OffsetFetchRequest
  | TxnOffsetCommitRequest;

export type GroupResponse =
  | JoinGroupResponse
  | SyncGroupResponse
  | HeartbeatResponse
  | LeaveGroupResponse
  | OffsetCommitResponse
  | OffsetFetchResponse
  | TxnOffsetCommitResponse;

const GROUP_REQUESTS: ReadonlySet<string> = new Set([
  'JoinGroup',
  'SyncGroup',
  'Heartbeat',
  'LeaveGroup',
  'OffsetCommit',
  'OffsetFetch',
  'TxnOffsetCommit',
]);

export function isGroupRequest(m: { type: string }): m is GroupRequest {
  return GROUP_REQUESTS.has(m.type);
}
