// What the history proves about each version's writer (jepsen.tests.kafka: reads-by-type, writes-by-type,
// writer-of, must-have-committed?): which versions an ok op polled, which a failed op sent, which op sent
// each, and which sends took effect.
import type { Arena } from './arena.ts';
import { FAIL, INFO, NO_VERSION, OK, type TxnOps } from './txn-ops.ts';

export interface Commits {
  /** version → 1 when some ok op polled it. */
  okRead: Uint8Array;
  /** version → 1 when an ok op sent it (Jepsen's `unseen` starts from these). */
  okSent: Uint8Array;
  /** version → 1 when a failed op sent it: a poll that returns it is an aborted read (G1a). */
  failedSent: Uint8Array;
  /** version → the last op (ok, info or fail) that sent it, -1 when none did. */
  writer: Int32Array;
  /** op → 1 when its sends must have taken effect: it is ok, or it crashed (info) and an ok op polled one. */
  committed: Uint8Array;
}

export function findCommits(ops: TxnOps, arena: Arena): Commits {
  const n = ops.versions.count;
  const okRead = arena.uint8(n);
  const okSent = arena.uint8(n);
  const failedSent = arena.uint8(n);
  const writer = arena.int32(n).fill(-1);
  for (let op = 0; op < ops.count; op++) {
    const type = ops.type[op];
    for (let r = ops.readStart[op]; r < ops.readStart[op + 1]; r++) {
      const version = ops.readVersion[r];
      if (type === OK && version !== NO_VERSION) okRead[version] = 1;
    }
    for (let w = ops.writeStart[op]; w < ops.writeStart[op + 1]; w++) {
      const version = ops.writeVersion[w];
      writer[version] = op;
      if (type === OK) okSent[version] = 1;
      else if (type === FAIL) failedSent[version] = 1;
    }
  }
  const committed = arena.uint8(ops.count);
  for (let op = 0; op < ops.count; op++) {
    if (ops.type[op] === OK) committed[op] = 1;
    else if (ops.type[op] === INFO) committed[op] = someSendRead(ops, op, okRead) ? 1 : 0;
  }
  return { okRead, okSent, failedSent, writer, committed };
}

/**
 * A crashed op whose sends an ok poll returned did commit, and a Kafka transaction commits all of its sends
 * or none: so every send of it counts as committed, the ones nobody read included.
 */
function someSendRead(ops: TxnOps, op: number, okRead: Uint8Array): boolean {
  for (let w = ops.writeStart[op]; w < ops.writeStart[op + 1]; w++) if (okRead[ops.writeVersion[w]] === 1) return true;
  return false;
}
