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
}

export function nextOffsetOf(b: RecordBatch): number {
  return b.baseOffset + b.values.length;
}

export const NO_PRODUCER = -1;
