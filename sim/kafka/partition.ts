// One partition's replica on one broker: its log, leader-epoch cache and high watermark, and, while it
// leads, the followers' fetch state, the ISR and the idempotent producers' state. The rules follow
// Kafka's Partition (makeLeader, makeFollower, appendRecordsToLeader, maybeShrinkIsr and
// getOutOfSyncReplicas / isFollowerOutOfSync, maybeExpandIsr with isReplicaIsrEligible, expandIsr and shrinkIsr
// with their IsrState: CommittedIsr, PendingExpandIsr, PendingShrinkIsr and the maximal ISR,
// maybeIncrementLeaderHW, checkEnoughReplicasReachOffset, truncateTo), Replica (updateLogReadResult /
// updateFetchStateOrThrow / updateFetchState, resetLastCaughtUpTime / resetReplicaState, ReplicaState.isCaughtUp),
// Log.truncateTo and, for a follower's high watermark, ReplicaFetcherThread.processPartitionData; protocol fixes
// can be switched off (protocol.ts). The idempotent producers' state is producer-state.ts.
import type { Disk } from '../world/disk.ts';
import type { BrokerConfig } from './config.ts';
import { LeaderEpochCache, UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET } from './leader-epoch-cache.ts';
import { PartitionLog } from './log.ts';
import type { KafkaError, PartitionState } from './messages.ts';
import type { TruncationReason } from '../events/index.ts';
import type { ObserverHub } from './observer.ts';
import { ProducerStateManager } from './producer-state.ts';
import { VerificationStates } from './verification-state.ts';
import type { KafkaBehaviours } from './protocol.ts';
import type { ControlMarker, CoordinatorRecord, RecordBatch } from './records.ts';
import { TransactionIndex } from './txn-index.ts';
import { NO_PRODUCER, nextOffsetOf, sliceBatch } from './records.ts';
import { P, probe } from './probes.ts';

export type Role = 'leader' | 'follower' | 'none';

/** The leader's view of one follower (Kafka's Replica state). */
interface FollowerState {
  logEndOffset: number;
  lastCaughtUpTimeMs: number;
  /** When the follower's last fetch arrived (0.8.2: when its log end offset was last set). */
  lastFetchTimeMs: number;
  lastFetchLeaderLogEndOffset: number;
  /** KIP-903: the broker epoch its last Fetch carried (ReplicaState.brokerEpoch; undefined before any). */
  brokerEpoch?: number;
}

/** replica.lag.max.messages, 0.8.2's default: a follower further behind was out of sync (gone in 0.9.0). */
const REPLICA_LAG_MAX_MESSAGES = 4000;
/** Kafka's 0 and -1 ms for "never" are 1970 on its clock; on the simulated one, which starts at 0, -∞. */
const NEVER = Number.NEGATIVE_INFINITY;

export interface AppendResult {
  error: KafkaError;
  baseOffset: number;
  /** Offset the high watermark must pass for acks=all; -1 when nothing was appended. */
  requiredOffset: number;
}

export interface PartitionDeps {
  brokerId: number;
  disk: Disk;
  config: BrokerConfig;
  protocol: KafkaBehaviours;
  now: () => number;
  observe: ObserverHub;
  /** Asks for an ISR change (a ZooKeeper write, AlterIsr or AlterPartition); the answer arrives later. */
  proposeIsr: (p: Partition, isr: number[], change: 'shrink' | 'expand') => void;
  /**
   * Kafka's Partition.useAlterIsr: ISR changes go to the controller (KIP-497 AlterIsr in ZooKeeper mode from
   * 2.7, AlterPartition in KRaft), and the maximal ISR counts while one is in flight. False: the leader's own
   * ZooKeeper write, which Kafka made while holding the partition's leaderIsrUpdateLock.
   */
  useAlterIsr: boolean;
  /** Called when the high watermark moves, so waiting produce and fetch requests can complete. */
  onHighWatermark: (p: Partition) => void;
  /** Called after a local append, so long-polling fetches can answer. */
  onAppend: (p: Partition) => void;
  /**
   * Partition.isReplicaIsrEligible (3.3+): whether the leader's metadata lets a follower whose last Fetch carried
   * `brokerEpoch` join the ISR (ZooKeeper mode: the broker is alive; KRaft: not fenced, and KIP-903's epoch).
   */
  isReplicaIsrEligible: (follower: number, brokerEpoch: number | undefined) => boolean;
}

export class Partition {
  readonly log: PartitionLog;
  readonly epochCache: LeaderEpochCache;
  role: Role = 'none';
  leader = -1;
  leaderEpoch = -1;
  partitionEpoch = -1;
  isr: number[] = [];
  /** KIP-966 eligible leader replicas, as last written to ZooKeeper. */
  elr: number[] = [];
  replicas: number[] = [];
  highWatermark: number;
  /** Start offset of the leader epoch this replica leads (KAFKA-7128's bar to join the ISR). */
  leaderEpochStartOffset = 0;
  private followers = new Map<number, FollowerState>();
  /**
   * The ISR of a change in flight (Kafka's PendingExpandIsr / PendingShrinkIsr; null is CommittedIsr): one at
   * a time, and no other expansion or shrink is tried until it is answered or a LeaderAndIsr resets it.
   */
  pendingIsr: number[] | null = null;
  private readonly producers: ProducerStateManager;
  /** Open, unreplicated and aborted transactions (txn-index.ts): the last stable offset and the aborted index. */
  readonly txns = new TransactionIndex();
  /** KIP-890 (3.6.0): producers whose first transactional batch here is being verified (verification-state.ts). */
  private readonly verification = new VerificationStates();

  constructor(
    readonly id: number,
    private readonly deps: PartitionDeps,
    checkpointedHighWatermark: number,
  ) {
    this.log = new PartitionLog(deps.disk, `log-${id}`, deps.config['flush.messages']);
    this.epochCache = new LeaderEpochCache(deps.disk, `leader-epoch-checkpoint-${id}`, deps.protocol.kafka7415);
    // The cache may be ahead of a log that lost its unsynced tail in a crash, or behind one whose
    // checkpoint write failed. As in Kafka 3.9.0 (LogLoader.load's truncateFromEndAsyncFlush(nextOffset),
    // LogSegment.recover assigning only epochs above the latest), nothing drops an entry that the recovered log
    // contradicts below its end: a power loss that undid an unsynced truncation brings back older-epoch records
    // under a synced entry, and followers then loop on a diverging epoch (test/sim/kafka/found/, seed 11006).
    this.epochCache.truncateFromEnd(this.log.logEndOffset);
    this.epochCache.recoverFrom(this.log.all());
    if (checkpointedHighWatermark > this.log.logEndOffset) probe(P.highWatermarkCheckpointAheadOfLog);
    this.highWatermark = Math.min(checkpointedHighWatermark, this.log.logEndOffset);
    this.producers = new ProducerStateManager(deps.protocol);
    this.producers.rebuild(this.log.all());
    this.txns.rebuild(this.log.all());
  }

  get logEndOffset(): number {
    return this.log.logEndOffset;
  }

  /** Where the idempotent-producer state ends (ProducerStateManager.endOffset), for watchers. */
  get producerStateEndOffset(): number {
    return this.producers.endOffset();
  }

  /** The files this replica keeps on its broker's disk (LogManager deletes them with the replica). */
  files(): string[] {
    return [`log-${this.id}`, `leader-epoch-checkpoint-${this.id}`];
  }

  /**
   * Kafka's IsrState.maximalIsr (2.7.0), which the high watermark and acks=all count: a pending expansion's
   * new member is in it (PendingExpandIsr: isr + newInSyncReplicaId), a pending shrink still counts the old,
   * larger ISR (PendingShrinkIsr: isr). Without AlterIsr it is the committed ISR.
   */
  maximalIsr(): number[] {
    if (this.pendingIsr === null || !this.deps.useAlterIsr) return this.isr;
    const out = [...this.isr];
    for (const r of this.pendingIsr) if (!out.includes(r)) out.push(r);
    return out;
  }

  // ---- state changes from the controller ----

  applyState(state: PartitionState): void {
    const isrChanged =
      this.role === 'leader' &&
      state.leader === this.deps.brokerId &&
      state.leaderEpoch === this.leaderEpoch &&
      state.isr.join() !== this.isr.join();
    if (isrChanged) probe(P.isrAdoptedFromController);
    if (isrChanged && this.deps.observe.active) {
      // The leader adopts the controller's ISR (e.g. a dead replica removed): watchers must know.
      this.deps.observe.emit({
        kind: 'isr-change',
        time: this.deps.now(),
        broker: this.deps.brokerId,
        partition: this.id,
        isr: [...state.isr],
        partitionEpoch: state.partitionEpoch,
        change: state.isr.length < this.isr.length ? 'shrink' : 'expand',
      });
    }
    this.leader = state.leader;
    this.leaderEpoch = state.leaderEpoch;
    this.partitionEpoch = state.partitionEpoch;
    this.isr = [...state.isr];
    this.elr = [...state.elr];
    if (this.role === 'leader' && state.replicas.join() !== this.replicas.join()) this.updateAssignment(state.replicas);
    this.replicas = [...state.replicas];
    this.pendingIsr = null;
  }

  /**
   * Partition.updateAssignmentAndIsr (3.9) for a leader whose replicas change within its epoch (a reassignment adding
   * replicas): the removed replicas' states go, the added ones start unknown, never caught up, until they fetch.
   */
  private updateAssignment(replicas: number[]): void {
    for (const r of [...this.followers.keys()]) if (!replicas.includes(r)) this.followers.delete(r);
    for (const r of replicas) {
      if (r === this.deps.brokerId || this.followers.has(r)) continue;
      const lastFetchTimeMs = this.deps.protocol.kafka1546 ? NEVER : this.deps.now();
      this.followers.set(r, {
        logEndOffset: -1,
        lastCaughtUpTimeMs: NEVER,
        lastFetchTimeMs,
        lastFetchLeaderLogEndOffset: -1,
      });
    }
  }

  makeLeader(state: PartitionState): void {
    const wasLeader = this.role === 'leader';
    const wasLeaderInEpoch = wasLeader && this.leaderEpoch === state.leaderEpoch;
    // From 2.1.0 (KAFKA-7415) a new leader records its epoch's start offset at once (Partition.makeLeader ->
    // Log.maybeAssignEpochStartOffset); before, its first append in the epoch did. The checkpoint write comes
    // first: an I/O error there must leave the replica wholly as it was, not a leader of the new epoch without
    // follower states (it would never expand its ISR).
    const recordsEpochStart = this.deps.protocol.kafka7415;
    if (!wasLeaderInEpoch && recordsEpochStart) this.epochCache.assign(state.leaderEpoch, this.log.logEndOffset);
    this.applyState(state);
    this.role = 'leader';
    if (wasLeaderInEpoch) return;
    const now = this.deps.now();
    this.leaderEpochStartOffset = this.log.logEndOffset;
    this.resetFollowers(state, now, wasLeader);
    if (this.deps.observe.active) {
      this.deps.observe.emit({
        kind: 'become-leader',
        time: now,
        broker: this.deps.brokerId,
        partition: this.id,
        leaderEpoch: state.leaderEpoch,
        isr: [...state.isr],
        ...(recordsEpochStart ? { latestCachedEpoch: this.epochCache.latestEpoch() } : {}),
      });
    }
    this.maybeIncrementHighWatermark();
  }

  /**
   * Followers' fetch state for a new leader epoch (Partition.makeLeader with Replica.resetLastCaughtUpTime,
   * 3.3+ resetReplicaState): ISR members count as caught up now, others not at all. A new leader forgets
   * their log end offsets; a re-elected one keeps them (KAFKA-2721; 0.8.2 forgot them at every new leader
   * epoch and stamped that as their last update, Replica.logEndOffset_=).
   */
  private resetFollowers(state: PartitionState, now: number, reElected: boolean): void {
    const { kafka1546, kafka2721 } = this.deps.protocol;
    const old = this.followers;
    this.followers = new Map();
    for (const r of state.replicas) {
      if (r === this.deps.brokerId) continue;
      const inIsr = state.isr.includes(r);
      const kept = reElected && kafka2721 ? old.get(r) : undefined;
      this.followers.set(r, {
        logEndOffset: kept === undefined ? -1 : kept.logEndOffset,
        lastCaughtUpTimeMs: inIsr ? now : NEVER,
        // 3.3+ (Replica.resetReplicaState): a re-elected leader's non-ISR follower waits for a fetch.
        lastFetchTimeMs: !kafka1546 || (kept !== undefined && inIsr) ? now : NEVER,
        lastFetchLeaderLogEndOffset: kept === undefined ? -1 : this.leaderEpochStartOffset,
      });
    }
  }

  makeFollower(state: PartitionState): void {
    this.applyState(state);
    this.role = 'follower';
    this.followers = new Map();
    if (this.deps.observe.active) {
      this.deps.observe.emit({
        kind: 'become-follower',
        time: this.deps.now(),
        broker: this.deps.brokerId,
        partition: this.id,
        leaderEpoch: state.leaderEpoch,
        leader: state.leader,
      });
    }
  }

  /** Tells watchers of an ISR change this leader asks the controller for, on the state it holds. */
  reportIsrProposed(isr: readonly number[]): void {
    if (!this.deps.observe.active) return;
    this.deps.observe.emit({
      kind: 'isr-proposed',
      time: this.deps.now(),
      broker: this.deps.brokerId,
      partition: this.id,
      leaderEpoch: this.leaderEpoch,
      partitionEpoch: this.partitionEpoch,
      isr: [...isr],
    });
  }

  /** An ISR change we proposed was written: adopt it. */
  isrChanged(
    isr: number[],
    elr: number[],
    partitionEpoch: number,
    change: 'shrink' | 'expand',
    proposedAtPartitionEpoch: number,
  ): void {
    this.isr = isr;
    this.elr = elr;
    this.partitionEpoch = partitionEpoch;
    this.pendingIsr = null;
    if (this.deps.observe.active) {
      this.deps.observe.emit({
        kind: 'isr-change',
        time: this.deps.now(),
        broker: this.deps.brokerId,
        partition: this.id,
        isr: [...isr],
        partitionEpoch,
        change,
        proposedAtPartitionEpoch,
      });
    }
    // Partition.maybeShrinkIsr recomputed the high watermark after its (synchronous) ZooKeeper write; with
    // AlterIsr, 2.7-3.0's handleAlterIsrResponse did not, until KAFKA-13091 (3.1).
    if (!this.deps.useAlterIsr || this.deps.protocol.kafka13091) this.maybeIncrementHighWatermark();
  }

  /**
   * The change `isr` was not made and nothing is in flight any more: a failed ZooKeeper write (Kafka's
   * maybeUpdateIsrAndVersion "skip updating ISR", after which the high watermark is recomputed), or
   * KIP-841's INELIGIBLE_REPLICA (Partition.handleAlterPartitionError: back to the last committed state).
   */
  isrChangeFailed(isr: number[]): void {
    if (this.pendingIsr !== isr) return;
    probe(P.isrChangeFailed);
    this.pendingIsr = null;
    if (!this.deps.useAlterIsr) this.maybeIncrementHighWatermark();
  }

  // ---- leader side ----

  /**
   * Partition.appendRecordsToLeader: NOT_LEADER_OR_FOLLOWER, then min ISR for acks=all, then the idempotent
   * producer's checks (Log.analyzeAndValidateProducerState, ProducerAppendInfo: producer-state.ts).
   */
  appendAsLeader(
    producer: {
      producerId: number;
      producerEpoch: number;
      baseSequence: number;
      transactional?: boolean;
      /**
       * A coordinator's transactional batch (GroupMetadataManager.storeOffsets of a TxnOffsetCommit, appended with
       * origin COORDINATOR): UnifiedLog.analyzeAndValidateProducerState (3.9) looks for duplicates and
       * ProducerAppendInfo checks sequences only for origin CLIENT, so only the verification and the epoch apply.
       */
      coordinator?: true;
    },
    values: number[],
    acks: 0 | 1 | -1,
    payloads?: readonly CoordinatorRecord[],
    verificationGuard: number | null = null,
  ): AppendResult {
    if (this.role !== 'leader') return { error: 'NOT_LEADER_OR_FOLLOWER', baseOffset: -1, requiredOffset: -1 };
    const minIsr = this.deps.config['min.insync.replicas'];
    if (acks === -1 && this.isr.length < minIsr) {
      probe(P.produceNotEnoughReplicas);
      return { error: 'NOT_ENOUGH_REPLICAS', baseOffset: -1, requiredOffset: -1 };
    }
    const { producerId, producerEpoch, baseSequence } = producer;
    if (producerId !== NO_PRODUCER && producer.coordinator === true) {
      if (producer.transactional === true && this.missingVerification(producerId, producerEpoch, verificationGuard))
        return { error: 'INVALID_TXN_STATE', baseOffset: -1, requiredOffset: -1 };
      const error = this.producers.checkMarker(producerId, producerEpoch);
      if (error !== 'NONE') return { error, baseOffset: -1, requiredOffset: -1 };
    } else if (producerId !== NO_PRODUCER) {
      const check = this.producers.check(producerId, producerEpoch, baseSequence, baseSequence + values.length - 1);
      if (check.kind === 'duplicate') {
        // A retry of a batch already in the log: answer with its original offset, append nothing.
        const baseOffset = check.firstOffset;
        return { error: 'NONE', baseOffset, requiredOffset: baseOffset + values.length };
      }
      if (producer.transactional === true && this.missingVerification(producerId, producerEpoch, verificationGuard))
        return { error: 'INVALID_TXN_STATE', baseOffset: -1, requiredOffset: -1 };
      if (check.kind === 'error') return { error: check.error, baseOffset: -1, requiredOffset: -1 };
      // ProducerAppendInfo.checkSequence (3.6.0): nothing above the lowest sequence seen while verifying.
      if (this.deps.protocol.kip890 && this.verification.blocksSequence(producerId, baseSequence))
        return { error: 'OUT_OF_ORDER_SEQUENCE_NUMBER', baseOffset: -1, requiredOffset: -1 };
      // ProducerAppendInfo.appendDataBatch: a plain batch while the producer's transaction is open.
      if (producer.transactional !== true && this.txns.ongoingFirstOffset(producerId) !== undefined)
        return { error: 'INVALID_TXN_STATE', baseOffset: -1, requiredOffset: -1 };
    }
    const batch: RecordBatch = {
      baseOffset: this.log.logEndOffset,
      epoch: this.leaderEpoch,
      producerId,
      producerEpoch: producerId === NO_PRODUCER ? -1 : producerEpoch,
      baseSequence,
      values,
    };
    if (payloads !== undefined) batch.payloads = payloads;
    if (producer.transactional === true) batch.isTransactional = true;
    this.appendBatch(batch, true, acks);
    return { error: 'NONE', baseOffset: batch.baseOffset, requiredOffset: nextOffsetOf(batch) };
  }

  /**
   * KIP-890 (3.6.0) Partition.maybeStartTransactionVerification -> UnifiedLog.maybeStartTransactionVerification: the
   * verification guard under which a client's transactional batch may open the producer's transaction here, or null
   * when the transaction is already open here (nothing to verify). NOT_LEADER_OR_FOLLOWER off the leader.
   */
  maybeStartTransactionVerification(producerId: number, sequence: number, epoch: number): number | null | 'NOT_LEADER' {
    if (this.role !== 'leader') return 'NOT_LEADER';
    if (this.hasOngoingTransaction(producerId, epoch)) return null;
    return this.verification.start(producerId, sequence, epoch);
  }

  /**
   * UnifiedLog.hasOngoingTransaction: the producer's transaction is open here. From 4.0 (transaction.version 2, which
   * bumps the epoch at every EndTxn) only in the batch's epoch: a batch of a newer epoch belongs to a new transaction,
   * to be verified (added) again, even if the old one's marker has not come (3.9 checks the producer id alone).
   */
  private hasOngoingTransaction(producerId: number, producerEpoch: number): boolean {
    if (this.txns.ongoingFirstOffset(producerId) === undefined) return false;
    const tv2 = this.deps.protocol.kip890p2 && this.deps.protocol.kip890p2Add;
    return !tv2 || this.producers.producerEpochOf(producerId) === producerEpoch;
  }

  /**
   * UnifiedLog.analyzeAndValidateProducerState (3.6.0): a client's transactional batch that would open a transaction
   * here needs the guard its verification created, still current (batchMissingRequiredVerification); a marker or an
   * earlier batch since then cleared it. Without KIP-890 any such batch is taken.
   */
  private missingVerification(producerId: number, producerEpoch: number, guard: number | null): boolean {
    if (!this.deps.protocol.kip890 || this.hasOngoingTransaction(producerId, producerEpoch)) return false;
    return guard === null || guard !== this.verification.guardOf(producerId);
  }

  /**
   * A transaction marker as the leader appends it for WriteTxnMarkers (ReplicaManager.appendRecords with origin
   * COORDINATOR, acks -1, 3.9): NOT_LEADER_OR_FOLLOWER, then min ISR, then the producer epoch
   * (ProducerAppendInfo.appendEndTxnMarker); one control record, whose value is `value`.
   */
  appendMarkerAsLeader(producerId: number, producerEpoch: number, marker: ControlMarker, value: number): AppendResult {
    if (this.role !== 'leader') return { error: 'NOT_LEADER_OR_FOLLOWER', baseOffset: -1, requiredOffset: -1 };
    if (this.isr.length < this.deps.config['min.insync.replicas']) {
      probe(P.produceNotEnoughReplicas);
      return { error: 'NOT_ENOUGH_REPLICAS', baseOffset: -1, requiredOffset: -1 };
    }
    const error = this.producers.checkMarker(producerId, producerEpoch);
    if (error !== 'NONE') return { error, baseOffset: -1, requiredOffset: -1 };
    const batch: RecordBatch = {
      baseOffset: this.log.logEndOffset,
      epoch: this.leaderEpoch,
      producerId,
      producerEpoch,
      baseSequence: -1,
      values: [value],
      control: marker,
    };
    this.appendBatch(batch, true, -1);
    return { error: 'NONE', baseOffset: batch.baseOffset, requiredOffset: nextOffsetOf(batch) };
  }

  /** UnifiedLog.lastStableOffset: what a read_committed consumer may read up to. */
  get lastStableOffset(): number {
    return this.txns.lastStableOffset(this.highWatermark);
  }

  /** Whether a waiting acks=all produce can answer, and with what (DelayedProduce.tryComplete). */
  checkEnoughReplicasReachOffset(requiredOffset: number): KafkaError | null {
    if (this.role !== 'leader') return 'NOT_LEADER_OR_FOLLOWER';
    if (this.highWatermark < requiredOffset) return null;
    const inSync = this.maximalIsr().length;
    return inSync >= this.deps.config['min.insync.replicas'] ? 'NONE' : 'NOT_ENOUGH_REPLICAS_AFTER_APPEND';
  }

  /** The broker epoch a follower's last Fetch carried, -1 if none (Partition.addBrokerEpochToIsr, KIP-903). */
  followerBrokerEpoch(follower: number): number {
    return this.followers.get(follower)?.brokerEpoch ?? -1;
  }

  /**
   * Records a follower's fetch: its log end offset is the fetch offset (Replica.updateLogReadResult, 3.x
   * updateFetchStateOrThrow), and the broker epoch it carried (KIP-903). A fetch at the leader's log end offset
   * makes it caught up now; KAFKA-4485: one at the log end offset the leader had at the previous fetch makes it
   * caught up as of that fetch.
   */
  updateFollowerFetchState(follower: number, fetchOffset: number, brokerEpoch = -1): void {
    const state = this.followers.get(follower);
    if (state === undefined) return;
    const now = this.deps.now();
    const leaderEnd = this.log.logEndOffset;
    if (fetchOffset >= leaderEnd) state.lastCaughtUpTimeMs = Math.max(state.lastCaughtUpTimeMs, now);
    else if (this.deps.protocol.kafka4485 && fetchOffset >= state.lastFetchLeaderLogEndOffset) {
      state.lastCaughtUpTimeMs = Math.max(state.lastCaughtUpTimeMs, state.lastFetchTimeMs);
    }
    state.lastFetchLeaderLogEndOffset = leaderEnd;
    state.lastFetchTimeMs = now;
    state.logEndOffset = fetchOffset;
    state.brokerEpoch = brokerEpoch;
    this.maybeExpandIsr(follower, state);
    this.maybeIncrementHighWatermark();
  }

  private maybeExpandIsr(follower: number, state: FollowerState): void {
    if (this.pendingIsr !== null || this.isr.includes(follower)) return;
    // canAddReplicaToIsr's isReplicaIsrEligible (KIP-841, KIP-903).
    if (!this.deps.isReplicaIsrEligible(follower, state.brokerEpoch)) {
      if (state.logEndOffset >= this.highWatermark) probe(P.isrExpandIneligible);
      return;
    }
    const caughtUpToHw = state.logEndOffset >= this.highWatermark;
    // KAFKA-7128: catching up to the old high watermark is not enough; it must reach this epoch's start.
    const reachedEpochStart = !this.deps.protocol.kafka7128 || state.logEndOffset >= this.leaderEpochStartOffset;
    if (caughtUpToHw && !reachedEpochStart) probe(P.isrExpandHeldAtEpochStart);
    if (caughtUpToHw && reachedEpochStart) {
      probe(P.isrExpandProposed);
      const isr = [...this.isr, follower].sort((a, b) => a - b);
      this.pendingIsr = isr;
      this.deps.proposeIsr(this, isr, 'expand');
    }
  }

  /** Periodic ISR shrink: followers out of sync (Partition.getOutOfSyncReplicas, isFollowerOutOfSync). */
  maybeShrinkIsr(): void {
    if (this.role !== 'leader' || this.pendingIsr !== null) return;
    const now = this.deps.now();
    const outOfSync = this.isr.filter((r) => {
      if (r === this.deps.brokerId) return false;
      const s = this.followers.get(r);
      return s === undefined || this.isOutOfSync(s, now);
    });
    if (outOfSync.length === 0) return;
    const isr = this.isr.filter((r) => !outOfSync.includes(r));
    probe(P.isrShrinkProposed);
    if (isr.length === 1) probe(P.isrShrinkToLeaderAlone);
    this.pendingIsr = isr;
    this.deps.proposeIsr(this, isr, 'shrink');
  }

  /**
   * KAFKA-1546 (0.9.0+): out of sync once not caught up for replica.lag.time.max.ms; KAFKA-7152 (2.1.0+):
   * never while at the leader's log end offset (ReplicaState.isCaughtUp). 0.8.2: "stuck" (no fetch for
   * replica.lag.time.max.ms) or "slow" (more than replica.lag.max.messages behind).
   */
  private isOutOfSync(s: FollowerState, now: number): boolean {
    const { kafka1546, kafka7152 } = this.deps.protocol;
    const lagMax = this.deps.config['replica.lag.time.max.ms'];
    const leaderEnd = this.log.logEndOffset;
    if (!kafka1546) {
      const slow = s.logEndOffset >= 0 && leaderEnd - s.logEndOffset > REPLICA_LAG_MAX_MESSAGES;
      return now - s.lastFetchTimeMs > lagMax || slow;
    }
    if (kafka7152 && s.logEndOffset === leaderEnd) return false;
    return now - s.lastCaughtUpTimeMs > lagMax;
  }

  /**
   * The smallest log end offset of the (maximal) ISR and, KAFKA-4485 (0.10.2+), of the followers outside it
   * caught up within replica.lag.time.max.ms; KAFKA-15021 (3.6+) counts those only if they may join the ISR
   * (Partition.maybeIncrementLeaderHW). Only ever moves forward.
   */
  maybeIncrementHighWatermark(): void {
    if (this.role !== 'leader') return;
    // Before AlterIsr the leader wrote its ISR change to ZooKeeper holding leaderIsrUpdateLock, which
    // maybeIncrementLeaderHW also takes (Partition.expandIsr/shrinkIsr at 2.4.1): no move until it answers.
    if (this.pendingIsr !== null && !this.deps.useAlterIsr) return;
    // KIP-966's strict min ISR (KAFKA-15583, 3.7 Partition.maybeIncrementLeaderHW): with fewer in-sync
    // replicas than min.insync.replicas the high watermark stays put.
    if (this.deps.protocol.strictMinIsr && this.isr.length < this.deps.config['min.insync.replicas']) {
      if (this.log.logEndOffset > this.highWatermark) probe(P.highWatermarkHeldBelowMinIsr);
      return;
    }
    let hw = this.log.logEndOffset;
    const maximal = this.maximalIsr();
    for (const r of maximal) {
      if (r === this.deps.brokerId) continue;
      const s = this.followers.get(r);
      const leo = s === undefined ? -1 : s.logEndOffset;
      if (leo < hw) hw = leo;
    }
    // Followers outside the maximal ISR, if there are any (usually every replica is in it).
    if (this.deps.protocol.kafka4485 && hw > this.highWatermark && maximal.length <= this.followers.size) {
      hw = this.caughtUpOutsideIsr(hw, maximal);
    }
    if (hw > this.highWatermark) this.setHighWatermark(hw);
  }

  /** KAFKA-4485: the smallest of `hw` and the log end offsets of followers outside the ISR caught up lately. */
  private caughtUpOutsideIsr(hw: number, maximal: readonly number[]): number {
    const now = this.deps.now();
    const lagMax = this.deps.config['replica.lag.time.max.ms'];
    const eligibleOnly = this.deps.protocol.kafka15021;
    for (const r of this.followers.keys()) {
      const s = this.followers.get(r) as FollowerState;
      if (s.logEndOffset >= hw || now - s.lastCaughtUpTimeMs > lagMax || maximal.includes(r)) continue;
      if (!eligibleOnly || this.deps.isReplicaIsrEligible(r, s.brokerEpoch)) {
        probe(P.highWatermarkHeldByFollowerOutsideIsr);
        hw = s.logEndOffset;
      }
    }
    return hw;
  }

  /** Batches for a fetch from `offset`, up to `upTo` (the high watermark for consumers). */
  read(offset: number, upTo: number): RecordBatch[] {
    const batches = this.log.read(offset, 64, upTo);
    // Only the last batch can straddle upTo: the log stops at the first batch starting at or after it.
    const n = batches.length;
    if (n > 0) {
      const last = batches[n - 1];
      if (nextOffsetOf(last) > upTo) batches[n - 1] = sliceBatch(last, last.baseOffset, upTo);
    }
    return batches;
  }

  /** Whether read(offset, upTo) would return anything. */
  hasDataToRead(offset: number, upTo: number): boolean {
    const b = this.log.batchAt(offset);
    return b !== undefined && b.baseOffset < upTo;
  }

  /** Answer to OffsetsForLeaderEpoch (KIP-101, with KIP-279's fix when on). */
  endOffsetForEpoch(epoch: number): [number, number] {
    return this.epochCache.endOffsetFor(epoch, this.log.logEndOffset, this.deps.protocol.kip279);
  }

  // ---- follower side ----

  appendAsFollower(batches: RecordBatch[]): void {
    for (const b of batches) {
      const end = this.log.logEndOffset;
      if (nextOffsetOf(b) <= end) continue;
      const batch = b.baseOffset < end ? sliceBatch(b, end) : b;
      if (batch.baseOffset !== end) break; // a gap: the leader's log moved under us; the next fetch sorts it out
      this.appendBatch(batch, false);
    }
  }

  /**
   * A follower takes the leader's high watermark, capped by its own log end offset, whether it goes up or
   * down (ReplicaFetcherThread.processPartitionData; Log.updateHighWatermark from 2.4): a new leader's high
   * watermark can be behind the one its followers had.
   */
  updateFollowerHighWatermark(leaderHighWatermark: number): void {
    const hw = Math.min(leaderHighWatermark, this.log.logEndOffset);
    if (hw < this.highWatermark) probe(P.followerHighWatermarkDown);
    if (hw !== this.highWatermark) this.setHighWatermark(hw);
  }

  truncateTo(offset: number, reason: TruncationReason): void {
    const from = this.log.logEndOffset;
    if (offset >= from) {
      // KAFKA-10706 (2.8.0, with truncation on fetch): the epoch cache is trimmed even when the log is not, or
      // an epoch this replica started as leader, with no record in it, makes every fetch diverge again.
      if (this.deps.protocol.truncateOnFetch) this.epochCache.truncateFromEnd(from);
      return;
    }
    const removed = this.log.truncateTo(offset);
    if (reason === 'high-watermark') probe(P.truncateToHighWatermark);
    this.epochCache.truncateFromEnd(offset);
    if (this.highWatermark > offset) this.highWatermark = offset;
    this.producers.rebuild(this.log.all());
    this.txns.rebuild(this.log.all());
    const flat: { offset: number; value: number; epoch: number }[] = [];
    for (const b of removed) {
      b.values.forEach((v, i) => flat.push({ offset: b.baseOffset + i, value: v, epoch: b.epoch }));
    }
    if (this.deps.observe.active) {
      this.deps.observe.emit({
        kind: 'truncate',
        time: this.deps.now(),
        broker: this.deps.brokerId,
        partition: this.id,
        toOffset: offset,
        fromLogEndOffset: from,
        reason,
        removed: flat,
        producerStateEndOffset: this.producers.endOffset(),
      });
    }
    if (this.deps.observe.active) {
      this.deps.observe.emit({
        kind: 'log-end-offset',
        time: this.deps.now(),
        broker: this.deps.brokerId,
        partition: this.id,
        logEndOffset: this.log.logEndOffset,
      });
    }
  }

  /**
   * The follower's side of KIP-101/279 truncation: given the leader's [epoch, endOffset] for the epoch we
   * asked about, decide where to truncate and whether to ask again about an earlier epoch.
   * Returns the next epoch to ask about, or null when truncation is complete.
   */
  truncateByLeaderEpoch(leaderEpoch: number, leaderEndOffset: number): number | null {
    if (leaderEndOffset === UNDEFINED_EPOCH_OFFSET) {
      this.truncateTo(Math.min(this.highWatermark, this.log.logEndOffset), 'high-watermark');
      return null;
    }
    if (!this.deps.protocol.kip279) {
      this.truncateTo(Math.min(leaderEndOffset, this.log.logEndOffset), 'leader-epoch');
      return null;
    }
    const [followerEpoch, followerEnd] = this.epochCache.endOffsetFor(leaderEpoch, this.log.logEndOffset, true);
    if (followerEpoch === leaderEpoch) {
      this.truncateTo(Math.min(leaderEndOffset, followerEnd), 'leader-epoch');
      return null;
    }
    // We never had the leader's epoch: cut to what is certainly divergent and ask about our earlier epoch.
    if (followerEpoch === UNDEFINED_EPOCH) {
      this.truncateTo(Math.min(leaderEndOffset, this.log.logEndOffset), 'leader-epoch');
      return null;
    }
    this.truncateTo(Math.min(leaderEndOffset, followerEnd), 'leader-epoch');
    probe(P.truncateIteratedEpochs);
    return followerEpoch;
  }

  // ---- shared ----

  private appendBatch(batch: RecordBatch, asLeader: boolean, acks?: 0 | 1 | -1): void {
    // Log.append -> LeaderEpochFileCache.assign. From 2.1.0 (KAFKA-7415) any epoch other than the latest is taken:
    // a replica that led an empty log in epoch 8 and then fetches epoch 0's records starts its cache again at
    // {0, 0}. Before, only a higher epoch was (1.1.0's `epoch > latestEpoch && offset >= latestOffset`).
    const latest = this.epochCache.latestEpoch();
    const assign = this.deps.protocol.kafka7415
      ? batch.epoch !== latest || batch.baseOffset < this.epochCache.latestStartOffset()
      : batch.epoch > latest;
    if (assign) this.epochCache.assign(batch.epoch, batch.baseOffset);
    this.log.append(batch);
    this.producers.update(batch);
    this.txns.onAppend(batch);
    // UnifiedLog.updateProducers (3.6.0): a transactional record or a marker ends the producer's verification.
    if (batch.isTransactional === true || batch.control !== undefined) this.verification.clear(batch.producerId);
    const now = this.deps.now();
    if (this.deps.observe.active) {
      this.deps.observe.emit({
        kind: 'append',
        time: now,
        broker: this.deps.brokerId,
        partition: this.id,
        baseOffset: batch.baseOffset,
        values: batch.values,
        epoch: batch.epoch,
        asLeader,
        ...(acks === undefined ? {} : { acks }),
        ...(batch.producerId === NO_PRODUCER
          ? {}
          : { producer: { id: batch.producerId, epoch: batch.producerEpoch, baseSequence: batch.baseSequence } }),
        ...(batch.isTransactional === true ? { transactional: true as const } : {}),
        ...(batch.control === undefined ? {} : { control: batch.control.type }),
      });
    }
    if (this.deps.observe.active) {
      this.deps.observe.emit({
        kind: 'log-end-offset',
        time: now,
        broker: this.deps.brokerId,
        partition: this.id,
        logEndOffset: this.log.logEndOffset,
      });
    }
    // After the events: a flush that fails (EIO) halts the broker with the record appended, which watchers must know
    // (a follower's mirror without it took the replica for one lacking it once it led).
    this.log.maybeFlush();
    if (asLeader) {
      this.maybeIncrementHighWatermark();
      this.deps.onAppend(this);
    }
  }

  private setHighWatermark(hw: number): void {
    this.highWatermark = hw;
    if (this.deps.observe.active) {
      this.deps.observe.emit({
        kind: 'high-watermark',
        time: this.deps.now(),
        broker: this.deps.brokerId,
        partition: this.id,
        highWatermark: hw,
      });
    }
    this.deps.onHighWatermark(this);
  }
}
