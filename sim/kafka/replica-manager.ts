// The replicas a broker hosts (Kafka's ReplicaManager): its partitions (getOrCreatePartition), replica
// fetchers (ReplicaFetcherManager), the delayed produce and delayed fetch purgatories (appendRecords and
// DelayedProduce, fetchMessages and DelayedFetch, with Partition.readRecords' diverging-epoch check and
// updateFollowerFetchState), becoming leader or follower (becomeLeaderOrFollower for LeaderAndIsr,
// applyDelta for the metadata log, Partition.makeLeader / makeFollower), the metadata
// cache updates (maybeUpdateMetadataCache), the ISR-shrink check (maybeShrinkIsr, "isr-expiration") and
// the high-watermark checkpoint (checkpointHighWatermarks). KafkaApis passes in the callbacks that answer.
import { DiskError } from '../world/errors.ts';
import type { NodeContext, Timer } from '../world/node.ts';
import type { NodeId } from '../world/network.ts';
import type { ClusterConfig } from './config.ts';
import { ReplicaFetcher } from './fetcher.ts';
import { logDirFailed } from './log-dir-failure.ts';
import { UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET } from './leader-epoch-cache.ts';
import type {
  FetchPartition,
  FetchPartitionData,
  FetchRequest,
  IsolationLevel,
  KafkaError,
  LeaderAndIsrRequest,
  OffsetsForLeaderEpochRequest,
  PartitionState,
  ProduceRequest,
  StopReplicaRequest,
  UpdateMetadataRequest,
} from './messages.ts';
import { CONSUMER_REPLICA_ID, NO_EPOCH } from './messages.ts';
import type { MetadataCache } from './metadata-cache.ts';
import type { ObserverHub } from './observer.ts';
import { Partition } from './partition.ts';
import type { CoordinatorRecord, RecordBatch } from './records.ts';
import { nextOffsetOf } from './records.ts';
import type { WriteTxnMarkersRequest, WriteTxnMarkersResponse } from './coordinator-messages.ts';
import type { BrokerConfig } from './config.ts';
import type { TopicName } from './topics.ts';
import { DATA_TOPIC, topicPartitionOf, topicsOf } from './topics.ts';
import type { RequestChannel } from './request-channel.ts';
import { AddPartitionsToTxnManager } from './txn-verification.ts';
import { brokerNode } from './zk-layout.ts';
import { P, probe } from './probes.ts';

const HW_CHECKPOINT = 'replication-offset-checkpoint';

export interface ReplicaManagerDeps {
  brokerId: number;
  ctx: NodeContext;
  config: ClusterConfig;
  observe: ObserverHub;
  /** The fetchers' requests to the leaders go through the broker's request channel. */
  channel: RequestChannel;
  metadataCache: MetadataCache;
  /** broker.rack: a consumer in the same rack may read from a follower here (KIP-392). */
  rack: string | null;
  /** Kafka's AlterPartitionManager.submit: the ISR change a leader proposes, in either metadata mode. */
  alterPartition: (p: Partition, isr: number[], change: 'shrink' | 'expand') => void;
  /** KIP-903: the broker epoch its fetches carry (ReplicaState.ReplicaEpoch); -1 for none. */
  replicaEpoch?: () => number;
  /** Partition.isReplicaIsrEligible as the metadata says (KRaft); absent: every follower may join. */
  isReplicaIsrEligible?: (follower: number, brokerEpoch: number | undefined) => boolean;
}

/**
 * Answers a produce request: its error, its base offset (-1 unless appended) and the partition's log start
 * offset (ProduceResponse v5+, which the producer reads on UNKNOWN_PRODUCER_ID; -1 when this broker could not
 * say, as ReplicaManager.appendToLocalLog answers NOT_LEADER_OR_FOLLOWER).
 */
export type ProduceCallback = (
  to: NodeId,
  request: ProduceRequest,
  error: KafkaError,
  baseOffset: number,
  logStartOffset: number,
) => void;
/** Answers a fetch request with what each of its partitions gave. */
export type FetchCallback = (to: NodeId, request: FetchRequest, data: FetchPartitionData[]) => void;

/**
 * A coordinator's interest in the leadership of its internal topic's partitions (Kafka's
 * RequestHandlerHelper.onLeadershipChange calling GroupCoordinator / TransactionCoordinator onElection and
 * onResignation; in KRaft, BrokerMetadataPublisher.updateCoordinator). Partitions are global ids.
 */
export interface LeadershipListener {
  readonly topic: TopicName;
  /** This broker leads `partition` in a new leader epoch: load its state from the log. */
  onElection(partition: number, leaderEpoch: number): void;
  /** This broker no longer leads `partition` (a follower now, or leaderless): unload its state. */
  onResignation(partition: number, leaderEpoch: number | undefined): void;
}

/** What a coordinator's append came to: NONE once the high watermark passed it, or why not. */
export type CoordinatorAppendCallback = (error: KafkaError, baseOffset: number) => void;

/** A coordinator's append inside a producer's transaction (a TxnOffsetCommit), under its verification guard. */
export interface TransactionalAppend {
  producerId: number;
  producerEpoch: number;
  verificationGuard: number | null;
}

interface DelayedProduce {
  partition: number;
  baseOffset: number;
  requiredOffset: number;
  timer: Timer | null;
  /** Answers the waiting request (a client's Produce or a coordinator's append): error, base offset, log start. */
  complete: (error: KafkaError, baseOffset: number, logStartOffset: number) => void;
}

interface DelayedFetch {
  from: NodeId;
  request: FetchRequest;
  timer: Timer | null;
  respond: FetchCallback;
}

/** Keeps the items `keep` accepts, in order, without allocating a new array (purgatories churn). */
function retain<T>(items: T[], keep: (item: T) => boolean): void {
  let j = 0;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (keep(item)) items[j++] = item;
  }
  // pop, not `length = j`: setting the length is a call into the runtime, even when it does not change.
  while (items.length > j) items.pop();
}

export class ReplicaManager {
  readonly partitions = new Map<number, Partition>();
  /** Highest controller epoch seen in a request: older controllers are zombies (STALE_CONTROLLER_EPOCH). */
  controllerEpoch = -1;
  private readonly fetchers = new Map<number, ReplicaFetcher>();
  private readonly delayedProduces: DelayedProduce[] = [];
  /** KIP-890's AddPartitionsToTxnManager, made on the first transactional produce that needs it. */
  private verification: AddPartitionsToTxnManager | null = null;
  private readonly delayedFetches: DelayedFetch[] = [];
  private readonly hwBefore: number[] = [];
  private readonly checkpointedHw: Map<number, number>;
  private readonly brokerId: number;
  private readonly ctx: NodeContext;
  private readonly config: ClusterConfig;
  private readonly observe: ObserverHub;
  private readonly metadataCache: MetadataCache;
  private readonly rack: string | null;
  /** KRaft: the broker is in controlled shutdown (ReplicaManager.isInControlledShutdown). */
  private inControlledShutdown = false;
  private readonly leadershipListeners: LeadershipListener[] = [];
  /** Each topic's broker settings: the broker's, with the topic's own min.insync.replicas. */
  private readonly topicConfigs = new Map<TopicName, BrokerConfig>();
  /** Coordinator records' values: unique negative numbers, never a workload's. */
  private nextCoordinatorValue = 0;

  constructor(private readonly deps: ReplicaManagerDeps) {
    this.brokerId = deps.brokerId;
    this.ctx = deps.ctx;
    this.config = deps.config;
    this.observe = deps.observe;
    this.metadataCache = deps.metadataCache;
    this.rack = deps.rack;
    this.checkpointedHw = readHwCheckpoint(this.ctx.disk.read(HW_CHECKPOINT));
    for (const spec of topicsOf(this.config)) {
      const own = spec.minInsyncReplicas === this.config.broker['min.insync.replicas'];
      const config = own
        ? this.config.broker
        : { ...this.config.broker, 'min.insync.replicas': spec.minInsyncReplicas };
      this.topicConfigs.set(spec.topic, config);
    }
  }

  /** Registers a coordinator for the leadership changes of its topic's partitions on this broker. */
  addLeadershipListener(listener: LeadershipListener): void {
    this.leadershipListeners.push(listener);
  }

  private leadershipChanged(p: Partition, elected: boolean): void {
    if (this.leadershipListeners.length === 0) return;
    const topic = topicPartitionOf(p.id).topic;
    if (topic === DATA_TOPIC) return;
    for (const l of this.leadershipListeners) {
      if (l.topic !== topic) continue;
      if (elected) l.onElection(p.id, p.leaderEpoch);
      else l.onResignation(p.id, p.leaderEpoch);
    }
  }

  /**
   * Partition.isReplicaIsrEligible (3.3.0, KIP-841): KRaft asks the broker's metadata (fenced, KIP-903's epoch);
   * ZooKeeper mode only checks the broker is alive (ZkMetadataCache.hasAliveBroker). Before 3.3 any follower may.
   */
  private readonly isReplicaIsrEligible = (follower: number, brokerEpoch: number | undefined): boolean => {
    const kraft = this.deps.isReplicaIsrEligible;
    if (kraft !== undefined) return kraft(follower, brokerEpoch);
    if (!this.config.protocol.kip841) return true;
    return this.metadataCache.liveBrokers.some((b) => b.id === follower);
  };

  /** Loads (and recovers) the partition logs on disk, as Kafka's LogManager does at startup. */
  loadPartitions(): void {
    for (const file of this.ctx.disk.list('log-')) {
      const p = Number(file.slice(4));
      if (!Number.isInteger(p)) continue;
      try {
        this.getOrCreatePartition(p);
      } catch (e) {
        logDirFailed(this.ctx, `loading partition ${p}`, e);
        break;
      }
    }
  }

  /**
   * The high-watermark checkpoint, then the ISR-shrink check (Kafka's "highwatermark-checkpoint" and
   * "isr-expiration" tasks), in this order: timers made in another order give other runs for the same seeds.
   */
  startup(): void {
    const ctx = this.ctx;
    const interval = this.config.broker['replica.high.watermark.checkpoint.interval.ms'];
    const checkpoint = (): void => {
      this.checkpointHighWatermarks();
      ctx.setTimer(interval, checkpoint);
    };
    ctx.setTimer(interval, checkpoint);
    const lagCheck = this.config.broker['replica.lag.time.max.ms'] / 2;
    const shrink = (): void => {
      for (const p of this.partitions.values()) p.maybeShrinkIsr();
      ctx.setTimer(lagCheck, shrink);
    };
    ctx.setTimer(lagCheck, shrink);
  }

  // ---- becoming leader or follower ----

  /** The controller epoch this broker now takes requests from (a broker-controller-epoch event when it moves). */
  private followController(epoch: number): void {
    const previous = this.controllerEpoch;
    this.controllerEpoch = epoch;
    if (epoch === previous || !this.observe.active) return;
    this.observe.emit({
      kind: 'broker-controller-epoch',
      time: this.ctx.now(),
      broker: this.brokerId,
      controllerEpoch: epoch,
      previous,
    });
  }

  /**
   * LeaderAndIsr: the error to answer with, or null if a role change failed on a disk error and the
   * broker halted.
   */
  becomeLeaderOrFollower(req: LeaderAndIsrRequest): KafkaError | null {
    if (req.controllerEpoch < this.controllerEpoch) {
      probe(P.zkStaleControllerEpochRefused);
      this.ctx.trace(
        'fenced',
        `LeaderAndIsr from controller ${req.controllerId} epoch ${req.controllerEpoch} < ${this.controllerEpoch}`,
      );
      return 'STALE_CONTROLLER_EPOCH';
    }
    this.followController(req.controllerEpoch);
    this.metadataCache.controllerId = req.controllerId;
    this.metadataCache.liveBrokers = req.liveBrokers;
    for (const state of req.partitionStates) {
      this.metadataCache.partitions.set(state.partition, state);
      if (!state.replicas.includes(this.brokerId)) continue;
      // A ZooKeeper controller's state counts only with a newer leader epoch ("requestLeaderEpoch >
      // currentLeaderEpoch"); the same epoch is ignored, whatever its ISR.
      if (state.leaderEpoch <= (this.partitions.get(state.partition)?.leaderEpoch ?? -1)) continue;
      try {
        this.applyPartitionState(state);
      } catch (e) {
        logDirFailed(this.ctx, `partition ${state.partition} becoming ${this.roleIn(state)}`, e);
        return null;
      }
    }
    return 'NONE';
  }

  /**
   * Committed partition records, as the broker's metadata publisher hands them over: the same role
   * changes LeaderAndIsr makes in ZooKeeper mode, and a leader adopts a newer ISR of its own epoch.
   * A role change a disk error stops halts the broker.
   */
  applyDelta(states: PartitionState[], liveBrokers: { id: number; rack: string | null }[], controllerId: number): void {
    this.metadataCache.liveBrokers = liveBrokers;
    this.metadataCache.controllerId = controllerId;
    for (const state of states) {
      this.metadataCache.partitions.set(state.partition, state);
      if (!state.replicas.includes(this.brokerId)) {
        // ReplicaManager.applyDelta's localChanges.deletes (3.9): a replica no longer assigned here is stopped and
        // its log deleted (stopPartitions with deleteLocalLog).
        if (this.partitions.has(state.partition)) this.deletePartition(state.partition);
        continue;
      }
      try {
        this.applyPartitionState(state);
      } catch (e) {
        logDirFailed(this.ctx, `partition ${state.partition} becoming ${this.roleIn(state)}`, e);
        return;
      }
      const p = this.partitions.get(state.partition);
      if (p !== undefined && p.role === 'leader') p.maybeIncrementHighWatermark();
    }
  }

  /**
   * UpdateMetadata (its broker epoch already checked): nothing from a controller older than the last. It
   * fills the metadata cache only; a replica's state changes by LeaderAndIsr alone.
   */
  maybeUpdateMetadataCache(req: UpdateMetadataRequest): void {
    if (req.controllerEpoch < this.controllerEpoch) return probe(P.zkStaleControllerEpochRefused);
    this.followController(req.controllerEpoch);
    this.metadataCache.controllerId = req.controllerId;
    this.metadataCache.liveBrokers = req.liveBrokers;
    for (const s of req.partitionStates) this.metadataCache.partitions.set(s.partition, s);
  }

  /**
   * StopReplica (ReplicaManager.stopReplicas): the fetchers stop for these partitions, whose logs and replicas stay
   * unless the request deletes them. A controller older than the last one heard is refused (STALE_CONTROLLER_EPOCH).
   * (KIP-570's leader epoch in the request is not modelled: in controlled shutdown the controller sends the
   * partition's current one, which passes its check.)
   */
  stopReplicas(req: StopReplicaRequest): void {
    if (req.controllerEpoch < this.controllerEpoch) return probe(P.zkStaleControllerEpochRefused);
    this.followController(req.controllerEpoch);
    for (const p of req.partitions) this.removeFromFetcher(p);
    // ReplicaManager.stopReplicas with deletePartition: a replica the controller's reassignment removed.
    if (req.deletePartitions === true) for (const p of req.partitions) this.deletePartition(p);
  }

  /**
   * KRaft's ReplicaManager.beginControlledShutdown: from now on a follower whose partition has no leader, or an ISR
   * without this broker, stops fetching (applyLocalFollowersDelta) rather than starting again.
   */
  beginControlledShutdown(): void {
    this.inControlledShutdown = true;
  }

  /**
   * KRaft's applyLocalFollowersDelta (3.3+): "During controlled shutdown, replica with no leaders and replica where
   * this broker is not in the ISR are stopped."
   */
  private stopsFetching(p: Partition, state: PartitionState): boolean {
    return (
      this.inControlledShutdown && p.role === 'follower' && (state.leader < 0 || !state.isr.includes(this.brokerId))
    );
  }

  private roleIn(state: PartitionState): string {
    return state.leader === this.brokerId ? 'leader' : 'follower';
  }

  private applyPartitionState(state: PartitionState): void {
    const p = this.getOrCreatePartition(state.partition);
    const newEpoch = state.leaderEpoch > p.leaderEpoch;
    if (!newEpoch) {
      // Same epoch: only a newer partition epoch (an ISR change) is news.
      if (state.leaderEpoch === p.leaderEpoch && state.partitionEpoch > p.partitionEpoch && p.role !== 'none') {
        p.applyState(state);
      }
      // In controlled shutdown a follower dropped from the ISR stops fetching, a new leader epoch or not.
      if (this.stopsFetching(p, state)) this.removeFromFetcher(p.id);
      return;
    }
    if (state.leader === this.brokerId) {
      this.removeFromFetcher(p.id);
      p.makeLeader(state);
      this.leadershipChanged(p, true);
      return;
    }
    const previousLeader = p.leader;
    const wasFollower = p.role === 'follower';
    const wasLeader = p.role === 'leader';
    p.makeFollower(state);
    this.completeDelayedProduces(p.id);
    // Kafka calls onResignation for every partition that became follower, led or not; coordinators ignore those
    // they never loaded. Only those this broker led are told here: nothing else was loaded.
    if (wasLeader) this.leadershipChanged(p, false);
    if (state.leader < 0 || this.stopsFetching(p, state)) {
      this.removeFromFetcher(p.id);
      return;
    }
    const protocol = this.config.protocol;
    const sameLeader = wasFollower && previousLeader === state.leader;
    if (!protocol.kafka7164 && sameLeader && this.fetcherFor(state.leader).has(p.id)) {
      // KAFKA-7164: "no change in leader" — the fetcher carries on with the new epoch and no truncation.
      this.fetcherFor(state.leader).updateEpoch(p.id, state.leaderEpoch);
      return;
    }
    this.removeFromFetcher(p.id);
    if (!protocol.kip101) {
      // Before KIP-101 a new follower truncated to its high watermark, then fetched.
      p.truncateTo(p.highWatermark, 'high-watermark');
      this.fetcherFor(state.leader).add(p, state.leaderEpoch, false);
    } else {
      this.fetcherFor(state.leader).add(p, state.leaderEpoch, true);
    }
  }

  // ---- partitions and fetchers ----

  /**
   * ReplicaManager.stopPartitions with deletion (StopReplica with deletePartition in ZooKeeper mode, applyDelta's
   * deletes in KRaft): the fetcher stops, waiting produces answer NOT_LEADER_OR_FOLLOWER, and the log, its
   * leader-epoch checkpoint and its high watermark are deleted (LogManager.asyncDelete; kafkasim deletes at once).
   */
  deletePartition(id: number): void {
    const p = this.partitions.get(id);
    if (p === undefined) return;
    probe(P.replicaDeleted);
    this.removeFromFetcher(id);
    this.partitions.delete(id);
    this.completeDelayedProduces(id);
    this.checkpointedHw.delete(id);
    for (const file of p.files()) this.ctx.disk.delete(file);
    this.checkpointHighWatermarks();
    if (this.observe.active) {
      const time = this.ctx.now();
      this.observe.emit({
        kind: 'replica-deleted',
        time,
        broker: this.brokerId,
        partition: id,
        logEndOffset: p.logEndOffset,
      });
    }
  }

  private getOrCreatePartition(id: number): Partition {
    let p = this.partitions.get(id);
    if (p === undefined) {
      p = new Partition(
        id,
        {
          brokerId: this.brokerId,
          disk: this.ctx.disk,
          config: this.topicConfigs.get(topicPartitionOf(id).topic) ?? this.config.broker,
          protocol: this.config.protocol,
          now: () => this.ctx.now(),
          observe: this.observe,
          proposeIsr: this.deps.alterPartition,
          useAlterIsr: this.config.metadata === 'kraft' || this.config.protocol.kip497,
          onHighWatermark: (part) => this.onHighWatermark(part),
          onAppend: (part) => this.completeDelayedFetches(part.id),
          isReplicaIsrEligible: this.isReplicaIsrEligible,
        },
        this.checkpointedHw.get(id) ?? 0,
      );
      // What survived on disk: watchers learn what a crash took (the unsynced tail) only from this.
      if (this.observe.active) {
        const end = p.logEndOffset;
        const time = this.ctx.now();
        const broker = this.brokerId;
        this.observe.emit({
          kind: 'truncate',
          time,
          broker,
          partition: id,
          toOffset: end,
          fromLogEndOffset: end,
          reason: 'recovery',
          removed: [],
          producerStateEndOffset: p.producerStateEndOffset,
        });
      }
      this.partitions.set(id, p);
    }
    return p;
  }

  private fetcherFor(leader: number): ReplicaFetcher {
    let f = this.fetchers.get(leader);
    if (f === undefined) {
      f = new ReplicaFetcher(leader, {
        brokerId: this.brokerId,
        config: this.config.broker,
        protocol: this.config.protocol,
        channel: this.deps.channel,
        nodeOf: brokerNode,
        setTimer: (ms, fn) => this.ctx.setTimer(ms, fn),
        onStorageError: (partition, e) => logDirFailed(this.ctx, `partition ${partition} fetching`, e),
        replicaEpoch: this.deps.replicaEpoch,
        onFenced: (partition, error) => {
          if (!this.observe.active) return;
          const detail = `fetch from leader ${leader}`;
          this.observe.emit({ kind: 'fenced', time: this.ctx.now(), broker: this.brokerId, partition, error, detail });
        },
      });
      this.fetchers.set(leader, f);
    }
    return f;
  }

  private removeFromFetcher(partition: number): void {
    for (const f of this.fetchers.values()) f.remove(partition);
  }

  // ---- produce ----

  /**
   * Appends as leader; acks=all waits in the purgatory until the high watermark passes it. From 3.6 (KIP-890) a
   * transactional batch that would open its producer's transaction here is first verified with the transaction
   * coordinator and appended under its verification guard (ReplicaManager.appendRecords,
   * partitionEntriesForVerification; txn-verification.ts).
   */
  appendRecords(from: NodeId, req: ProduceRequest, respond: ProduceCallback): void {
    const p = this.partitions.get(req.partition);
    if (p === undefined) return respond(from, req, 'NOT_LEADER_OR_FOLLOWER', -1, -1);
    if (!AddPartitionsToTxnManager.wants(this.config, req)) return this.appendToLocalLog(from, req, p, null, respond);
    const guard = p.maybeStartTransactionVerification(req.producerId, req.baseSequence, req.producerEpoch);
    if (guard === 'NOT_LEADER') return respond(from, req, 'NOT_LEADER_OR_FOLLOWER', -1, -1);
    if (guard === null) return this.appendToLocalLog(from, req, p, null, respond);
    this.verification ??= new AddPartitionsToTxnManager(this.config, this.metadataCache, this.deps.channel);
    this.verification.verify(req, (error) => {
      if (error !== 'NONE') return respond(from, req, error, -1, -1);
      const now = this.partitions.get(req.partition);
      if (now === undefined) return respond(from, req, 'NOT_LEADER_OR_FOLLOWER', -1, -1);
      this.appendToLocalLog(from, req, now, guard, respond);
    });
  }

  /** ReplicaManager.appendToLocalLog for one client batch, with its verification guard if it has one. */
  private appendToLocalLog(
    from: NodeId,
    req: ProduceRequest,
    p: Partition,
    verificationGuard: number | null,
    respond: ProduceCallback,
  ): void {
    let result;
    try {
      result = p.appendAsLeader(req, req.values, req.acks, undefined, verificationGuard);
    } catch (e) {
      return logDirFailed(this.ctx, `partition ${req.partition} appending`, e);
    }
    const logStartOffset = result.error === 'NOT_LEADER_OR_FOLLOWER' ? -1 : p.log.logStartOffset;
    if (result.error !== 'NONE') return respond(from, req, result.error, -1, logStartOffset);
    if (req.acks !== -1) return respond(from, req, 'NONE', result.baseOffset, logStartOffset);
    const complete = (error: KafkaError, baseOffset: number, logStart: number): void =>
      respond(from, req, error, baseOffset, logStart);
    this.delayProduce(p, result.baseOffset, result.requiredOffset, req.timeoutMs, complete);
  }

  /**
   * A coordinator's append (ReplicaManager.appendRecords with origin COORDINATOR, requiredAcks -1, as
   * TransactionStateManager.appendTransactionToLog and GroupMetadataManager.storeGroup make it): one record per
   * payload, each with a fresh negative value; `done` gets NONE once the high watermark passes the batch, or
   * NOT_LEADER_OR_FOLLOWER, NOT_ENOUGH_REPLICAS(_AFTER_APPEND) or REQUEST_TIMED_OUT. A disk error halts the broker
   * and answers nothing, as for a client's produce.
   */
  appendCoordinatorRecords(
    partition: number,
    payloads: readonly CoordinatorRecord[],
    timeoutMs: number,
    done: CoordinatorAppendCallback,
    txn?: TransactionalAppend,
  ): void {
    const p = this.partitions.get(partition);
    if (p === undefined) return done('NOT_LEADER_OR_FOLLOWER', -1);
    const values = payloads.map(() => this.coordinatorValue());
    // GroupMetadataManager.generateOffsetRecords: a TxnOffsetCommit's batch is transactional, with the producer's
    // id and epoch and base sequence 0.
    const producer =
      txn === undefined
        ? { producerId: -1, producerEpoch: -1, baseSequence: -1 }
        : {
            producerId: txn.producerId,
            producerEpoch: txn.producerEpoch,
            baseSequence: 0,
            transactional: true,
            coordinator: true as const,
          };
    let result;
    try {
      result = p.appendAsLeader(producer, values, -1, payloads, txn?.verificationGuard ?? null);
    } catch (e) {
      return logDirFailed(this.ctx, `partition ${partition} appending`, e);
    }
    if (result.error !== 'NONE') return done(result.error, -1);
    const complete = (error: KafkaError, baseOffset: number): void => done(error, baseOffset);
    this.delayProduce(p, result.baseOffset, result.requiredOffset, timeoutMs, complete);
  }

  /**
   * ReplicaManager.maybeStartTransactionVerificationForPartition (3.6.0, KIP-890), as the group coordinator asks it
   * before a TxnOffsetCommit's append: `done` gets NONE and the verification guard to append under (null: nothing to
   * verify, the transaction is already open here or verification is off), or the error the commit fails with.
   */
  maybeStartTransactionVerificationForPartition(
    partition: number,
    transactionalId: string,
    producerId: number,
    producerEpoch: number,
    done: (error: KafkaError, guard: number | null) => void,
  ): void {
    const request = { partition, transactionalId, producerId, producerEpoch, transactional: true as const };
    if (!AddPartitionsToTxnManager.wants(this.config, request)) return done('NONE', null);
    const p = this.partitions.get(partition);
    const guard = p === undefined ? 'NOT_LEADER' : p.maybeStartTransactionVerification(producerId, -1, producerEpoch);
    if (guard === 'NOT_LEADER') return done('NOT_LEADER_OR_FOLLOWER', null);
    if (guard === null) return done('NONE', null);
    this.verification ??= new AddPartitionsToTxnManager(this.config, this.metadataCache, this.deps.channel);
    this.verification.verify(request, (error) => done(error, error === 'NONE' ? guard : null));
  }

  /**
   * WriteTxnMarkers (KafkaApis.handleWriteTxnMarkersRequest, 3.9): each marker appended as a control batch to each of
   * its partitions this broker leads (origin COORDINATOR, acks -1), answered per partition once every append's high
   * watermark passed it or failed: NOT_LEADER_OR_FOLLOWER, NOT_ENOUGH_REPLICAS, INVALID_PRODUCER_EPOCH,
   * REQUEST_TIMED_OUT (the coordinator retries the retriable ones, TransactionMarkerRequestCompletionHandler).
   */
  writeTxnMarkers(
    req: WriteTxnMarkersRequest,
    timeoutMs: number,
    respond: (res: WriteTxnMarkersResponse) => void,
  ): void {
    const markers = req.markers.map((m) => ({
      producerId: m.producerId,
      partitions: m.partitions.map((partition) => ({ partition, error: 'NONE' as KafkaError })),
    }));
    let pending = 1;
    const done = (): void => {
      if (--pending === 0) respond({ type: 'WriteTxnMarkersResponse', correlationId: req.correlationId, markers });
    };
    req.markers.forEach((m, i) => {
      for (const answer of markers[i].partitions) {
        const p = this.partitions.get(answer.partition);
        if (p === undefined) {
          answer.error = 'NOT_LEADER_OR_FOLLOWER';
          continue;
        }
        const marker = {
          type: m.committed ? ('COMMIT' as const) : ('ABORT' as const),
          coordinatorEpoch: m.coordinatorEpoch,
        };
        let result;
        try {
          result = p.appendMarkerAsLeader(m.producerId, m.producerEpoch, marker, this.coordinatorValue());
        } catch (e) {
          return logDirFailed(this.ctx, `partition ${answer.partition} appending a transaction marker`, e);
        }
        if (result.error !== 'NONE') {
          answer.error = result.error;
          continue;
        }
        pending++;
        this.delayProduce(p, result.baseOffset, result.requiredOffset, timeoutMs, (error) => {
          answer.error = error;
          done();
        });
      }
    });
    done();
  }

  /** Unique across brokers and incarnations, as the producer ids KafkaApis hands out, and always below zero. */
  private coordinatorValue(): number {
    return -(((this.brokerId + 1) * 1_000_000 + this.ctx.incarnation) * 100_000_000 + ++this.nextCoordinatorValue);
  }

  private delayProduce(
    p: Partition,
    baseOffset: number,
    requiredOffset: number,
    timeoutMs: number,
    complete: DelayedProduce['complete'],
  ): void {
    const d: DelayedProduce = { partition: p.id, baseOffset, requiredOffset, timer: null, complete };
    d.timer = this.ctx.setTimerWith(timeoutMs, this.expireProduce, d);
    if (!this.tryCompleteProduce(d)) this.delayedProduces.push(d);
  }

  private readonly expireProduce = (d: DelayedProduce): void => {
    retain(this.delayedProduces, (x) => x !== d);
    probe(P.produceTimedOut);
    d.complete('REQUEST_TIMED_OUT', -1, -1);
  };

  private tryCompleteProduce(d: DelayedProduce): boolean {
    const p = this.partitions.get(d.partition);
    const outcome = p === undefined ? 'NOT_LEADER_OR_FOLLOWER' : p.checkEnoughReplicasReachOffset(d.requiredOffset);
    if (outcome === null) return false;
    if (outcome === 'NOT_LEADER_OR_FOLLOWER') probe(P.produceLeaderLostWhileWaiting);
    else if (outcome === 'NOT_ENOUGH_REPLICAS_AFTER_APPEND') probe(P.produceNotEnoughReplicasAfterAppend);
    d.timer?.cancel();
    d.complete(outcome, outcome === 'NONE' ? d.baseOffset : -1, p?.log.logStartOffset ?? -1);
    return true;
  }

  private onHighWatermark(p: Partition): void {
    if (this.delayedProduces.length > 0) this.completeDelayedProduces(p.id);
    this.completeDelayedFetches(p.id);
  }

  /**
   * Answers the waiting produces of a partition that can answer, keeping the others in order; for a
   * replica no longer leading, every one answers NOT_LEADER_OR_FOLLOWER.
   */
  private completeDelayedProduces(partition: number): void {
    retain(this.delayedProduces, (d) => d.partition !== partition || !this.tryCompleteProduce(d));
  }

  // ---- fetch and offsets ----

  private fencingError(p: Partition | undefined, currentLeaderEpoch: number, mustLead: boolean): KafkaError {
    if (p === undefined || p.role === 'none') return 'NOT_LEADER_OR_FOLLOWER';
    if (mustLead && p.role !== 'leader') return 'NOT_LEADER_OR_FOLLOWER';
    if (currentLeaderEpoch !== NO_EPOCH) {
      if (currentLeaderEpoch < p.leaderEpoch) return 'FENCED_LEADER_EPOCH';
      if (currentLeaderEpoch > p.leaderEpoch) return 'UNKNOWN_LEADER_EPOCH';
    }
    return 'NONE';
  }

  /** KIP-392: a consumer in the same rack may read from a follower. */
  private mustLead(req: FetchRequest): boolean {
    return req.replicaId !== CONSUMER_REPLICA_ID || req.rackId === null || req.rackId !== this.rack;
  }

  /**
   * Reads each partition and records each follower's position, then answers at once if there is anything to
   * answer; most fetches find nothing and wait in the purgatory, so the response is built only once it is
   * due. As Kafka's (ReplicaManager.fetchMessages, Partition.readRecords / fetchRecords), an answer given at
   * once carries the high watermark from before this fetch moved it; a delayed one, the one when it is due.
   */
  fetchMessages(from: NodeId, req: FetchRequest, respond: FetchCallback): void {
    const fromFollower = req.replicaId !== CONSUMER_REPLICA_ID;
    const mustLead = this.mustLead(req);
    let answerNow = req.maxWaitMs <= 0;
    const parts = req.partitions;
    // Each partition's high watermark before this fetch moved it (scratch space: used before this returns).
    const hwBefore = fromFollower ? this.hwBefore : undefined;
    for (let i = 0; i < parts.length; i++) {
      const fp = parts[i];
      const p = this.partitions.get(fp.partition);
      if (
        p === undefined ||
        this.fencingError(p, fp.currentLeaderEpoch, mustLead) !== 'NONE' ||
        this.divergingEpoch(p, fp) !== null ||
        fp.fetchOffset > p.logEndOffset ||
        fp.fetchOffset < p.log.logStartOffset
      ) {
        // KAFKA-13141 (3.0.0): a diverging follower's fetch offset is not its position: not recorded.
        answerNow = true;
        continue;
      }
      if (hwBefore !== undefined) {
        hwBefore[i] = p.highWatermark;
        p.updateFollowerFetchState(req.replicaId, fp.fetchOffset, req.replicaEpoch);
      }
      if (p.hasDataToRead(fp.fetchOffset, this.readUpTo(p, req))) answerNow = true;
    }
    if (!answerNow) {
      const d: DelayedFetch = { from, request: req, timer: null, respond };
      d.timer = this.ctx.setTimerWith(req.maxWaitMs, this.expireFetch, d);
      this.delayedFetches.push(d);
      return;
    }
    this.readFromLog(from, req, respond, hwBefore);
  }

  /**
   * Partition.readRecords' check of a follower's last fetched epoch (KAFKA-10554, Fetch v12): the largest
   * epoch ≤ it in this log and that epoch's end offset, if the follower's log diverges from this one at or
   * before its fetch offset (that epoch is older, or ends before the fetch offset); null if it does not, or
   * the fetch carries no epoch. An epoch this log cannot place answers UNDEFINED_EPOCH_OFFSET.
   */
  private divergingEpoch(p: Partition, fp: FetchPartition): { epoch: number; endOffset: number } | null {
    const lastFetched = fp.lastFetchedEpoch;
    if (lastFetched === undefined || lastFetched === NO_EPOCH || fp.fetchOffset < p.log.logStartOffset) return null;
    // The usual case, the leader's latest epoch: it ends at the log end offset.
    if (lastFetched === p.epochCache.latestEpoch()) {
      return p.logEndOffset < fp.fetchOffset ? { epoch: lastFetched, endOffset: p.logEndOffset } : null;
    }
    const [epoch, endOffset] = p.endOffsetForEpoch(lastFetched);
    if (endOffset === UNDEFINED_EPOCH_OFFSET || epoch === UNDEFINED_EPOCH) {
      return { epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET };
    }
    return epoch < lastFetched || endOffset < fp.fetchOffset ? { epoch, endOffset } : null;
  }

  private readFromLog(from: NodeId, req: FetchRequest, respond: FetchCallback, hwBefore?: number[]): void {
    const fromFollower = req.replicaId !== CONSUMER_REPLICA_ID;
    const mustLead = this.mustLead(req);
    const parts = req.partitions;
    const data = new Array<FetchPartitionData>(parts.length);
    for (let i = 0; i < parts.length; i++) {
      const fp = parts[i];
      const partition = fp.partition;
      const p = this.partitions.get(partition);
      const error = this.fencingError(p, fp.currentLeaderEpoch, mustLead);
      const diverging = error !== 'NONE' || p === undefined ? null : this.divergingEpoch(p, fp);
      if (error !== 'NONE' || p === undefined) {
        if (error === 'FENCED_LEADER_EPOCH') probe(P.fetchFencedLeaderEpoch);
        else if (error === 'UNKNOWN_LEADER_EPOCH') probe(P.fetchUnknownLeaderEpoch);
        const leaderEpoch = p?.leaderEpoch ?? -1;
        const batches: RecordBatch[] = [];
        data[i] = { partition, error, highWatermark: -1, logStartOffset: -1, logEndOffset: -1, batches, leaderEpoch };
      } else if (diverging !== null && diverging.endOffset !== UNDEFINED_EPOCH_OFFSET) {
        this.reportOtherEpoch(p, req.replicaId, 'fetch', fp.currentLeaderEpoch);
        probe(P.fetchDivergingEpochAnswered);
        data[i] = {
          partition,
          error: 'NONE',
          highWatermark: p.highWatermark,
          logStartOffset: p.log.logStartOffset,
          logEndOffset: p.logEndOffset,
          batches: [],
          leaderEpoch: p.leaderEpoch,
          divergingEpoch: diverging,
        };
      } else if (diverging !== null || fp.fetchOffset > p.logEndOffset || fp.fetchOffset < p.log.logStartOffset) {
        this.reportOtherEpoch(p, req.replicaId, 'fetch', fp.currentLeaderEpoch);
        data[i] = {
          partition,
          error: 'OFFSET_OUT_OF_RANGE',
          highWatermark: p.highWatermark,
          logStartOffset: p.log.logStartOffset,
          logEndOffset: p.logEndOffset,
          batches: [],
          leaderEpoch: p.leaderEpoch,
        };
      } else {
        this.reportOtherEpoch(p, req.replicaId, 'fetch', fp.currentLeaderEpoch);
        const upTo = fromFollower ? p.logEndOffset : this.readUpTo(p, req);
        data[i] = {
          partition,
          error: 'NONE',
          highWatermark: hwBefore === undefined ? p.highWatermark : hwBefore[i],
          logStartOffset: p.log.logStartOffset,
          logEndOffset: p.logEndOffset,
          batches: p.read(fp.fetchOffset, upTo),
          leaderEpoch: p.leaderEpoch,
        };
        if (req.isolationLevel === 'read_committed') this.addTransactions(data[i], p, fp.fetchOffset, upTo);
      }
    }
    respond(from, req, data);
  }

  /**
   * Tells watchers of an answer to a request that named a current leader epoch other than this replica's
   * (none is reported when the request named none: releases before KIP-320 send none).
   */
  private reportOtherEpoch(
    p: Partition,
    requester: number,
    request: 'fetch' | 'offsets-for-leader-epoch',
    currentLeaderEpoch: number,
  ): void {
    if (currentLeaderEpoch === NO_EPOCH || currentLeaderEpoch === p.leaderEpoch || !this.observe.active) return;
    this.observe.emit({
      kind: 'other-epoch-served',
      time: this.ctx.now(),
      broker: this.brokerId,
      partition: p.id,
      requester,
      request,
      currentLeaderEpoch,
      leaderEpoch: p.leaderEpoch,
    });
  }

  /**
   * How far a fetch reads (FetchIsolation.apply, 3.9): a follower to the log end offset, a read_committed consumer
   * to the last stable offset, any other consumer to the high watermark.
   */
  private readUpTo(p: Partition, req: FetchRequest): number {
    if (req.replicaId !== CONSUMER_REPLICA_ID) return p.logEndOffset;
    return req.isolationLevel === 'read_committed' ? p.lastStableOffset : p.highWatermark;
  }

  /**
   * A read_committed answer's last stable offset and aborted transactions (UnifiedLog.read with
   * FetchIsolation.TXN_COMMITTED, collectAbortedTransactions up to the end of what was read), and the
   * 'committed-read' event the transaction invariants check.
   */
  private addTransactions(d: FetchPartitionData, p: Partition, fetchOffset: number, upTo: number): void {
    const end = d.batches.length === 0 ? fetchOffset : nextOffsetOf(d.batches[d.batches.length - 1]);
    d.lastStableOffset = upTo;
    d.abortedTransactions = p.txns
      .abortedTransactions(fetchOffset, end)
      .map((a) => ({ producerId: a.producerId, firstOffset: a.firstOffset }));
    if (!this.observe.active) return;
    this.observe.emit({
      kind: 'committed-read',
      time: this.ctx.now(),
      broker: this.brokerId,
      partition: p.id,
      fetchOffset,
      endOffset: end,
      lastStableOffset: upTo,
      highWatermark: p.highWatermark,
      aborted: d.abortedTransactions,
    });
  }

  private readonly expireFetch = (d: DelayedFetch): void => {
    retain(this.delayedFetches, (x) => x !== d);
    this.readFromLog(d.from, d.request, d.respond);
  };

  private completeDelayedFetches(partition: number): void {
    if (this.delayedFetches.length === 0) return;
    // Answering a delayed fetch never delays another, so each can be answered as it is taken out.
    retain(this.delayedFetches, (d) => {
      const parts = d.request.partitions;
      for (let i = 0; i < parts.length; i++) {
        if (parts[i].partition === partition) {
          d.timer?.cancel();
          this.readFromLog(d.from, d.request, d.respond);
          return false;
        }
      }
      return true;
    });
  }

  /** OffsetsForLeaderEpoch, answered by the leader only: each partition's end offset for the epoch asked. */
  lastOffsetForLeaderEpoch(
    partitions: OffsetsForLeaderEpochRequest['partitions'],
    requester: number,
  ): { partition: number; error: KafkaError; leaderEpoch: number; endOffset: number }[] {
    return partitions.map((r) => {
      const p = this.partitions.get(r.partition);
      const error = this.fencingError(p, r.currentLeaderEpoch, true);
      if (error !== 'NONE' || p === undefined) {
        if (error === 'FENCED_LEADER_EPOCH') probe(P.fetchFencedLeaderEpoch);
        else if (error === 'UNKNOWN_LEADER_EPOCH') probe(P.fetchUnknownLeaderEpoch);
        return { partition: r.partition, error, leaderEpoch: -1, endOffset: -1 };
      }
      this.reportOtherEpoch(p, requester, 'offsets-for-leader-epoch', r.currentLeaderEpoch);
      const [leaderEpoch, endOffset] = p.endOffsetForEpoch(r.leaderEpoch);
      return { partition: r.partition, error: 'NONE' as KafkaError, leaderEpoch, endOffset };
    });
  }

  /**
   * ListOffsets, answered by the leader only: -2 the log start offset, -1 the high watermark, or under
   * read_committed the last stable offset (Partition.fetchOffsetForTimestamp's lastFetchableOffset).
   */
  fetchOffsetForTimestamp(
    partition: number,
    timestamp: -1 | -2,
    currentLeaderEpoch: number,
    isolationLevel?: IsolationLevel,
  ): { error: KafkaError; offset: number; leaderEpoch: number } {
    const p = this.partitions.get(partition);
    const error = this.fencingError(p, currentLeaderEpoch, true);
    if (error !== 'NONE' || p === undefined) return { error, offset: -1, leaderEpoch: -1 };
    const latest = isolationLevel === 'read_committed' ? p.lastStableOffset : p.highWatermark;
    const offset = timestamp === -2 ? p.log.logStartOffset : latest;
    return { error: 'NONE', offset, leaderEpoch: p.leaderEpoch };
  }

  // ---- disk and shutdown ----

  checkpointHighWatermarks(): void {
    const lines = [...this.partitions.values()].map((p) => `${p.id} ${p.highWatermark}`);
    try {
      this.ctx.disk.writeAtomic(HW_CHECKPOINT, lines.join('\n'));
    } catch (e) {
      logDirFailed(this.ctx, 'checkpointing high watermarks', e);
    }
  }

  /**
   * Flushes every partition log (a clean shutdown loses nothing); false if any failed. LogManager.shutdown
   * (3.9) runs one flush job per log, warns of a job that threw and then writes no clean-shutdown marker.
   */
  flushLogs(): boolean {
    let flushed = true;
    for (const p of this.partitions.values()) {
      try {
        p.log.flush();
      } catch (e) {
        if (!(e instanceof DiskError)) throw e;
        this.ctx.trace('clean-shutdown', `partition ${p.id} not flushed: ${e.message}`);
        flushed = false;
      }
    }
    return flushed;
  }

  /** Stops the replica fetchers. */
  shutdown(): void {
    for (const f of this.fetchers.values()) f.stop();
  }
}

function readHwCheckpoint(text: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const line of text.split('\n')) {
    const [p, hw] = line.split(' ').map(Number);
    if (Number.isInteger(p) && Number.isInteger(hw)) out.set(p, hw);
  }
  return out;
}
