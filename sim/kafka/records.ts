// Record batches as Kafka stores them (Kafka's DefaultRecordBatch: baseOffset, nextOffset,
// partitionLeaderEpoch, producerId, producerEpoch, baseSequence): each carries the leader epoch it was written
// in, and the idempotent producer's id, epoch and sequence. One record holds one value (the workloads' unique
// integers).

export interface RecordBatch {
  baseOffset: number;
  /** Leader epoch of the leader that appended the batch. */
  epoch: number;
  /** Idempotent producer id, or -1 for a non-idempotent producer. */
  producerId: number;
  /** The producer's epoch (0 from InitProducerId, bumped by KIP-360), or -1 without a producer id. */
  producerEpoch: number;
  /** Sequence number of the first record, or -1. */
  baseSequence: number;
  values: number[];
  /**
   * A coordinator's records (origin COORDINATOR): one structured payload per value, as Kafka's internal topics
   * carry keys and values its coordinators serialise. `values` still counts the offsets (each coordinator record
   * gets a unique negative value, never a workload's); the log keeps payloads as they are, opaque to it.
   */
  payloads?: readonly CoordinatorRecord[];
}

/**
 * One record of an internal topic: its key and value as the owning coordinator defines them (a null value is a
 * tombstone). The log never reads them; each coordinator checks the shape of what it loads.
 */
export interface CoordinatorRecord {
  key: string;
  value: Readonly<Record<string, unknown>> | null;
}

/** The records [from, to) of a batch as a batch of their own (a truncation or a read cut it). */
export function sliceBatch(b: RecordBatch, from: number, to: number = nextOffsetOf(b)): RecordBatch {
  const i = from - b.baseOffset;
  const j = to - b.baseOffset;
  const out: RecordBatch = { ...b, baseOffset: from, values: b.values.slice(i, j) };
  if (b.payloads !== undefined) out.payloads = b.payloads.slice(i, j);
  return out;
}

export function nextOffsetOf(b: RecordBatch): number {
  return b.baseOffset + b.values.length;
}

export const NO_PRODUCER = -1;
