// What one poll hands the workload: its records per partition, the positions it moved by itself (truncations
// detected with KIP-320, resets by auto.offset.reset), its error count, and what it raised instead of returning
// records (auto.offset.reset=none). sim/kafka's Consumer drops answers that arrive after a poll returned (the
// records are fetched again by the next poll, as Kafka's fetcher discards data for a position that moved), so
// a returned PollResult never changes and can be taken as it is.
import type { ConsumerException, PollResult } from '../../sim/kafka/clients/consumer.ts';
import type { RecordPair } from './micro-ops.ts';

export interface Truncation {
  partition: number;
  /** The consumer's position before it was moved back. */
  from: number;
  to: number;
  /** A truncation detected, or the reset policy. */
  cause?: 'truncation' | 'reset';
}

/** What one poll delivers: records per partition in offset order, detected truncations, error count. */
export interface Delivered {
  records: Map<number, RecordPair[]>;
  truncations: Truncation[];
  errors: number;
  exception?: ConsumerException;
}

export function deliveredBy(result: PollResult): Delivered {
  return {
    records: result.records,
    truncations: result.truncations.map((t) => ({ ...t })),
    errors: result.errors.length,
    ...(result.exception === undefined ? {} : { exception: result.exception }),
  };
}

/**
 * Where the application seeks after a poll raised (auto.offset.reset=none): a truncated partition to the first
 * offset known to diverge, as the LogTruncationException's divergentOffsets name it, else to the log start.
 */
export function seeksAfter(exception: ConsumerException): Map<number, number> {
  return new Map(exception.partitions.map((p) => [p.partition, p.divergentOffset ?? 0]));
}

/**
 * A truncated partition's records are held back and the consumer seeks to where re-reading must start,
 * as Kafka's consumer does when it raises a truncation: recording them first would show the consumer
 * jumping back with no seek in between. Returns the records to record and the seeks to make after them.
 */
export function holdBackTruncated(delivered: Delivered): {
  records: Map<number, RecordPair[]>;
  seeks: Map<number, number>;
} {
  const seeks = new Map<number, number>();
  if (delivered.truncations.length === 0) return { records: delivered.records, seeks };
  const records = new Map(delivered.records);
  for (const t of delivered.truncations) {
    const held = records.get(t.partition);
    let target = Math.min(t.to, seeks.get(t.partition) ?? Infinity);
    if (held !== undefined && held.length > 0) target = Math.min(target, held[0][0]);
    records.delete(t.partition);
    seeks.set(t.partition, target);
  }
  return { records, seeks };
}
