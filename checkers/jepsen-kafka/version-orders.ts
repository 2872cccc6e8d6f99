// Version orders (jepsen.tests.kafka/version-orders): per key, the log as the history observed it, offset by
// offset, from every poll (ok, info and fail alike: a Kafka consumer reports what the log holds whatever
// becomes of its transaction) and from the sends of ops that must have committed. Offsets are then made
// dense (transaction markers and aborted records leave gaps no one can see), and each index holds the first
// version seen at its offset: Jepsen's :by-index, with :by-value mapping a version to its index.
import { UNKNOWN_OFFSET } from '../queue/index.ts';
import type { Commits } from './commits.ts';
import { NO_VERSION, type TxnOps } from './txn-ops.ts';

export interface KeyLog {
  /** The offsets anything was seen at, ascending; index i of this array is dense index i. */
  offsets: Float64Array;
  /** dense index → the version Jepsen's order puts there: the first one seen at that offset. */
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

interface Building {
  first: Map<number, number>;
  extra: Map<number, number[]>;
}

export function versionOrders(ops: TxnOps, commits: Commits): VersionOrders {
  const building: Building[] = ops.versions.keys.map(() => ({ first: new Map(), extra: new Map() }));
  const { keyOf } = ops.versions;
  for (let op = 0; op < ops.count; op++) {
    if (commits.committed[op] === 1) {
      for (let w = ops.writeStart[op]; w < ops.writeStart[op + 1]; w++) {
        const offset = ops.writeOffset[w];
        const version = ops.writeVersion[w];
        if (offset !== UNKNOWN_OFFSET) observe(building[keyOf.get(version)], offset, version);
      }
    }
    for (let r = ops.readStart[op]; r < ops.readStart[op + 1]; r++) {
      const offset = ops.readOffset[r];
      const version = ops.readVersion[r];
      if (offset !== UNKNOWN_OFFSET && version !== NO_VERSION) observe(building[ops.readKey[r]], offset, version);
    }
  }
  const n = ops.versions.count;
  const orders: VersionOrders = {
    logs: [],
    indexOf: new Int32Array(n).fill(-1),
    firstIndex: new Int32Array(n).fill(-1),
    lastIndex: new Int32Array(n).fill(-1),
    offsetCount: new Int32Array(n),
  };
  for (const b of building) orders.logs.push(finish(b, orders));
  return orders;
}

function observe(log: Building, offset: number, version: number): void {
  const first = log.first.get(offset);
  if (first === version) return;
  if (first === undefined) {
    log.first.set(offset, version);
    return;
  }
  const extra = log.extra.get(offset);
  if (extra === undefined) log.extra.set(offset, [version]);
  else if (!extra.includes(version)) extra.push(version);
}

function finish(b: Building, orders: VersionOrders): KeyLog {
  const offsets = Float64Array.from(b.first.keys()).sort();
  const byIndex = new Int32Array(offsets.length);
  for (let i = 0; i < offsets.length; i++) {
    const first = b.first.get(offsets[i]) as number;
    byIndex[i] = first;
    // Later indices win, as Clojure's (into {} ...) keeps the last entry for a key.
    orders.indexOf[first] = i;
    seenAt(orders, first, i);
    for (const other of b.extra.get(offsets[i]) ?? []) seenAt(orders, other, i);
  }
  return { offsets, byIndex, extra: b.extra };
}

function seenAt(orders: VersionOrders, version: number, index: number): void {
  if (orders.firstIndex[version] < 0) orders.firstIndex[version] = index;
  orders.lastIndex[version] = index;
  orders.offsetCount[version]++;
}

/** Every version seen at dense index `index` of `log`, the one in the order first. */
export function versionsAt(log: KeyLog, index: number): number[] {
  return [log.byIndex[index], ...(log.extra.get(log.offsets[index]) ?? [])];
}
