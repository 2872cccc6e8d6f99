// The values the queue workload records, in the micro-op form of workloads/history/format.ts (the form
// Jepsen's Kafka test records and the queue, durability and linearizability checkers read).
import type { Value } from '../history/format.ts';

export type RecordPair = [offset: number, value: number];

/** [["send", key, value]]: a send's invocation, and its fail or info completion (offset unknown). */
export function sendValue(key: number, value: number): Value {
  return [['send', key, value]];
}

/** [["send", key, [offset, value]]]: an acknowledged send. */
export function sendOkValue(key: number, offset: number, value: number): Value {
  return [['send', key, [offset, value]]];
}

export const POLL_INVOKE_VALUE: Value = [['poll']];

/** [["poll", {"<key>": [[offset, value], ...]}]], keys in ascending order. */
export function pollOkValue(records: ReadonlyMap<number, readonly RecordPair[]>): Value {
  const byKey: { [key: string]: Value } = {};
  for (const key of [...records.keys()].sort((a, b) => a - b)) {
    const pairs = records.get(key) as readonly RecordPair[];
    if (pairs.length > 0) byKey[String(key)] = pairs.map(([offset, value]) => [offset, value]);
  }
  return [['poll', byKey]];
}

/** [[key, offset], ...]: where a seek put the consumer. */
export function seekValue(positions: ReadonlyMap<number, number>): Value {
  return [...positions.keys()].sort((a, b) => a - b).map((key) => [key, positions.get(key) as number]);
}
