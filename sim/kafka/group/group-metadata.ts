// A consumer group as the classic group coordinator keeps it: its state, generation, leader and members
// (kafka.coordinator.group.GroupMetadata and MemberMetadata, 3.9.0; the same shape since 0.10.1's
// rebalance.timeout.ms). Assignments and subscriptions are plain data here where Kafka keeps opaque bytes: the
// coordinator never reads them, only stores and hands them out.
import type { GroupError } from './group-messages.ts';
import type { CommittedOffset } from './group-records.ts';
import { olderThan } from './group-records.ts';

/** GroupState: the five states of the classic protocol. */
export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

/** GroupState.validPreviousStates, per target state (GroupMetadata.scala). */
const VALID_PREVIOUS: Record<GroupState, readonly GroupState[]> = {
  PreparingRebalance: ['Stable', 'CompletingRebalance', 'Empty'],
  CompletingRebalance: ['PreparingRebalance'],
  Stable: ['CompletingRebalance'],
  Dead: ['Stable', 'PreparingRebalance', 'CompletingRebalance', 'Empty', 'Dead'],
  Empty: ['PreparingRebalance'],
};

/** One protocol a member supports (an assignor's name) with its subscription, as JoinGroup carries them. */
export interface GroupProtocol {
  name: string;
  /** ConsumerProtocolSubscription: the partitions subscribed to and, for cooperative assignors, those owned. */
  metadata: Subscription;
}

export interface Subscription {
  /** kafkasim has one topic: a subscription is to its partitions. */
  partitions: number[];
  /** KIP-429 (ConsumerProtocol v1, 2.4): the partitions the member owns as it joins; empty for eager members. */
  ownedPartitions: number[];
  /** The generation those partitions were owned in (ConsumerProtocol v2, 3.0); -1 unknown. */
  generation: number;
}

export interface JoinResult {
  error: GroupError;
  memberId: string;
  generationId: number;
  protocolName: string | null;
  leaderId: string;
  /** The members with their subscriptions, for the leader only (currentMemberMetadata). */
  members: { memberId: string; metadata: Subscription }[];
}

export interface SyncResult {
  error: GroupError;
  assignment: number[];
}

export type JoinCallback = (r: JoinResult) => void;
export type SyncCallback = (r: SyncResult) => void;

/** MemberMetadata. */
export class MemberMetadata {
  assignment: number[] = [];
  awaitingJoinCallback: JoinCallback | null = null;
  awaitingSyncCallback: SyncCallback | null = null;
  /** Set when the member joined and has not yet received its first JoinGroup answer. */
  isNew = false;
  heartbeatSatisfied = false;

  constructor(
    readonly memberId: string,
    readonly clientId: string,
    public rebalanceTimeoutMs: number,
    public sessionTimeoutMs: number,
    public supportedProtocols: GroupProtocol[],
  ) {}

  get isAwaitingJoin(): boolean {
    return this.awaitingJoinCallback !== null;
  }

  get isAwaitingSync(): boolean {
    return this.awaitingSyncCallback !== null;
  }

  /** MemberMetadata.hasSatisfiedHeartbeat: members in the middle of a rebalance need no heartbeat. */
  get hasSatisfiedHeartbeat(): boolean {
    if (this.isNew) return this.heartbeatSatisfied;
    if (this.isAwaitingJoin || this.isAwaitingSync) return true;
    return this.heartbeatSatisfied;
  }

  metadataFor(protocol: string): Subscription {
    const p = this.supportedProtocols.find((x) => x.name === protocol);
    if (p === undefined) throw new Error(`member ${this.memberId} does not support ${protocol}`);
    return p.metadata;
  }

  /** MemberMetadata.matches: the same protocols with the same metadata, in the same order. */
  matches(protocols: GroupProtocol[]): boolean {
    if (protocols.length !== this.supportedProtocols.length) return false;
    return protocols.every((p, i) => {
      const q = this.supportedProtocols[i];
      return p.name === q.name && sameSubscription(p.metadata, q.metadata);
    });
  }
}

function sameSubscription(a: Subscription, b: Subscription): boolean {
  const same = (x: number[], y: number[]) => x.length === y.length && x.every((v, i) => v === y[i]);
  return (
    same(a.partitions, b.partitions) && same(a.ownedPartitions, b.ownedPartitions) && a.generation === b.generation
  );
}

/** GroupMetadata. Members in insertion order, as Kafka's mutable.HashMap is not, but determinism needs. */
export class GroupMetadata {
  state: GroupState;
  generationId = 0;
  protocolName: string | null = null;
  leaderId: string | null = null;
  readonly members = new Map<string, MemberMetadata>();
  /** KIP-394: member ids handed out with MEMBER_ID_REQUIRED, not yet joined with them. */
  readonly pendingMembers = new Set<string>();
  /** 3.0's DelayedSync: members of this generation that have not sent SyncGroup yet. */
  readonly pendingSyncMembers = new Set<string>();
  numMembersAwaitingJoin = 0;
  /** InitialDelayedJoin: a member joined during the initial delay, which then extends. */
  newMemberAdded = false;
  /** Plain offset commits appended and not yet acknowledged, by partition (pendingOffsetCommits). */
  readonly pendingOffsetCommits = new Map<number, CommittedOffset>();
  /**
   * Transactional offset commits awaiting their transaction's marker, by producer id, then partition
   * (pendingTransactionalOffsetCommits); appendedBatchOffset is set once the commit's batch is appended.
   */
  readonly pendingTransactionalOffsetCommits = new Map<number, Map<number, CommittedOffset>>();
  private nextMemberSuffix = 0;

  constructor(
    readonly groupId: string,
    initialState: GroupState,
  ) {
    this.state = initialState;
  }

  is(s: GroupState): boolean {
    return this.state === s;
  }

  /** GroupMetadata.transitionTo, which asserts the transition is valid. */
  transitionTo(s: GroupState): void {
    if (!VALID_PREVIOUS[s].includes(this.state)) {
      throw new Error(`group ${this.groupId} should be in ${VALID_PREVIOUS[s].join('/')} to move to ${s}`);
    }
    this.state = s;
  }

  get canRebalance(): boolean {
    return VALID_PREVIOUS.PreparingRebalance.includes(this.state);
  }

  has(memberId: string): boolean {
    return this.members.has(memberId);
  }

  get(memberId: string): MemberMetadata {
    const m = this.members.get(memberId);
    if (m === undefined) throw new Error(`no member ${memberId} in group ${this.groupId}`);
    return m;
  }

  isLeader(memberId: string): boolean {
    return this.leaderId === memberId;
  }

  isPendingMember(memberId: string): boolean {
    return this.pendingMembers.has(memberId);
  }

  /**
   * GroupMetadata.generateMemberId: clientId-UUID in Kafka. A counter per group keeps it deterministic; the
   * coordinator epoch in the id keeps ids unique across coordinator failovers.
   */
  generateMemberId(clientId: string, coordinatorEpoch: number): string {
    return `${clientId}-${coordinatorEpoch}-${this.nextMemberSuffix++}`;
  }

  add(member: MemberMetadata, callback: JoinCallback | null): void {
    if (this.leaderId === null) this.leaderId = member.memberId;
    this.members.set(member.memberId, member);
    member.awaitingJoinCallback = callback;
    if (callback !== null) this.numMembersAwaitingJoin++;
    this.pendingMembers.delete(member.memberId);
  }

  remove(memberId: string): void {
    const m = this.members.get(memberId);
    if (m !== undefined) {
      this.members.delete(memberId);
      if (m.isAwaitingJoin) this.numMembersAwaitingJoin--;
    }
    if (this.isLeader(memberId)) this.leaderId = this.members.keys().next().value ?? null;
    this.pendingMembers.delete(memberId);
    this.pendingSyncMembers.delete(memberId);
  }

  updateMember(
    member: MemberMetadata,
    protocols: GroupProtocol[],
    rebalanceTimeoutMs: number,
    sessionTimeoutMs: number,
    callback: JoinCallback | null,
  ): void {
    member.supportedProtocols = protocols;
    member.rebalanceTimeoutMs = rebalanceTimeoutMs;
    member.sessionTimeoutMs = sessionTimeoutMs;
    if (callback !== null && !member.isAwaitingJoin) this.numMembersAwaitingJoin++;
    else if (callback === null && member.isAwaitingJoin) this.numMembersAwaitingJoin--;
    member.awaitingJoinCallback = callback;
  }

  maybeInvokeJoinCallback(member: MemberMetadata, result: JoinResult): void {
    const cb = member.awaitingJoinCallback;
    if (cb === null) return;
    member.awaitingJoinCallback = null;
    this.numMembersAwaitingJoin--;
    cb(result);
  }

  maybeInvokeSyncCallback(member: MemberMetadata, result: SyncResult): boolean {
    const cb = member.awaitingSyncCallback;
    if (cb === null) return false;
    member.awaitingSyncCallback = null;
    cb(result);
    return true;
  }

  get hasAllMembersJoined(): boolean {
    return this.members.size === this.numMembersAwaitingJoin && this.pendingMembers.size === 0;
  }

  /** GroupMetadata.rebalanceTimeoutMs: the largest of the members'. */
  get rebalanceTimeoutMs(): number {
    let t = 0;
    for (const m of this.members.values()) t = Math.max(t, m.rebalanceTimeoutMs);
    return t;
  }

  /** maybeElectNewJoinedLeader: a leader that did not rejoin gives way to one that did. */
  maybeElectNewJoinedLeader(): boolean {
    if (this.leaderId === null) return false;
    if (this.get(this.leaderId).isAwaitingJoin) return true;
    for (const m of this.members.values()) {
      if (m.isAwaitingJoin) {
        this.leaderId = m.memberId;
        return true;
      }
    }
    return false;
  }

  /**
   * GroupMetadata.selectProtocol: each member votes for the first protocol it lists among those every member
   * supports; the most votes wins (ties go to the first candidate, where Kafka takes the map's maximum).
   */
  selectProtocol(): string {
    const members = [...this.members.values()];
    const candidates = members[0].supportedProtocols
      .map((p) => p.name)
      .filter((name) => members.every((m) => m.supportedProtocols.some((p) => p.name === name)));
    if (candidates.length === 0) throw new Error(`group ${this.groupId}: no protocol all members support`);
    const votes = new Map<string, number>(candidates.map((c) => [c, 0]));
    for (const m of members) {
      const vote = m.supportedProtocols.find((p) => candidates.includes(p.name)) as GroupProtocol;
      votes.set(vote.name, (votes.get(vote.name) as number) + 1);
    }
    let best = candidates[0];
    for (const c of candidates) if ((votes.get(c) as number) > (votes.get(best) as number)) best = c;
    return best;
  }

  /** GroupMetadata.supportsProtocols: an empty group takes anything, else one protocol must be common. */
  supportsProtocols(protocols: GroupProtocol[]): boolean {
    if (this.members.size === 0) return true;
    return protocols.some((p) =>
      [...this.members.values()].every((m) => m.supportedProtocols.some((q) => q.name === p.name)),
    );
  }

  /** initNextGeneration: a new generation, CompletingRebalance with members, else Empty. */
  initNextGeneration(): void {
    this.generationId++;
    if (this.members.size > 0) {
      this.protocolName = this.selectProtocol();
      this.transitionTo('CompletingRebalance');
    } else {
      this.protocolName = null;
      this.transitionTo('Empty');
    }
  }

  currentMemberMetadata(): { memberId: string; metadata: Subscription }[] {
    const protocol = this.protocolName as string;
    return [...this.members.values()].map((m) => ({ memberId: m.memberId, metadata: m.metadataFor(protocol) }));
  }

  notYetRejoinedMembers(): MemberMetadata[] {
    return [...this.members.values()].filter((m) => !m.isAwaitingJoin);
  }

  // ---- pending offset commits (GroupMetadata, 3.9.0) ----

  /** prepareOffsetCommit. */
  prepareOffsetCommit(offsets: readonly { partition: number; offset: number; leaderEpoch: number }[]): void {
    for (const o of offsets)
      this.pendingOffsetCommits.set(o.partition, { offset: o.offset, leaderEpoch: o.leaderEpoch });
  }

  /** onOffsetCommitAppend / failPendingOffsetWrite: the staged commit of the partition is no longer pending. */
  completePendingOffsetWrite(partition: number, offset: CommittedOffset): void {
    const staged = this.pendingOffsetCommits.get(partition);
    if (staged !== undefined && staged.offset === offset.offset && staged.leaderEpoch === offset.leaderEpoch)
      this.pendingOffsetCommits.delete(partition);
  }

  /** prepareTxnOffsetCommit: pending under the producer, with no batch offset yet. */
  prepareTxnOffsetCommit(
    producerId: number,
    offsets: readonly { partition: number; offset: number; leaderEpoch: number }[],
  ): void {
    let mine = this.pendingTransactionalOffsetCommits.get(producerId);
    if (mine === undefined) this.pendingTransactionalOffsetCommits.set(producerId, (mine = new Map()));
    for (const o of offsets) mine.set(o.partition, { offset: o.offset, leaderEpoch: o.leaderEpoch });
  }

  /** onTxnOffsetCommitAppend: the pending commit, if still the same, now knows its batch offset. */
  onTxnOffsetCommitAppend(producerId: number, partition: number, appended: CommittedOffset): void {
    const staged = this.pendingTransactionalOffsetCommits.get(producerId)?.get(partition);
    if (staged !== undefined && staged.offset === appended.offset && staged.leaderEpoch === appended.leaderEpoch)
      staged.appendedBatchOffset = appended.appendedBatchOffset;
  }

  /** failPendingTxnOffsetCommit: the commit's record was not written; the client will retry it. */
  failPendingTxnOffsetCommit(producerId: number, partition: number): void {
    const mine = this.pendingTransactionalOffsetCommits.get(producerId);
    if (mine === undefined) return;
    mine.delete(partition);
    if (mine.size === 0) this.pendingTransactionalOffsetCommits.delete(producerId);
  }

  /**
   * completePendingTxnOffsetCommit, once the transaction's marker is in the offsets partition: a commit moves each
   * pending offset into `offsets` unless a newer commit is there (olderThan); an abort drops them.
   */
  completePendingTxnOffsetCommit(producerId: number, isCommit: boolean, offsets: Map<number, CommittedOffset>): void {
    const pending = this.pendingTransactionalOffsetCommits.get(producerId);
    this.pendingTransactionalOffsetCommits.delete(producerId);
    if (!isCommit || pending === undefined) return;
    for (const [partition, o] of pending) {
      // Kafka throws IllegalStateException here, which its scheduler logs: the rest are not materialised.
      if (o.appendedBatchOffset === undefined) return;
      const current = offsets.get(partition);
      if (current === undefined || olderThan(current, o)) offsets.set(partition, o);
    }
  }

  hasPendingOffsetCommitsFromProducer(producerId: number): boolean {
    return this.pendingTransactionalOffsetCommits.has(producerId);
  }

  /** hasPendingOffsetCommitsForTopicPartition: what requireStable answers UNSTABLE_OFFSET_COMMIT for. */
  hasPendingOffsetCommitsForTopicPartition(partition: number): boolean {
    if (this.pendingOffsetCommits.has(partition)) return true;
    for (const mine of this.pendingTransactionalOffsetCommits.values()) if (mine.has(partition)) return true;
    return false;
  }
}
