// The per-key offset index: what every poll and every committed send says sits at each offset of each
// partition. Hash maps keyed by offset and by value, never arrays sized by the largest offset, because
// offsets are sparse (transaction markers, truncations) and can be large.
import type { Key, RecordValue } from './micro-ops.ts';

export interface KeyLog {
  key: Key;
  /** offset → the first value observed there. */
  valueAt: Map<number, RecordValue>;
  /** offset → further distinct values observed there (only for inconsistent offsets). */
  extraValuesAt: Map<number, RecordValue[]>;
  /** value → the first offset it was observed at. */
  offsetOf: Map<RecordValue, number>;
  /** value → further distinct offsets it was observed at (only for duplicates). */
  extraOffsetsOf: Map<RecordValue, number[]>;
  /** Every value some poll returned for this key. */
  readValues: Set<RecordValue>;
  /** Highest offset any poll returned for this key (-1 when none), and the completion that returned it. */
  maxReadOffset: number;
  maxReadPosition: number;
  /** Distinct known offsets in ascending order; filled by sortKnownOffsets once the index is complete. */
  knownOffsets: Float64Array;
}

/** key (partition) → its log as observed. */
export type OffsetIndex = Map<Key, KeyLog>;

export function newKeyLog(key: Key): KeyLog {
  return {
    key,
    valueAt: new Map(),
    extraValuesAt: new Map(),
    offsetOf: new Map(),
    extraOffsetsOf: new Map(),
    readValues: new Set(),
    maxReadOffset: -1,
    maxReadPosition: -1,
    knownOffsets: new Float64Array(0),
  };
}

export function keyLogFor(index: OffsetIndex, key: Key): KeyLog {
  let log = index.get(key);
  if (log === undefined) {
    log = newKeyLog(key);
    index.set(key, log);
  }
  return log;
}

/** Records that `value` was observed at `offset`. */
export function observeRecord(log: KeyLog, offset: number, value: RecordValue): void {
  const first = log.valueAt.get(offset);
  // The common case by far: a record read again by another consumer, already indexed both ways.
  if (first === value) return;
  if (first === undefined) {
    log.valueAt.set(offset, value);
  } else {
    appendDistinct(log.extraValuesAt, offset, value);
  }
  const firstOffset = log.offsetOf.get(value);
  if (firstOffset === undefined) {
    log.offsetOf.set(value, offset);
  } else if (firstOffset !== offset) {
    appendDistinct(log.extraOffsetsOf, value, offset);
  }
}

function appendDistinct<K, V>(map: Map<K, V[]>, key: K, item: V): void {
  const items = map.get(key);
  if (items === undefined) map.set(key, [item]);
  else if (!items.includes(item)) items.push(item);
}

/** Every distinct value observed at `offset`, first observed first. */
export function valuesAt(log: KeyLog, offset: number): RecordValue[] {
  if (!log.valueAt.has(offset)) return [];
  const first = log.valueAt.get(offset) as RecordValue;
  return [first, ...(log.extraValuesAt.get(offset) ?? [])];
}

/** Every distinct offset `value` was observed at, first observed first. */
export function offsetsOf(log: KeyLog, value: RecordValue): number[] {
  const first = log.offsetOf.get(value);
  if (first === undefined) return [];
  return [first, ...(log.extraOffsetsOf.get(value) ?? [])];
}

export function sortKnownOffsets(index: OffsetIndex): void {
  for (const log of index.values()) {
    const offsets = new Float64Array(log.valueAt.size);
    let i = 0;
    for (const offset of log.valueAt.keys()) offsets[i++] = offset;
    log.knownOffsets = offsets.sort();
  }
}

/** Position in knownOffsets of the first known offset above `offset` (or equal to it, if `inclusive`). */
function searchKnown(log: KeyLog, offset: number, inclusive: boolean): number {
  const offsets = log.knownOffsets;
  let lo = 0;
  let hi = offsets.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (offsets[mid] < offset || (!inclusive && offsets[mid] === offset)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** How many known offsets lie strictly between `low` and `high`: the values a reader skipped. */
export function countKnownBetween(log: KeyLog, low: number, high: number): number {
  return Math.max(0, searchKnown(log, high, true) - searchKnown(log, low, false));
}

/** Up to `limit` known offsets strictly between `low` and `high`, ascending. */
export function knownBetween(log: KeyLog, low: number, high: number, limit: number): number[] {
  const found: number[] = [];
  const offsets = log.knownOffsets;
  for (let i = searchKnown(log, low, false); i < offsets.length && offsets[i] < high && found.length < limit; i++) {
    found.push(offsets[i]);
  }
  return found;
}
