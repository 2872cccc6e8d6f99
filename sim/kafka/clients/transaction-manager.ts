// The idempotent producer's bookkeeping, as Kafka's TransactionManager keeps it for a producer without a
// transactional id (clients/.../producer/internals/TransactionManager.java), in three eras (protocol.ts):
// - 0.11.0: the producer id and each partition's next sequence, advanced as batches succeed; an
//   OUT_OF_ORDER_SEQUENCE_NUMBER or an expired retry resets the producer id (Sender.failBatch,
//   Sender.sendProducerData).
// - 1.0.0 (KAFKA-5494, KAFKA-5793) to 2.4: the batches in flight by sequence, the last acknowledged sequence
//   and offset, partitions whose sequences an expired retry left unresolved; an OUT_OF_ORDER_SEQUENCE_NUMBER
//   behind a failed batch is retried (canRetry), a real one resets the producer id (handleFailedBatch,
//   resetProducerIdIfNeeded).
// - 2.5.0 (KIP-360, KAFKA-8805): the producer bumps its epoch itself and numbers the failed partition's batches
//   from 0 again (requestEpochBumpForPartition, bumpIdempotentEpochAndResetIdIfNeeded); KAFKA-12152 (2.7.1,
//   2.8.0) makes each partition keep the producer id and epoch its sequences belong to.
// A batch here is one record (producer.ts sends one per request).
import type { KafkaError } from '../messages.ts';
import { NO_PRODUCER } from '../records.ts';
import type { ProducerBehaviours } from './producer-config.ts';
import { P, probe } from '../probes.ts';

/** RecordBatch.NO_SEQUENCE and the other "none" values of Kafka's client. */
const NONE = -1;
const INT_MAX = 2147483647;
/** Short.MAX_VALUE: the last epoch; bumping past it takes a new producer id (bumpIdempotentProducerEpoch). */
const MAX_EPOCH = 32767;

/** What the bookkeeping reads and writes of a batch (Kafka's ProducerBatch). */
export interface SequencedBatch {
  readonly partition: number;
  producerId: number;
  producerEpoch: number;
  /** NONE until drained (hasSequence). */
  baseSequence: number;
  /** ProducerBatch.reopened: the sequence was rewritten since the batch was last drained (sequenceHasBeenReset). */
  reopened: boolean;
}

/** TopicPartitionEntry (1.0.0+; 0.11.0 kept only nextSequence). */
interface PartitionEntry {
  nextSequence: number;
  lastAckedSequence: number;
  lastAckedOffset: number;
  /** inflightBatchesBySequence: drained and not yet completed, lowest sequence first. */
  inflight: SequencedBatch[];
  /** KAFKA-12152: the producer id and epoch this partition's sequences belong to. */
  producerId: number;
  producerEpoch: number;
}

/** What a batch failed with: the broker's error, no answer within request.timeout.ms, or delivery.timeout.ms. */
export type ProducerError = KafkaError | 'NETWORK_TIMEOUT' | 'DELIVERY_TIMEOUT';

export class TransactionManager {
  producerId = NO_PRODUCER;
  producerEpoch = NONE;
  /** A fatal error (transitionToFatalError): every batch fails with it from now on. */
  fatalError: ProducerError | null = null;
  private readonly partitions = new Map<number, PartitionEntry>();
  /** partitionsWithUnresolvedSequences; from 2.5.0 with the sequence that would follow the expired batch. */
  private readonly unresolved = new Map<number, number>();
  private epochBumpRequired = false;
  private readonly partitionsToRewriteSequences = new Set<number>();

  constructor(private readonly b: ProducerBehaviours) {}

  hasProducerId(): boolean {
    return this.producerId !== NO_PRODUCER;
  }

  setProducerIdAndEpoch(producerId: number, producerEpoch: number): void {
    this.producerId = producerId;
    this.producerEpoch = producerEpoch;
  }

  /** hasProducerIdAndEpoch / matchesProducerIdAndEpoch. */
  matches(batch: SequencedBatch): boolean {
    return batch.producerId === this.producerId && batch.producerEpoch === this.producerEpoch;
  }

  private entry(partition: number): PartitionEntry {
    let e = this.partitions.get(partition);
    if (e === undefined) {
      e = {
        nextSequence: 0,
        lastAckedSequence: NONE,
        lastAckedOffset: NONE,
        inflight: [],
        producerId: NONE,
        producerEpoch: NONE,
      };
      this.partitions.set(partition, e);
    }
    return e;
  }

  private hasInflightBatches(partition: number): boolean {
    return (this.partitions.get(partition)?.inflight.length ?? 0) > 0;
  }

  /** firstInFlightSequence: the lowest sequence in flight, or NONE. */
  private firstInFlightSequence(partition: number): number {
    return this.partitions.get(partition)?.inflight[0]?.baseSequence ?? NONE;
  }

  /** Removes `batch` from its partition's batches in flight, in place (a copy per completed batch showed). */
  private removeInFlightBatch(batch: SequencedBatch): void {
    const e = this.partitions.get(batch.partition);
    if (e === undefined) return;
    const inflight = e.inflight;
    let j = 0;
    for (let i = 0; i < inflight.length; i++) if (inflight[i] !== batch) inflight[j++] = inflight[i];
    while (inflight.length > j) inflight.pop();
  }

  private isNextSequence(partition: number, sequence: number): boolean {
    return sequence - (this.partitions.get(partition)?.lastAckedSequence ?? NONE) === 1;
  }

  /** KAFKA-12152: the partition's sequences belong to an older producer id or epoch (hasStaleProducerIdAndEpoch). */
  private hasStaleProducerIdAndEpoch(partition: number): boolean {
    const e = this.entry(partition);
    return e.producerId !== this.producerId || e.producerEpoch !== this.producerEpoch;
  }

  /**
   * RecordAccumulator.shouldStopDrainBatchesForPartition (1.0.0+; 0.11.0 checked only for a producer id): whether
   * `first`, the partition's next batch, must wait. Not without a producer id; a new batch not while batches of an
   * older epoch are in flight (2.5.0+) or the sequences are unresolved; a retry only when it is the first batch in
   * flight, so that retries go one at a time and in order.
   */
  shouldStopDrain(first: SequencedBatch): boolean {
    if (!this.hasProducerId()) return true;
    if (!this.b.kafka5494) return false;
    const p = first.partition;
    if (first.baseSequence === NONE) {
      if (this.b.kip360 && this.hasInflightBatches(p)) {
        const stale = this.b.kafka12152 ? this.hasStaleProducerIdAndEpoch(p) : !this.matches(this.entry(p).inflight[0]);
        if (stale) return true;
      }
      if (this.unresolved.has(p)) return true;
    }
    const firstInFlight = this.firstInFlightSequence(p);
    return firstInFlight !== NONE && first.baseSequence !== NONE && first.baseSequence !== firstInFlight;
  }

  /**
   * RecordAccumulator.drainBatchesForOneNode: a batch drained for the first time takes the producer id, epoch and
   * the partition's next sequence (a batch that has one keeps it: its earlier attempt may be in the log). KAFKA-12152
   * first moves a partition that has nothing in flight to the current epoch, from sequence 0
   * (maybeUpdateProducerIdAndEpoch). 0.11.0 advances the sequence only when the batch succeeds.
   */
  assignSequence(batch: SequencedBatch): void {
    const p = batch.partition;
    if (this.b.kafka12152 && this.hasStaleProducerIdAndEpoch(p) && !this.hasInflightBatches(p)) {
      this.startSequencesAtBeginning(p);
    }
    const e = this.entry(p);
    batch.producerId = this.producerId;
    batch.producerEpoch = this.producerEpoch;
    batch.baseSequence = e.nextSequence;
    if (!this.b.kafka5494) return;
    e.nextSequence = incrementSequence(e.nextSequence);
    e.inflight.push(batch);
    // Usually already in order (the new batch has the next sequence): sort only if not.
    if (!inSequenceOrder(e.inflight)) e.inflight.sort(bySequence);
  }

  /**
   * handleCompletedBatch (Sender.completeBatch in 0.11.0-1.1). 0.11.0: the sequence moves on, for the current
   * producer id only. 1.0.0-2.4: the last acknowledged sequence and offset, for the current producer id and epoch.
   * 2.5.0: for any; a partition whose last batch of an older epoch completed starts its sequences again, until
   * KAFKA-12152 moved that to the next drain.
   */
  handleCompletedBatch(batch: SequencedBatch, baseOffset: number): void {
    const p = batch.partition;
    if (!this.b.kafka5494) {
      if (this.matches(batch)) this.entry(p).nextSequence = incrementSequence(this.entry(p).nextSequence);
      return;
    }
    if (!this.b.kip360 && !this.matches(batch)) return;
    const e = this.entry(p);
    if (batch.baseSequence > e.lastAckedSequence) e.lastAckedSequence = batch.baseSequence;
    if (baseOffset > e.lastAckedOffset) e.lastAckedOffset = baseOffset;
    this.removeInFlightBatch(batch);
    if (this.b.kip360 && !this.b.kafka12152 && !this.matches(batch) && !this.hasInflightBatches(p)) {
      this.startSequencesAtBeginning(p);
    }
  }

  /**
   * TransactionManager.canRetry (1.0.0+): whether an OUT_OF_ORDER_SEQUENCE_NUMBER or UNKNOWN_PRODUCER_ID may be
   * retried. Before 2.5.0 it is asked besides RetriableException, from 2.5.0 instead of it.
   */
  canRetry(error: ProducerError, logStartOffset: number, batch: SequencedBatch, retriable: boolean): boolean {
    if (!this.b.kafka5494) return retriable;
    const p = batch.partition;
    const { kip360 } = this.b;
    if (!kip360 && !this.matches(batch)) return retriable;
    if (error === 'UNKNOWN_PRODUCER_ID') {
      // The broker has no state for the producer: retry once it names the log start offset; renumber from 0 if
      // nothing acknowledged is left in the log (the head was deleted), or, from 2.5.0, bump the epoch.
      if (logStartOffset === NONE || batch.reopened) return true;
      if (this.entry(p).lastAckedOffset < logStartOffset) {
        if (kip360) this.requestEpochBumpForPartition(p);
        else this.startSequencesAtBeginning(p);
        return true;
      }
      if (kip360) this.requestEpochBumpForPartition(p);
      return kip360 || retriable;
    }
    if (error === 'OUT_OF_ORDER_SEQUENCE_NUMBER') {
      // Retried when the batch is not the next one: an earlier batch failed, and this one follows it.
      if (!this.unresolved.has(p) && (batch.reopened || !this.isNextSequence(p, batch.baseSequence))) {
        probe(P.producerOutOfOrderRetried);
        return true;
      }
      if (!kip360) return retriable;
      // 2.5.0: a real gap (or the batch right after an unresolved one) bumps the epoch; every one is retried.
      if (!this.unresolved.has(p) || this.unresolved.get(p) === batch.baseSequence) {
        this.requestEpochBumpForPartition(p);
      }
      return true;
    }
    return retriable;
  }

  /**
   * handleFailedBatch (Sender.failBatch in 0.11.0-1.1), after a batch failed for good. INVALID_PRODUCER_EPOCH is
   * ProducerFencedException before KIP-588 (2.7.0), fatal (maybeTransitionToErrorState). Before 2.5.0 an
   * OUT_OF_ORDER_SEQUENCE_NUMBER (UnknownProducerIdException among them) resets the producer id, and another
   * error moves later sequences down over the failed one (adjustSequencesDueToFailedBatch); from 2.5.0 both bump
   * the epoch of the partition. A batch of an older producer id or epoch changes nothing (until KAFKA-12152).
   */
  handleFailedBatch(batch: SequencedBatch, error: ProducerError, adjustSequenceNumbers: boolean): void {
    if (error === 'INVALID_PRODUCER_EPOCH' && !this.b.kip588) this.fatalError = error;
    const outOfOrder = error === 'OUT_OF_ORDER_SEQUENCE_NUMBER' || error === 'UNKNOWN_PRODUCER_ID';
    if (!this.b.kafka5494) {
      if (outOfOrder && batch.producerId === this.producerId) this.resetProducerId();
      return;
    }
    const { kip360, kafka12152 } = this.b;
    if (kip360) this.removeInFlightBatch(batch);
    if (this.fatalError !== null && kip360) return;
    if (!kafka12152 && !this.matches(batch)) return;
    if (!kip360) {
      if (outOfOrder) return this.resetProducerId();
      this.removeInFlightBatch(batch);
      if (adjustSequenceNumbers) this.adjustSequencesDueToFailedBatch(batch);
      return;
    }
    // UnknownProducerIdException is an OutOfOrderSequenceException: for the idempotent producer it bumps the epoch
    // too (resetSequenceForPartition is the transactional producer's).
    if (outOfOrder || adjustSequenceNumbers) this.requestEpochBumpForPartition(batch.partition);
  }

  /** adjustSequencesDueToFailedBatch (1.0.0-2.4 for the idempotent producer): close the failed batch's gap. */
  private adjustSequencesDueToFailedBatch(batch: SequencedBatch): void {
    const e = this.partitions.get(batch.partition);
    if (e === undefined) return;
    e.nextSequence -= 1;
    for (const b of e.inflight) {
      if (b.baseSequence < batch.baseSequence) continue;
      b.baseSequence -= 1;
      b.reopened = true;
    }
  }

  /** markSequenceUnresolved: a batch sent before expired; no new batch goes until its fate is known. */
  markSequenceUnresolved(batch: SequencedBatch): void {
    if (!this.b.kafka5494) {
      // 0.11.0 (Sender.sendProducerData): an expired batch in retry resets the producer id.
      this.resetProducerId();
      return;
    }
    const next = incrementSequence(batch.baseSequence);
    this.unresolved.set(batch.partition, Math.max(this.unresolved.get(batch.partition) ?? next, next));
  }

  /**
   * What Sender.runOnce does before sending. 1.0.0-2.4: resetProducerIdIfNeeded (a partition with nothing in
   * flight is resolved if its next sequence follows the last acknowledged one, else the producer id goes). 2.5.0+:
   * maybeResolveSequences (else its epoch is bumped), then bumpIdempotentEpochAndResetIdIfNeeded.
   */
  beforeSend(): void {
    if (!this.b.kafka5494) return;
    // Nearly always none unresolved: no snapshot of the map to take then.
    if (this.unresolved.size > 0) this.resolveSequences();
    if (this.b.kip360 && this.epochBumpRequired) this.bumpIdempotentProducerEpoch();
  }

  /** beforeSend's pass over the partitions whose sequences are unresolved. */
  private resolveSequences(): void {
    for (const [p] of [...this.unresolved]) {
      if (this.hasInflightBatches(p)) continue;
      if (this.isNextSequence(p, this.entry(p).nextSequence)) {
        this.unresolved.delete(p);
        continue;
      }
      if (!this.b.kip360) return this.resetProducerId();
      this.requestEpochBumpForPartition(p);
      this.unresolved.delete(p);
    }
  }

  private requestEpochBumpForPartition(partition: number): void {
    this.epochBumpRequired = true;
    this.partitionsToRewriteSequences.add(partition);
  }

  /** bumpIdempotentProducerEpoch: the next epoch, and the failed partitions' batches renumbered from 0 in it. */
  private bumpIdempotentProducerEpoch(): void {
    probe(P.producerEpochBumped);
    if (this.producerEpoch === MAX_EPOCH) this.setProducerIdAndEpoch(NO_PRODUCER, NONE);
    else this.producerEpoch++;
    for (const p of this.partitionsToRewriteSequences) {
      this.startSequencesAtBeginning(p);
      this.unresolved.delete(p);
    }
    this.partitionsToRewriteSequences.clear();
    this.epochBumpRequired = false;
  }

  /**
   * startSequencesAtBeginning: the partition's batches in flight take the current producer id and epoch (from
   * 2.5.0; before, they keep theirs) and sequences from 0, in order.
   */
  private startSequencesAtBeginning(partition: number): void {
    const e = this.entry(partition);
    let sequence = 0;
    for (const b of e.inflight) {
      if (this.b.kip360) {
        b.producerId = this.producerId;
        b.producerEpoch = this.producerEpoch;
      }
      b.baseSequence = sequence;
      b.reopened = true;
      sequence = incrementSequence(sequence);
    }
    e.nextSequence = sequence;
    e.lastAckedSequence = NONE;
    e.producerId = this.producerId;
    e.producerEpoch = this.producerEpoch;
  }

  /** resetProducerId (before 2.5.0): no producer id until InitProducerId answers, and no sequences. */
  resetProducerId(): void {
    this.setProducerIdAndEpoch(NO_PRODUCER, NONE);
    this.partitions.clear();
    this.unresolved.clear();
  }
}

/** The order of a partition's batches in flight. */
function bySequence(x: SequencedBatch, y: SequencedBatch): number {
  return x.baseSequence - y.baseSequence;
}

/** Whether `batches` is already as sort(bySequence) would leave it. */
function inSequenceOrder(batches: readonly SequencedBatch[]): boolean {
  for (let i = 1; i < batches.length; i++) if (batches[i - 1].baseSequence > batches[i].baseSequence) return false;
  return true;
}

/** DefaultRecordBatch.incrementSequence: sequences wrap from Int.MaxValue to 0. */
function incrementSequence(sequence: number): number {
  return sequence === INT_MAX ? 0 : sequence + 1;
}
