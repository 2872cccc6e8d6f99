// The consumer's side of the classic group protocol (clients' AbstractCoordinator and ConsumerCoordinator, 3.9.0):
// find the coordinator, join (with KIP-394's second JoinGroup from 2.2), run the assignor as the leader, sync,
// heartbeat every heartbeat.interval.ms, leave when the application has not polled for max.poll.interval.ms,
// revoke before reassignment (eager: everything before joining; cooperative, KIP-429: what moves, then rejoin),
// and commit offsets, automatically every auto.commit.interval.ms and before each rebalance, or on request.
// Kafka's heartbeat thread is a timer here; what its blocking calls wait for, callbacks.
import type { Assignor } from '../group/assignors.ts';
import { assignorNamed } from '../group/assignors.ts';
import type { GroupBehaviours } from '../group/group-behaviours.ts';
import type {
  GroupError,
  GroupRequest,
  GroupResponse,
  HeartbeatResponse,
  JoinGroupResponse,
  LeaveGroupResponse,
  OffsetCommitResponse,
  OffsetFetchResponse,
  SyncGroupResponse,
} from '../group/group-messages.ts';

export interface GroupConsumerConfig {
  'group.id': string;
  'client.id': string;
  'session.timeout.ms': number;
  'heartbeat.interval.ms': number;
  /** Also the rebalance timeout the member sends in JoinGroup. */
  'max.poll.interval.ms': number;
  /** Assignor names, in preference order. */
  'partition.assignment.strategy': string[];
  'enable.auto.commit': boolean;
  'auto.commit.interval.ms': number;
  'retry.backoff.ms': number;
  'request.timeout.ms': number;
}

/** The consumer defaults of a release (ConsumerConfig). */
export function groupConsumerDefaults(b: GroupBehaviours, clientId: string): GroupConsumerConfig {
  return {
    'group.id': 'kafkasim',
    'client.id': clientId,
    'session.timeout.ms': b.sessionTimeoutMs,
    'heartbeat.interval.ms': 3000,
    'max.poll.interval.ms': 300_000,
    // KIP-726 (3.0.0): [RangeAssignor, CooperativeStickyAssignor]; the group still picks range.
    'partition.assignment.strategy': b.delayedSync ? ['range', 'cooperative-sticky'] : ['range'],
    'enable.auto.commit': true,
    'auto.commit.interval.ms': 5000,
    'retry.backoff.ms': 100,
    'request.timeout.ms': 30_000,
  };
}

/** A request without its correlation id, as the transport sends it. */
export type GroupRequestBody = GroupRequest extends infer R
  ? R extends GroupRequest
    ? Omit<R, 'correlationId'>
    : never
  : never;

/** How the coordinator reaches brokers: FindCoordinator and requests to one broker, null on a timeout. */
export interface CoordinatorTransport {
  findCoordinator(groupId: string, done: (broker: number | null) => void): void;
  send(broker: number, body: GroupRequestBody, timeoutMs: number, done: (r: GroupResponse | null) => void): void;
}

export interface OffsetToCommit {
  partition: number;
  offset: number;
  leaderEpoch: number;
}

/** The consumer the coordinator drives (SubscriptionState and the rebalance listener). */
export interface CoordinatorHost {
  /** The partitions assigned now. */
  assignedPartitions(): number[];
  /** SubscriptionState.assignFromSubscribed: positions of partitions kept stay; new ones await their offset. */
  assignFromSubscribed(partitions: number[]): void;
  /** SubscriptionState.allConsumed: the positions to commit. */
  consumed(): OffsetToCommit[];
  /** The topic's partitions, as the leader's metadata knows them. */
  subscribedPartitions(): number[];
}

/** What the member went through, for the history (Jepsen's :rebalance-log). */
export type RebalanceEvent =
  | { kind: 'revoked' | 'lost'; partitions: number[]; generation: number }
  | { kind: 'assigned'; partitions: number[]; added: number[]; generation: number; memberId: string };

/** ConsumerGroupMetadata: what a transactional producer's TxnOffsetCommit carries of the consumer's group. */
export interface ConsumerGroupMetadata {
  groupId: string;
  /** -1 (JoinGroupRequest.UNKNOWN_GENERATION_ID) before the first join completes. */
  generationId: number;
  /** '' (UNKNOWN_MEMBER_ID) before the first join completes. */
  memberId: string;
  groupInstanceId: string | null;
}

export type MemberState = 'UNJOINED' | 'PREPARING_REBALANCE' | 'COMPLETING_REBALANCE' | 'STABLE';

interface Waiter {
  done: () => void;
  open: () => boolean;
}

const RETRIABLE_COMMIT: ReadonlySet<GroupError> = new Set<GroupError>([
  'COORDINATOR_NOT_AVAILABLE',
  'NOT_COORDINATOR',
  'REQUEST_TIMED_OUT',
  'COORDINATOR_LOAD_IN_PROGRESS',
]);

export class ConsumerCoordinator {
  memberId = '';
  generation = -1;
  /**
   * ConsumerCoordinator.groupMetadata (3.9): the generation and member id of the last completed join (onJoinComplete),
   * kept when the member later loses them, as KafkaConsumer.groupMetadata() hands them to
   * sendOffsetsToTransaction.
   */
  groupMetadata: ConsumerGroupMetadata;
  state: MemberState = 'UNJOINED';
  coordinator: number | null = null;
  private rejoinNeeded = true;
  private joinPrepared = false;
  private busy = false;
  private waiters: Waiter[] = [];
  private heartbeatTimer: { cancel(): void } | null = null;
  private heartbeatInFlight = false;
  private lookingUp = false;
  /** Left the group for good (KafkaConsumer.unsubscribe or close): nothing more happens. */
  private closed = false;
  /** Bumped when the coordinator is marked unknown: answers to requests sent before are dropped. */
  private attempt = 0;
  private lastPollMs = 0;
  private lastHeartbeatOkMs = 0;
  private nextAutoCommitMs = 0;
  private readonly assignors: Assignor[];
  private protocolName: string | null = null;

  constructor(
    private readonly config: GroupConsumerConfig,
    private readonly behaviours: GroupBehaviours,
    private readonly transport: CoordinatorTransport,
    private readonly host: CoordinatorHost,
    private readonly now: () => number,
    private readonly setTimer: (ms: number, fn: () => void) => { cancel(): void },
    private readonly onEvent: (e: RebalanceEvent) => void = () => {},
  ) {
    this.groupMetadata = { groupId: config['group.id'], generationId: -1, memberId: '', groupInstanceId: null };
    this.assignors = config['partition.assignment.strategy']
      .map(assignorNamed)
      .filter((a) => a.protocol === 'EAGER' || behaviours.kip429);
  }

  /** ConsumerCoordinator's protocol: COOPERATIVE only if every configured assignor supports it. */
  private get cooperative(): boolean {
    return this.assignors.every((a) => a.protocol === 'COOPERATIVE');
  }

  /**
   * ConsumerCoordinator.poll: auto-commit when due, then ensureActiveGroup. `done` runs once the member is
   * Stable in a generation (at once if it is); `open` says whether the caller still waits.
   */
  poll(done: () => void, open: () => boolean): void {
    this.lastPollMs = this.now();
    if (this.state === 'STABLE' && !this.rejoinNeeded) this.maybeAutoCommit();
    if (this.state === 'STABLE' && !this.rejoinNeeded && this.coordinator !== null) return done();
    this.waiters = this.waiters.filter((w) => w.open());
    this.waiters.push({ done, open });
    if (!this.busy) {
      this.busy = true;
      this.step();
    }
  }

  private finish(): void {
    this.busy = false;
    const w = this.waiters;
    this.waiters = [];
    for (const x of w) if (x.open()) x.done();
  }

  /** Nobody waits any more (their polls timed out): stop until the next poll, as a consumer not polling does. */
  private idle(): boolean {
    this.waiters = this.waiters.filter((w) => w.open());
    if (this.waiters.length > 0) return false;
    this.busy = false;
    return true;
  }

  private retryLater(): void {
    this.setTimer(this.config['retry.backoff.ms'], () => {
      if (!this.idle()) this.step();
    });
  }

  /** AbstractCoordinator.ensureActiveGroup, one step per answer. */
  private step(): void {
    if (this.closed) return;
    if (this.coordinator === null) {
      this.transport.findCoordinator(this.config['group.id'], (broker) => {
        if (this.closed) return;
        this.coordinator = broker;
        this.lastHeartbeatOkMs = this.now();
        if (broker === null) this.retryLater();
        else if (!this.idle()) this.step();
      });
      return;
    }
    if (this.state === 'STABLE' && !this.rejoinNeeded) return this.finish();
    if (!this.joinPrepared) {
      this.onJoinPrepare(() => {
        this.joinPrepared = true;
        if (!this.idle()) this.step();
      });
      return;
    }
    this.sendJoinGroup(this.coordinator);
  }

  /** onJoinPrepare: commit what was consumed, then revoke (eager: all; cooperative: nothing) or lose. */
  private onJoinPrepare(then: () => void): void {
    const revoke = () => {
      const owned = this.host.assignedPartitions();
      if (this.generation < 0 || this.memberId === '') {
        if (owned.length > 0) {
          this.onEvent({ kind: 'lost', partitions: owned, generation: this.generation });
          this.host.assignFromSubscribed([]);
        }
      } else if (!this.cooperative) {
        this.onEvent({ kind: 'revoked', partitions: owned, generation: this.generation });
        this.host.assignFromSubscribed([]);
      }
      then();
    };
    if (!this.config['enable.auto.commit'] || this.generation < 0) return revoke();
    this.commit(this.host.consumed(), () => revoke());
  }

  private sendJoinGroup(broker: number): void {
    this.state = 'PREPARING_REBALANCE';
    const owned = this.cooperative ? this.host.assignedPartitions() : [];
    const partitions = this.host.subscribedPartitions();
    const metadata = { partitions, ownedPartitions: owned, generation: this.generation };
    const body: GroupRequestBody = {
      type: 'JoinGroup',
      groupId: this.config['group.id'],
      memberId: this.memberId,
      clientId: this.config['client.id'],
      sessionTimeoutMs: this.config['session.timeout.ms'],
      rebalanceTimeoutMs: this.config['max.poll.interval.ms'],
      protocols: this.assignors.map((a) => ({ name: a.name, metadata })),
      requireKnownMemberId: this.behaviours.kip394,
    };
    // JoinGroup waits up to the rebalance timeout at the coordinator (AbstractCoordinator.joinGroupTimeoutMs).
    const timeout = this.config['max.poll.interval.ms'] + 5000;
    const attempt = this.attempt;
    this.transport.send(broker, body, timeout, (r) => {
      if (attempt === this.attempt) this.onJoinResponse(broker, r as JoinGroupResponse | null);
    });
  }

  /** JoinGroupResponseHandler. */
  private onJoinResponse(broker: number, r: JoinGroupResponse | null): void {
    const error = r?.error ?? 'REQUEST_TIMED_OUT';
    if (r !== null && error === 'NONE') {
      this.memberId = r.memberId;
      this.generation = r.generationId;
      this.protocolName = r.protocolName;
      this.state = 'COMPLETING_REBALANCE';
      const assignments = r.leaderId === r.memberId ? this.performAssignment(r.protocolName as string, r.members) : [];
      const body: GroupRequestBody = {
        type: 'SyncGroup',
        groupId: this.config['group.id'],
        generationId: r.generationId,
        memberId: r.memberId,
        assignments,
      };
      const generation = r.generationId;
      const attempt = this.attempt;
      this.transport.send(broker, body, this.config['request.timeout.ms'], (s) => {
        if (attempt === this.attempt) this.onSyncResponse(generation, s as SyncGroupResponse | null);
      });
      return;
    }
    this.state = 'UNJOINED';
    if (r !== null && error === 'MEMBER_ID_REQUIRED') {
      this.memberId = r.memberId;
      return this.step();
    }
    this.onGroupError(error);
    if (!this.idle()) this.retryLater();
  }

  private performAssignment(protocol: string, members: JoinGroupResponse['members']) {
    const assignor = this.assignors.find((a) => a.name === protocol) ?? assignorNamed(protocol);
    return [...assignor.assign(members)].map(([memberId, partitions]) => ({ memberId, partitions }));
  }

  /** SyncGroupResponseHandler, then onJoinComplete. */
  private onSyncResponse(generation: number, r: SyncGroupResponse | null): void {
    if (this.generation !== generation) return;
    const error = r?.error ?? 'REQUEST_TIMED_OUT';
    if (r === null || error !== 'NONE') {
      this.state = 'UNJOINED';
      this.onGroupError(error);
      if (!this.idle()) this.retryLater();
      return;
    }
    this.state = 'STABLE';
    this.rejoinNeeded = false;
    this.joinPrepared = false;
    this.onJoinComplete(r.assignment);
    this.lastHeartbeatOkMs = this.now();
    this.startHeartbeats();
    this.finish();
  }

  /** onJoinComplete: cooperative members revoke what moved and rejoin; everyone takes the new assignment. */
  private onJoinComplete(assignment: number[]): void {
    this.groupMetadata = {
      groupId: this.config['group.id'],
      generationId: this.generation,
      memberId: this.memberId,
      groupInstanceId: null,
    };
    const owned = this.host.assignedPartitions();
    const assigned = [...assignment].sort((a, b) => a - b);
    const added = assigned.filter((p) => !owned.includes(p));
    if (this.cooperative) {
      const revoked = owned.filter((p) => !assigned.includes(p));
      if (revoked.length > 0) {
        this.onEvent({ kind: 'revoked', partitions: revoked, generation: this.generation });
        this.requestRejoin();
      }
    }
    if (this.config['enable.auto.commit']) this.nextAutoCommitMs = this.now() + this.config['auto.commit.interval.ms'];
    this.host.assignFromSubscribed(assigned);
    this.onEvent({
      kind: 'assigned',
      partitions: assigned,
      added,
      generation: this.generation,
      memberId: this.memberId,
    });
  }

  private requestRejoin(): void {
    this.rejoinNeeded = true;
  }

  /** The error handling the response handlers share. */
  private onGroupError(error: GroupError): void {
    switch (error) {
      case 'UNKNOWN_MEMBER_ID':
      case 'ILLEGAL_GENERATION':
        this.resetGeneration();
        break;
      case 'REBALANCE_IN_PROGRESS':
        this.requestRejoin();
        break;
      case 'COORDINATOR_NOT_AVAILABLE':
      case 'NOT_COORDINATOR':
      case 'REQUEST_TIMED_OUT':
        this.markCoordinatorUnknown();
        break;
      default:
        break;
    }
  }

  /** resetGenerationOnResponseError: the member starts over with no id; what it owned is lost. */
  private resetGeneration(): void {
    this.memberId = '';
    this.generation = -1;
    this.state = 'UNJOINED';
    this.joinPrepared = false;
    this.requestRejoin();
  }

  /**
   * markCoordinatorUnknown: the connection to it is closed (NetworkClient.disconnect), so whatever was in flight to
   * it fails now rather than at its timeout; a join under way starts over with the next coordinator.
   */
  private markCoordinatorUnknown(): void {
    this.coordinator = null;
    this.heartbeatInFlight = false;
    this.attempt++;
    if (this.state === 'PREPARING_REBALANCE' || this.state === 'COMPLETING_REBALANCE') {
      this.state = 'UNJOINED';
      if (this.busy && !this.idle()) this.retryLater();
    }
  }

  // ---- the heartbeat thread ----

  private startHeartbeats(): void {
    this.heartbeatTimer?.cancel();
    this.heartbeatTimer = this.setTimer(this.config['heartbeat.interval.ms'], () => this.heartbeat());
  }

  /**
   * HeartbeatThread.run, while the member is in a generation: find the coordinator if it is unknown; mark it unknown
   * when no heartbeat succeeded for session.timeout.ms; leave when the application has not polled for
   * max.poll.interval.ms; else heartbeat, one at a time.
   */
  private heartbeat(): void {
    this.heartbeatTimer = null;
    if (this.closed) return;
    if (this.generation < 0 || this.memberId === '') return;
    const now = this.now();
    if (now - this.lastPollMs > this.config['max.poll.interval.ms']) return this.maybeLeaveGroup();
    const broker = this.coordinator;
    if (broker === null) {
      if (!this.busy && !this.lookingUp) {
        this.lookingUp = true;
        this.transport.findCoordinator(this.config['group.id'], (found) => {
          this.lookingUp = false;
          if (this.coordinator === null && found !== null) {
            this.coordinator = found;
            this.lastHeartbeatOkMs = this.now();
          }
        });
      }
    } else if (now - this.lastHeartbeatOkMs > this.config['session.timeout.ms']) {
      this.markCoordinatorUnknown();
    } else if (!this.heartbeatInFlight && this.state === 'STABLE') {
      this.heartbeatInFlight = true;
      const body: GroupRequestBody = {
        type: 'Heartbeat',
        groupId: this.config['group.id'],
        generationId: this.generation,
        memberId: this.memberId,
      };
      const generation = this.generation;
      this.transport.send(broker, body, this.config['request.timeout.ms'], (r) => {
        this.heartbeatInFlight = false;
        if (this.generation !== generation || this.coordinator !== broker) return;
        const error = (r as HeartbeatResponse | null)?.error ?? 'REQUEST_TIMED_OUT';
        if (error === 'NONE') this.lastHeartbeatOkMs = this.now();
        else this.onGroupError(error);
      });
    }
    this.startHeartbeats();
  }

  /** maybeLeaveGroup: a member that stopped polling leaves, and rejoins at its next poll. */
  private maybeLeaveGroup(): void {
    const broker = this.coordinator;
    if (broker !== null && this.memberId !== '') {
      const body: GroupRequestBody = { type: 'LeaveGroup', groupId: this.config['group.id'], memberId: this.memberId };
      this.transport.send(broker, body, this.config['request.timeout.ms'], (r) => void (r as LeaveGroupResponse));
    }
    this.resetGeneration();
  }

  /**
   * close(): leave the group so it rebalances at once rather than after the session timeout. Answers still in
   * flight are dropped, so nothing assigns partitions to the consumer after it left.
   */
  close(): void {
    this.heartbeatTimer?.cancel();
    this.heartbeatTimer = null;
    if (this.generation >= 0 && this.memberId !== '') this.maybeLeaveGroup();
    this.closed = true;
    this.attempt++;
    this.waiters = [];
    this.busy = false;
  }

  // ---- offsets ----

  /** maybeAutoCommitOffsetsAsync: every auto.commit.interval.ms, from within poll. */
  private maybeAutoCommit(): void {
    if (!this.config['enable.auto.commit'] || this.now() < this.nextAutoCommitMs) return;
    this.nextAutoCommitMs = this.now() + this.config['auto.commit.interval.ms'];
    this.commit(this.host.consumed(), () => {});
  }

  /**
   * commitOffsetsSync as one attempt (the caller retries retriable errors): only a Stable member commits
   * (generationIfStable); otherwise the commit fails with REBALANCE_IN_PROGRESS without being sent.
   */
  commit(offsets: OffsetToCommit[], done: (error: GroupError) => void): void {
    const broker = this.coordinator;
    if (offsets.length === 0) return done('NONE');
    if (broker === null) return done('COORDINATOR_NOT_AVAILABLE');
    if (this.state !== 'STABLE') return done('REBALANCE_IN_PROGRESS');
    const body: GroupRequestBody = {
      type: 'OffsetCommit',
      groupId: this.config['group.id'],
      generationId: this.generation,
      memberId: this.memberId,
      offsets,
    };
    this.transport.send(broker, body, this.config['request.timeout.ms'], (r) => {
      const errors = (r as OffsetCommitResponse | null)?.partitions.map((p) => p.error) ?? ['REQUEST_TIMED_OUT'];
      const error = errors.find((e) => e !== 'NONE') ?? 'NONE';
      if (error !== 'NONE' && !RETRIABLE_COMMIT.has(error)) this.onGroupError(error);
      else if (error !== 'NONE') this.markCoordinatorUnknownUnlessLoading(error);
      done(error);
    });
  }

  private markCoordinatorUnknownUnlessLoading(error: GroupError): void {
    if (error !== 'COORDINATOR_LOAD_IN_PROGRESS') this.markCoordinatorUnknown();
  }

  /** fetchCommittedOffsets: null if the coordinator could not answer (the caller retries at its next poll). */
  fetchCommitted(partitions: number[], done: (offsets: Map<number, OffsetToCommit> | null) => void): void {
    const broker = this.coordinator;
    if (broker === null) return done(null);
    // KIP-447 (2.5): the consumer always asks requireStable (OffsetFetchRequest.Builder's `true`).
    const body: GroupRequestBody = {
      type: 'OffsetFetch',
      groupId: this.config['group.id'],
      partitions,
      ...(this.behaviours.kip447 ? { requireStable: true as const } : {}),
    };
    this.transport.send(broker, body, this.config['request.timeout.ms'], (r) => {
      const res = r as OffsetFetchResponse | null;
      if (res === null || res.error !== 'NONE') {
        if (res === null || res.error !== 'COORDINATOR_LOAD_IN_PROGRESS') this.markCoordinatorUnknown();
        return done(null);
      }
      // OffsetFetchResponseHandler (3.9): a partition with an unstable offset commit fails the fetch with the retriable
      // UnstableOffsetCommitException, retried as the other failures are (at the next poll here).
      if (res.partitions.some((p) => p.error === 'UNSTABLE_OFFSET_COMMIT')) return done(null);
      const out = new Map<number, OffsetToCommit>();
      for (const p of res.partitions) if (p.offset >= 0) out.set(p.partition, p);
      done(out);
    });
  }

  /** The assignor the group chose in this generation, for reports. */
  get protocol(): string | null {
    return this.protocolName;
  }
}
