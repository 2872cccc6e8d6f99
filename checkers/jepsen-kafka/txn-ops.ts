// The history as Jepsen's Kafka checker sees it (jepsen.tests.kafka, op-writes and op-reads): every client
// completion of a send, poll or txn, with its sends (when f is send or txn) and its polls (when f is poll or
// txn) decoded once into flat arrays of versions. Every later pass reads these arrays, never the history.
import { isClientProcess, type History, type Op, type Value } from '../../workloads/history/format.ts';
import {
  invocationPositions,
  newSendFields,
  pollRecordsByKey,
  readSend,
  toKey,
  toRecordValue,
  UNKNOWN_OFFSET,
} from '../queue/index.ts';
import { IntList } from './int-list.ts';
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
  /** History position → op, -1 for positions that are not such a completion. */
  opAt: Int32Array;
}

const TYPES: Readonly<Record<string, number>> = { ok: OK, info: INFO, fail: FAIL };
const WRITES = new Set(['send', 'txn']);
const READS = new Set(['poll', 'txn']);

/** Whether Jepsen's checker reads the op at all: a client's send, poll or txn. */
export function isTxnOp(op: Op): boolean {
  return isClientProcess(op.process) && (WRITES.has(op.f) || READS.has(op.f));
}

export function decodeTxnOps(history: History): TxnOps {
  const invocationOf = invocationPositions(history);
  const versions = new Versions();
  const position = new IntList(1024);
  const writeStart = new IntList(1024);
  const writeVersion = new IntList(1024);
  const writeOffset: number[] = [];
  const readStart = new IntList(1024);
  const readKey = new IntList(1024);
  const readVersion = new IntList(1024);
  const readOffset: number[] = [];
  const rebalanced = new Map<number, Set<number>>();
  const send = newSendFields();
  for (let p = 0; p < history.length; p++) {
    const op = history[p];
    if (op.type === 'invoke' || !isTxnOp(op)) continue;
    const id = position.length;
    position.push(p);
    writeStart.push(writeVersion.length);
    readStart.push(readVersion.length);
    const mops = microOpsOf(op, history, invocationOf[p]);
    for (const mop of mops) {
      if (WRITES.has(op.f) && readSend(mop, send)) {
        writeVersion.push(versions.version(versions.keyId(send.key), send.value));
        writeOffset.push(send.offset);
        continue;
      }
      const byKey = READS.has(op.f) ? pollRecordsByKey(mop) : null;
      if (byKey === null) continue;
      for (const keyText in byKey) {
        const key = toKey(keyText);
        const pairs = byKey[keyText];
        if (key === null || !Array.isArray(pairs)) continue;
        const keyId = versions.keyId(key);
        let read = 0;
        for (const pair of pairs) {
          if (!Array.isArray(pair) || pair.length < 2) continue;
          readKey.push(keyId);
          readVersion.push(versions.version(keyId, toRecordValue(pair[1])));
          readOffset.push(typeof pair[0] === 'number' && pair[0] >= 0 ? pair[0] : UNKNOWN_OFFSET);
          read++;
        }
        if (read === 0) {
          readKey.push(keyId);
          readVersion.push(NO_VERSION);
          readOffset.push(UNKNOWN_OFFSET);
        }
      }
    }
    const keys = rebalancedKeys(op.rebalanceLog, versions);
    if (keys !== null) rebalanced.set(id, keys);
  }
  writeStart.push(writeVersion.length);
  readStart.push(readVersion.length);
  const count = position.length;
  const positions = position.view();
  const opAt = new Int32Array(history.length).fill(-1);
  const invocation = new Int32Array(count);
  const type = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    opAt[positions[i]] = i;
    invocation[i] = invocationOf[positions[i]];
    type[i] = TYPES[history[positions[i]].type];
  }
  return {
    versions,
    count,
    position: positions,
    invocation,
    type,
    writeStart: writeStart.view(),
    writeVersion: writeVersion.view(),
    writeOffset: Float64Array.from(writeOffset),
    readStart: readStart.view(),
    readKey: readKey.view(),
    readVersion: readVersion.view(),
    readOffset: Float64Array.from(readOffset),
    rebalanced,
    opAt,
  };
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
