// Record batches as Kafka stores them (Kafka's DefaultRecordBatch: baseOffset, nextOffset,
// partitionLeaderEpoch, producerId, baseSequence): each carries the leader epoch it was written in, and
// the idempotent producer's id and sequence. One record holds one value (the workloads' unique integers).

export interface RecordBatch {
  baseOffset: number;
  /** Leader epoch of the leader that appended the batch. */
  epoch: number;
  /** Idempotent producer id, or -1 for a non-idempotent producer. */
  producerId: number;
  /** Sequence number of the first record, or -1. */
  baseSequence: number;
  values: number[];
}

export function nextOffsetOf(b: RecordBatch): number {
  return b.baseOffset + b.values.length;
}

export const NO_PRODUCER = -1;
