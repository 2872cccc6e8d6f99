// The content of a record file (a Kafka log segment): records, each taking a number of bytes, rather than
// the bytes themselves. A crash can still cut anywhere: a record cut short becomes a TORN piece, whose bytes
// are on disk but whose record cannot be read back, as a batch failing its CRC.
//
// Views are immutable and share one store, so keeping the durable content beside the current one costs
// nothing until a truncation is followed by an append; then the store is copied if the durable view still
// needs what the append would overwrite.

/** A record cut short by a crash. */
export const TORN: unique symbol = Symbol('torn');

interface Store {
  records: unknown[];
  /** ends[i]: the byte just past record i. */
  ends: number[];
}

export interface RecordView {
  readonly store: Store;
  /** The view holds store.records[0..count). Only appendTo changes it, on a view nobody else holds. */
  count: number;
}

export const EMPTY_VIEW: RecordView = Object.freeze({
  store: Object.freeze({
    records: Object.freeze([]) as unknown as unknown[],
    ends: Object.freeze([]) as unknown as number[],
  }),
  count: 0,
});

export function bytesOf(v: RecordView): number {
  return v.count === 0 ? 0 : v.store.ends[v.count - 1];
}

/**
 * v with `record` appended (v itself, grown, unless v is `durable`, the other view of the same file, which
 * must stay intact).
 * The store is extended in place unless that would overwrite a record `durable` still shows.
 */
export function appendTo(v: RecordView, record: unknown, size: number, durable: RecordView): RecordView {
  let store = v.store;
  if (store === EMPTY_VIEW.store) {
    // The shared empty view's store is never written: every file gets its own.
    store = { records: [], ends: [] };
  } else if (store.records.length > v.count) {
    if (durable.store === store && durable.count > v.count) {
      store = { records: store.records.slice(0, v.count), ends: store.ends.slice(0, v.count) };
    } else {
      store.records.length = v.count;
      store.ends.length = v.count;
    }
  }
  store.ends.push(bytesOf(v) + size);
  store.records.push(record);
  // The file's current view is its own (the durable one is another object, or a new one is made): grow it
  // in place rather than allocate a view per append.
  if (v !== durable && v !== EMPTY_VIEW && v.store === store) {
    v.count++;
    return v;
  }
  return { store, count: v.count + 1 };
}

/** The first `bytes` bytes of v: whole records, then a TORN piece if the cut falls inside one. */
export function prefixOf(v: RecordView, bytes: number): RecordView {
  if (bytes >= bytesOf(v)) return v;
  const ends = v.store.ends;
  // Records that end at or before the cut survive whole (binary search: ends is increasing).
  let lo = 0;
  let hi = v.count;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ends[mid] <= bytes) lo = mid + 1;
    else hi = mid;
  }
  const whole = lo;
  const wholeBytes = whole === 0 ? 0 : ends[whole - 1];
  if (wholeBytes === bytes) return { store: v.store, count: whole };
  // A record cut partway: a new store, since the torn piece takes a slot another view may show whole.
  const records = v.store.records.slice(0, whole);
  const newEnds = ends.slice(0, whole);
  records.push(TORN);
  newEnds.push(bytes);
  return { store: { records, ends: newEnds }, count: whole + 1 };
}

/** The records of v, in order (TORN pieces included). */
export function recordsOf(v: RecordView): unknown[] {
  return v.store.records.slice(0, v.count);
}
