// Kafka's producer (KafkaProducer with its RecordAccumulator and Sender), one record per batch: finds the leader
// from metadata, retries retriable errors until delivery.timeout.ms, keeps up to
// max.in.flight.requests.per.connection batches in flight per partition, and with enable.idempotence numbers
// batches under a producer id and epoch so the leader drops duplicates of retries; what it does when the leader
// refuses a sequence is the release's (transaction-manager.ts). Every send ends in exactly one outcome: ok
// (acknowledged, with offset), fail (certainly not written) or info (maybe written: a timeout, or an error after
// an attempt that may have been appended).
import type { ProducerConfig } from '../config.ts';
import type { InitProducerIdResponse, ProduceResponse } from '../messages.ts';
import { RETRIABLE } from '../messages.ts';
import type { RequestChannel } from '../request-channel.ts';
import { NO_PRODUCER } from '../records.ts';
import type { ClientMetadata } from './metadata.ts';
import type { ProducerBehaviours } from './producer-config.ts';
import { maxInFlightOf } from './producer-config.ts';
import type { ProducerError, SequencedBatch } from './transaction-manager.ts';
import { TransactionManager } from './transaction-manager.ts';
import { P, probe } from '../probes.ts';

export type SendOutcome =
  { type: 'ok'; offset: number } | { type: 'fail'; error: string } | { type: 'info'; error: string };

/** socket.connection.setup.timeout.ms: how long a client waits on a broker that does not answer at all. */
export const CONNECTION_SETUP_TIMEOUT_MS = 10_000;

/** A batch of one record (Kafka's ProducerBatch). */
interface PendingRecord extends SequencedBatch {
  value: number;
  deadline: number;
  /** ProducerBatch.attempts: reenqueued this many times. */
  attempts: number;
  /** ProducerBatch.inRetry: reenqueued after a failed attempt. */
  retry: boolean;
  /** Some attempt may have reached the log (timed out, or NOT_ENOUGH_REPLICAS_AFTER_APPEND). */
  maybeAppended: boolean;
  lastError: ProducerError | null;
  inFlight: boolean;
  done: (outcome: SendOutcome) => void;
}

/** A Produce request on its way to a broker (NetworkClient's InFlightRequest). */
interface InFlightProduce {
  partition: number;
  record: PendingRecord;
  correlationId: number;
}

interface PartitionQueue {
  records: PendingRecord[];
  retryAt: number;
  /** A drain is scheduled for the end of the backoff. */
  wakeScheduled: boolean;
}

export class Producer {
  private readonly tm: TransactionManager | null;
  private initializing = false;
  private initAttempts = 0;
  private readonly queues = new Map<number, PartitionQueue>();
  private closed = false;
  private readonly maxInFlight: number;
  /** The Produce requests awaiting an answer, per broker node, oldest first (NetworkClient's InFlightRequests). */
  private readonly inFlightTo = new Map<string, InFlightProduce[]>();

  constructor(
    private readonly channel: RequestChannel,
    private readonly metadata: ClientMetadata,
    private readonly config: ProducerConfig,
    private readonly behaviours: ProducerBehaviours,
    private readonly now: () => number,
    private readonly setTimer: (ms: number, fn: () => void) => unknown,
    private readonly bootstrap: string[],
  ) {
    this.tm = config['enable.idempotence'] ? new TransactionManager(behaviours) : null;
    this.maxInFlight = maxInFlightOf(config, behaviours);
  }

  private get acks(): 0 | 1 | -1 {
    return this.config.acks === 'all' ? -1 : this.config.acks;
  }

  send(partition: number, value: number, done: (outcome: SendOutcome) => void): void {
    let q = this.queues.get(partition);
    if (q === undefined) {
      q = { records: [], retryAt: 0, wakeScheduled: false };
      this.queues.set(partition, q);
    }
    q.records.push({
      partition,
      value,
      producerId: NO_PRODUCER,
      producerEpoch: -1,
      baseSequence: -1,
      reopened: false,
      deadline: this.now() + this.config['delivery.timeout.ms'],
      attempts: 0,
      retry: false,
      maybeAppended: false,
      lastError: null,
      inFlight: false,
      done,
    });
    this.drain(partition);
  }

  close(): void {
    this.closed = true;
  }

  /** InitProducerId, once at a time, to the live brokers in turn (Kafka asks the least loaded one). */
  private initProducerId(tm: TransactionManager): void {
    if (this.initializing) return;
    this.initializing = true;
    const live = this.metadata.brokers.map((b) => `b${b.id}`);
    const candidates = live.length > 0 ? live : this.bootstrap;
    const target = candidates[this.initAttempts++ % candidates.length];
    this.channel.send<InitProducerIdResponse>(
      target,
      { type: 'InitProducerId' },
      Math.min(this.config['request.timeout.ms'], CONNECTION_SETUP_TIMEOUT_MS),
      (r) => {
        this.initializing = false;
        if (r !== null && r.error === 'NONE') tm.setProducerIdAndEpoch(r.producerId, r.producerEpoch);
        else this.metadata.refresh();
        this.setTimer(r === null ? this.config['retry.backoff.ms'] : 0, () => this.drainAll());
      },
    );
  }

  /** One pass of Sender.runOnce over a partition: expire, resolve sequences, get a producer id, drain. */
  private drain(partition: number): void {
    if (this.closed) return;
    const q = this.queues.get(partition) as PartitionQueue;
    this.expire(q);
    if (q.records.length === 0) return;
    const tm = this.tm;
    if (tm !== null) {
      tm.beforeSend();
      if (tm.fatalError !== null) return this.abortAll(tm.fatalError);
      if (!tm.hasProducerId()) return this.initProducerId(tm);
    }
    const backoffLeftMs = q.retryAt - this.now();
    if (backoffLeftMs > 0) return this.wakeAfter(q, partition, backoffLeftMs);
    const leader = this.metadata.leaderOf(partition);
    if (leader < 0) {
      q.retryAt = this.now() + this.config['retry.backoff.ms'];
      this.metadata.refresh(() => this.setTimer(this.config['retry.backoff.ms'], () => this.drain(partition)));
      return;
    }
    let inFlight = 0;
    for (const r of q.records) if (r.inFlight) inFlight++;
    // In order; retried batches go first again (RecordAccumulator.reenqueue). Without idempotence, retries can
    // reorder, as in Kafka.
    for (const r of q.records) {
      if (inFlight >= this.maxInFlight) break;
      if (r.inFlight) continue;
      if (tm !== null) {
        if (tm.shouldStopDrain(r)) break;
        if (r.baseSequence < 0) tm.assignSequence(r);
      }
      // ProducerBatch.close at drain: the sequence is no longer freshly reset.
      r.reopened = false;
      r.inFlight = true;
      inFlight++;
      this.attempt(partition, leader, r);
    }
  }

  /**
   * Drains the partition again once its backoff ends. Kafka's Sender never sleeps past a backoff:
   * RecordAccumulator.ready returns the time left as nextReadyCheckDelayMs, and Sender.sendProducerData polls for
   * no longer than that (3.9.0). A retry timer may fire a hair before retryAt (the world keeps time in whole
   * microseconds, `now + backoff` in floating point), and a drain that returned then without a wake-up left the
   * batch unsent and unexpired until the next send to the partition, if any came.
   */
  private wakeAfter(q: PartitionQueue, partition: number, ms: number): void {
    if (q.wakeScheduled) return;
    q.wakeScheduled = true;
    this.setTimer(ms, () => {
      q.wakeScheduled = false;
      this.drain(partition);
    });
  }

  private drainAll(): void {
    for (const p of this.queues.keys()) this.drain(p);
  }

  private attempt(partition: number, leader: number, r: PendingRecord): void {
    const request = {
      type: 'Produce' as const,
      partition,
      acks: this.acks,
      timeoutMs: this.config['request.timeout.ms'],
      producerId: r.producerId,
      producerEpoch: r.producerEpoch,
      baseSequence: r.baseSequence,
      values: [r.value],
    };
    const node = `b${leader}`;
    if (this.acks === 0) {
      this.channel.fireAndForget(node, request);
      // No acknowledgement exists for acks=0: whether it landed is unknown.
      this.finish(r, { type: 'info', error: 'acks=0' });
      return;
    }
    const sent: InFlightProduce = { partition, record: r, correlationId: -1 };
    sent.correlationId = this.channel.send<ProduceResponse>(
      node,
      request,
      this.config['request.timeout.ms'],
      (response) => this.onAnswer(node, sent, response),
    );
    let queue = this.inFlightTo.get(node);
    if (queue === undefined) {
      queue = [];
      this.inFlightTo.set(node, queue);
    }
    queue.push(sent);
  }

  /**
   * An answer, or none within request.timeout.ms. A request that timed out closes the connection to its broker, and
   * every other request in flight on it fails with it, oldest first, as if timed out too (3.9.0
   * NetworkClient.handleTimedOutRequests, processTimeoutDisconnection, cancelInFlightRequests; Sender.
   * handleProduceResponse: wasTimedOut). So the batches of a partition in flight behind a lost answer are retried with
   * it, in sequence order, instead of completing after it while it waits to be sent again. Only Produce requests are
   * tracked: the producer's metadata and InitProducerId requests, one at a time, still time out alone.
   */
  private onAnswer(node: string, sent: InFlightProduce, response: ProduceResponse | null): void {
    const queue = this.inFlightTo.get(node) ?? [];
    if (response !== null) {
      const i = queue.indexOf(sent);
      if (i >= 0) queue.splice(i, 1);
      this.onResponse(sent.partition, sent.record, response);
      return;
    }
    this.inFlightTo.delete(node);
    const cancelled = queue.includes(sent) ? queue : [sent, ...queue];
    if (cancelled.length > 1) probe(P.producerConnectionTimedOut);
    for (const c of cancelled) if (c !== sent) this.channel.forget(c.correlationId);
    for (const c of cancelled) this.onResponse(c.partition, c.record, null);
  }

  /** Sender.completeBatch: success, a retry (canRetry) or a failure (failBatch). */
  private onResponse(partition: number, r: PendingRecord, response: ProduceResponse | null): void {
    r.inFlight = false;
    if (!this.isPending(r)) return this.drain(partition);
    const q = this.queues.get(partition) as PartitionQueue;
    const tm = this.tm;
    if (response !== null && response.error === 'NONE') {
      tm?.handleCompletedBatch(r, response.baseOffset);
      this.finish(r, { type: 'ok', offset: response.baseOffset });
      this.drain(partition);
      return;
    }
    const error: ProducerError = response === null ? 'NETWORK_TIMEOUT' : response.error;
    r.lastError = error;
    // NOT_LEADER_OR_FOLLOWER is ambiguous: a leader that lost leadership while the batch waited in the
    // produce purgatory answers it too, after the append; the new leader may well hold the batch.
    if (
      response === null ||
      error === 'NOT_ENOUGH_REPLICAS_AFTER_APPEND' ||
      error === 'REQUEST_TIMED_OUT' ||
      error === 'NOT_LEADER_OR_FOLLOWER'
    )
      r.maybeAppended = true;
    if (this.now() >= r.deadline) {
      // Past delivery.timeout.ms the batch expires as Sender.getExpiredInflightBatches does (2.1.0+), not retried.
      this.expireBatch(r);
      return this.drain(partition);
    }
    const retriable = response === null || RETRIABLE.has(response.error);
    const logStartOffset = response?.logStartOffset ?? -1;
    const canRetry =
      r.attempts < this.config.retries && (tm === null ? retriable : tm.canRetry(error, logStartOffset, r, retriable));
    if (!canRetry) {
      // Sequences are adjusted only if the batch did not exhaust its retries (it may have been appended then).
      this.failBatch(r, error, r.attempts < this.config.retries);
      return this.drain(partition);
    }
    if (tm !== null && !tm.matches(r) && !this.behaviours.kip360) {
      // Before 2.5.0 a batch whose producer id changed meanwhile is not retried (Sender.completeBatch).
      this.failBatch(r, 'OUT_OF_ORDER_SEQUENCE_NUMBER', false);
      return this.drain(partition);
    }
    // Sender.reenqueueBatch (ProducerBatch.reenqueued).
    if (r.maybeAppended) probe(P.producerRetryMaybeAppended);
    r.attempts++;
    r.retry = true;
    if (
      error === 'NOT_LEADER_OR_FOLLOWER' ||
      error === 'FENCED_LEADER_EPOCH' ||
      error === 'UNKNOWN_LEADER_EPOCH' ||
      error === 'NETWORK_TIMEOUT'
    ) {
      this.metadata.refresh();
    }
    q.retryAt = this.now() + this.config['retry.backoff.ms'];
    this.setTimer(this.config['retry.backoff.ms'], () => this.drain(partition));
  }

  private isPending(r: PendingRecord): boolean {
    return (this.queues.get(r.partition)?.records.indexOf(r) ?? -1) >= 0;
  }

  /** Sender.failBatch: the batch ends, and the idempotent bookkeeping hears of it. */
  private failBatch(r: PendingRecord, error: ProducerError, adjustSequenceNumbers: boolean): void {
    this.tm?.handleFailedBatch(r, error, adjustSequenceNumbers);
    this.finish(r, r.maybeAppended ? { type: 'info', error } : { type: 'fail', error });
  }

  /**
   * A batch past delivery.timeout.ms (RecordAccumulator.expiredBatches, and in flight
   * Sender.getExpiredInflightBatches): failed without adjusting sequences; one that was retried leaves its
   * partition's sequences unresolved (0.11.0: resets the producer id).
   */
  private expireBatch(r: PendingRecord): void {
    probe(P.producerBatchExpired);
    this.failBatch(r, r.lastError ?? 'DELIVERY_TIMEOUT', false);
    if (this.tm !== null && r.retry) this.tm.markSequenceUnresolved(r);
  }

  /** Records whose delivery.timeout.ms passed while waiting (not in flight) end now. */
  private expire(q: PartitionQueue): void {
    const now = this.now();
    // Looked for first: this runs on every drain and nearly always finds none (no copy of the queue then).
    let any = false;
    for (const r of q.records) if (!r.inFlight && now >= r.deadline) any = true;
    if (!any) return;
    for (const r of [...q.records]) if (!r.inFlight && now >= r.deadline) this.expireBatch(r);
  }

  /** Sender.maybeAbortBatches after a fatal error: every batch fails with it; one in flight may still land. */
  private abortAll(error: ProducerError): void {
    for (const q of this.queues.values()) {
      for (const r of [...q.records]) {
        const maybe = r.maybeAppended || r.inFlight;
        this.finish(r, maybe ? { type: 'info', error } : { type: 'fail', error });
      }
    }
  }

  private finish(r: PendingRecord, outcome: SendOutcome): void {
    const q = this.queues.get(r.partition) as PartitionQueue;
    const i = q.records.indexOf(r);
    if (i >= 0) q.records.splice(i, 1);
    r.done(outcome);
  }
}
