// The history as Jepsen's Kafka checker sees it (jepsen.tests.kafka, op-writes and op-reads): every client
// completion of a send, poll or txn, with its sends (when f is send or txn) and its polls (when f is poll or
// txn) decoded once into flat arrays of versions. Every later pass reads these arrays, never the history.
import { isClientProcess, type History, type Op, type Value } from '../../workloads/history/format.ts';
// Straight from micro-ops.ts, not through the queue checker's index: under tsx each re-export is a getter,
// and these are called for every record of the history.
import {
  newSendFields,
  pollRecordsByKey,
  readSend,
  toKey,
  toRecordValue,
  UNKNOWN_OFFSET,
  type Key,
  type RecordValue,
} from '../queue/micro-ops.ts';
import type { Arena } from './arena.ts';
import { Versions } from './versions.ts';

export const OK = 0;
export const INFO = 1;
export const FAIL = 2;

/** Marks a key that a poll listed with no records ({:x []}): Jepsen counts it as read, with no value. */
export const NO_VERSION = -1;

export interface TxnOps {
  versions: Versions;
  count: number;
  /** op → history position of its completion, of its invocation (-1 when unknown), its OK, INFO or FAIL. */
  position: Int32Array;
  invocation: Int32Array;
  type: Uint8Array;
  /** Sends of op i are entries writeStart[i] .. writeStart[i + 1] - 1, in the order the op sent them. */
  writeStart: Int32Array;
  writeVersion: Int32Array;
  /** The offset the completion named, UNKNOWN_OFFSET when none. */
  writeOffset: Float64Array;
  /** Polled records of op i are entries readStart[i] .. readStart[i + 1] - 1, in the order polled. */
  readStart: Int32Array;
  readKey: Int32Array;
  /** NO_VERSION for a key listed with no records. */
  readVersion: Int32Array;
  readOffset: Float64Array;
  /** op → the keys its :rebalance-log says were reassigned while it ran (only ops that have one). */
  rebalanced: Map<number, Set<number>>;
}

const TYPES: Readonly<Record<string, number>> = { ok: OK, info: INFO, fail: FAIL };
const WRITES = new Set(['send', 'txn']);
const READS = new Set(['poll', 'txn']);

/** Whether Jepsen's checker reads the op at all: a client's send, poll or txn. */
export function isTxnOp(op: Op): boolean {
  return isClientProcess(op.process) && (WRITES.has(op.f) || READS.has(op.f));
}

/** What one walk over the history meets, in order: each op, then its sends and its polled records. */
interface Visitor {
  op(position: number, invocation: number): void;
  send(key: Key, value: RecordValue, offset: number): void;
  /** `pair` null for a key polled with no records. */
  read(key: Key, pair: Value[] | null): void;
}

/**
 * Decodes the history in two walks: the first counts ops, sends and polled records, the second fills arrays
 * allocated once at those sizes (see arena.ts for why growing arrays cost more than a second walk).
 */
export function decodeTxnOps(history: History, arena: Arena): TxnOps {
  const sizes = { ops: 0, writes: 0, reads: 0 };
  walk(history, {
    op: () => sizes.ops++,
    send: () => sizes.writes++,
    read: () => sizes.reads++,
  });
  const versions = new Versions(arena, sizes.writes + sizes.reads);
  const ops: TxnOps = {
    versions,
    count: sizes.ops,
    position: arena.int32(sizes.ops),
    invocation: arena.int32(sizes.ops),
    type: arena.uint8(sizes.ops),
    writeStart: arena.int32(sizes.ops + 1),
    writeVersion: arena.int32(sizes.writes),
    writeOffset: arena.float64(sizes.writes),
    readStart: arena.int32(sizes.ops + 1),
    readKey: arena.int32(sizes.reads),
    readVersion: arena.int32(sizes.reads),
    readOffset: arena.float64(sizes.reads),
    rebalanced: new Map(),
  };
  let op = -1;
  let w = 0;
  let r = 0;
  walk(history, {
    op(position, invocation) {
      op++;
      ops.position[op] = position;
      ops.invocation[op] = invocation;
      ops.type[op] = TYPES[history[position].type];
      ops.writeStart[op] = w;
      ops.readStart[op] = r;
      const keys = rebalancedKeys(history[position].rebalanceLog, versions);
      if (keys !== null) ops.rebalanced.set(op, keys);
    },
    send(key, value, offset) {
      ops.writeVersion[w] = versions.version(versions.keyId(key), value);
      ops.writeOffset[w++] = offset;
    },
    read(key, pair) {
      const keyId = versions.keyId(key);
      ops.readKey[r] = keyId;
      ops.readVersion[r] = pair === null ? NO_VERSION : versions.version(keyId, toRecordValue(pair[1]));
      ops.readOffset[r++] = pair !== null && typeof pair[0] === 'number' && pair[0] >= 0 ? pair[0] : UNKNOWN_OFFSET;
    },
  });
  ops.writeStart[ops.count] = w;
  ops.readStart[ops.count] = r;
  return ops;
}

function walk(history: History, visit: Visitor): void {
  const invoked = new Map<number | string, number>();
  const send = newSendFields();
  for (let p = 0; p < history.length; p++) {
    const op = history[p];
    if (op.type === 'invoke') {
      invoked.set(op.process, p);
      continue;
    }
    const invocation = invoked.get(op.process) ?? -1;
    invoked.delete(op.process);
    if (!isTxnOp(op)) continue;
    visit.op(p, invocation);
    for (const mop of microOpsOf(op, history, invocation)) {
      if (WRITES.has(op.f) && readSend(mop, send)) {
        visit.send(send.key, send.value, send.offset);
        continue;
      }
      const byKey = READS.has(op.f) ? pollRecordsByKey(mop) : null;
      if (byKey !== null) visitPoll(byKey, visit);
    }
  }
}

function visitPoll(byKey: { [key: string]: Value }, visit: Visitor): void {
  for (const keyText in byKey) {
    const key = toKey(keyText);
    const pairs = byKey[keyText];
    if (key === null || !Array.isArray(pairs)) continue;
    let read = 0;
    for (const pair of pairs) {
      if (!Array.isArray(pair) || pair.length < 2) continue;
      visit.read(key, pair);
      read++;
    }
    if (read === 0) visit.read(key, null);
  }
}

/**
 * The completion's micro-ops. Jepsen's client completes a crashed or failed op with the invocation's value;
 * a completion recorded with no value at all is read the same way, from its invocation.
 */
function microOpsOf(op: Op, history: History, invocation: number): Value[] {
  if (Array.isArray(op.value)) return op.value;
  const invoked = invocation >= 0 ? history[invocation].value : null;
  return op.type !== 'ok' && Array.isArray(invoked) ? invoked : [];
}

/** The keys named by a :rebalance-log [{:keys [k ...]} ...], or null without one. */
function rebalancedKeys(log: Value | undefined, versions: Versions): Set<number> | null {
  if (!Array.isArray(log)) return null;
  const keys = new Set<number>();
  for (const event of log) {
    if (event === null || typeof event !== 'object' || Array.isArray(event) || !Array.isArray(event.keys)) continue;
    for (const k of event.keys) {
      const key = toKey(k);
      if (key !== null) keys.add(versions.keyId(key));
    }
  }
  return keys;
}
