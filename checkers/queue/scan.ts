// The first pass over a queue history: builds the offset index from polls and committed sends, and
// lists sends by outcome. Every detector works from this, so the history's values are decoded once.
import type { History, Value } from '../../workloads/history/format.ts';
import {
  microOps,
  newSendFields,
  pollRecordsByKey,
  readSend,
  toKey,
  toRecordValue,
  UNKNOWN_OFFSET,
  type Key,
  type RecordValue,
} from './micro-ops.ts';
import { keyLogFor, observeRecord, sortKnownOffsets, type KeyLog, type OffsetIndex } from './offset-index.ts';
import { finalReadsPosition, invocationPositions } from './pairing.ts';

/** Sends in history order, as columns (one entry per send micro-op). */
export interface SendList {
  key: Key[];
  /** UNKNOWN_OFFSET when the completion named none. */
  offset: number[];
  value: RecordValue[];
  /** History position of the completion. */
  position: number[];
}

export interface QueueScan {
  offsets: OffsetIndex;
  /** ok sends. */
  acked: SendList;
  /** fail sends: definitely not written. */
  failed: SendList;
  /** info sends: maybe written. */
  indeterminate: SendList;
  invocationOf: Int32Array;
  /** Position of the final-reads marker, -1 without one. */
  finalReads: number;
  sends: number;
  polls: number;
  recordsRead: number;
}

function newSendList(): SendList {
  return { key: [], offset: [], value: [], position: [] };
}

function pushSend(list: SendList, key: Key, offset: number, value: RecordValue, position: number): void {
  list.key.push(key);
  list.offset.push(offset);
  list.value.push(value);
  list.position.push(position);
}

export function scanQueueHistory(history: History, invocationOf = invocationPositions(history)): QueueScan {
  const scan: QueueScan = {
    offsets: new Map(),
    acked: newSendList(),
    failed: newSendList(),
    indeterminate: newSendList(),
    invocationOf,
    finalReads: finalReadsPosition(history),
    sends: 0,
    polls: 0,
    recordsRead: 0,
  };
  const send = newSendFields();
  for (let position = 0; position < history.length; position++) {
    const op = history[position];
    const mops = microOps(op);
    if (mops === null) continue;
    if (op.type === 'invoke') {
      for (const mop of mops) if (readSend(mop, send)) scan.sends++;
      continue;
    }
    // A fail or info completion may not repeat the micro-ops; its invocation names what was sent.
    const invocation = invocationOf[position];
    const sendMops =
      op.type !== 'ok' && invocation >= 0 && !mops.some((m) => readSend(m, send))
        ? (microOps(history[invocation]) ?? [])
        : mops;
    for (const mop of sendMops) {
      if (!readSend(mop, send)) continue;
      const list = op.type === 'ok' ? scan.acked : op.type === 'fail' ? scan.failed : scan.indeterminate;
      pushSend(list, send.key, send.offset, send.value, position);
      if (op.type === 'ok' && send.offset !== UNKNOWN_OFFSET) {
        observeRecord(keyLogFor(scan.offsets, send.key), send.offset, send.value);
      }
    }
    if (op.type !== 'ok') continue;
    for (const mop of mops) {
      const byKey = pollRecordsByKey(mop);
      if (byKey === null) continue;
      scan.polls++;
      for (const keyText in byKey) {
        const records = byKey[keyText];
        const key = toKey(keyText);
        if (!Array.isArray(records) || key === null) continue;
        scan.recordsRead += indexPolledRecords(keyLogFor(scan.offsets, key), records, position);
      }
    }
  }
  indexReadIndeterminateSends(scan);
  sortKnownOffsets(scan.offsets);
  return scan;
}

/** Adds one poll's records for one key to the index; returns how many well-formed records it held. */
function indexPolledRecords(log: KeyLog, records: Value[], position: number): number {
  let count = 0;
  for (let i = 0; i < records.length; i++) {
    const record = records[i];
    if (!Array.isArray(record)) continue;
    const offset = record[0];
    if (typeof offset !== 'number') continue;
    const value = toRecordValue(record[1]);
    observeRecord(log, offset, value);
    log.readValues.add(value);
    if (offset > log.maxReadOffset) {
      log.maxReadOffset = offset;
      log.maxReadPosition = position;
    }
    count++;
  }
  return count;
}

/**
 * An info send whose value some poll returned did commit, so the offset its completion named counts too; and
 * so did every other send of the same op, since a Kafka transaction commits all its sends or none (Jepsen's
 * must-have-committed?), read or not.
 */
function indexReadIndeterminateSends(scan: QueueScan): void {
  const { key, offset, value, position } = scan.indeterminate;
  const committed = new Set<number>();
  for (let i = 0; i < key.length; i++) {
    if (scan.offsets.get(key[i])?.readValues.has(value[i]) === true) committed.add(position[i]);
  }
  for (let i = 0; i < key.length; i++) {
    if (offset[i] === UNKNOWN_OFFSET || !committed.has(position[i])) continue;
    observeRecord(keyLogFor(scan.offsets, key[i]), offset[i], value[i]);
  }
}

/** The per-key offset index (key → offset → values, and value → offsets) of a queue history. */
export function buildOffsetIndex(history: History): OffsetIndex {
  return scanQueueHistory(history).offsets;
}

/** key → every value some poll returned for it, from an index built by buildOffsetIndex. */
export function readValuesByKey(index: OffsetIndex): Map<Key, Set<RecordValue>> {
  const byKey = new Map<Key, Set<RecordValue>>();
  for (const [key, log] of index) byKey.set(key, log.readValues);
  return byKey;
}
