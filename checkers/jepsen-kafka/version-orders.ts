// Version orders (jepsen.tests.kafka/version-orders): per key, the log as the history observed it, offset by
// offset, from every poll (ok, info and fail alike: a Kafka consumer reports what the log holds whatever
// becomes of its transaction) and from the sends of ops that must have committed. Offsets are then made
// dense (transaction markers and aborted records leave gaps no one can see), and each index holds one version
// seen at its offset (Jepsen's :by-index; it takes any one, this takes the one interned first), with :by-value
// mapping a version to its index.
//
// Built by sorting: each observation (offset, version) of a key is packed into one double, offset high and
// version low, and each key's doubles are sorted natively; equal observations end up side by side.
import { UNKNOWN_OFFSET } from '../queue/index.ts';
import type { Arena } from './arena.ts';
import type { Commits } from './commits.ts';
import { NO_VERSION, type TxnOps } from './txn-ops.ts';

export interface KeyLog {
  /** The offsets anything was seen at, ascending; index i of this array is dense index i. */
  offsets: Float64Array;
  /** dense index → the version Jepsen's order puts there. */
  byIndex: Int32Array;
  /** offset → the other versions seen there (inconsistent offsets only). */
  extra: Map<number, number[]>;
}

export interface VersionOrders {
  /** keyId → its log. */
  logs: KeyLog[];
  /** version → its dense index in its key's order (Jepsen's :by-value), -1 when it has none. */
  indexOf: Int32Array;
  /** version → the first and the last dense index it was seen at, -1 when it was never seen at an offset. */
  firstIndex: Int32Array;
  lastIndex: Int32Array;
  /** version → at how many offsets it was seen (2 or more: a duplicate). */
  offsetCount: Int32Array;
}

type Observe = (keyId: number, offset: number, version: number) => void;

/** Every (key, offset, version) the history shows: polls of any op, sends of ops that committed. */
function observations(ops: TxnOps, commits: Commits, observe: Observe): void {
  const { keyOf } = ops.versions;
  for (let op = 0; op < ops.count; op++) {
    if (commits.committed[op] === 1) {
      for (let w = ops.writeStart[op]; w < ops.writeStart[op + 1]; w++) {
        const offset = ops.writeOffset[w];
        if (offset !== UNKNOWN_OFFSET) observe(keyOf[ops.writeVersion[w]], offset, ops.writeVersion[w]);
      }
    }
    for (let r = ops.readStart[op]; r < ops.readStart[op + 1]; r++) {
      const offset = ops.readOffset[r];
      if (offset !== UNKNOWN_OFFSET && ops.readVersion[r] !== NO_VERSION)
        observe(ops.readKey[r], offset, ops.readVersion[r]);
    }
  }
}

export function versionOrders(ops: TxnOps, commits: Commits, arena: Arena): VersionOrders {
  const keyCount = ops.versions.keys.length;
  const start = new Int32Array(keyCount + 1);
  observations(ops, commits, (keyId) => start[keyId + 1]++);
  for (let k = 0; k < keyCount; k++) start[k + 1] += start[k];
  // Versions take the low bits; an offset too large to share a double with them sorts by the slow path.
  const scale = 2 ** Math.ceil(Math.log2(ops.versions.count + 1));
  const packed = arena.float64(start[keyCount]);
  const fill = start.slice(0, keyCount);
  const oversized = new Map<number, [number, number][]>();
  observations(ops, commits, (keyId, offset, version) => {
    const x = offset * scale + version;
    if (Number.isSafeInteger(x)) packed[fill[keyId]++] = x;
    else oversized.set(keyId, [...(oversized.get(keyId) ?? []), [offset, version]]);
  });
  const n = ops.versions.count;
  const orders: VersionOrders = {
    logs: [],
    indexOf: arena.int32(n).fill(-1),
    firstIndex: arena.int32(n).fill(-1),
    lastIndex: arena.int32(n).fill(-1),
    offsetCount: arena.int32(n),
  };
  const offsets = arena.float64(start[keyCount]);
  const byIndex = arena.int32(start[keyCount]);
  for (let k = 0; k < keyCount; k++) {
    const segment = packed.subarray(start[k], fill[k]).sort();
    const extraPairs = oversized.get(k);
    const sorted: Sorted =
      extraPairs === undefined
        ? { length: segment.length, offset: (i) => Math.floor(segment[i] / scale), version: (i) => segment[i] % scale }
        : pairsOf(segment, scale, extraPairs);
    orders.logs.push(keyLog(sorted, offsets.subarray(start[k]), byIndex.subarray(start[k]), orders));
  }
  return orders;
}

/** A key's observations, sorted by offset then version. */
interface Sorted {
  length: number;
  offset(i: number): number;
  version(i: number): number;
}

/** The slow path, for a key with offsets too large to pack: every observation as a pair, sorted. */
function pairsOf(segment: Float64Array, scale: number, extra: [number, number][]): Sorted {
  const pairs: [number, number][] = Array.from(segment, (x) => [Math.floor(x / scale), x % scale]);
  pairs.push(...extra);
  pairs.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  return { length: pairs.length, offset: (i) => pairs[i][0], version: (i) => pairs[i][1] };
}

/** One key's log from its sorted observations; `offsets` and `byIndex` have room for it. */
function keyLog(sorted: Sorted, offsets: Float64Array, byIndex: Int32Array, orders: VersionOrders): KeyLog {
  const extra = new Map<number, number[]>();
  let index = -1;
  for (let i = 0; i < sorted.length; i++) {
    const offset = sorted.offset(i);
    const version = sorted.version(i);
    if (i > 0 && sorted.offset(i - 1) === offset) {
      if (sorted.version(i - 1) === version) continue;
      extra.set(offset, [...(extra.get(offset) ?? []), version]);
    } else {
      index++;
      offsets[index] = offset;
      byIndex[index] = version;
      // Later indices win, as Clojure's (into {} ...) keeps the last entry for a key.
      orders.indexOf[version] = index;
    }
    if (orders.firstIndex[version] < 0) orders.firstIndex[version] = index;
    orders.lastIndex[version] = index;
    orders.offsetCount[version]++;
  }
  return { offsets: offsets.subarray(0, index + 1), byIndex: byIndex.subarray(0, index + 1), extra };
}

/** Every version seen at dense index `index` of `log`, the one in the order first. */
export function versionsAt(log: KeyLog, index: number): number[] {
  return [log.byIndex[index], ...(log.extra.get(log.offsets[index]) ?? [])];
}
