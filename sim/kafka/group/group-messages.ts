// The classic group protocol's requests and responses (JoinGroup, SyncGroup, Heartbeat, LeaveGroup,
// OffsetCommit, OffsetFetch), as plain objects with Kafka's error names. FindCoordinator is the
// internal-topics foundation's (messages.ts).
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
  | 'REQUEST_TIMED_OUT';

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
}

export interface OffsetFetchResponse {
  type: 'OffsetFetchResponse';
  correlationId: number;
  error: GroupError;
  /** offset -1: nothing committed (OffsetFetchResponse.INVALID_OFFSET). */
  partitions: { partition: number; offset: number; leaderEpoch: number }[];
}

export type GroupRequest =
  JoinGroupRequest | SyncGroupRequest | HeartbeatRequest | LeaveGroupRequest | OffsetCommitRequest | OffsetFetchRequest;

export type GroupResponse =
  | JoinGroupResponse
  | SyncGroupResponse
  | HeartbeatResponse
  | LeaveGroupResponse
  | OffsetCommitResponse
  | OffsetFetchResponse;

const GROUP_REQUESTS: ReadonlySet<string> = new Set([
  'JoinGroup',
  'SyncGroup',
  'Heartbeat',
  'LeaveGroup',
  'OffsetCommit',
  'OffsetFetch',
]);

export function isGroupRequest(m: { type: string }): m is GroupRequest {
  return GROUP_REQUESTS.has(m.type);
}
