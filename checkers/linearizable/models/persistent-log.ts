// An append-only log shared between search states: appending makes a new tail node and never copies,
// so the thousands of states a search keeps cost one node each.
import type { Value } from '../../../workloads/history/format.ts';
import { combineHash, hashValue, sameValue } from './values.ts';

/**
 * A record whose value no reader ever saw. Such records differ from every value a poll returned, and
 * logs that differ only in unseen values behave alike, so they are stored as this one marker.
 */
export const UNOBSERVED: unique symbol = Symbol('unobserved');
export type RecordValue = Value | typeof UNOBSERVED;

const UNOBSERVED_HASH = 0x51ed270b;

export interface LogNode {
  readonly prev: LogNode | null;
  readonly value: RecordValue;
  /** Records up to and including this one: this record's offset is length - 1. */
  readonly length: number;
  /** Hash of the whole log up to here. */
  readonly hash: number;
}

export type PersistentLog = LogNode | null;

export function logLength(log: PersistentLog): number {
  return log === null ? 0 : log.length;
}

export function logHash(log: PersistentLog): number {
  return log === null ? 0x7f4a7c15 : log.hash;
}

export function append(log: PersistentLog, value: RecordValue): LogNode {
  const valueHash = value === UNOBSERVED ? UNOBSERVED_HASH : hashValue(value);
  return { prev: log, value, length: logLength(log) + 1, hash: combineHash(logHash(log), valueHash) };
}

export function sameRecordValue(a: RecordValue, b: RecordValue): boolean {
  if (a === UNOBSERVED || b === UNOBSERVED) return a === b;
  return sameValue(a, b);
}

/** The node holding the record at `offset` (which must be below the log's length). */
export function nodeAt(log: LogNode, offset: number): LogNode {
  let node = log;
  for (let steps = log.length - 1 - offset; steps > 0; steps--) node = node.prev as LogNode;
  return node;
}

export function sameLog(a: PersistentLog, b: PersistentLog): boolean {
  while (a !== b) {
    if (a === null || b === null || a.length !== b.length || a.hash !== b.hash) return false;
    if (!sameRecordValue(a.value, b.value)) return false;
    a = a.prev;
    b = b.prev;
  }
  return true;
}

/** The log's values, oldest first (for descriptions). */
export function logValues(log: PersistentLog): RecordValue[] {
  const values: RecordValue[] = [];
  for (let node = log; node !== null; node = node.prev) values.push(node.value);
  return values.reverse();
}
