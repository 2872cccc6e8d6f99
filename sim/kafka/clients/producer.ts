// Kafka's producer, one record per batch: finds the leader from metadata, retries retriable errors
// until delivery.timeout.ms, keeps up to max.in.flight.requests.per.connection batches in flight per
// partition, and with enable.idempotence numbers batches so the leader drops duplicates of retries.
// Every send ends in exactly one outcome: ok (acknowledged, with offset), fail (certainly not written)
// or info (maybe written: a timeout, or an error after an attempt that may have been appended).
import type { ProducerConfig } from '../config.ts';
import type { InitProducerIdResponse, KafkaError, ProduceResponse } from '../messages.ts';
import { RETRIABLE } from '../messages.ts';
import type { RequestChannel } from '../request-channel.ts';
import { NO_PRODUCER } from '../records.ts';
import type { ClientMetadata } from './metadata.ts';

export type SendOutcome =
  { type: 'ok'; offset: number } | { type: 'fail'; error: string } | { type: 'info'; error: string };

/** socket.connection.setup.timeout.ms: how long a client waits on a broker that does not answer at all. */
export const CONNECTION_SETUP_TIMEOUT_MS = 10_000;

interface PendingRecord {
  value: number;
  sequence: number;
  deadline: number;
  /** Some attempt may have reached the log (timed out, or NOT_ENOUGH_REPLICAS_AFTER_APPEND). */
  maybeAppended: boolean;
  lastError: string;
  inFlight: boolean;
  done: (outcome: SendOutcome) => void;
}

interface PartitionQueue {
  records: PendingRecord[];
  nextSequence: number;
  retryAt: number;
  /** A batch was given up: renumber once nothing is in flight. */
  needsReset: boolean;
}

export class Producer {
  private producerId = NO_PRODUCER;
  private initializing = false;
  private initAttempts = 0;
  private readonly queues = new Map<number, PartitionQueue>();
  private closed = false;

  constructor(
    private readonly channel: RequestChannel,
    private readonly metadata: ClientMetadata,
    private readonly config: ProducerConfig,
    private readonly now: () => number,
    private readonly setTimer: (ms: number, fn: () => void) => unknown,
    private readonly bootstrap: string[],
  ) {}

  private get acks(): 0 | 1 | -1 {
    return this.config.acks === 'all' ? -1 : this.config.acks;
  }

  send(partition: number, value: number, done: (outcome: SendOutcome) => void): void {
    let q = this.queues.get(partition);
    if (q === undefined) {
      q = { records: [], nextSequence: 0, retryAt: 0, needsReset: false };
      this.queues.set(partition, q);
    }
    q.records.push({
      value,
      sequence: -1,
      deadline: this.now() + this.config['delivery.timeout.ms'],
      maybeAppended: false,
      lastError: '',
      inFlight: false,
      done,
    });
    this.drain(partition);
  }

  close(): void {
    this.closed = true;
  }

  private ensureProducerId(then: () => void): boolean {
    if (!this.config['enable.idempotence'] || this.producerId !== NO_PRODUCER) return true;
    if (!this.initializing) {
      this.initializing = true;
      // Kafka asks the least loaded known broker; here: the live brokers from metadata, in turn.
      const live = this.metadata.brokers.map((b) => `b${b.id}`);
      const candidates = live.length > 0 ? live : this.bootstrap;
      const target = candidates[this.initAttempts++ % candidates.length];
      this.channel.send<InitProducerIdResponse>(
        target,
        { type: 'InitProducerId' },
        Math.min(this.config['request.timeout.ms'], CONNECTION_SETUP_TIMEOUT_MS),
        (r) => {
          this.initializing = false;
          if (r !== null && r.error === 'NONE') this.producerId = r.producerId;
          else this.metadata.refresh();
          this.setTimer(r === null ? this.config['retry.backoff.ms'] : 0, then);
        },
      );
    }
    return false;
  }

  private drain(partition: number): void {
    if (this.closed) return;
    const q = this.queues.get(partition) as PartitionQueue;
    this.expire(partition, q);
    if (q.records.length === 0) return;
    if (!this.ensureProducerId(() => this.drainAll())) return;
    if (this.now() < q.retryAt) return;
    const leader = this.metadata.leaderOf(partition);
    if (leader < 0) {
      q.retryAt = this.now() + this.config['retry.backoff.ms'];
      this.metadata.refresh(() => this.setTimer(this.config['retry.backoff.ms'], () => this.drain(partition)));
      return;
    }
    let inFlight = 0;
    for (const r of q.records) if (r.inFlight) inFlight++;
    if (q.needsReset && inFlight === 0) this.resetSequences();
    if (q.needsReset || (this.producerId === NO_PRODUCER && this.config['enable.idempotence'])) {
      if (!q.needsReset) this.ensureProducerId(() => this.drainAll());
      return;
    }
    const maxInFlight = this.config['max.in.flight.requests.per.connection'];
    // In order; retried batches go first again. Without idempotence, retries can reorder (as in Kafka).
    for (const r of q.records) {
      if (inFlight >= maxInFlight) break;
      if (r.inFlight) continue;
      if (r.sequence < 0) r.sequence = this.config['enable.idempotence'] ? q.nextSequence++ : -1;
      r.inFlight = true;
      inFlight++;
      this.attempt(partition, leader, r);
    }
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
      producerId: this.config['enable.idempotence'] ? this.producerId : NO_PRODUCER,
      baseSequence: r.sequence,
      values: [r.value],
    };
    const node = `b${leader}`;
    if (this.acks === 0) {
      this.channel.fireAndForget(node, request);
      // No acknowledgement exists for acks=0: whether it landed is unknown.
      this.finish(partition, r, { type: 'info', error: 'acks=0' });
      return;
    }
    this.channel.send<ProduceResponse>(node, request, this.config['request.timeout.ms'], (response) =>
      this.onResponse(partition, r, response),
    );
  }

  private onResponse(partition: number, r: PendingRecord, response: ProduceResponse | null): void {
    r.inFlight = false;
    const q = this.queues.get(partition) as PartitionQueue;
    if (response !== null && response.error === 'NONE') {
      this.finish(partition, r, { type: 'ok', offset: response.baseOffset });
      this.drain(partition);
      return;
    }
    const error: KafkaError | 'NETWORK_TIMEOUT' = response === null ? 'NETWORK_TIMEOUT' : response.error;
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
    const retriable = response === null || RETRIABLE.has(response.error);
    if (!retriable || this.now() >= r.deadline || this.config.retries === 0) {
      this.finish(partition, r, r.maybeAppended ? { type: 'info', error } : { type: 'fail', error });
      q.needsReset = this.config['enable.idempotence'];
      this.drain(partition);
      return;
    }
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

  /** Records whose delivery.timeout.ms passed while waiting (not in flight) end now. */
  private expire(partition: number, q: PartitionQueue): void {
    const now = this.now();
    for (const r of [...q.records]) {
      if (!r.inFlight && now >= r.deadline) {
        this.finish(
          partition,
          r,
          r.maybeAppended
            ? { type: 'info', error: r.lastError || 'DELIVERY_TIMEOUT' }
            : { type: 'fail', error: r.lastError || 'DELIVERY_TIMEOUT' },
        );
        q.needsReset = this.config['enable.idempotence'];
      }
    }
  }

  /**
   * After a batch is given up, later batches would be OUT_OF_ORDER forever: like Kafka's epoch bump,
   * take a new producer id and renumber everything still waiting, on every partition.
   */
  private resetSequences(): void {
    this.producerId = NO_PRODUCER;
    for (const [partition, other] of this.queues) {
      if (other.records.some((r) => r.inFlight)) continue;
      other.needsReset = false;
      other.nextSequence = 0;
      for (const r of [...other.records]) {
        // A record that may already be in the log cannot be renumbered under a new producer id: the
        // broker could not recognise the retry as a duplicate. Its fate is unknown: it ends as info.
        if (r.maybeAppended) this.finish(partition, r, { type: 'info', error: r.lastError || 'PRODUCER_FENCED_RETRY' });
        else r.sequence = -1;
      }
    }
  }

  private finish(partition: number, r: PendingRecord, outcome: SendOutcome): void {
    const q = this.queues.get(partition) as PartitionQueue;
    const i = q.records.indexOf(r);
    if (i >= 0) q.records.splice(i, 1);
    r.done(outcome);
  }
}
