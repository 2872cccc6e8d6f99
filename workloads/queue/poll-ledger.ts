// Works around sim/kafka's Consumer delivering part of a poll after the poll has returned: a fetch (or a
// KIP-320 position validation) that answers after the poll's timeout still writes its records (or its
// truncation) into the PollResult already handed back, and moves the consumer's position past them.
// Kafka's consumer buffers such late data for the next poll; this ledger does the same from the
// outside: it remembers each returned result and, at every later poll, hands over what they gained since.
import type { PollResult } from '../../sim/kafka/clients/consumer.ts';
import type { RecordPair } from './micro-ops.ts';

export interface Truncation {
  partition: number;
  /** The consumer's position before it was moved back. */
  from: number;
  to: number;
}

/** What one poll delivers: records per partition in offset order, detected truncations, error count. */
export interface Delivered {
  records: Map<number, RecordPair[]>;
  truncations: Truncation[];
  errors: number;
}

interface Tracked {
  result: PollResult;
  /** Per partition, how many of the result's records were already delivered. */
  taken: Map<number, number>;
  truncations: number;
  errors: number;
  since: number;
}

export class PollLedger {
  private tracked: Tracked[] = [];

  /** `retentionMs`: how long a returned result can still change (its requests' timeouts bound it). */
  constructor(private readonly retentionMs: number) {}

  /** Everything `result` delivers: what earlier results gained after returning first, then its own. */
  take(result: PollResult, now: number): Delivered {
    const out: Delivered = { records: new Map(), truncations: [], errors: 0 };
    this.tracked.push({ result, taken: new Map(), truncations: 0, errors: 0, since: now });
    for (const t of this.tracked) drain(t, out);
    this.tracked = this.tracked.filter((t) => now - t.since <= this.retentionMs);
    return out;
  }

  /** After the client restarts its old results can no longer change. */
  reset(): void {
    this.tracked = [];
  }
}

function drain(t: Tracked, out: Delivered): void {
  for (const [partition, records] of t.result.records) {
    const from = t.taken.get(partition) ?? 0;
    if (records.length <= from) continue;
    const list = out.records.get(partition) ?? [];
    for (let i = from; i < records.length; i++) list.push([records[i][0], records[i][1]]);
    out.records.set(partition, list);
    t.taken.set(partition, records.length);
  }
  const truncations = t.result.truncations;
  for (let i = t.truncations; i < truncations.length; i++) out.truncations.push({ ...truncations[i] });
  t.truncations = truncations.length;
  out.errors += t.result.errors.length - t.errors;
  t.errors = t.result.errors.length;
}

/**
 * A truncated partition's records are held back and the consumer seeks to where re-reading must start,
 * as Kafka's consumer does when it raises a truncation: recording them first would show the consumer
 * jumping back with no seek in between. Returns the records to record and the seeks to make after them.
 */
export function holdBackTruncated(delivered: Delivered): { records: Map<number, RecordPair[]>; seeks: Map<number, number> } {
  const records = new Map(delivered.records);
  const seeks = new Map<number, number>();
  for (const t of delivered.truncations) {
    const held = records.get(t.partition);
    let target = Math.min(t.to, seeks.get(t.partition) ?? Infinity);
    if (held !== undefined && held.length > 0) target = Math.min(target, held[0][0]);
    records.delete(t.partition);
    seeks.set(t.partition, target);
  }
  return { records, seeks };
}
