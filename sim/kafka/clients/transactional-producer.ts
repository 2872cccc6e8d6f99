// Kafka's transactional producer (KafkaProducer with transactional.id: initTransactions, beginTransaction, send,
// commitTransaction, abortTransaction; the client's TransactionManager states and its coordinator requests
// FindCoordinator, InitProducerId, AddPartitionsToTxn and EndTxn with their error handling, 3.9.0-rc3), one record
// per Produce request and one request in flight per partition (Kafka allows max.in.flight.requests.per.connection,
// up to 5; one keeps the sequences trivially in order). A partition is added to the transaction before its first
// record is sent (Sender waits on the pending AddPartitionsToTxn); commit waits for every record (flush), abort
// drops the unsent ones and waits for those in flight (TransactionManager.beginAbort, accumulator
// abortUndrainedBatches); the EndTxn is retried until it is answered. A record not acknowledged within
// delivery.timeout.ms fails (KIP-91, Sender.getExpiredInflightBatches, checked as each attempt is answered or times
// out, as producer.ts does), leaving the transaction abortable and, after its abort, the epoch to bump with
// InitProducerId (KIP-360 2.5: TransactionManager.maybeTransitionToErrorState sets epochBumpRequired,
// beginAbort then initializeTransactions): the attempt still in the network may land later, after the markers.
// From 4.0 (KIP-890 part 2) the EndTxn answer may carry a bumped epoch, taken for the next transaction.
// sendOffsetsToTransaction (KIP-98, with KIP-447's group metadata from 2.5) adds the group's offsets partition with
// AddOffsetsToTxn, then sends TxnOffsetCommit to the group coordinator (TransactionManager's AddOffsetsToTxnHandler
// and TxnOffsetCommitHandler): the offsets commit with the transaction or not at all. Not
// modelled: KIP-360's expected epoch in that InitProducerId, KIP-890 part 2's implicit AddPartitionsToTxn (the
// client here adds its partitions as 3.9 does), the idempotent-only producer.
import type { ProducerConfig } from '../config.ts';
import type {
  AddOffsetsToTxnResponse,
  AddPartitionsToTxnResponse,
  EndTxnResponse,
  FindCoordinatorResponse,
} from '../coordinator-messages.ts';
import type { TxnOffsetCommitError, TxnOffsetCommitResponse } from '../group/group-messages.ts';
import type { CoordinatorType } from '../topics.ts';
import type { ConsumerGroupMetadata } from './consumer-coordinator.ts';
import type { InitProducerIdResponse, KafkaError, KafkaResponse, ProduceResponse } from '../messages.ts';
import { RETRIABLE } from '../messages.ts';
import type { RequestBody, RequestChannel } from '../request-channel.ts';
import type { ClientMetadata } from './metadata.ts';
import type { SendOutcome } from './producer.ts';

/** TransactionManager.State. */
export type TxnClientState =
  | 'UNINITIALIZED'
  | 'INITIALIZING'
  | 'READY'
  | 'IN_TRANSACTION'
  | 'COMMITTING_TRANSACTION'
  | 'ABORTING_TRANSACTION'
  | 'ABORTABLE_ERROR'
  | 'FATAL_ERROR';

/** What initTransactions, commitTransaction and abortTransaction came to: ok, fail (certainly not), info (unknown). */
export type TxnOutcome = { type: 'ok' } | { type: 'fail'; error: string } | { type: 'info'; error: string };

export interface TransactionalConfig {
  'transactional.id': string;
  /** transaction.timeout.ms: 60000 by default (ProducerConfig). */
  'transaction.timeout.ms': number;
}

/** Coordinator errors the client retries after finding the coordinator again or backing off. */
const COORDINATOR_RETRIABLE: ReadonlySet<KafkaError> = new Set<KafkaError>([
  'NOT_COORDINATOR',
  'COORDINATOR_NOT_AVAILABLE',
  'COORDINATOR_LOAD_IN_PROGRESS',
  'CONCURRENT_TRANSACTIONS',
]);

/** An offset to commit for a data partition: the next offset to read, and the leader epoch of the record before. */
export interface TxnOffset {
  partition: number;
  offset: number;
  leaderEpoch: number;
}

/**
 * TxnOffsetCommit errors retried with the same coordinator (RetriableException, TxnOffsetCommitHandler); those that
 * look the coordinator up first are COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR and REQUEST_TIMED_OUT.
 */
const TXN_OFFSET_RETRIABLE: ReadonlySet<TxnOffsetCommitError> = new Set<TxnOffsetCommitError>([
  ...RETRIABLE,
  'COORDINATOR_LOAD_IN_PROGRESS',
  'CONCURRENT_TRANSACTIONS',
  'UNKNOWN_TOPIC_OR_PARTITION',
  'UNSTABLE_OFFSET_COMMIT',
]);

interface PendingSend {
  value: number;
  /** When delivery.timeout.ms runs out for it. */
  deadline: number;
  done: (outcome: SendOutcome) => void;
}

interface PartitionState {
  queue: PendingSend[];
  inFlight: boolean;
  nextSequence: number;
}

export class TransactionalProducer {
  state: TxnClientState = 'UNINITIALIZED';
  producerId = -1;
  producerEpoch = -1;
  /** The coordinator's broker id, -1 while unknown. */
  private coordinator = -1;
  /** The group coordinator of sendOffsetsToTransaction's group, -1 while unknown. */
  private groupCoordinator = -1;
  private findAttempts = 0;
  /** Whether the coordinator has this transaction (transactionStarted): partitions or offsets were added. */
  private transactionStarted = false;
  /** A sendOffsetsToTransaction under way: commit and abort wait for it, as the client's caller blocks on it. */
  private offsetsInFlight = false;
  private readonly partitions = new Map<number, PartitionState>();
  /** Partitions the coordinator has in this transaction (TransactionManager.partitionsInTransaction). */
  private readonly inTransaction = new Set<number>();
  private readonly adding = new Set<number>();
  private addInFlight = false;
  /** The first error that made the transaction abortable (lastError). */
  private abortableError: string | null = null;
  /** A record expired with an attempt out: the abort is followed by an epoch bump (epochBumpRequired). */
  private epochBumpRequired = false;
  /** Waits for every record to complete before EndTxn (flush, or the in-flight ones on abort). */
  private onIdle: (() => void) | null = null;

  constructor(
    private readonly channel: RequestChannel,
    private readonly metadata: ClientMetadata,
    private readonly config: ProducerConfig,
    private readonly txn: TransactionalConfig,
    private readonly setTimer: (ms: number, fn: () => void) => unknown,
    private readonly bootstrap: string[],
    private readonly now: () => number,
    /** KIP-447 (2.5): TxnOffsetCommit carries the consumer's generation and member id. */
    private readonly kip447: boolean,
  ) {}

  private get backoff(): number {
    return this.config['retry.backoff.ms'];
  }

  // ---- the coordinator ----

  /** FindCoordinator (TRANSACTION) to the live brokers in turn, until one names the coordinator. */
  private findCoordinator(then: () => void): void {
    this.lookupCoordinator('TRANSACTION', this.txn['transactional.id'], (nodeId) => {
      this.coordinator = nodeId;
      then();
    });
  }

  /** TransactionManager.lookupCoordinator: FindCoordinator to the live brokers in turn, until one names it. */
  private lookupCoordinator(keyType: CoordinatorType, key: string, found: (nodeId: number) => void): void {
    const live = this.metadata.brokers.map((b) => `b${b.id}`);
    const candidates = live.length > 0 ? live : this.bootstrap;
    const target = candidates[this.findAttempts++ % candidates.length];
    const request = { type: 'FindCoordinator' as const, keyType, key };
    this.channel.send<FindCoordinatorResponse>(target, request, this.config['request.timeout.ms'], (r) => {
      if (r !== null && r.error === 'NONE') return found(r.nodeId);
      if (r === null) this.metadata.refresh();
      this.setTimer(this.backoff, () => this.lookupCoordinator(keyType, key, found));
    });
  }

  /**
   * One coordinator request until it is answered with anything but a retriable coordinator error (the client's
   * TxnRequestHandler: NOT_COORDINATOR and COORDINATOR_NOT_AVAILABLE look the coordinator up again, LOAD_IN_PROGRESS
   * and CONCURRENT_TRANSACTIONS back off). `sent` learns that an attempt went out (its effect may then be unknown).
   */
  private coordinatorRequest<R extends KafkaResponse & { error: KafkaError }>(
    build: () => RequestBody,
    handle: (response: R) => void,
    sent?: () => void,
  ): void {
    if (this.coordinator < 0) return this.findCoordinator(() => this.coordinatorRequest(build, handle, sent));
    sent?.();
    this.channel.send<R>(`b${this.coordinator}`, build(), this.config['request.timeout.ms'], (r) => {
      if (r === null || r.error === 'NOT_COORDINATOR' || r.error === 'COORDINATOR_NOT_AVAILABLE') this.coordinator = -1;
      if (r === null || COORDINATOR_RETRIABLE.has(r.error)) {
        return this.setTimer(this.backoff, () => this.coordinatorRequest(build, handle, sent));
      }
      handle(r);
    });
  }

  // ---- the API ----

  /** initTransactions: a producer id and a bumped epoch for the transactional id, fencing older instances. */
  initTransactions(done: (outcome: TxnOutcome) => void): void {
    if (this.state !== 'UNINITIALIZED') return done({ type: 'fail', error: `initTransactions in ${this.state}` });
    this.state = 'INITIALIZING';
    this.initProducerId(done);
  }

  /** InitProducerId for the transactional id; a new epoch numbers every partition from 0 again. */
  private initProducerId(done: (outcome: TxnOutcome) => void): void {
    this.coordinatorRequest<InitProducerIdResponse>(
      () => ({
        type: 'InitProducerId',
        transactionalId: this.txn['transactional.id'],
        transactionTimeoutMs: this.txn['transaction.timeout.ms'],
      }),
      (r) => {
        if (r.error !== 'NONE') {
          this.state = 'FATAL_ERROR';
          return done({ type: 'fail', error: r.error });
        }
        this.producerId = r.producerId;
        this.producerEpoch = r.producerEpoch;
        this.partitions.clear();
        this.epochBumpRequired = false;
        this.state = 'READY';
        done({ type: 'ok' });
      },
    );
  }

  beginTransaction(): void {
    if (this.state !== 'READY') throw new Error(`beginTransaction in ${this.state}`);
    this.state = 'IN_TRANSACTION';
    this.inTransaction.clear();
    this.transactionStarted = false;
    this.abortableError = null;
  }

  /**
   * KafkaProducer.sendOffsetsToTransaction(offsets, groupMetadata): AddOffsetsToTxn, then TxnOffsetCommit of
   * `offsets` for the group until every partition's is taken. `done` gets ok, or fail with the error that made the
   * transaction abortable (a stale generation: UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION; FENCED_INSTANCE_ID) or the
   * producer fatally failed (fenced, or an error the client does not expect).
   */
  sendOffsetsToTransaction(offsets: TxnOffset[], group: ConsumerGroupMetadata, done: (o: TxnOutcome) => void): void {
    if (this.state !== 'IN_TRANSACTION' || this.abortableError !== null || this.offsetsInFlight)
      return done({ type: 'fail', error: this.abortableError ?? `sendOffsetsToTransaction in ${this.state}` });
    this.offsetsInFlight = true;
    const finish = (o: TxnOutcome): void => {
      this.offsetsInFlight = false;
      done(o);
      this.checkIdle();
    };
    this.coordinatorRequest<AddOffsetsToTxnResponse>(
      () => ({
        type: 'AddOffsetsToTxn',
        transactionalId: this.txn['transactional.id'],
        producerId: this.producerId,
        producerEpoch: this.producerEpoch,
        groupId: group.groupId,
      }),
      (r) => {
        // AddOffsetsToTxnHandler.handleResponse.
        if (r.error === 'NONE') {
          this.transactionStarted = true;
          return this.txnOffsetCommit(new Map(offsets.map((o) => [o.partition, o])), group, finish);
        }
        if (RETRIABLE.has(r.error)) return this.retryLater(() => this.retrySendOffsets(offsets, group, finish));
        // PRODUCER_FENCED, INVALID_TXN_STATE and unexpected errors are fatal; INVALID_PRODUCER_ID_MAPPING, which
        // Kafka makes abortable with an epoch bump (abortableErrorIfPossible), is fatal here as for
        // AddPartitionsToTxn below.
        this.state = 'FATAL_ERROR';
        finish({ type: 'fail', error: r.error });
      },
    );
  }

  private retryLater(fn: () => void): void {
    this.setTimer(this.backoff, fn);
  }

  /** A retried AddOffsetsToTxn (reenqueue), unless the producer failed meanwhile. */
  private retrySendOffsets(offsets: TxnOffset[], group: ConsumerGroupMetadata, finish: (o: TxnOutcome) => void): void {
    this.offsetsInFlight = false;
    this.sendOffsetsToTransaction(offsets, group, finish);
  }

  /**
   * TxnOffsetCommitHandler: the offsets still pending to the group's coordinator (found with FindCoordinator
   * GROUP), each partition's error handled as the client does; the retriable ones are sent again.
   */
  private txnOffsetCommit(
    pending: Map<number, TxnOffset>,
    group: ConsumerGroupMetadata,
    finish: (o: TxnOutcome) => void,
  ): void {
    if (this.groupCoordinator < 0) {
      return this.lookupCoordinator('GROUP', group.groupId, (nodeId) => {
        this.groupCoordinator = nodeId;
        this.txnOffsetCommit(pending, group, finish);
      });
    }
    // Before KIP-447 (2.5) the request carries no group metadata (TxnOffsetCommit v2).
    const member = this.kip447 ? group : { generationId: -1, memberId: '', groupInstanceId: null };
    const request = {
      type: 'TxnOffsetCommit' as const,
      transactionalId: this.txn['transactional.id'],
      groupId: group.groupId,
      producerId: this.producerId,
      producerEpoch: this.producerEpoch,
      generationId: member.generationId,
      memberId: member.memberId,
      groupInstanceId: member.groupInstanceId,
      offsets: [...pending.values()],
    };
    const timeoutMs = this.config['request.timeout.ms'];
    this.channel.send<TxnOffsetCommitResponse>(`b${this.groupCoordinator}`, request, timeoutMs, (r) => {
      // A disconnect or no answer: look the coordinator up again and retry (TxnRequestHandler.onComplete).
      if (r === null) {
        this.groupCoordinator = -1;
        return this.retryLater(() => this.txnOffsetCommit(pending, group, finish));
      }
      for (const { partition, error } of r.partitions) {
        if (error === 'NONE') {
          pending.delete(partition);
        } else if (
          error === 'COORDINATOR_NOT_AVAILABLE' ||
          error === 'NOT_COORDINATOR' ||
          error === 'REQUEST_TIMED_OUT'
        ) {
          this.groupCoordinator = -1;
        } else if (!TXN_OFFSET_RETRIABLE.has(error)) {
          const abortable =
            error === 'FENCED_INSTANCE_ID' || error === 'UNKNOWN_MEMBER_ID' || error === 'ILLEGAL_GENERATION';
          if (abortable) this.abortableError ??= error;
          else this.state = 'FATAL_ERROR';
          return finish({ type: 'fail', error });
        }
      }
      if (pending.size === 0) return finish({ type: 'ok' });
      this.retryLater(() => this.txnOffsetCommit(pending, group, finish));
    });
  }

  send(partition: number, value: number, done: (outcome: SendOutcome) => void): void {
    if (this.state !== 'IN_TRANSACTION') {
      return done({ type: 'fail', error: this.abortableError ?? `send in ${this.state}` });
    }
    const p = this.partition(partition);
    p.queue.push({ value, done, deadline: this.now() + this.config['delivery.timeout.ms'] });
    this.drain(partition);
  }

  /** commitTransaction: every record acknowledged (flush), then EndTxn(commit). */
  commitTransaction(done: (outcome: TxnOutcome) => void): void {
    if (this.state === 'ABORTABLE_ERROR') return done({ type: 'fail', error: this.abortableError ?? 'abortable' });
    if (this.state !== 'IN_TRANSACTION') return done({ type: 'fail', error: `commitTransaction in ${this.state}` });
    this.state = 'COMMITTING_TRANSACTION';
    this.whenIdle(() => {
      if (this.abortableError !== null) {
        this.state = 'ABORTABLE_ERROR';
        return done({ type: 'fail', error: this.abortableError });
      }
      this.endTxn(true, done);
    });
  }

  /** abortTransaction: the unsent records fail, those in flight are awaited, then EndTxn(abort). */
  abortTransaction(done: (outcome: TxnOutcome) => void): void {
    if (this.state !== 'IN_TRANSACTION' && this.state !== 'ABORTABLE_ERROR')
      return done({ type: 'fail', error: `abortTransaction in ${this.state}` });
    this.state = 'ABORTING_TRANSACTION';
    for (const p of this.partitions.values()) {
      const unsent = p.inFlight ? p.queue.slice(1) : p.queue;
      p.queue = p.inFlight ? p.queue.slice(0, 1) : [];
      for (const s of unsent) s.done({ type: 'fail', error: 'TransactionAborted' });
    }
    this.whenIdle(() => this.endTxn(false, done));
  }

  private endTxn(committed: boolean, done: (outcome: TxnOutcome) => void): void {
    if (!this.transactionStarted) {
      // Nothing was added: the coordinator has no transaction to end (TransactionManager.beginCompletingTransaction).
      this.state = 'READY';
      return done({ type: 'ok' });
    }
    let attempted = false;
    this.coordinatorRequest<EndTxnResponse>(
      () => ({
        type: 'EndTxn',
        transactionalId: this.txn['transactional.id'],
        producerId: this.producerId,
        producerEpoch: this.producerEpoch,
        committed,
      }),
      (r) => {
        if (r.error === 'NONE') {
          if (r.producerEpoch !== undefined && r.producerId !== undefined) {
            // KIP-890 part 2 (4.0, transaction.version 2, EndTxn v5): the coordinator bumped the epoch; the next
            // transaction uses it, every partition numbered from 0 again, and no client bump follows an expired
            // record (TransactionManager's EndTxnHandler and KAFKA-17898's "only server-triggered epoch bump";
            // read from the KIP and apache/kafka PRs, 4.0's source is not in the mirror).
            this.producerId = r.producerId;
            this.producerEpoch = r.producerEpoch;
            this.partitions.clear();
            this.epochBumpRequired = false;
          }
          // TransactionManager.beginAbort (2.5+): after an expired record, the abort is followed by a bump.
          if (!committed && this.epochBumpRequired) return this.initProducerId(done);
          this.state = 'READY';
          return done({ type: 'ok' });
        }
        this.state = 'FATAL_ERROR';
        // An earlier attempt may have ended the transaction before the producer was fenced: unknown for a commit.
        done(committed && attempted ? { type: 'info', error: r.error } : { type: 'fail', error: r.error });
      },
      () => {
        attempted = true;
      },
    );
  }

  // ---- records ----

  private partition(partition: number): PartitionState {
    let p = this.partitions.get(partition);
    if (p === undefined) {
      p = { queue: [], inFlight: false, nextSequence: 0 };
      this.partitions.set(partition, p);
    }
    return p;
  }

  private idle(): boolean {
    for (const p of this.partitions.values()) if (p.queue.length > 0 || p.inFlight) return false;
    return !this.addInFlight && !this.offsetsInFlight;
  }

  private whenIdle(then: () => void): void {
    if (this.idle()) return then();
    this.onIdle = then;
  }

  private checkIdle(): void {
    if (this.onIdle === null || !this.idle()) return;
    const then = this.onIdle;
    this.onIdle = null;
    then();
  }

  private sending(): boolean {
    return (
      this.state === 'IN_TRANSACTION' ||
      this.state === 'COMMITTING_TRANSACTION' ||
      this.state === 'ABORTING_TRANSACTION'
    );
  }

  private drain(partition: number): void {
    const p = this.partition(partition);
    if (p.inFlight || p.queue.length === 0 || !this.sending()) return;
    if (!this.inTransaction.has(partition)) {
      // An aborting transaction adds nothing new; its unsent records already failed.
      if (this.state === 'ABORTING_TRANSACTION') return;
      this.adding.add(partition);
      return this.addPartitions();
    }
    const leader = this.metadata.leaderOf(partition);
    if (leader < 0) {
      this.metadata.refresh(() => this.setTimer(this.backoff, () => this.drain(partition)));
      return;
    }
    const record = p.queue[0];
    p.inFlight = true;
    const request = {
      type: 'Produce' as const,
      partition,
      acks: -1 as const,
      timeoutMs: this.config['request.timeout.ms'],
      producerId: this.producerId,
      producerEpoch: this.producerEpoch,
      baseSequence: p.nextSequence,
      values: [record.value],
      transactional: true,
      transactionalId: this.txn['transactional.id'],
    };
    this.channel.send<ProduceResponse>(`b${leader}`, request, this.config['request.timeout.ms'], (r) => {
      p.inFlight = false;
      const error = r === null ? 'NETWORK_EXCEPTION' : r.error;
      if (r !== null && error === 'NONE') {
        p.queue.shift();
        p.nextSequence++;
        record.done({ type: 'ok', offset: r.baseOffset });
      } else if ((error === 'NETWORK_EXCEPTION' || RETRIABLE.has(error)) && this.now() >= record.deadline) {
        // Past delivery.timeout.ms: the record fails, its attempt maybe still on its way (transitionToAbortableError
        // with epochBumpRequired: the client cannot know which sequences the partition holds).
        p.queue.shift();
        this.abortableError ??= 'DELIVERY_TIMEOUT';
        this.epochBumpRequired = true;
        record.done({ type: 'fail', error: 'DELIVERY_TIMEOUT' });
      } else if (error === 'NETWORK_EXCEPTION' || RETRIABLE.has(error)) {
        // The same sequence again: the leader drops it if the first attempt was appended.
        this.metadata.refresh();
        this.setTimer(this.backoff, () => this.drain(partition));
        return;
      } else {
        // INVALID_PRODUCER_EPOCH (fenced by a timeout abort), OUT_OF_ORDER_SEQUENCE_NUMBER, INVALID_TXN_STATE: the
        // transaction can only abort (TransactionManager.handleFailedBatch, transitionToAbortableError).
        p.queue.shift();
        this.abortableError ??= error;
        record.done({ type: 'fail', error });
      }
      this.drain(partition);
      this.checkIdle();
    });
  }

  /** AddPartitionsToTxn for every partition waiting to be added, one request at a time. */
  private addPartitions(): void {
    if (this.addInFlight || this.adding.size === 0) return;
    this.addInFlight = true;
    const partitions = [...this.adding].sort((a, b) => a - b);
    this.coordinatorRequest<AddPartitionsToTxnResponse>(
      () => ({
        type: 'AddPartitionsToTxn',
        transactionalId: this.txn['transactional.id'],
        producerId: this.producerId,
        producerEpoch: this.producerEpoch,
        partitions,
      }),
      (r) => {
        this.addInFlight = false;
        for (const p of partitions) this.adding.delete(p);
        if (r.error === 'NONE') {
          for (const p of partitions) this.inTransaction.add(p);
          this.transactionStarted = true;
        } else {
          // PRODUCER_FENCED and INVALID_PRODUCER_ID_MAPPING are fatal; the records waiting fail either way.
          if (r.error === 'PRODUCER_FENCED' || r.error === 'INVALID_PRODUCER_ID_MAPPING') this.state = 'FATAL_ERROR';
          this.abortableError ??= r.error;
          for (const p of partitions) {
            const ps = this.partition(p);
            for (const s of ps.queue) s.done({ type: 'fail', error: r.error });
            ps.queue = [];
          }
        }
        for (const p of partitions) this.drain(p);
        this.addPartitions();
        this.checkIdle();
      },
    );
  }
}
