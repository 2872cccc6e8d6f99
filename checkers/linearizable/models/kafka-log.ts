// The Kafka partition log: each key (partition) is an append-only log. A send of a value returns the
// offset it was appended at, which is legal only if it equals the log's current length; a poll returns
// [offset, value] records, legal only if they are exactly the log's records from the first offset on.
// Encoding (workloads/history/format.ts): send [["send", key, value]] invoked, [["send", key, [offset,
// value]]] on ok; poll [["poll", {"<key>": [[offset, value], ...]}]] on ok. Keys are independent, so
// the history is checked one partition at a time (a poll of two partitions is one read of each).
// Sends whose values no poll ever returned are marked unobserved (see kafka-unobserved.ts).
import type { Op, Value } from '../../../workloads/history/format.ts';
import { MalformedOperationError } from '../errors.ts';
import { ILLEGAL, type Illegal, type Model, type ModelCall, type Operation, type Part } from '../model.ts';
import { equalKeyed, getKeyed, setKeyed, type KeyedState } from './keyed-state.ts';
import { interchangeKey, markUnobservedSends } from './kafka-unobserved.ts';
import { partitionByKey } from './partition-by-key.ts';
import {
  append,
  logHash,
  logLength,
  logValues,
  nodeAt,
  sameLog,
  UNOBSERVED,
  type PersistentLog,
  type RecordValue,
} from './persistent-log.ts';
import { combineHash, describeValue, hashString, isRecord, sameValue } from './values.ts';

export type KafkaMicroOp =
  | { f: 'send'; key: string; value: Value; /** No poll returned this value. */ unobserved?: boolean }
  | { f: 'poll'; key: string };
type KafkaCall = ModelCall<KafkaMicroOp[], KafkaOutcome[]>;
export type LogRecord = readonly [offset: number, value: Value];
/** Per micro-op: a send's offset (null when the client did not learn it), or a poll's records. */
export type KafkaOutcome = number | null | readonly LogRecord[];
export type KafkaLogState = KeyedState<PersistentLog>;

const EXPECTED = 'a list of ["send", key, value] / ["poll", {key: records}] micro-ops';

function interpretKafkaOp(invoke: Op, completion: Op | undefined): ModelCall<KafkaMicroOp[], KafkaOutcome[]> | null {
  if (invoke.f !== 'send' && invoke.f !== 'poll' && invoke.f !== 'txn') return null;
  const value = completion === undefined ? invoke.value : completion.value;
  if (!Array.isArray(value)) throw new MalformedOperationError('kafka-log', completion ?? invoke, EXPECTED);
  const input: KafkaMicroOp[] = [];
  const outcomes: KafkaOutcome[] = [];
  for (const micro of value) {
    if (!Array.isArray(micro)) throw new MalformedOperationError('kafka-log', completion ?? invoke, EXPECTED);
    if (micro[0] === 'send' && micro.length === 3) {
      const key = String(micro[1]);
      const sent = micro[2];
      // Only an ok completion reports [offset, value]; an invocation carries the bare value.
      if (completion !== undefined && Array.isArray(sent) && sent.length === 2) {
        const offset = sent[0];
        if (offset !== null && typeof offset !== 'number') {
          throw new MalformedOperationError('kafka-log', completion, 'a send offset that is a number or nil');
        }
        input.push({ f: 'send', key, value: sent[1] });
        outcomes.push(offset);
      } else {
        input.push({ f: 'send', key, value: sent });
        outcomes.push(null);
      }
    } else if (micro[0] === 'poll') {
      // What an indeterminate poll saw is unknown, so it constrains nothing.
      if (completion === undefined || micro.length < 2) continue;
      const byKey = micro[1];
      if (!isRecord(byKey)) throw new MalformedOperationError('kafka-log', completion, EXPECTED);
      for (const key of Object.keys(byKey)) {
        const records = readRecords(byKey[key], completion);
        if (records.length === 0) continue;
        input.push({ f: 'poll', key });
        outcomes.push(records);
      }
    } else {
      throw new MalformedOperationError('kafka-log', completion ?? invoke, EXPECTED);
    }
  }
  if (input.length === 0) return null;
  return { input, output: completion === undefined ? undefined : outcomes };
}

function readRecords(value: Value, op: Op): LogRecord[] {
  const records: LogRecord[] = [];
  if (Array.isArray(value)) {
    for (const record of value) {
      if (!Array.isArray(record) || record.length !== 2 || typeof record[0] !== 'number') {
        throw new MalformedOperationError('kafka-log', op, 'poll records as [offset, value] pairs');
      }
      records.push([record[0], record[1]]);
    }
    return records;
  }
  throw new MalformedOperationError('kafka-log', op, 'poll records as [offset, value] pairs');
}

/** True iff `records` are exactly the log's records from the first record's offset on. */
function pollMatches(log: PersistentLog, records: readonly LogRecord[]): boolean {
  const from = records[0][0];
  const last = from + records.length - 1;
  if (!Number.isInteger(from) || from < 0 || log === null || last >= log.length) return false;
  let node: PersistentLog = nodeAt(log, last);
  for (let i = records.length - 1; i >= 0; i--) {
    const [offset, value] = records[i];
    if (node === null || offset !== from + i || node.value === UNOBSERVED || !sameValue(node.value, value))
      return false;
    node = node.prev;
  }
  return true;
}

function stepKafka(
  state: KafkaLogState,
  input: KafkaMicroOp[],
  output: KafkaOutcome[] | undefined,
): KafkaLogState | Illegal {
  let next = state;
  for (let i = 0; i < input.length; i++) {
    const micro = input[i];
    const outcome = output === undefined ? null : output[i];
    const log = getKeyed(next, micro.key) ?? null;
    if (micro.f === 'send') {
      if (typeof outcome === 'number' && outcome !== logLength(log)) return ILLEGAL;
      next = setKeyed(next, micro.key, append(log, micro.unobserved === true ? UNOBSERVED : micro.value));
    } else if (outcome !== null && typeof outcome === 'object' && !pollMatches(log, outcome)) {
      return ILLEGAL;
    }
  }
  return next;
}

/** The log's values oldest first; `_` stands for a value no poll returned. */
function describeLog(log: PersistentLog): string {
  const describeRecord = (v: RecordValue): string => (v === UNOBSERVED ? '_' : describeValue(v));
  return '[' + logValues(log).map(describeRecord).join(',') + ']';
}

function hashKafka(state: KafkaLogState): number {
  let h = 0x2f7a1c3b;
  for (const entry of state) h = combineHash(h, combineHash(hashString(entry.key), logHash(entry.value)));
  return h;
}

function describeKafkaOp(input: KafkaMicroOp[], output: KafkaOutcome[] | undefined): string {
  return input
    .map((micro, i) => {
      const outcome = output === undefined ? null : output[i];
      if (micro.f === 'send') {
        const at = typeof outcome === 'number' ? ` at offset ${outcome}` : ' at an unknown offset';
        return `send ${describeValue(micro.value)} to ${micro.key}${at}`;
      }
      const records = (outcome ?? []) as readonly LogRecord[];
      const from = records.length === 0 ? '?' : String(records[0][0]);
      return `poll ${micro.key} from ${from}: ${describeValue(records.map((r) => r[1]))}`;
    })
    .join('; ');
}

function splitByKey(call: KafkaCall): Array<[string, KafkaCall]> {
  const shares = new Map<string, KafkaCall>();
  call.input.forEach((micro, i) => {
    let share = shares.get(micro.key);
    if (share === undefined) {
      share = { input: [], output: call.output === undefined ? undefined : [] };
      shares.set(micro.key, share);
    }
    share.input.push(micro);
    if (call.output !== undefined) share.output?.push(call.output[i]);
  });
  return [...shares];
}

/** Splits a history by partition, as it is: each poll of several partitions becomes one poll per partition. */
export function splitKafkaByKey(
  operations: Operation<KafkaMicroOp[], KafkaOutcome[]>[],
): Part<KafkaMicroOp[], KafkaOutcome[]>[] {
  return partitionByKey(operations, splitByKey);
}

/** One log per key, all empty at first. Ops other than send and poll (assign, crash...) are ignored. */
export function kafkaLogModel(): Model<KafkaLogState, KafkaMicroOp[], KafkaOutcome[]> {
  return {
    name: 'kafka-log',
    init: () => [],
    interpret: interpretKafkaOp,
    step: stepKafka,
    hash: hashKafka,
    equal: (a, b) => equalKeyed(a, b, sameLog),
    interchangeKey,
    partition: (operations) => splitKafkaByKey(markUnobservedSends(operations)),
    describeOperation: describeKafkaOp,
    describeState: (state) =>
      state.map((entry) => `${entry.key}: ${describeLog(entry.value)}`).join(', ') || 'all logs empty',
  };
}
