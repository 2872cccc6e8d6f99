// Kafka 3.9's transaction coordinator on one broker (core/.../coordinator/transaction: TransactionCoordinator's
// handleInitProducerId with prepareInitProducerIdTransit, handleAddPartitionsToTransaction (AddOffsetsToTxn too),
// handleEndTransaction / endTransaction, abortTimedOutTransactions, onElection / onResignation;
// TransactionStateManager's cache per __transaction_state partition and coordinator epoch,
// loadTransactionsForTxnTopicPartition, getTransactionState and appendTransactionToLog). Markers go out through
// transaction-markers.ts. Not modelled: KIP-360's expected producer id and epoch in InitProducerId (clients here never
// send them), transactional id expiration; of KIP-890 part 2 (4.0, transaction.version 2) the partitions the server
// adds itself (AddPartitionsToTxn from the client stays) and the empty abort. KIP-890 part 1's verification (3.6.0) and
// part 2's epoch bump per EndTxn are answered here.
import type { NodeId } from '../../world/network.ts';
import type {
  AddOffsetsToTxnResponse,
  AddPartitionsToTxnRequest,
  AddPartitionsToTxnResponse,
  EndTxnResponse,
} from '../coordinator-messages.ts';
import type { InitProducerIdRequest, InitProducerIdResponse, KafkaError, KafkaMessage } from '../messages.ts';
import { CONSUMER_OFFSETS_TOPIC, partitionFor, partitionId, TRANSACTION_STATE_TOPIC } from '../topics.ts';
import type { Coordinator, CoordinatorDeps } from './coordinator.ts';
import { TransactionMarkerChannel } from './transaction-markers.ts';
import type { TxnTransit } from './transaction-metadata.ts';
import { NO_PRODUCER_EPOCH, readTxnRecord, TransactionMetadata, txnRecord } from './transaction-metadata.ts';

/** transaction.max.timeout.ms (3.9 default): a longer transaction.timeout.ms is INVALID_TRANSACTION_TIMEOUT. */
export const TRANSACTION_MAX_TIMEOUT_MS = 900_000;
/** transaction.abort.timed.out.transaction.cleanup.interval.ms (3.9 default). */
export const ABORT_TIMED_OUT_INTERVAL_MS = 10_000;

interface CacheEntry {
  coordinatorEpoch: number;
  txns: Map<string, TransactionMetadata>;
}

type StateLookup =
  | { error: Exclude<KafkaError, 'NONE'> }
  | { error: 'NONE'; coordinatorEpoch: number; metadata: TransactionMetadata | undefined };

/**
 * Kafka 4.0's endTxnEpochBumped (transaction.version 2): the coordinator already bumped the epoch this EndTxn
 * carries, so it is a retry of the one that did.
 */
function epochBumped(m: TransactionMetadata, producerEpoch: number): boolean {
  return m.lastProducerEpoch === producerEpoch && m.producerEpoch === producerEpoch + 1;
}

/** TransactionStateManager's log-append errors as the client sees them (appendTransactionToLog). */
function coordinatorError(e: KafkaError): KafkaError {
  switch (e) {
    case 'UNKNOWN_TOPIC_OR_PARTITION':
    case 'NOT_ENOUGH_REPLICAS':
    case 'NOT_ENOUGH_REPLICAS_AFTER_APPEND':
    case 'REQUEST_TIMED_OUT':
      return 'COORDINATOR_NOT_AVAILABLE';
    case 'NOT_LEADER_OR_FOLLOWER':
    case 'KAFKA_STORAGE_ERROR':
      return 'NOT_COORDINATOR';
    default:
      return e;
  }
}

export class TransactionCoordinator implements Coordinator {
  readonly topic = TRANSACTION_STATE_TOPIC;
  private readonly cache = new Map<number, CacheEntry>();
  /** Partitions being loaded, with the coordinator epoch of the load (loadingPartitions). */
  private readonly loading = new Map<number, number>();
  private readonly markers: TransactionMarkerChannel;
  private readonly numPartitions: number;

  constructor(private readonly deps: CoordinatorDeps) {
    this.markers = new TransactionMarkerChannel(deps);
    this.numPartitions = deps.config.internalTopics['transaction.state.log.num.partitions'];
    const tick = (): void => {
      this.abortTimedOutTransactions();
      deps.ctx.setTimer(ABORT_TIMED_OUT_INTERVAL_MS, tick);
    };
    deps.ctx.setTimer(ABORT_TIMED_OUT_INTERVAL_MS, tick);
  }

  private now(): number {
    return this.deps.ctx.now();
  }

  /** The __transaction_state partition (global id) of a transactional id. */
  partitionOf(transactionalId: string): number {
    return partitionId(TRANSACTION_STATE_TOPIC, partitionFor(transactionalId, this.numPartitions));
  }

  /** GroupCoordinator.partitionFor: the group's __consumer_offsets partition (global id). */
  private offsetsPartitionOf(groupId: string): number {
    const n = this.deps.config.internalTopics['offsets.topic.num.partitions'];
    return partitionId(CONSUMER_OFFSETS_TOPIC, partitionFor(groupId, n));
  }

  // ---- leadership ----

  /**
   * onElection: forget any markers of the partition, then load it from the log on the scheduler (so requests meanwhile
   * get COORDINATOR_LOAD_IN_PROGRESS); transactions found in PrepareCommit / PrepareAbort get their markers sent again.
   */
  onElection(partition: number, leaderEpoch: number): void {
    this.markers.removeFor(partition);
    this.loading.set(partition, leaderEpoch);
    this.deps.ctx.setTimer(0, () => this.load(partition, leaderEpoch));
  }

  onResignation(partition: number): void {
    this.loading.delete(partition);
    this.cache.delete(partition);
    this.markers.removeFor(partition);
  }

  /** loadTransactionMetadata (to the log end offset) and loadTransactionsForTxnTopicPartition. */
  private load(partition: number, coordinatorEpoch: number): void {
    if (this.loading.get(partition) !== coordinatorEpoch) return;
    const replica = this.deps.replicaManager.partitions.get(partition);
    const txns = new Map<string, TransactionMetadata>();
    for (const batch of replica?.log.all() ?? []) {
      for (const record of batch.payloads ?? []) {
        const t = readTxnRecord(record);
        if (t === null) txns.delete(record.key);
        else txns.set(record.key, TransactionMetadata.fromTransit(record.key, t));
      }
    }
    this.cache.set(partition, { coordinatorEpoch, txns });
    this.loading.delete(partition);
    // What the coordinator now believes, told as a transition to the state it loaded: what its log held may be
    // behind what an earlier coordinator had made (a power loss, an unclean election).
    if (this.deps.observe.active) {
      for (const m of txns.values()) this.emitTransition(m.transactionalId, m.state, m, coordinatorEpoch, true);
    }
    for (const m of txns.values()) {
      if (m.state === 'PrepareCommit' || m.state === 'PrepareAbort') {
        this.sendMarkers(m, partition, coordinatorEpoch, m.state === 'PrepareCommit', m.prepareComplete(this.now()));
      }
    }
  }

  /** TransactionStateManager.getTransactionState. */
  private lookup(transactionalId: string): StateLookup {
    const partition = this.partitionOf(transactionalId);
    if (this.loading.has(partition)) return { error: 'COORDINATOR_LOAD_IN_PROGRESS' };
    const entry = this.cache.get(partition);
    if (entry === undefined) return { error: 'NOT_COORDINATOR' };
    return { error: 'NONE', coordinatorEpoch: entry.coordinatorEpoch, metadata: entry.txns.get(transactionalId) };
  }

  // ---- requests ----

  handle(from: NodeId, m: KafkaMessage): boolean {
    switch (m.type) {
      case 'InitProducerId':
        if (m.transactionalId === undefined) return false;
        this.handleInitProducerId(m, (error, producerId, producerEpoch) =>
          this.reply<InitProducerIdResponse>(from, {
            type: 'InitProducerIdResponse',
            correlationId: m.correlationId,
            error,
            producerId,
            producerEpoch,
          }),
        );
        return true;
      case 'AddPartitionsToTxn':
        this.handleAddPartitions(m, (error) =>
          this.reply<AddPartitionsToTxnResponse>(from, {
            type: 'AddPartitionsToTxnResponse',
            correlationId: m.correlationId,
            error,
          }),
        );
        return true;
      case 'AddOffsetsToTxn':
        // KafkaApis.handleAddOffsetsToTxnRequest (3.9): the group's offsets partition joins the transaction as any
        // other.
        this.handleAddPartitions(
          { ...m, type: 'AddPartitionsToTxn', partitions: [this.offsetsPartitionOf(m.groupId)] },
          (error) =>
            this.reply<AddOffsetsToTxnResponse>(from, {
              type: 'AddOffsetsToTxnResponse',
              correlationId: m.correlationId,
              error,
            }),
        );
        return true;
      case 'EndTxn':
        this.endTransaction(m.transactionalId, m.producerId, m.producerEpoch, m.committed, true, (error, next) =>
          this.reply<EndTxnResponse>(from, {
            type: 'EndTxnResponse',
            correlationId: m.correlationId,
            error,
            // EndTxnResponse v5 (transaction.version 2) carries the producer's id and epoch; older versions none.
            ...(next === undefined || !this.deps.config.protocol.kip890p2
              ? {}
              : { producerId: next.producerId, producerEpoch: next.producerEpoch }),
          }),
        );
        return true;
      default:
        return false;
    }
  }

  private reply<R extends object>(to: NodeId, response: R): void {
    this.deps.ctx.send(to, response);
  }

  /** handleInitProducerId with a transactional id, and prepareInitProducerIdTransit. */
  private handleInitProducerId(
    req: InitProducerIdRequest,
    respond: (error: KafkaError, producerId: number, producerEpoch: number) => void,
  ): void {
    const transactionalId = req.transactionalId as string;
    const timeoutMs = req.transactionTimeoutMs ?? 60_000;
    if (transactionalId === '') return respond('INVALID_TXN_STATE', -1, -1);
    if (timeoutMs <= 0 || timeoutMs > TRANSACTION_MAX_TIMEOUT_MS) return respond('INVALID_TRANSACTION_TIMEOUT', -1, -1);
    const found = this.lookup(transactionalId);
    if (found.error !== 'NONE') return respond(found.error, -1, -1);
    let metadata = found.metadata;
    if (metadata === undefined) {
      const pid = this.deps.generateProducerId();
      metadata = new TransactionMetadata(
        transactionalId,
        pid,
        -1,
        NO_PRODUCER_EPOCH,
        NO_PRODUCER_EPOCH,
        timeoutMs,
        'Empty',
        [],
        -1,
        this.now(),
      );
      this.cache.get(this.partitionOf(transactionalId))?.txns.set(transactionalId, metadata);
    }
    if (metadata.pendingTransitionInProgress) return respond('CONCURRENT_TRANSACTIONS', -1, -1);
    let transit: TxnTransit | null;
    switch (metadata.state) {
      case 'PrepareAbort':
      case 'PrepareCommit':
        return respond('CONCURRENT_TRANSACTIONS', -1, -1);
      case 'Ongoing': {
        // Fence the producer and abort its transaction; the client retries and gets a second bump.
        const fence = metadata.prepareFenceProducerEpoch();
        return this.endTransaction(transactionalId, fence.producerId, fence.producerEpoch, false, false, (error) =>
          respond(error === 'NONE' ? 'CONCURRENT_TRANSACTIONS' : error, -1, -1),
        );
      }
      default:
        transit = metadata.isProducerEpochExhausted
          ? metadata.prepareProducerIdRotation(this.deps.generateProducerId(), timeoutMs, this.now(), false)
          : metadata.prepareIncrementProducerEpoch(timeoutMs, undefined, this.now());
    }
    if (transit === null) return respond('PRODUCER_FENCED', -1, -1);
    const t = transit;
    this.appendTransactionToLog(transactionalId, found.coordinatorEpoch, t, (error) =>
      error === 'NONE' ? respond('NONE', t.producerId, t.producerEpoch) : respond(error, -1, -1),
    );
  }

  private handleAddPartitions(req: AddPartitionsToTxnRequest, respond: (error: KafkaError) => void): void {
    if (req.verifyOnly === true) return respond(this.verifyPartitionsInTransaction(req));
    const found = this.lookup(req.transactionalId);
    if (found.error !== 'NONE') return respond(found.error);
    const m = found.metadata;
    if (m === undefined || m.producerId !== req.producerId) return respond('INVALID_PRODUCER_ID_MAPPING');
    if (m.producerEpoch !== req.producerEpoch) return respond('PRODUCER_FENCED');
    if (m.pendingTransitionInProgress) return respond('CONCURRENT_TRANSACTIONS');
    if (m.state === 'PrepareCommit' || m.state === 'PrepareAbort') return respond('CONCURRENT_TRANSACTIONS');
    if (m.state === 'Ongoing' && req.partitions.every((p) => m.partitions.includes(p))) return respond('NONE');
    const transit = m.prepareAddPartitions(req.partitions, this.now());
    this.appendTransactionToLog(req.transactionalId, found.coordinatorEpoch, transit, respond);
  }

  /**
   * KIP-890 TransactionCoordinator.handleVerifyPartitionsInTransaction (3.6.0): a data partition's leader asks
   * whether its partition is in this producer's transaction. The pending state is not looked at (the leader's
   * verification guard settles a race with the marker); a transaction being completed is CONCURRENT_TRANSACTIONS,
   * and a partition the transaction does not hold (it ended: the Complete states hold none) INVALID_TXN_STATE.
   */
  private verifyPartitionsInTransaction(req: AddPartitionsToTxnRequest): KafkaError {
    const found = this.lookup(req.transactionalId);
    if (found.error !== 'NONE') return found.error;
    const m = found.metadata;
    if (m === undefined || m.producerId !== req.producerId) return 'INVALID_PRODUCER_ID_MAPPING';
    if (m.producerEpoch !== req.producerEpoch) return 'PRODUCER_FENCED';
    if (m.state === 'PrepareCommit' || m.state === 'PrepareAbort') return 'CONCURRENT_TRANSACTIONS';
    return req.partitions.every((p) => m.partitions.includes(p)) ? 'NONE' : 'INVALID_TXN_STATE';
  }

  /**
   * TransactionCoordinator.endTransaction: PrepareCommit / PrepareAbort to the log, answer, then the markers. With
   * KIP-890 part 2 (`kip890p2`, transaction.version 2, 4.0) the prepare bumps the epoch, the answer carries the
   * new one (EndTxnResponse v5) and a client's EndTxn is judged against the state as Kafka 4.0's
   * handleEndTransaction does (its isValidEpoch: a retry of the old epoch is known by lastProducerEpoch, the
   * endTxnEpochBumped check; read from the KIP and the apache/kafka PRs for KAFKA-14562, KAFKA-17898 and
   * KAFKA-18660, not from 4.0's source, which the mirror does not hold).
   */
  private endTransaction(
    transactionalId: string,
    producerId: number,
    producerEpoch: number,
    committed: boolean,
    isFromClient: boolean,
    respond: (error: KafkaError, next?: TransactionMetadata) => void,
  ): void {
    const found = this.lookup(transactionalId);
    if (found.error !== 'NONE') return respond(found.error);
    const m = found.metadata;
    if (m === undefined || m.producerId !== producerId) return respond('INVALID_PRODUCER_ID_MAPPING');
    const tv2 = this.deps.config.protocol.kip890p2;
    const retryOnEpochBump = tv2 && epochBumped(m, producerEpoch);
    if (!this.validEndTxnEpoch(m, producerEpoch, isFromClient, retryOnEpochBump)) return respond('PRODUCER_FENCED');
    if (m.pendingTransitionInProgress && m.pendingState !== 'PrepareEpochFence')
      return respond('CONCURRENT_TRANSACTIONS');
    let isEpochFence = false;
    // Under transaction.version 2 a Complete state with the same epoch is a new (empty) transaction, no retry.
    const retried = !tv2 || retryOnEpochBump;
    switch (m.state) {
      case 'Ongoing':
        break;
      case 'CompleteCommit':
        return committed && retried ? respond('NONE', m) : respond('INVALID_TXN_STATE');
      case 'CompleteAbort':
        return !committed && retried ? respond('NONE', m) : respond('INVALID_TXN_STATE');
      case 'PrepareCommit':
        return respond(committed ? 'CONCURRENT_TRANSACTIONS' : 'INVALID_TXN_STATE');
      case 'PrepareAbort':
        return respond(committed ? 'INVALID_TXN_STATE' : 'CONCURRENT_TRANSACTIONS');
      default:
        return respond('INVALID_TXN_STATE');
    }
    if (!committed && m.pendingState === 'PrepareEpochFence') {
      isEpochFence = true;
      m.pendingState = null;
      m.producerEpoch = producerEpoch;
      m.lastProducerEpoch = NO_PRODUCER_EPOCH;
    }
    const coordinatorEpoch = found.coordinatorEpoch;
    const prepare = m.prepareAbortOrCommit(committed ? 'PrepareCommit' : 'PrepareAbort', this.now(), tv2);
    this.appendTransactionToLog(transactionalId, coordinatorEpoch, prepare, (error) => {
      if (error !== 'NONE') {
        if (isEpochFence) {
          const now = this.lookup(transactionalId);
          if (now.error === 'NONE' && now.coordinatorEpoch === coordinatorEpoch && now.metadata !== undefined)
            now.metadata.hasFailedEpochFence = true;
        }
        return respond(error);
      }
      const again = this.lookup(transactionalId);
      if (again.error !== 'NONE') return respond(again.error);
      if (again.coordinatorEpoch !== coordinatorEpoch || again.metadata === undefined)
        return respond('NOT_COORDINATOR');
      const md = again.metadata;
      if (md.producerId !== producerId) return respond('INVALID_PRODUCER_ID_MAPPING');
      if (md.producerEpoch !== producerEpoch && !(tv2 && epochBumped(md, producerEpoch)))
        return respond('PRODUCER_FENCED');
      if (md.pendingTransitionInProgress) return respond('CONCURRENT_TRANSACTIONS');
      if (md.state !== (committed ? 'PrepareCommit' : 'PrepareAbort')) return respond('INVALID_TXN_STATE');
      respond('NONE', md);
      this.sendMarkers(
        md,
        this.partitionOf(transactionalId),
        coordinatorEpoch,
        committed,
        md.prepareComplete(this.now()),
      );
    });
  }

  /**
   * handleEndTransaction's epoch check. Before 4.0 (and under transaction.version 1) a client's EndTxn must carry
   * the current epoch and a fence or timeout abort none older. Under transaction.version 2 a client's EndTxn of an
   * ongoing transaction carries the current epoch; in PrepareCommit / PrepareAbort only a retry of the epoch just
   * bumped is one, and in the Complete states either that retry or the current epoch.
   */
  private validEndTxnEpoch(
    m: TransactionMetadata,
    producerEpoch: number,
    isFromClient: boolean,
    retryOnEpochBump: boolean,
  ): boolean {
    if (!isFromClient || !this.deps.config.protocol.kip890p2)
      return !(isFromClient && producerEpoch !== m.producerEpoch) && producerEpoch >= m.producerEpoch;
    switch (m.state) {
      case 'PrepareCommit':
      case 'PrepareAbort':
        return retryOnEpochBump;
      case 'CompleteCommit':
      case 'CompleteAbort':
        return retryOnEpochBump || producerEpoch === m.producerEpoch;
      default:
        return producerEpoch === m.producerEpoch;
    }
  }

  /** addTxnMarkersToSend, then (TransactionMarkerChannelManager.tryAppendToLog) the Complete state once all are in. */
  private sendMarkers(
    m: TransactionMetadata,
    txnPartition: number,
    coordinatorEpoch: number,
    committed: boolean,
    complete: TxnTransit,
  ): void {
    const stillCurrent = (): boolean => {
      const now = this.lookup(m.transactionalId);
      return now.error === 'NONE' && now.coordinatorEpoch === coordinatorEpoch && now.metadata === m;
    };
    const appendComplete = (): void => {
      if (!stillCurrent()) return;
      this.appendTransactionToLog(
        m.transactionalId,
        coordinatorEpoch,
        complete,
        (error) => {
          // COORDINATOR_NOT_AVAILABLE is retried (txnLogAppendRetryQueue); anything else ends the attempt.
          if (error === 'COORDINATOR_NOT_AVAILABLE') this.deps.ctx.setTimer(100, appendComplete);
        },
        (error) => error === 'COORDINATOR_NOT_AVAILABLE',
      );
    };
    this.markers.send({
      transactionalId: m.transactionalId,
      txnPartition,
      coordinatorEpoch,
      producerId: m.producerId,
      producerEpoch: m.producerEpoch,
      committed,
      remaining: new Set(m.partitions),
      stillCurrent,
      onComplete: appendComplete,
      onAbandoned: (error) =>
        this.deps.ctx.trace('txn-markers', `${m.transactionalId}: markers abandoned after ${error}`),
    });
  }

  /** TransactionStateManager.appendTransactionToLog. */
  private appendTransactionToLog(
    transactionalId: string,
    coordinatorEpoch: number,
    transit: TxnTransit,
    respond: (error: KafkaError) => void,
    retryOnError: (error: KafkaError) => boolean = () => false,
  ): void {
    const before = this.lookup(transactionalId);
    if (before.error !== 'NONE') return respond(before.error);
    if (before.metadata === undefined || before.coordinatorEpoch !== coordinatorEpoch)
      return respond('NOT_COORDINATOR');
    const partition = this.partitionOf(transactionalId);
    const record = txnRecord(transactionalId, transit);
    this.deps.replicaManager.appendCoordinatorRecords(partition, [record], transit.txnTimeoutMs, (appendError) => {
      const error = coordinatorError(appendError);
      const now = this.lookup(transactionalId);
      if (error === 'NONE') {
        if (now.error !== 'NONE') return respond(now.error);
        if (now.metadata === undefined || now.coordinatorEpoch !== coordinatorEpoch) return respond('NOT_COORDINATOR');
        const from = now.metadata.state;
        now.metadata.completeTransitionTo(transit);
        this.emitTransition(transactionalId, from, transit, coordinatorEpoch);
        return respond('NONE');
      }
      if (now.error === 'NONE' && now.metadata !== undefined && now.coordinatorEpoch === coordinatorEpoch) {
        if (!retryOnError(error)) now.metadata.pendingState = null;
      }
      respond(error);
    });
  }

  private emitTransition(
    transactionalId: string,
    from: string,
    t: Pick<TxnTransit, 'producerId' | 'producerEpoch' | 'state' | 'partitions'>,
    coordinatorEpoch: number,
    loaded = false,
  ): void {
    const observe = this.deps.observe;
    if (!observe.active) return;
    observe.emit({
      ...(loaded ? { loaded: true as const } : {}),
      kind: 'txn-transition',
      time: this.now(),
      broker: this.deps.brokerId,
      transactionalId,
      producerId: t.producerId,
      producerEpoch: t.producerEpoch,
      from,
      to: t.state,
      partitions: [...t.partitions],
      coordinatorEpoch,
    });
  }

  /** abortTimedOutTransactions (timedOutTransactions): an Ongoing transaction past its timeout is fenced, aborted. */
  private abortTimedOutTransactions(): void {
    const now = this.now();
    for (const [partition, entry] of this.cache) {
      if (this.loading.has(partition)) continue;
      for (const m of [...entry.txns.values()]) {
        if (m.pendingTransitionInProgress || m.state !== 'Ongoing') continue;
        if (m.txnStartTimestamp + m.txnTimeoutMs >= now) continue;
        const fence = m.prepareFenceProducerEpoch();
        this.endTransaction(m.transactionalId, fence.producerId, fence.producerEpoch, false, false, (error) =>
          this.deps.ctx.trace('txn-timeout', `${m.transactionalId}: timed-out transaction aborted: ${error}`),
        );
      }
    }
  }
}
