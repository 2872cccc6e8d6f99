// One voter of the KRaft quorum (Kafka's KafkaRaftClient: handleVoteRequest, handleBeginQuorumEpochRequest,
// handleEndQuorumEpochRequest, handleFetchRequest, handleFetchSnapshotRequest, the transitionTo* role
// changes, onBecomeLeader, pollLeader's check quorum): Raft with Kafka's pull-based replication.
// Followers fetch the leader's log (the leader learns their log end offsets from the fetches, and
// answers a fetch whose last epoch does not match with a diverging epoch to truncate to); the high
// watermark is the largest offset a majority holds, once the leader's own LeaderChange record is in.
// Elections: from 4.0 (KIP-996) a voter that hears nothing from a leader first asks for pre-votes without
// bumping its epoch, and only with a majority of them stands as candidate in the next epoch; a follower
// that has fetched from its leader refuses a pre-vote, so a voter cut off from the quorum never bumps
// its epoch and cannot depose a healthy leader when it returns. Before 4.0 it stands as candidate at
// once. In every release a Vote of a newer epoch moves any voter, a leader's follower or the leader
// itself, to that epoch, where the candidate's log alone decides (handleVote). A leader that has not
// heard from a majority within 1.5 x controller.quorum.fetch.timeout.ms resigns (check quorum).
// Snapshots (KIP-630): the node's controller takes them of its committed image; the log before one is
// deleted past metadata.max.retention.bytes, and a fetcher behind the log start is told the latest
// snapshot's id and fetches it (FetchSnapshot).
import { logDirFailed } from '../log-dir-failure.ts';
import type { NodeContext, Timer } from '../../world/node.ts';
import type { NodeId } from '../../world/network.ts';
import type { KraftConfig } from './config.ts';
import type { RaftEvent, RaftRole } from '../../events/index.ts';
import type { RaftHub } from './observer.ts';
import type {
  BeginQuorumEpochRequest,
  BeginQuorumEpochResponse,
  EndQuorumEpochRequest,
  FetchSnapshotRequest,
  FetchSnapshotResponse,
  MetadataFetchRequest,
  MetadataFetchResponse,
  RaftError,
  RaftRequest,
  VoteRequest,
  VoteResponse,
} from './raft-messages.ts';
import { RaftLog, readQuorumState, writeQuorumState } from './raft-log.ts';
import type { MetadataRecord, RaftEntry } from './records.ts';
import { digestOf } from './records.ts';
import type { KraftChannel } from './rpc.ts';
import type { MetadataSnapshot, SnapshotId } from './snapshot.ts';
import { SnapshotStore } from './snapshot.ts';
import { P, probe } from '../probes.ts';

/** Most entries one fetch returns. */
const MAX_FETCH_ENTRIES = 256;
/** Wait before fetching again after an error or a lost request. */
const FETCH_BACKOFF_MS = 50;

export interface RaftHost {
  readonly ctx: NodeContext;
  readonly voterId: number;
  readonly voters: number[];
  readonly config: KraftConfig;
  /** KIP-996 (4.0): a voter that lost its leader asks for pre-votes before it bumps the epoch. */
  readonly preVote: boolean;
  readonly channel: KraftChannel;
  readonly hub: RaftHub;
  nodeOf(voter: number): NodeId;
  /** The high watermark moved: entries below it are committed. */
  onCommitted(highWatermark: number): void;
  /** This voter leads and everything before its epoch is committed: the controller may act. */
  onLeaderReady(epoch: number): void;
  /** The role, epoch or leader changed (an active controller steps down unless it still leads). */
  onRoleChange(): void;
  /** A snapshot fetched from the leader replaced the log: the committed image is the snapshot's now. */
  onSnapshotLoaded(snapshot: MetadataSnapshot): void;
}

interface ParkedFetch {
  from: NodeId;
  request: MetadataFetchRequest;
  timer: Timer;
}

export class RaftClient {
  readonly log: RaftLog;
  readonly snapshots: SnapshotStore;
  epoch: number;
  votedId: number;
  leaderId: number;
  role: RaftRole = 'unattached';
  highWatermark = 0;
  /** Leader only: set once an entry of its own epoch is committed (Kafka's leader HW is empty until then). */
  leaderReady = false;
  private epochStartOffset = 0;
  private readonly followerEnds = new Map<number, number>();
  private readonly lastFetchFrom = new Map<number, number>();
  private grants = new Set<number>();
  private roleTimer: Timer | null = null;
  /** When the running election timeout (unattached, prospective, candidate) expires, on this node's clock. */
  private electionDeadline = -Infinity;
  /**
   * Follower only: a fetch from the leader succeeded since it became follower (Kafka 4.0
   * FollowerState.hasFetchedFromLeader, set by resetFetchTimeoutForSuccessfulFetch); until then it grants pre-votes.
   */
  private fetchedFromLeader = false;
  /** Bumped on every transition: responses to requests sent before it are stale. */
  private generation = 0;
  private fetchInFlight = false;
  private fetchRetry: Timer | null = null;
  private parked: ParkedFetch[] = [];

  constructor(private readonly host: RaftHost) {
    const ctx = host.ctx;
    this.snapshots = new SnapshotStore(ctx.disk);
    this.log = new RaftLog(ctx.disk, true, this.snapshots.ids());
    const q = readQuorumState(ctx.disk);
    this.epoch = q.leaderEpoch;
    this.votedId = q.votedId;
    this.leaderId = q.leaderId;
    this.emit({
      kind: 'raft-start',
      time: ctx.now(),
      voter: host.voterId,
      epoch: this.epoch,
      logEndOffset: this.log.endOffset,
    });
    this.emit({
      kind: 'raft-truncate',
      time: ctx.now(),
      voter: host.voterId,
      toOffset: this.log.endOffset,
      reason: 'recovery',
    });
  }

  private get ctx(): NodeContext {
    return this.host.ctx;
  }

  private get majority(): number {
    return Math.floor(this.host.voters.length / 2) + 1;
  }

  private get fetchTimeoutMs(): number {
    return this.host.config['controller.quorum.fetch.timeout.ms'];
  }

  /** Kafka's controller.quorum.request.timeout.ms is 2000; scaled with the fetch timeout for fast tests. */
  private get requestTimeoutMs(): number {
    return Math.min(2000, this.fetchTimeoutMs / 2);
  }

  private get fetchMaxWaitMs(): number {
    return Math.min(500, this.fetchTimeoutMs / 4);
  }

  private randomElectionTimeout(): number {
    const t = this.host.config['controller.quorum.election.timeout.ms'];
    return t + this.ctx.random.float() * t;
  }

  private emit(e: RaftEvent): void {
    if (this.host.hub.active) this.host.hub.emit(e);
  }

  start(): void {
    // A voter that led before a restart has lost its leader state; it cannot lead that epoch again.
    if (this.leaderId >= 0 && this.leaderId !== this.host.voterId) {
      this.becomeFollower(this.epoch, this.leaderId, false);
    } else this.becomeUnattached(this.epoch, this.votedId, false);
  }

  isLeader(): boolean {
    return this.role === 'leader';
  }

  // ---- transitions ----

  private persist(): void {
    writeQuorumState(this.ctx.disk, { leaderEpoch: this.epoch, leaderId: this.leaderId, votedId: this.votedId });
  }

  private transition(role: RaftRole, epoch: number, leaderId: number, votedId: number, persist = true): void {
    const wasLeader = this.role === 'leader';
    const changed = epoch !== this.epoch || leaderId !== this.leaderId || votedId !== this.votedId;
    this.role = role;
    this.epoch = epoch;
    this.leaderId = leaderId;
    this.votedId = votedId;
    if (changed && persist) this.persist();
    this.generation++;
    this.roleTimer?.cancel();
    this.roleTimer = null;
    this.fetchRetry?.cancel();
    this.fetchRetry = null;
    this.fetchInFlight = false;
    if (wasLeader && role !== 'leader') {
      this.leaderReady = false;
      this.answerParked(true);
    }
    this.emit({
      kind: 'raft-state',
      time: this.ctx.now(),
      voter: this.host.voterId,
      epoch,
      role,
      leader: leaderId,
      votedFor: votedId,
    });
    this.host.onRoleChange();
  }

  /** Starts the election timeout of an unattached, prospective or candidate voter. */
  private setElectionTimer(timeoutMs: number, onExpiry: () => void): void {
    this.electionDeadline = this.ctx.now() + timeoutMs;
    this.roleTimer = this.ctx.setTimer(timeoutMs, onExpiry);
  }

  /**
   * Unattached: no leader known in `epoch`. On its election timeout the voter stands for election
   * (KafkaRaftClient.pollUnattachedAsVoter: transitionToCandidate before 4.0, a pre-vote round from 4.0).
   */
  private becomeUnattached(
    epoch: number,
    votedId = -1,
    persist = true,
    timeoutMs = this.randomElectionTimeout(),
  ): void {
    this.transition('unattached', epoch, -1, votedId, persist);
    this.setElectionTimer(timeoutMs, () => this.startElection());
  }

  /**
   * A newer epoch with no leader known (a Vote's, or a response's): QuorumState.transitionToUnattached (3.4.0,
   * 3.9.0, 4.0.0). A candidate, unattached or prospective voter keeps what is left of its election timeout; any
   * other role (a follower, the leader, a resigned leader) draws a new one.
   */
  private becomeUnattachedInNewerEpoch(epoch: number): void {
    const keepsTimeout = this.role === 'candidate' || this.role === 'unattached' || this.role === 'prospective';
    const timeoutMs = keepsTimeout ? Math.max(0, this.electionDeadline - this.ctx.now()) : this.randomElectionTimeout();
    this.becomeUnattached(epoch, -1, true, timeoutMs);
  }

  private becomeFollower(epoch: number, leader: number, persist = true): void {
    const votedId = epoch === this.epoch ? this.votedId : -1;
    this.transition('follower', epoch, leader, votedId, persist);
    this.fetchedFromLeader = false;
    this.resetFetchTimer();
    this.fetch();
  }

  private resetFetchTimer(): void {
    this.roleTimer?.cancel();
    this.roleTimer = this.ctx.setTimer(this.fetchTimeoutMs, () => this.startElection());
  }

  /**
   * A voter whose fetch or election timeout expired: with KIP-996 it asks for pre-votes first; before 4.0 it
   * becomes a candidate at once (KafkaRaftClient.pollFollowerAsVoter, pollUnattachedAsVoter, pollResigned and
   * pollCandidate call transitionToCandidate in 3.4.0 and 3.9.0).
   */
  private startElection(): void {
    if (this.host.preVote) this.becomeProspective();
    else this.becomeCandidate();
  }

  /** KIP-996: ask for pre-votes in the current epoch; nothing changes for anyone unless a majority agrees. */
  private becomeProspective(): void {
    this.transition('prospective', this.epoch, this.leaderId, this.votedId);
    this.grants = new Set([this.host.voterId]);
    if (this.grants.size >= this.majority) return this.becomeCandidate();
    this.setElectionTimer(this.randomElectionTimeout(), () => this.becomeProspective());
    this.requestVotes(true);
    // A prospective voter keeps fetching from the leader it knew: if that answers, it follows again.
    this.fetch();
  }

  private becomeCandidate(): void {
    this.transition('candidate', this.epoch + 1, -1, this.host.voterId);
    this.grants = new Set([this.host.voterId]);
    if (this.grants.size >= this.majority) return this.becomeLeader();
    this.setElectionTimer(this.randomElectionTimeout(), () => {
      // Lost or split: wait a random backoff, then start over (with a pre-vote, from 4.0).
      const backoff = this.ctx.random.float() * this.host.config['controller.quorum.election.backoff.max.ms'];
      this.roleTimer = this.ctx.setTimer(backoff, () => this.startElection());
    });
    this.requestVotes(false);
  }

  private becomeLeader(): void {
    this.transition('leader', this.epoch, this.host.voterId, this.votedId);
    this.followerEnds.clear();
    this.lastFetchFrom.clear();
    const now = this.ctx.now();
    for (const v of this.host.voters) if (v !== this.host.voterId) this.lastFetchFrom.set(v, now);
    this.epochStartOffset = this.log.endOffset;
    this.beginQuorumEpoch();
    this.scheduleCheckQuorum();
    const appended = this.appendAsLeader([
      { type: 'LeaderChange', leaderId: this.host.voterId, voters: [...this.host.voters] },
    ]);
    if (appended < 0) this.resign();
  }

  private resign(): void {
    this.transition('resigned', this.epoch, this.leaderId, this.votedId);
    for (const v of this.otherVoters()) {
      this.ctx.send(this.host.nodeOf(v), {
        type: 'EndQuorumEpoch',
        correlationId: 0,
        leaderId: this.host.voterId,
        leaderEpoch: this.epoch,
      } satisfies EndQuorumEpochRequest);
    }
    this.roleTimer = this.ctx.setTimer(this.randomElectionTimeout(), () => this.startElection());
  }

  private transitionToHigherEpoch(epoch: number, leader: number): void {
    if (leader >= 0 && leader !== this.host.voterId) this.becomeFollower(epoch, leader);
    else this.becomeUnattachedInNewerEpoch(epoch);
  }

  private otherVoters(): number[] {
    return this.host.voters.filter((v) => v !== this.host.voterId);
  }

  // ---- elections ----

  private requestVotes(preVote: boolean): void {
    const generation = this.generation;
    const epoch = this.epoch;
    for (const v of this.otherVoters()) {
      this.host.channel.send<VoteRequest, VoteResponse>(
        this.host.nodeOf(v),
        {
          type: 'Vote',
          candidateId: this.host.voterId,
          candidateEpoch: epoch,
          lastOffsetEpoch: this.log.lastEpoch(),
          lastOffset: this.log.endOffset,
          preVote,
        },
        this.requestTimeoutMs,
        (res) => {
          if (res === null || res.error !== 'NONE') return;
          if (res.leaderEpoch > this.epoch) return this.transitionToHigherEpoch(res.leaderEpoch, res.leaderId);
          if (generation !== this.generation) return;
          const otherLeader = res.leaderId >= 0 && res.leaderId !== this.leaderId && res.leaderId !== this.host.voterId;
          if (preVote && res.leaderEpoch === this.epoch && otherLeader) {
            // Someone knows a leader of our epoch that we did not: follow it instead.
            return this.becomeFollower(this.epoch, res.leaderId);
          }
          if (!res.voteGranted) return;
          this.grants.add(v);
          if (this.grants.size < this.majority) return;
          if (preVote && this.role === 'prospective') this.becomeCandidate();
          else if (!preVote && this.role === 'candidate') this.becomeLeader();
        },
      );
    }
  }

  /** OffsetAndEpoch.compareTo(endOffset()) >= 0: the last epoch first, the offset only within the same epoch. */
  private logUpToDate(req: VoteRequest): boolean {
    const myEpoch = this.log.lastEpoch();
    return req.lastOffsetEpoch > myEpoch || (req.lastOffsetEpoch === myEpoch && req.lastOffset >= this.log.endOffset);
  }

  /** logUpToDate, counting a refusal. */
  private logUpToDateOrProbe(req: VoteRequest): boolean {
    if (this.logUpToDate(req)) return true;
    probe(P.raftVoteRefusedStaleLog);
    return false;
  }

  /**
   * KafkaRaftClient.handleVoteRequest (3.4.0, 3.9.0, 4.0.0). A request of an older epoch is refused
   * (validateVoterOnlyRequest: FENCED_LEADER_EPOCH). One of a newer epoch first moves this voter to Unattached in
   * that epoch (transitionToUnattached), whatever its role: a follower of a live leader, and the leader itself,
   * step down. Before 4.0 nothing guards against that; 4.0 does the same for a Vote and a Pre-Vote alike
   * (KafkaRaftClientPreVoteTest.testHandlePreVoteRequestAsFollowerWithElectedLeader), KIP-996's guard being that a
   * voter cut off from the quorum never gets a newer epoch to send. Then the role decides (canGrantVote).
   */
  private handleVote(from: NodeId, req: VoteRequest): void {
    const respond = (granted: boolean, error: 'NONE' | 'INCONSISTENT_VOTER_SET' = 'NONE'): void =>
      this.ctx.send(from, {
        type: 'VoteResponse',
        correlationId: req.correlationId,
        error,
        leaderEpoch: this.epoch,
        leaderId: this.leaderId,
        voteGranted: granted,
        preVote: req.preVote,
      } satisfies VoteResponse);
    if (!this.host.voters.includes(req.candidateId)) return respond(false, 'INCONSISTENT_VOTER_SET');
    if (req.candidateEpoch < this.epoch) return respond(false);
    if (req.candidateEpoch > this.epoch) {
      if (this.role === 'follower' || this.role === 'leader') probe(P.raftVoteNewerEpochDeposes);
      this.becomeUnattachedInNewerEpoch(req.candidateEpoch);
    }
    if (req.preVote) return respond(this.canGrantPreVote(req));
    const granted = this.canGrantVote(req);
    if (granted && this.votedId !== req.candidateId) {
      // The vote is on disk before the answer leaves, or a restart could vote twice in one epoch.
      this.becomeUnattached(this.epoch, req.candidateId);
    }
    respond(granted);
  }

  /**
   * A Vote in this voter's epoch: EpochState.canGrantVote. Unattached (and Prospective, 4.0): a vote already
   * cast goes to the same candidate only (3.4.0 VotedState, 3.9.0 UnattachedState's votedKey); with a leader
   * known, none (4.0 QuorumState.unattachedOrProspectiveCanGrantVote); else the candidate's log decides.
   * Follower, Candidate, Leader and Resigned refuse.
   */
  private canGrantVote(req: VoteRequest): boolean {
    if (this.role !== 'unattached' && this.role !== 'prospective') return false;
    if (this.votedId >= 0) return this.votedId === req.candidateId;
    if (this.leaderId >= 0) return false;
    return this.logUpToDateOrProbe(req);
  }

  /**
   * A Pre-Vote in this voter's epoch (KIP-996, 4.0): it changes nothing here, no vote is recorded. Unattached
   * and Prospective grant on the log alone (QuorumState.unattachedOrProspectiveCanGrantVote); a Follower that
   * has fetched from its leader refuses (FollowerState.canGrantVote: KIP-996 "Followers rejecting Pre-Vote
   * Requests"), one that has not yet grants on the log; Candidate, Leader and Resigned refuse.
   */
  private canGrantPreVote(req: VoteRequest): boolean {
    if (this.role === 'unattached' || this.role === 'prospective') return this.logUpToDateOrProbe(req);
    if (this.role !== 'follower') return false;
    if (this.fetchedFromLeader) {
      probe(P.raftVoteRefusedLiveLeader);
      return false;
    }
    return this.logUpToDateOrProbe(req);
  }

  private beginQuorumEpoch(voters: number[] = this.otherVoters()): void {
    const generation = this.generation;
    for (const v of voters) {
      this.host.channel.send<BeginQuorumEpochRequest, BeginQuorumEpochResponse>(
        this.host.nodeOf(v),
        { type: 'BeginQuorumEpoch', leaderId: this.host.voterId, leaderEpoch: this.epoch },
        this.requestTimeoutMs,
        (res) => {
          if (res !== null && res.leaderEpoch > this.epoch) {
            return this.transitionToHigherEpoch(res.leaderEpoch, res.leaderId);
          }
          if (res !== null || generation !== this.generation || this.followerEnds.has(v)) return;
          // Resent until the voter fetches, as Kafka's leader does.
          this.ctx.setTimer(this.host.config['controller.quorum.election.timeout.ms'] / 2, () => {
            if (generation === this.generation && !this.followerEnds.has(v)) this.beginQuorumEpoch([v]);
          });
        },
      );
    }
  }

  private handleBeginQuorumEpoch(from: NodeId, req: BeginQuorumEpochRequest): void {
    const reply = (error: 'NONE' | 'FENCED_LEADER_EPOCH'): void =>
      this.ctx.send(from, {
        type: 'BeginQuorumEpochResponse',
        correlationId: req.correlationId,
        error,
        leaderEpoch: this.epoch,
        leaderId: this.leaderId,
      } satisfies BeginQuorumEpochResponse);
    if (req.leaderEpoch < this.epoch) return reply('FENCED_LEADER_EPOCH');
    if (req.leaderEpoch === this.epoch && this.role === 'leader') return reply('FENCED_LEADER_EPOCH');
    if (req.leaderEpoch > this.epoch || this.role !== 'follower' || this.leaderId !== req.leaderId) {
      this.becomeFollower(req.leaderEpoch, req.leaderId);
    }
    reply('NONE');
  }

  private handleEndQuorumEpoch(req: EndQuorumEpochRequest): void {
    if (req.leaderEpoch !== this.epoch || req.leaderId !== this.leaderId || this.role !== 'follower') return;
    // FollowerState.overrideFetchTimeout: the fetch timeout shortens; the follower still counts as having
    // fetched from its leader (it refuses pre-votes) until that expires.
    this.roleTimer?.cancel();
    const timeoutMs = this.ctx.random.float() * this.host.config['controller.quorum.election.timeout.ms'];
    this.roleTimer = this.ctx.setTimer(timeoutMs, () => this.startElection());
  }

  // ---- leader: appends, fetches from followers and observers, the high watermark ----

  /** Appends records in this epoch; returns the offset after the last, or -1 if not leader or on a disk error. */
  appendAsLeader(records: MetadataRecord[]): number {
    if (this.role !== 'leader') return -1;
    const entries: RaftEntry[] = records.map((record, i) => ({
      offset: this.log.endOffset + i,
      epoch: this.epoch,
      record,
    }));
    try {
      this.log.append(entries);
    } catch (e) {
      logDirFailed(this.ctx, 'appending to the metadata log', e);
      return -1;
    }
    this.emitAppend(entries);
    this.maybeAdvanceHighWatermark();
    this.answerParked(false);
    return this.log.endOffset;
  }

  private emitAppend(entries: RaftEntry[]): void {
    if (this.host.hub.active) {
      this.host.hub.emit({
        kind: 'raft-append',
        time: this.ctx.now(),
        voter: this.host.voterId,
        entries: entries.map((e) => ({ offset: e.offset, digest: digestOf(e) })),
      });
    }
  }

  private maybeAdvanceHighWatermark(): void {
    if (this.role !== 'leader') return;
    const ends = [this.log.endOffset, ...this.otherVoters().map((v) => this.followerEnds.get(v) ?? 0)];
    ends.sort((a, b) => b - a);
    const majorityEnd = ends[this.majority - 1];
    // Only an entry of our own epoch commits by counting (Raft's rule): the LeaderChange record first.
    if (majorityEnd <= this.epochStartOffset || majorityEnd <= this.highWatermark) {
      if (majorityEnd > this.epochStartOffset && !this.leaderReady) this.markReady();
      return;
    }
    this.setHighWatermark(majorityEnd);
    if (!this.leaderReady) this.markReady();
  }

  private markReady(): void {
    this.leaderReady = true;
    this.host.onLeaderReady(this.epoch);
  }

  private setHighWatermark(hw: number): void {
    this.highWatermark = hw;
    this.emit({
      kind: 'raft-hw',
      time: this.ctx.now(),
      voter: this.host.voterId,
      leader: this.role === 'leader',
      epoch: this.epoch,
      highWatermark: hw,
    });
    this.host.onCommitted(hw);
    if (this.role === 'leader') this.answerParked(false);
  }

  private scheduleCheckQuorum(): void {
    const window = this.fetchTimeoutMs * 1.5;
    const generation = this.generation;
    this.roleTimer = this.ctx.setTimer(window, () => {
      if (generation !== this.generation || this.role !== 'leader') return;
      const now = this.ctx.now();
      const heardFrom = (v: number): boolean => now - (this.lastFetchFrom.get(v) ?? -Infinity) <= window;
      const heard = 1 + this.otherVoters().filter(heardFrom).length;
      if (heard < this.majority) {
        const heardOf = `${heard} of ${this.host.voters.length} voters in ${window} ms`;
        this.ctx.trace('raft', `leader ${this.host.voterId} heard from ${heardOf}: resigning`);
        probe(P.raftCheckQuorumResigned);
        return this.resign();
      }
      this.scheduleCheckQuorum();
    });
  }

  private handleFetch(from: NodeId, req: MetadataFetchRequest, parkedAlready = false): void {
    const reply = (res: Omit<MetadataFetchResponse, 'type' | 'correlationId' | 'leaderEpoch' | 'leaderId'>): void =>
      this.ctx.send(from, {
        type: 'MetadataFetchResponse',
        correlationId: req.correlationId,
        leaderEpoch: this.epoch,
        leaderId: this.leaderId,
        ...res,
      } satisfies MetadataFetchResponse);
    const none = { highWatermark: -1, entries: [], divergingEpoch: null, snapshotId: null };
    if (this.role !== 'leader') return reply({ error: 'NOT_LEADER_OR_FOLLOWER', ...none });
    if (req.currentLeaderEpoch >= 0 && req.currentLeaderEpoch < this.epoch) {
      probe(P.raftFetchFenced);
      return reply({
        error: 'FENCED_LEADER_EPOCH',
        ...none,
      });
    }
    if (req.currentLeaderEpoch > this.epoch) return reply({ error: 'UNKNOWN_LEADER_EPOCH', ...none });
    const isVoter = this.host.voters.includes(req.replicaId);
    // A voter fetching in our epoch follows us (check quorum), even while it must truncate or load a snapshot.
    if (isVoter && !parkedAlready) this.lastFetchFrom.set(req.replicaId, this.ctx.now());
    const valid = this.log.validateFetch(req.fetchOffset, req.lastFetchedEpoch);
    if (valid.kind === 'snapshot') {
      const latest = this.snapshots.latest();
      if (latest === null) {
        throw new Error(`voter ${this.host.voterId}: log starts at ${this.log.startOffset} with no snapshot`);
      }
      return reply({ error: 'NONE', ...none, highWatermark: this.highWatermark, snapshotId: { ...latest.id } });
    }
    if (valid.kind === 'diverging') {
      return reply({
        error: 'NONE',
        ...none,
        highWatermark: this.highWatermark,
        divergingEpoch: { epoch: valid.epoch, endOffset: valid.endOffset },
      });
    }
    if (isVoter && !parkedAlready) {
      this.followerEnds.set(req.replicaId, req.fetchOffset);
      this.maybeAdvanceHighWatermark();
      if (this.role !== 'leader') return reply({ error: 'NOT_LEADER_OR_FOLLOWER', ...none });
    }
    // Observers (brokers) get committed records only, so their metadata is always a committed prefix.
    const upTo = isVoter ? this.log.endOffset : this.highWatermark;
    const entries = req.fetchOffset < upTo ? this.log.read(req.fetchOffset, MAX_FETCH_ENTRIES, upTo) : [];
    if (entries.length === 0 && !parkedAlready && req.maxWaitMs > 0) {
      const parked: ParkedFetch = {
        from,
        request: req,
        timer: this.ctx.setTimer(req.maxWaitMs, () => {
          this.parked = this.parked.filter((p) => p !== parked);
          this.handleFetch(from, req, true);
        }),
      };
      this.parked.push(parked);
      return;
    }
    reply({ error: 'NONE', highWatermark: this.highWatermark, entries, divergingEpoch: null, snapshotId: null });
  }

  private handleFetchSnapshot(from: NodeId, req: FetchSnapshotRequest): void {
    const reply = (error: RaftError, records: MetadataRecord[] = []): void =>
      this.ctx.send(from, {
        type: 'FetchSnapshotResponse',
        correlationId: req.correlationId,
        error,
        leaderEpoch: this.epoch,
        leaderId: this.leaderId,
        snapshotId: req.snapshotId,
        records,
      } satisfies FetchSnapshotResponse);
    if (this.role !== 'leader') return reply('NOT_LEADER_OR_FOLLOWER');
    if (req.currentLeaderEpoch >= 0 && req.currentLeaderEpoch < this.epoch) return reply('FENCED_LEADER_EPOCH');
    if (req.currentLeaderEpoch > this.epoch) return reply('UNKNOWN_LEADER_EPOCH');
    if (this.host.voters.includes(req.replicaId)) this.lastFetchFrom.set(req.replicaId, this.ctx.now());
    // Deleted since the fetch named it (a newer one replaced it): the fetcher fetches again and learns the newer id.
    const snapshot = this.snapshots.read(req.snapshotId);
    if (snapshot === null) return reply('SNAPSHOT_NOT_FOUND');
    reply('NONE', snapshot.records);
  }

  /**
   * Snapshots the committed image at `endOffset` (the controller's SnapshotGenerator decides when), then
   * deletes the log before the latest snapshot once it holds more than metadata.max.retention.bytes.
   * Returns the snapshot's id, or null if there was nothing new to snapshot or the disk failed.
   */
  createSnapshot(records: MetadataRecord[], endOffset: number): SnapshotId | null {
    const latest = this.snapshots.latest();
    if (endOffset > this.highWatermark || endOffset <= (latest?.id.endOffset ?? 0)) return null;
    const id = { endOffset, epoch: this.log.epochAt(endOffset) };
    if (id.epoch < 0) return null;
    try {
      this.snapshots.write({ id, records });
      if (this.log.sizeBytes > this.host.config['metadata.max.retention.bytes']) {
        probe(P.raftLogDeletedBeforeSnapshot);
        this.log.deleteBefore(id);
        this.snapshots.deleteBefore(this.log.startOffset);
      }
    } catch (e) {
      this.ctx.trace('storage-error', `metadata snapshot: ${(e as Error).message}`);
      return null;
    }
    const detail = `snapshot at ${endOffset} (epoch ${id.epoch}); log starts at ${this.log.startOffset}`;
    this.ctx.trace('raft', `voter ${this.host.voterId} ${detail}`);
    return id;
  }

  /** Answers long-polled fetches now: new entries, a new high watermark, or (on stepping down) an error. */
  private answerParked(steppedDown: boolean): void {
    if (this.parked.length === 0) return;
    const parked = this.parked;
    this.parked = [];
    for (const p of parked) {
      p.timer.cancel();
      if (steppedDown) {
        this.ctx.send(p.from, {
          type: 'MetadataFetchResponse',
          correlationId: p.request.correlationId,
          error: 'NOT_LEADER_OR_FOLLOWER',
          leaderEpoch: this.epoch,
          leaderId: this.leaderId,
          highWatermark: -1,
          entries: [],
          divergingEpoch: null,
          snapshotId: null,
        } satisfies MetadataFetchResponse);
      } else {
        this.handleFetch(p.from, p.request, true);
      }
    }
  }

  // ---- follower: fetching from the leader ----

  private fetch(): void {
    if (this.fetchInFlight || this.fetchRetry !== null) return;
    if (this.leaderId < 0 || this.leaderId === this.host.voterId) return;
    if (this.role !== 'follower' && this.role !== 'prospective') return;
    this.fetchInFlight = true;
    const generation = this.generation;
    this.host.channel.send<MetadataFetchRequest, MetadataFetchResponse>(
      this.host.nodeOf(this.leaderId),
      {
        type: 'MetadataFetch',
        replicaId: this.host.voterId,
        currentLeaderEpoch: this.epoch,
        fetchOffset: this.log.endOffset,
        lastFetchedEpoch: this.log.lastEpoch(),
        maxWaitMs: this.fetchMaxWaitMs,
      },
      this.requestTimeoutMs + this.fetchMaxWaitMs,
      (res) => {
        if (generation !== this.generation) return;
        this.fetchInFlight = false;
        if (res === null) return this.retryFetch();
        this.onFetchResponse(res);
      },
    );
  }

  private retryFetch(): void {
    if (this.fetchRetry !== null) return;
    this.fetchRetry = this.ctx.setTimer(FETCH_BACKOFF_MS, () => {
      this.fetchRetry = null;
      this.fetch();
    });
  }

  private onFetchResponse(res: MetadataFetchResponse): void {
    if (res.leaderEpoch > this.epoch) return this.transitionToHigherEpoch(res.leaderEpoch, res.leaderId);
    if (res.error !== 'NONE') {
      const otherLeader = res.leaderId >= 0 && res.leaderId !== this.leaderId && res.leaderId !== this.host.voterId;
      if (res.leaderEpoch === this.epoch && otherLeader) return this.becomeFollower(this.epoch, res.leaderId);
      return this.retryFetch();
    }
    if (this.role === 'prospective') {
      // The leader is alive after all.
      this.becomeFollower(this.epoch, this.leaderId);
    } else {
      this.resetFetchTimer();
    }
    this.fetchedFromLeader = true;
    if (res.snapshotId !== null) return this.fetchSnapshot(res.snapshotId);
    try {
      if (res.divergingEpoch !== null) {
        const mine = this.log.endOffsetForEpoch(res.divergingEpoch.epoch);
        const to = Math.min(res.divergingEpoch.endOffset, mine.endOffset);
        if (to < this.log.endOffset) probe(P.raftFollowerTruncated);
        this.log.truncateTo(to);
        if (this.highWatermark > to) this.highWatermark = to;
        this.emit({
          kind: 'raft-truncate',
          time: this.ctx.now(),
          voter: this.host.voterId,
          toOffset: to,
          reason: 'diverging',
        });
      } else {
        const fresh = res.entries.filter((e) => e.offset >= this.log.endOffset);
        if (fresh.length > 0 && fresh[0].offset === this.log.endOffset) {
          this.log.append(fresh);
          this.emitAppend(fresh);
        }
        const hw = Math.min(res.highWatermark, this.log.endOffset);
        if (hw > this.highWatermark) this.setHighWatermark(hw);
      }
    } catch (e) {
      return logDirFailed(this.ctx, 'appending fetched metadata', e);
    }
    this.fetch();
  }

  /** Fetches the snapshot the leader named (our fetch offset precedes its log start) and loads it. */
  private fetchSnapshot(id: SnapshotId): void {
    this.fetchInFlight = true;
    const generation = this.generation;
    this.host.channel.send<FetchSnapshotRequest, FetchSnapshotResponse>(
      this.host.nodeOf(this.leaderId),
      { type: 'FetchSnapshot', replicaId: this.host.voterId, currentLeaderEpoch: this.epoch, snapshotId: id },
      this.requestTimeoutMs,
      (res) => {
        if (generation !== this.generation) return;
        this.fetchInFlight = false;
        if (res === null) return this.retryFetch();
        if (res.leaderEpoch > this.epoch) return this.transitionToHigherEpoch(res.leaderEpoch, res.leaderId);
        if (res.error !== 'NONE') return this.retryFetch();
        if (this.role === 'follower') {
          this.resetFetchTimer();
          this.fetchedFromLeader = true;
        }
        const snapshot: MetadataSnapshot = { id: res.snapshotId, records: res.records };
        try {
          this.snapshots.install(snapshot, this.log);
        } catch (e) {
          return logDirFailed(this.ctx, 'installing a metadata snapshot', e);
        }
        probe(P.raftSnapshotLoaded);
        this.emit({
          kind: 'raft-snapshot',
          time: this.ctx.now(),
          voter: this.host.voterId,
          endOffset: snapshot.id.endOffset,
          epoch: snapshot.id.epoch,
        });
        this.host.onSnapshotLoaded(snapshot);
        this.fetch();
      },
    );
  }

  // ---- dispatch ----

  /** Handles a Raft request (Vote, BeginQuorumEpoch, EndQuorumEpoch, MetadataFetch). */
  handleRequest(from: NodeId, msg: RaftRequest): void {
    switch (msg.type) {
      case 'Vote':
        return this.handleVote(from, msg);
      case 'BeginQuorumEpoch':
        return this.handleBeginQuorumEpoch(from, msg);
      case 'EndQuorumEpoch':
        return this.handleEndQuorumEpoch(msg);
      case 'MetadataFetch':
        return this.handleFetch(from, msg);
      case 'FetchSnapshot':
        return this.handleFetchSnapshot(from, msg);
    }
  }
}
