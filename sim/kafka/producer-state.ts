// A partition's idempotent-producer state, as the leader checks a client's append against it: Kafka's
// ProducerStateManager with its per-producer entry (ProducerIdEntry in 0.11.0, ProducerStateEntry later) and
// ProducerAppendInfo, in kafka.log until 3.4 and in storage/.../internals/log from 3.5. Per producer id: the
// producer epoch and the metadata of its last batches (one in 0.11.0, five from 1.0.0: KAFKA-5494). The state
// is derived from the log, so it is rebuilt after a truncation or a restart (truncateAndReload); a follower's
// appends are not checked (AppendOrigin.Replication), only recorded.
import type { KafkaError } from './messages.ts';
import type { KafkaBehaviours } from './protocol.ts';
import type { RecordBatch } from './records.ts';
import { NO_PRODUCER } from './records.ts';
import { P, probe } from './probes.ts';

/** RecordBatch.NO_PRODUCER_EPOCH: a producer id the partition has no state for. */
export const NO_PRODUCER_EPOCH = -1;
/** RecordBatch.NO_SEQUENCE. */
const NO_SEQUENCE = -1;
const INT_MAX = 2147483647;

/** BatchMetadata: a cached batch's sequence range and where it went. */
interface BatchMetadata {
  firstSeq: number;
  lastSeq: number;
  firstOffset: number;
}

/** ProducerStateEntry (ProducerIdEntry in 0.11.0): the epoch and the last batches of one producer id. */
interface ProducerStateEntry {
  producerEpoch: number;
  batches: BatchMetadata[];
}

export type ProducerAppendCheck =
  { kind: 'append' } | { kind: 'duplicate'; firstOffset: number } | { kind: 'error'; error: KafkaError };

/** The usual answer, one object for every check (one per append showed in profiles). */
const APPEND: ProducerAppendCheck = Object.freeze({ kind: 'append' });

/** The behaviours that decide a check (protocol.ts). */
export type ProducerStateRules = Pick<KafkaBehaviours, 'kafka5494' | 'kafka5793' | 'kip360'>;

export class ProducerStateManager {
  private producers = new Map<number, ProducerStateEntry>();

  constructor(private readonly rules: ProducerStateRules) {}

  /**
   * ProducerStateEntry.NUM_BATCHES_TO_RETAIN: 5 since KAFKA-5494 (1.0.0), so that retries of up to five
   * batches in flight are found; 0.11.0's ProducerIdEntry held the last batch only.
   */
  private get batchesToRetain(): number {
    return this.rules.kafka5494 ? 5 : 1;
  }

  /** The epoch the partition knows for a producer id, or NO_PRODUCER_EPOCH. */
  producerEpochOf(producerId: number): number {
    return this.producers.get(producerId)?.producerEpoch ?? NO_PRODUCER_EPOCH;
  }

  /**
   * A client's batch on the leader, before it is appended. First the duplicate check of
   * Log.analyzeAndValidateProducerState (UnifiedLog from 3.0): a batch of the entry's epoch with the exact
   * sequence range of a cached batch is a retry, answered with that batch's offset (0.11.0:
   * ProducerIdEntry.isDuplicate, the last batch; 1.0.0+: ProducerStateEntry.duplicateOf / findDuplicateBatch,
   * any of the cached ones). Then ProducerAppendInfo's checkProducerEpoch and checkSequence.
   */
  check(producerId: number, producerEpoch: number, firstSeq: number, lastSeq: number): ProducerAppendCheck {
    const entry = this.producers.get(producerId);
    if (entry !== undefined && entry.producerEpoch === producerEpoch) {
      // A loop, not Array.find: no closure per leader append on the hot path.
      let dup: (typeof entry.batches)[number] | undefined;
      for (const b of entry.batches) {
        if (b.firstSeq === firstSeq && b.lastSeq === lastSeq) {
          dup = b;
          break;
        }
      }
      if (dup !== undefined) {
        probe(
          dup === entry.batches[entry.batches.length - 1]
            ? P.idempotentDuplicateLastBatch
            : P.idempotentDuplicateOlderBatch,
        );
        return { kind: 'duplicate', firstOffset: dup.firstOffset };
      }
    }
    const currentEpoch = entry?.producerEpoch ?? NO_PRODUCER_EPOCH;
    // checkProducerEpoch (0.11.0: ProducerAppendInfo.validateAppend's isFenced): an older epoch is fenced. The
    // broker throws ProducerFencedException before 2.7 and InvalidProducerEpochException from 2.7 (KAFKA-9911,
    // KAFKA-10687); both go out as INVALID_PRODUCER_EPOCH (error code 47) in the produce response.
    if (producerEpoch < currentEpoch) {
      probe(P.idempotentInvalidProducerEpoch);
      return { kind: 'error', error: 'INVALID_PRODUCER_EPOCH' };
    }
    const error = this.checkSequence(entry, currentEpoch, producerEpoch, firstSeq);
    if (error === 'OUT_OF_ORDER_SEQUENCE_NUMBER') probe(P.idempotentOutOfOrderSequence);
    else if (error === 'UNKNOWN_PRODUCER_ID') probe(P.idempotentUnknownProducerId);
    return error === null ? APPEND : { kind: 'error', error };
  }

  /**
   * ProducerAppendInfo.checkSequence. A new epoch must start at sequence 0; a producer id the partition has no
   * state for (all its batches truncated away, or never here) is OUT_OF_ORDER_SEQUENCE_NUMBER in 0.11.0
   * (validateAppend), UNKNOWN_PRODUCER_ID from 1.0.0 (KAFKA-5793), and from 2.5.0 (KIP-360, KAFKA-8710) is
   * accepted whatever its sequence ("no current producer epoch: accept writes with any sequence number").
   * Within an epoch the batch must follow the last one (inSequence, which wraps at Int.MaxValue).
   */
  private checkSequence(
    entry: ProducerStateEntry | undefined,
    currentEpoch: number,
    producerEpoch: number,
    firstSeq: number,
  ): KafkaError | null {
    const { kafka5793, kip360 } = this.rules;
    if (producerEpoch !== currentEpoch) {
      if (firstSeq === 0) {
        if (currentEpoch !== NO_PRODUCER_EPOCH) probe(P.idempotentNewEpochAccepted);
        return null;
      }
      if (currentEpoch !== NO_PRODUCER_EPOCH) return 'OUT_OF_ORDER_SEQUENCE_NUMBER';
      if (kip360) {
        probe(P.idempotentUnknownProducerAccepted);
        return null;
      }
      return kafka5793 ? 'UNKNOWN_PRODUCER_ID' : 'OUT_OF_ORDER_SEQUENCE_NUMBER';
    }
    // Same epoch. An entry always holds a batch here: only a transaction marker leaves one without (its
    // NO_SEQUENCE case: OUT_OF_ORDER before 2.1, UNKNOWN_PRODUCER_ID in 2.1-2.4), and kafkasim writes none.
    const batches = entry?.batches ?? [];
    const lastSeq = batches.length === 0 ? NO_SEQUENCE : batches[batches.length - 1].lastSeq;
    const inSequence = firstSeq === lastSeq + 1 || (firstSeq === 0 && lastSeq === INT_MAX);
    return inSequence ? null : 'OUT_OF_ORDER_SEQUENCE_NUMBER';
  }

  /**
   * Records an appended batch, the leader's or a follower's (ProducerStateEntry.addBatch: a new epoch clears
   * the cached batches, maybeUpdateProducerEpoch; the oldest cached batch goes when the cache is full).
   */
  update(batch: RecordBatch): void {
    if (batch.producerId === NO_PRODUCER) return;
    let entry = this.producers.get(batch.producerId);
    if (entry === undefined) {
      entry = { producerEpoch: NO_PRODUCER_EPOCH, batches: [] };
      this.producers.set(batch.producerId, entry);
    }
    if (entry.producerEpoch !== batch.producerEpoch) {
      entry.producerEpoch = batch.producerEpoch;
      entry.batches = [];
    }
    // A transaction marker moves the epoch (maybeUpdateProducerEpoch) and caches no sequence (appendEndTxnMarker).
    if (batch.control !== undefined) return;
    const lastSeq = batch.baseSequence + batch.values.length - 1;
    entry.batches.push({ firstSeq: batch.baseSequence, lastSeq, firstOffset: batch.baseOffset });
    if (entry.batches.length > this.batchesToRetain) entry.batches.shift();
  }

  /**
   * One past the last offset of the newest batch remembered of any producer (0 if none): the state is derived
   * from the log, so this is never past the log end offset (truncateAndReload after a truncation).
   */
  endOffset(): number {
    let end = 0;
    for (const entry of this.producers.values()) {
      for (const b of entry.batches) end = Math.max(end, b.firstOffset + b.lastSeq - b.firstSeq + 1);
    }
    return end;
  }

  /**
   * ProducerAppendInfo.checkProducerEpoch (3.9) for a marker (appendEndTxnMarker) or a coordinator's transactional
   * batch (appendDataBatch, origin COORDINATOR, no sequence check): an epoch older than the producer's is refused
   * (InvalidProducerEpochException: INVALID_PRODUCER_EPOCH).
   */
  checkMarker(producerId: number, producerEpoch: number): KafkaError {
    return producerEpoch < this.producerEpochOf(producerId) ? 'INVALID_PRODUCER_EPOCH' : 'NONE';
  }

  /** ProducerStateManager.truncateAndReload: the state as the log now holds it. */
  rebuild(batches: readonly RecordBatch[]): void {
    this.producers = new Map();
    for (const b of batches) this.update(b);
  }
}
