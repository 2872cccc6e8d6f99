// What every detector reads: the history, its decoded ops, what they prove committed and the version orders;
// and the small helpers examples use to name versions and show ops.
import type { History, Op } from '../../workloads/history/format.ts';
import { formatValue } from '../queue/describe.ts';
import { arenaFor, type Arena } from './arena.ts';
import { findCommits, type Commits } from './commits.ts';
import { decodeTxnOps, type TxnOps } from './txn-ops.ts';
import { versionOrders, type VersionOrders } from './version-orders.ts';

export interface Analysis {
  history: History;
  /** Where the checker's large arrays come from (arena.ts). */
  arena: Arena;
  ops: TxnOps;
  commits: Commits;
  orders: VersionOrders;
}

export function analyse(history: History): Analysis {
  const arena = arenaFor(history.length);
  const ops = decodeTxnOps(history, arena);
  const commits = findCommits(ops, arena);
  return { history, arena, ops, commits, orders: versionOrders(ops, commits, arena) };
}

/** An op's invocation (when known) and completion, as an example shows them. */
export function opPairOf(a: Analysis, op: number): Op[] {
  const invocation = a.ops.invocation[op];
  const completion = a.history[a.ops.position[op]];
  return invocation < 0 ? [completion] : [a.history[invocation], completion];
}

/** The ops, each as its invocation and completion, without repeating one. */
export function opPairsOf(a: Analysis, ops: readonly number[]): Op[] {
  return [...new Set(ops)].filter((op) => op >= 0).flatMap((op) => opPairOf(a, op));
}

/** "1 of key \"x\"": a version named in a sentence. */
export function versionText(a: Analysis, version: number): string {
  return `${formatValue(a.ops.versions.value(version))} of key ${formatValue(a.ops.versions.key(version))}`;
}

/** A key as a sentence names it: strings (keywords included) quoted. */
export function keyText(a: Analysis, keyId: number): string {
  return formatValue(a.ops.versions.keys[keyId]);
}

/** A version's value as plain data for an example's detail. */
export function valueOf(a: Analysis, version: number): string | number | boolean | null {
  return a.ops.versions.value(version);
}

/** The process and f of an op, for sentences: "process 3's txn". */
export function opText(a: Analysis, op: number): string {
  const completion = a.history[a.ops.position[op]];
  return `process ${String(completion.process)}'s ${completion.type} ${completion.f} (op ${completion.index})`;
}

/** Up to `limit` versions between dense indices `from` and `to` (exclusive) of a key's order. */
export function versionsBetween(a: Analysis, keyId: number, from: number, to: number, limit = 8): number[] {
  const byIndex = a.orders.logs[keyId].byIndex;
  const out: number[] = [];
  for (let i = from + 1; i < to && out.length < limit; i++) out.push(byIndex[i]);
  return out;
}
