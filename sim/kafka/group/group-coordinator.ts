// The classic group coordinator (kafka.coordinator.group.GroupCoordinator, 3.9.0, with what older releases lack
// switched by GroupBehaviours): JoinGroup, SyncGroup, Heartbeat, LeaveGroup, OffsetCommit and OffsetFetch, the
// rebalance through PreparingRebalance and CompletingRebalance, member expiry on session.timeout.ms, the
// rebalance timeout, group.initial.rebalance.delay.ms, and loading and unloading with the offsets partitions'
// leadership (onElection, onResignation). Kafka's purgatories (DelayedJoin, InitialDelayedJoin, DelayedHeartbeat,
// DelayedSync) are timers here that check, when they fire, what the delayed operation would have checked.
// Transactional offset commits (TxnOffsetCommit, KIP-98 and KIP-447's group metadata checks) wait for their
// transaction's marker (onTransactionCompleted); OffsetFetch with requireStable does not return them meanwhile.
import type { GroupBehaviours } from './group-behaviours.ts';
import type {
  GroupError,
  HeartbeatRequest,
  JoinGroupRequest,
  LeaveGroupRequest,
  OffsetCommitRequest,
  OffsetFetchRequest,
  SyncGroupRequest,
  TxnOffsetCommitError,
  TxnOffsetCommitRequest,
} from './group-messages.ts';
import type { GroupProtocol, JoinCallback, JoinResult, SyncCallback } from './group-metadata.ts';
import { GroupMetadata, MemberMetadata } from './group-metadata.ts';
import type { GroupMetadataManager } from './group-metadata-manager.ts';
import { txnOffsetCommitError } from './group-metadata-manager.ts';
import type { CommittedOffset } from './group-records.ts';

export interface GroupConfig {
  'group.min.session.timeout.ms': number;
  'group.max.session.timeout.ms': number;
  'group.initial.rebalance.delay.ms': number;
}

/** The broker defaults (KafkaConfig / GroupCoordinatorConfig, 3.9.0). */
export const GROUP_CONFIG_DEFAULTS: GroupConfig = {
  'group.min.session.timeout.ms': 6000,
  'group.max.session.timeout.ms': 1_800_000,
  'group.initial.rebalance.delay.ms': 3000,
};

/** GroupCoordinator.NewMemberJoinTimeoutMs (KAFKA-7610, 2.2): a new member must complete its join in 5 minutes. */
const NEW_MEMBER_JOIN_TIMEOUT_MS = 5 * 60 * 1000;

export type Timer = { cancel(): void };
export type SetTimer = (ms: number, fn: () => void) => Timer;

/** A rebalance's delayed join: the timer and whether it is InitialDelayedJoin (which never completes early). */
interface PendingJoin {
  timer: Timer;
  initial: boolean;
}

/** What the coordinator tells the world (the simulator's observer hub; tests). */
export interface GroupObserver {
  /** A group reached Stable in a generation: its stored assignment, per member with what it said it owned. */
  stable?(group: GroupMetadata, assignment: Map<string, number[]>): void;
  /** An offset commit was acknowledged. */
  committed?(groupId: string, generationId: number, memberId: string, partition: number, offset: number): void;
  /** OffsetFetch answered a partition's committed offset, with where its commit's batch is in the offsets log. */
  fetched?(groupId: string, partition: number, offset: number, appendedBatchOffset: number | undefined): void;
}

export class GroupCoordinator {
  private readonly joins = new Map<GroupMetadata, PendingJoin>();
  private readonly syncTimers = new Map<GroupMetadata, Timer>();
  private readonly heartbeats = new Map<MemberMetadata, Timer>();
  private active = true;

  constructor(
    readonly manager: GroupMetadataManager,
    private readonly config: GroupConfig,
    private readonly behaviours: GroupBehaviours,
    private readonly setTimer: SetTimer,
    private readonly observer: GroupObserver = {},
  ) {}

  /** GroupCoordinator.shutdown: a stopped coordinator answers COORDINATOR_NOT_AVAILABLE. */
  shutdown(): void {
    this.active = false;
  }

  // ---- leadership of the offsets partitions ----

  /**
   * onElection -> scheduleLoadGroupAndOffsets: requests for the partition's groups get COORDINATOR_LOAD_IN_PROGRESS
   * until the load (a task on the scheduler's thread in Kafka, the next event here) has read the log.
   */
  onElection(partition: number, coordinatorEpoch: number): void {
    this.manager.startLoading(partition, coordinatorEpoch);
    this.setTimer(0, () => {
      const loaded = this.manager.finishLoading(partition, coordinatorEpoch);
      if (loaded === null) return;
      for (const l of loaded) {
        const m = l.metadata;
        const g = new GroupMetadata(l.groupId, m === null || m.members.length === 0 ? 'Empty' : 'Stable');
        if (m !== null) {
          g.generationId = m.generationId;
          g.protocolName = m.protocolName;
          for (const r of m.members) {
            const protocols = [{ name: r.protocolName, metadata: r.subscription }];
            const member = new MemberMetadata(
              r.memberId,
              r.clientId,
              r.rebalanceTimeoutMs,
              r.sessionTimeoutMs,
              protocols,
            );
            member.assignment = r.assignment;
            g.add(member, null);
          }
          g.leaderId = m.leaderId;
        }
        this.manager.groups.set(l.groupId, g);
        const offsets = this.manager.offsetsOf(l.groupId);
        for (const [p, o] of l.offsets) offsets.set(p, o);
        // loadGroup -> GroupMetadata.initializeOffsets: transactional offsets without a marker yet stay pending.
        for (const [producerId, pending] of l.pending) {
          const mine = new Map<number, CommittedOffset>();
          for (const [p, o] of pending) mine.set(p, { ...o });
          g.pendingTransactionalOffsetCommits.set(producerId, mine);
        }
        // onGroupLoaded: every member must heartbeat within its session from now.
        for (const member of g.members.values()) this.completeAndScheduleNextHeartbeatExpiration(g, member);
      }
    });
  }

  /** onResignation: the partition's groups go Dead and waiting members are told NOT_COORDINATOR (onGroupUnloaded). */
  onResignation(partition: number): void {
    for (const g of this.manager.unload(partition)) {
      const previous = g.state;
      g.transitionTo('Dead');
      if (previous === 'PreparingRebalance') {
        for (const m of g.members.values()) g.maybeInvokeJoinCallback(m, this.joinError(m.memberId, 'NOT_COORDINATOR'));
      } else if (previous === 'Stable' || previous === 'CompletingRebalance') {
        for (const m of g.members.values()) g.maybeInvokeSyncCallback(m, { error: 'NOT_COORDINATOR', assignment: [] });
      }
      this.cancelTimers(g);
    }
  }

  private cancelTimers(g: GroupMetadata): void {
    this.joins.get(g)?.timer.cancel();
    this.joins.delete(g);
    this.syncTimers.get(g)?.cancel();
    this.syncTimers.delete(g);
    for (const m of g.members.values()) {
      this.heartbeats.get(m)?.cancel();
      this.heartbeats.delete(m);
    }
  }

  /** validateGroupStatus. */
  private validateGroupStatus(groupId: string): GroupError | null {
    if (!this.active) return 'COORDINATOR_NOT_AVAILABLE';
    if (this.manager.isLoading(groupId)) return 'COORDINATOR_LOAD_IN_PROGRESS';
    if (!this.manager.isCoordinatorFor(groupId)) return 'NOT_COORDINATOR';
    return null;
  }

  private joinError(memberId: string, error: GroupError): JoinResult {
    return { error, memberId, generationId: -1, protocolName: null, leaderId: '', members: [] };
  }

  // ---- JoinGroup ----

  handleJoinGroup(req: Omit<JoinGroupRequest, 'type' | 'correlationId'>, done: JoinCallback): void {
    const statusError = this.validateGroupStatus(req.groupId);
    if (statusError !== null) return done(this.joinError(req.memberId, statusError));
    const t = req.sessionTimeoutMs;
    if (t < this.config['group.min.session.timeout.ms'] || t > this.config['group.max.session.timeout.ms']) {
      return done(this.joinError(req.memberId, 'INVALID_SESSION_TIMEOUT'));
    }
    const isUnknownMember = req.memberId === '';
    // getOrMaybeCreateGroup: only a member without an id creates the group.
    let group = this.manager.groups.get(req.groupId);
    if (group === undefined) {
      if (!isUnknownMember) return done(this.joinError(req.memberId, 'UNKNOWN_MEMBER_ID'));
      group = new GroupMetadata(req.groupId, 'Empty');
      this.manager.groups.set(req.groupId, group);
    }
    if (isUnknownMember) this.doNewMemberJoinGroup(group, req, done);
    else this.doCurrentMemberJoinGroup(group, req, done);
    if (group.is('PreparingRebalance')) this.checkJoin(group);
  }

  private doNewMemberJoinGroup(
    group: GroupMetadata,
    req: Omit<JoinGroupRequest, 'type' | 'correlationId'>,
    done: JoinCallback,
  ): void {
    if (group.is('Dead')) return done(this.joinError('', 'COORDINATOR_NOT_AVAILABLE'));
    if (!group.supportsProtocols(req.protocols)) return done(this.joinError('', 'INCONSISTENT_GROUP_PROTOCOL'));
    const memberId = group.generateMemberId(req.clientId, this.manager.coordinatorEpoch(req.groupId));
    // KIP-394 (2.2, doDynamicNewMemberJoinGroup): the member must come back with the id it is given.
    if (this.behaviours.kip394 && req.requireKnownMemberId) {
      group.pendingMembers.add(memberId);
      this.setTimer(req.sessionTimeoutMs, () => this.onExpirePendingMember(group, memberId));
      return done(this.joinError(memberId, 'MEMBER_ID_REQUIRED'));
    }
    this.addMemberAndRebalance(group, memberId, req, done);
  }

  private doCurrentMemberJoinGroup(
    group: GroupMetadata,
    req: Omit<JoinGroupRequest, 'type' | 'correlationId'>,
    done: JoinCallback,
  ): void {
    const memberId = req.memberId;
    if (group.is('Dead')) return done(this.joinError(memberId, 'COORDINATOR_NOT_AVAILABLE'));
    if (!group.supportsProtocols(req.protocols)) return done(this.joinError(memberId, 'INCONSISTENT_GROUP_PROTOCOL'));
    if (group.isPendingMember(memberId)) return this.addMemberAndRebalance(group, memberId, req, done);
    if (!group.has(memberId)) return done(this.joinError(memberId, 'UNKNOWN_MEMBER_ID'));
    const member = group.get(memberId);
    const update = () => this.updateMemberAndRebalance(group, member, req, done);
    switch (group.state) {
      case 'PreparingRebalance':
        return update();
      case 'CompletingRebalance':
        // The member lost the JoinGroup answer: the same answer again, unless its metadata changed.
        if (member.matches(req.protocols))
          return done(this.currentJoinResult(group, memberId, group.isLeader(memberId)));
        return update();
      case 'Stable':
        // A leader's JoinGroup always rebalances (it may have seen metadata change); a follower's only if changed.
        if (group.isLeader(memberId) || !member.matches(req.protocols)) return update();
        return done(this.currentJoinResult(group, memberId, false));
      default:
        return done(this.joinError(memberId, 'UNKNOWN_MEMBER_ID'));
    }
  }

  private currentJoinResult(group: GroupMetadata, memberId: string, withMembers: boolean): JoinResult {
    return {
      error: 'NONE',
      memberId,
      generationId: group.generationId,
      protocolName: group.protocolName,
      leaderId: group.leaderId ?? '',
      members: withMembers ? group.currentMemberMetadata() : [],
    };
  }

  private addMemberAndRebalance(
    group: GroupMetadata,
    memberId: string,
    req: { clientId: string; rebalanceTimeoutMs: number; sessionTimeoutMs: number; protocols: GroupProtocol[] },
    done: JoinCallback,
  ): void {
    const member = new MemberMetadata(
      memberId,
      req.clientId,
      req.rebalanceTimeoutMs,
      req.sessionTimeoutMs,
      req.protocols,
    );
    member.isNew = true;
    if (group.is('PreparingRebalance') && group.generationId === 0) group.newMemberAdded = true;
    group.add(member, done);
    this.scheduleExpiration(group, member, NEW_MEMBER_JOIN_TIMEOUT_MS);
    this.maybePrepareRebalance(group);
  }

  private updateMemberAndRebalance(
    group: GroupMetadata,
    member: MemberMetadata,
    req: { rebalanceTimeoutMs: number; sessionTimeoutMs: number; protocols: GroupProtocol[] },
    done: JoinCallback,
  ): void {
    group.updateMember(member, req.protocols, req.rebalanceTimeoutMs, req.sessionTimeoutMs, done);
    this.maybePrepareRebalance(group);
  }

  private maybePrepareRebalance(group: GroupMetadata): void {
    if (group.canRebalance) this.prepareRebalance(group);
  }

  /** prepareRebalance: an Empty group waits group.initial.rebalance.delay.ms (InitialDelayedJoin, KIP-134, 0.11). */
  private prepareRebalance(group: GroupMetadata): void {
    if (group.is('CompletingRebalance')) this.resetAndPropagateAssignmentError(group, 'REBALANCE_IN_PROGRESS');
    this.removeSyncExpiration(group);
    const initialDelay = this.config['group.initial.rebalance.delay.ms'];
    const wasEmpty = group.is('Empty');
    group.transitionTo('PreparingRebalance');
    if (wasEmpty) {
      const remaining = Math.max(group.rebalanceTimeoutMs - initialDelay, 0);
      this.scheduleInitialJoin(group, initialDelay, initialDelay, remaining);
    } else {
      this.scheduleJoin(group);
    }
  }

  /** InitialDelayedJoin.onComplete: members that keep arriving extend the delay, up to the rebalance timeout. */
  private scheduleInitialJoin(group: GroupMetadata, configured: number, delayMs: number, remainingMs: number): void {
    const timer = this.setTimer(delayMs, () => {
      if (this.joins.get(group)?.timer !== timer) return;
      this.joins.delete(group);
      if (group.newMemberAdded && remainingMs !== 0) {
        group.newMemberAdded = false;
        const delay = Math.min(configured, remainingMs);
        this.scheduleInitialJoin(group, configured, delay, Math.max(remainingMs - delayMs, 0));
      } else {
        this.onCompleteJoin(group);
      }
    });
    this.joins.set(group, { timer, initial: true });
  }

  /** DelayedJoin: completes once every member has rejoined, or at the rebalance timeout. */
  private scheduleJoin(group: GroupMetadata): void {
    const timer = this.setTimer(group.rebalanceTimeoutMs, () => {
      if (this.joins.get(group)?.timer !== timer) return;
      this.joins.delete(group);
      this.onCompleteJoin(group);
    });
    this.joins.set(group, { timer, initial: false });
    this.checkJoin(group);
  }

  /** rebalancePurgatory.checkAndComplete(GroupJoinKey): a DelayedJoin completes when all have joined. */
  private checkJoin(group: GroupMetadata): void {
    const pending = this.joins.get(group);
    if (pending === undefined || pending.initial || !group.hasAllMembersJoined) return;
    pending.timer.cancel();
    this.joins.delete(group);
    this.onCompleteJoin(group);
  }

  /** onCompleteJoin: members that did not rejoin are removed, then the next generation starts. */
  private onCompleteJoin(group: GroupMetadata): void {
    for (const m of group.notYetRejoinedMembers()) {
      group.remove(m.memberId);
      this.removeHeartbeat(m);
    }
    if (group.is('Dead')) return;
    if (!group.maybeElectNewJoinedLeader() && group.members.size > 0) {
      this.scheduleJoin(group);
      return;
    }
    group.initNextGeneration();
    if (group.is('Empty')) {
      this.manager.storeGroup(group, new Map(), () => {});
      return;
    }
    for (const m of group.members.values()) {
      group.maybeInvokeJoinCallback(m, this.currentJoinResult(group, m.memberId, group.isLeader(m.memberId)));
      this.completeAndScheduleNextHeartbeatExpiration(group, m);
      m.isNew = false;
      if (this.behaviours.delayedSync) group.pendingSyncMembers.add(m.memberId);
    }
    if (this.behaviours.delayedSync) this.schedulePendingSync(group);
  }

  // ---- SyncGroup ----

  handleSyncGroup(req: Omit<SyncGroupRequest, 'type' | 'correlationId'>, done: SyncCallback): void {
    const statusError = this.validateGroupStatus(req.groupId);
    // A coordinator still loading makes the member rejoin: its generation may be gone.
    if (statusError === 'COORDINATOR_LOAD_IN_PROGRESS') return done({ error: 'REBALANCE_IN_PROGRESS', assignment: [] });
    if (statusError !== null) return done({ error: statusError, assignment: [] });
    const group = this.manager.groups.get(req.groupId);
    if (group === undefined) return done({ error: 'UNKNOWN_MEMBER_ID', assignment: [] });
    if (group.is('Dead')) return done({ error: 'COORDINATOR_NOT_AVAILABLE', assignment: [] });
    if (!group.has(req.memberId)) return done({ error: 'UNKNOWN_MEMBER_ID', assignment: [] });
    if (req.generationId !== group.generationId) return done({ error: 'ILLEGAL_GENERATION', assignment: [] });
    switch (group.state) {
      case 'Empty':
        return done({ error: 'UNKNOWN_MEMBER_ID', assignment: [] });
      case 'PreparingRebalance':
        return done({ error: 'REBALANCE_IN_PROGRESS', assignment: [] });
      case 'CompletingRebalance': {
        group.get(req.memberId).awaitingSyncCallback = done;
        this.removePendingSyncMember(group, req.memberId);
        if (!group.isLeader(req.memberId)) return;
        // Members the leader left out get nothing.
        const assignment = new Map<string, number[]>();
        for (const id of group.members.keys()) assignment.set(id, []);
        for (const a of req.assignments) if (assignment.has(a.memberId)) assignment.set(a.memberId, a.partitions);
        const generationId = group.generationId;
        this.manager.storeGroup(group, assignment, (error) => {
          if (!group.is('CompletingRebalance') || generationId !== group.generationId) return;
          if (error !== 'NONE') {
            this.resetAndPropagateAssignmentError(group, error);
            this.maybePrepareRebalance(group);
            return;
          }
          for (const m of group.members.values()) m.assignment = assignment.get(m.memberId) ?? [];
          this.propagateAssignment(group, 'NONE');
          group.transitionTo('Stable');
          this.observer.stable?.(group, assignment);
        });
        return;
      }
      case 'Stable': {
        this.removePendingSyncMember(group, req.memberId);
        const member = group.get(req.memberId);
        done({ error: 'NONE', assignment: member.assignment });
        this.completeAndScheduleNextHeartbeatExpiration(group, member);
        return;
      }
    }
  }

  private resetAndPropagateAssignmentError(group: GroupMetadata, error: GroupError): void {
    for (const m of group.members.values()) m.assignment = [];
    this.propagateAssignment(group, error);
  }

  private propagateAssignment(group: GroupMetadata, error: GroupError): void {
    for (const m of group.members.values()) {
      if (group.maybeInvokeSyncCallback(m, { error, assignment: m.assignment })) {
        this.completeAndScheduleNextHeartbeatExpiration(group, m);
      }
    }
  }

  // ---- DelayedSync (3.0): members that do not sync within the rebalance timeout are removed ----

  private schedulePendingSync(group: GroupMetadata): void {
    const generationId = group.generationId;
    const timer = this.setTimer(group.rebalanceTimeoutMs, () => {
      if (this.syncTimers.get(group) !== timer) return;
      this.syncTimers.delete(group);
      if (generationId !== group.generationId) return;
      if (!group.is('CompletingRebalance') && !group.is('Stable')) return;
      if (group.pendingSyncMembers.size === 0) return;
      for (const id of [...group.pendingSyncMembers]) {
        const m = group.members.get(id);
        group.remove(id);
        if (m !== undefined) this.removeHeartbeat(m);
      }
      this.prepareRebalance(group);
    });
    this.syncTimers.set(group, timer);
  }

  private removePendingSyncMember(group: GroupMetadata, memberId: string): void {
    group.pendingSyncMembers.delete(memberId);
    if (group.pendingSyncMembers.size === 0) this.removeSyncExpiration(group);
  }

  private removeSyncExpiration(group: GroupMetadata): void {
    group.pendingSyncMembers.clear();
    this.syncTimers.get(group)?.cancel();
    this.syncTimers.delete(group);
  }

  // ---- Heartbeat and member expiry ----

  handleHeartbeat(req: Omit<HeartbeatRequest, 'type' | 'correlationId'>, done: (e: GroupError) => void): void {
    const statusError = this.validateGroupStatus(req.groupId);
    // A loading coordinator takes the heartbeat: the member is kept until the load says otherwise.
    if (statusError !== null) return done(statusError === 'COORDINATOR_LOAD_IN_PROGRESS' ? 'NONE' : statusError);
    const group = this.manager.groups.get(req.groupId);
    if (group === undefined) return done('UNKNOWN_MEMBER_ID');
    if (group.is('Dead')) return done('COORDINATOR_NOT_AVAILABLE');
    if (!group.has(req.memberId)) return done('UNKNOWN_MEMBER_ID');
    if (req.generationId !== group.generationId) return done('ILLEGAL_GENERATION');
    if (group.is('Empty')) return done('UNKNOWN_MEMBER_ID');
    this.completeAndScheduleNextHeartbeatExpiration(group, group.get(req.memberId));
    done(group.is('PreparingRebalance') ? 'REBALANCE_IN_PROGRESS' : 'NONE');
  }

  private completeAndScheduleNextHeartbeatExpiration(group: GroupMetadata, member: MemberMetadata): void {
    this.scheduleExpiration(group, member, member.sessionTimeoutMs);
  }

  /**
   * completeAndScheduleNextExpiration: the heartbeat counts, and the next must come within timeoutMs. When the
   * timer fires the member is removed unless it then satisfies hasSatisfiedHeartbeat (onExpireHeartbeat).
   */
  private scheduleExpiration(group: GroupMetadata, member: MemberMetadata, timeoutMs: number): void {
    this.heartbeats.get(member)?.cancel();
    member.heartbeatSatisfied = false;
    const timer = this.setTimer(timeoutMs, () => {
      if (this.heartbeats.get(member) !== timer) return;
      this.heartbeats.delete(member);
      if (group.is('Dead') || group.members.get(member.memberId) !== member || member.hasSatisfiedHeartbeat) return;
      this.removeMemberAndUpdateGroup(group, member);
    });
    this.heartbeats.set(member, timer);
  }

  private removeHeartbeat(member: MemberMetadata): void {
    this.heartbeats.get(member)?.cancel();
    this.heartbeats.delete(member);
  }

  private onExpirePendingMember(group: GroupMetadata, memberId: string): void {
    if (group.is('Dead') || !group.isPendingMember(memberId)) return;
    group.remove(memberId);
    if (group.is('PreparingRebalance')) this.checkJoin(group);
  }

  private removeMemberAndUpdateGroup(group: GroupMetadata, member: MemberMetadata): void {
    group.maybeInvokeJoinCallback(member, this.joinError('', 'UNKNOWN_MEMBER_ID'));
    group.remove(member.memberId);
    this.removeHeartbeat(member);
    if (group.is('Stable') || group.is('CompletingRebalance')) this.maybePrepareRebalance(group);
    else if (group.is('PreparingRebalance')) this.checkJoin(group);
  }

  // ---- LeaveGroup ----

  handleLeaveGroup(req: Omit<LeaveGroupRequest, 'type' | 'correlationId'>, done: (e: GroupError) => void): void {
    const statusError = this.validateGroupStatus(req.groupId);
    if (statusError !== null) return done(statusError);
    const group = this.manager.groups.get(req.groupId);
    if (group === undefined) return done('UNKNOWN_MEMBER_ID');
    if (group.is('Dead')) return done('COORDINATOR_NOT_AVAILABLE');
    if (group.isPendingMember(req.memberId)) {
      this.onExpirePendingMember(group, req.memberId);
      return done('NONE');
    }
    if (!group.has(req.memberId)) return done('UNKNOWN_MEMBER_ID');
    this.removeMemberAndUpdateGroup(group, group.get(req.memberId));
    done('NONE');
  }

  // ---- OffsetCommit and OffsetFetch ----

  handleCommitOffsets(
    req: Omit<OffsetCommitRequest, 'type' | 'correlationId'>,
    done: (errors: { partition: number; error: GroupError }[]) => void,
  ): void {
    const all = (error: GroupError) => done(req.offsets.map((o) => ({ partition: o.partition, error })));
    const statusError = this.validateGroupStatus(req.groupId);
    if (statusError !== null) return all(statusError);
    let group = this.manager.groups.get(req.groupId);
    if (group === undefined) {
      // A commit outside the group protocol (generation -1) creates the group, Empty.
      if (req.generationId >= 0) return all('ILLEGAL_GENERATION');
      group = new GroupMetadata(req.groupId, 'Empty');
      this.manager.groups.set(req.groupId, group);
    }
    const error = this.validateOffsetCommit(group, req.generationId, req.memberId, null, false);
    if (error !== null) return all(error);
    const g = group;
    const store = () =>
      this.manager.storeOffsets(g, req.offsets, (e) => {
        if (e === 'NONE') {
          for (const o of req.offsets) {
            this.observer.committed?.(g.groupId, req.generationId, req.memberId, o.partition, o.offset);
          }
        }
        all(e);
      });
    switch (group.state) {
      case 'Empty':
        return store();
      case 'Stable':
      case 'PreparingRebalance':
        this.completeAndScheduleNextHeartbeatExpiration(group, group.get(req.memberId));
        return store();
      case 'CompletingRebalance':
        return all('REBALANCE_IN_PROGRESS');
      default:
        return all('COORDINATOR_NOT_AVAILABLE');
    }
  }

  /**
   * validateOffsetCommit: a member's commit must come from the group's current generation (validateCurrentMember,
   * then the generation). A transactional commit without member and generation (TxnOffsetCommit before KIP-447) is
   * taken whatever the group's state.
   */
  private validateOffsetCommit(
    group: GroupMetadata,
    generationId: number,
    memberId: string,
    groupInstanceId: string | null,
    isTransactional: boolean,
  ): GroupError | null {
    if (group.is('Dead')) return 'COORDINATOR_NOT_AVAILABLE';
    if (generationId < 0 && group.is('Empty')) return null;
    if (generationId >= 0 || memberId !== '' || groupInstanceId !== null) {
      // validateCurrentMember: kafkasim's groups have no static members (KIP-345), so a group.instance.id is never
      // one's (currentStaticMemberId None: UNKNOWN_MEMBER_ID), and FENCED_INSTANCE_ID never arises.
      if (groupInstanceId !== null) return 'UNKNOWN_MEMBER_ID';
      if (!group.has(memberId)) return 'UNKNOWN_MEMBER_ID';
      if (generationId !== group.generationId) return 'ILLEGAL_GENERATION';
      return null;
    }
    return !isTransactional && !group.is('Empty') ? 'UNKNOWN_MEMBER_ID' : null;
  }

  /**
   * handleTxnCommitOffsets (3.9): a group it does not know is created Empty; from 3.6 the offsets partition is
   * verified to be in the producer's transaction (KIP-890, maybeStartTransactionVerificationForPartition), then
   * doTxnCommitOffsets checks the member and generation (KIP-447) and stores the offsets as the producer's, pending
   * until the marker. Unlike OffsetCommit, no group state refuses it and no heartbeat is completed.
   */
  handleTxnCommitOffsets(
    req: Omit<TxnOffsetCommitRequest, 'type' | 'correlationId'>,
    done: (errors: { partition: number; error: TxnOffsetCommitError }[]) => void,
  ): void {
    const all = (error: TxnOffsetCommitError) => done(req.offsets.map((o) => ({ partition: o.partition, error })));
    const statusError = this.validateGroupStatus(req.groupId);
    if (statusError !== null) return all(statusError);
    let group = this.manager.groups.get(req.groupId);
    if (group === undefined) {
      group = new GroupMetadata(req.groupId, 'Empty');
      this.manager.groups.set(req.groupId, group);
    }
    const g = group;
    const partition = this.manager.partitionFor(req.groupId);
    this.manager.log.verify(partition, req.transactionalId, req.producerId, req.producerEpoch, (e, guard) => {
      if (e !== 'NONE') return all(txnOffsetCommitError(e));
      const error = this.validateOffsetCommit(g, req.generationId, req.memberId, req.groupInstanceId, true);
      if (error !== null) return all(error);
      const txn = { producerId: req.producerId, producerEpoch: req.producerEpoch, verificationGuard: guard };
      this.manager.storeTxnOffsets(g, req.offsets, txn, all);
    });
  }

  /**
   * onTransactionCompleted -> scheduleHandleTxnCompletion: the transaction's marker is in these offsets partitions
   * (KafkaApis.handleWriteTxnMarkersRequest, once appended); its pending offsets complete on the scheduler.
   */
  onTransactionCompleted(producerId: number, partitions: readonly number[], committed: boolean): void {
    this.setTimer(0, () => this.manager.handleTxnCompletion(producerId, partitions, committed));
  }

  /** handleFetchOffsets -> GroupMetadataManager.getOffsets: the cache only, never a stale offset. */
  handleFetchOffsets(
    req: Omit<OffsetFetchRequest, 'type' | 'correlationId'>,
    done: (error: GroupError, partitions: OffsetFetchPartition[]) => void,
  ): void {
    const statusError = this.validateGroupStatus(req.groupId);
    if (statusError !== null) return done(statusError, []);
    const answers = this.manager.getOffsets(req.groupId, req.requireStable === true, req.partitions);
    done(
      'NONE',
      answers.map(({ partition, offset: o, unstable }) => {
        if (unstable) return { partition, offset: -1, leaderEpoch: -1, error: 'UNSTABLE_OFFSET_COMMIT' as const };
        if (o !== undefined) this.observer.fetched?.(req.groupId, partition, o.offset, o.appendedBatchOffset);
        return { partition, offset: o?.offset ?? -1, leaderEpoch: o?.leaderEpoch ?? -1 };
      }),
    );
  }
}

type OffsetFetchPartition = {
  partition: number;
  offset: number;
  leaderEpoch: number;
  error?: 'UNSTABLE_OFFSET_COMMIT';
};
