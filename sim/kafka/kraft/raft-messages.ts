// Kafka's KRaft RPCs between controllers, and the metadata fetch brokers make as observers. Kafka's
// names: Vote (with KIP-996's PreVote flag), BeginQuorumEpoch, EndQuorumEpoch, Fetch on the
// __cluster_metadata partition (here MetadataFetch, to keep it apart from the data-plane Fetch) and
// FetchSnapshot (KIP-630) for a fetcher that lags behind the leader's log start.
import type { MetadataRecord, RaftEntry } from './records.ts';
import type { SnapshotId } from './snapshot.ts';

export type RaftError =
  | 'NONE'
  | 'FENCED_LEADER_EPOCH'
  | 'UNKNOWN_LEADER_EPOCH'
  | 'NOT_LEADER_OR_FOLLOWER'
  | 'INCONSISTENT_VOTER_SET'
  | 'SNAPSHOT_NOT_FOUND';

export interface VoteRequest {
  type: 'Vote';
  correlationId: number;
  candidateId: number;
  /** Standard vote: the epoch the candidate stands in. Pre-Vote: the candidate's current epoch. */
  candidateEpoch: number;
  lastOffsetEpoch: number;
  lastOffset: number;
  preVote: boolean;
}

export interface VoteResponse {
  type: 'VoteResponse';
  correlationId: number;
  error: RaftError;
  leaderEpoch: number;
  leaderId: number;
  voteGranted: boolean;
  preVote: boolean;
}

export interface BeginQuorumEpochRequest {
  type: 'BeginQuorumEpoch';
  correlationId: number;
  leaderId: number;
  leaderEpoch: number;
}

export interface BeginQuorumEpochResponse {
  type: 'BeginQuorumEpochResponse';
  correlationId: number;
  error: RaftError;
  leaderEpoch: number;
  leaderId: number;
}

/** A resigning leader tells the voters to elect someone else without waiting for their fetch timeout. */
export interface EndQuorumEpochRequest {
  type: 'EndQuorumEpoch';
  correlationId: number;
  leaderId: number;
  leaderEpoch: number;
}

export interface MetadataFetchRequest {
  type: 'MetadataFetch';
  correlationId: number;
  /** A voter's id, or a broker's id for an observer. */
  replicaId: number;
  /** The epoch of the leader the fetcher believes in (-1: an observer that knows none yet). */
  currentLeaderEpoch: number;
  fetchOffset: number;
  lastFetchedEpoch: number;
  maxWaitMs: number;
}

export interface MetadataFetchResponse {
  type: 'MetadataFetchResponse';
  correlationId: number;
  error: RaftError;
  leaderEpoch: number;
  leaderId: number;
  /** -1 while the leader does not know it yet (nothing of its epoch committed). */
  highWatermark: number;
  entries: RaftEntry[];
  /** Set when the fetcher's log diverges: truncate to this epoch's end and fetch again. */
  divergingEpoch: { epoch: number; endOffset: number } | null;
  /** Set when the fetch offset precedes the leader's log start: fetch this snapshot (FetchSnapshot) first. */
  snapshotId: SnapshotId | null;
}

export interface FetchSnapshotRequest {
  type: 'FetchSnapshot';
  correlationId: number;
  replicaId: number;
  currentLeaderEpoch: number;
  snapshotId: SnapshotId;
}

/**
 * The whole snapshot in one response: the model's snapshots are a few kilobytes (Kafka sends them in
 * chunks of up to MaxBytes from a Position, which the fetcher asks for in turn).
 */
export interface FetchSnapshotResponse {
  type: 'FetchSnapshotResponse';
  correlationId: number;
  error: RaftError;
  leaderEpoch: number;
  leaderId: number;
  snapshotId: SnapshotId;
  records: MetadataRecord[];
}

export type RaftRequest =
  VoteRequest | BeginQuorumEpochRequest | EndQuorumEpochRequest | MetadataFetchRequest | FetchSnapshotRequest;
