// Decoding of the queue workload's micro-ops (conventions in workloads/history/format.ts), shared by the
// queue and durability checkers. Tolerant on purpose: anything that is not a well-formed send or poll is
// skipped, so a history from another recorder yields fewer observations instead of an exception.
import type { Op, Value } from '../../workloads/history/format.ts';

/**
 * A record's value in a form usable as a Map or Set key. Values are unique integers in practice; other
 * primitives are kept as they are, and structured values become their JSON text so equal ones match.
 */
export type RecordValue = number | string | boolean | null;

/** Kafka's "no offset" (acks=0 producers and indeterminate sends get none). */
export const UNKNOWN_OFFSET = -1;

export function toRecordValue(v: Value | undefined): RecordValue {
  if (v === undefined) return null;
  if (typeof v === 'object' && v !== null) return JSON.stringify(v);
  return v;
}

/**
 * A key names one log. kafkasim's keys are partitions, integers; Jepsen's Kafka test writes them as integers
 * or keywords (`:x`, which the EDN reader reads as the string "x"), and some clients as strings.
 */
export type Key = number | string;

/**
 * A send's key or a poll's map key as a Key, or null when it cannot be one. Poll maps have string keys
 * only, so an integer written as text ("3", as a poll names partition 3) is the integer, and the same key
 * in a send and a poll meet; any other non-empty string is a key of its own.
 */
export function toKey(v: Value | undefined): Key | null {
  if (typeof v === 'number') return Number.isInteger(v) ? v : null;
  if (typeof v !== 'string' || v === '') return null;
  const n = INTEGER_TEXT.test(v) ? Number(v) : NaN;
  return Number.isSafeInteger(n) ? n : v;
}

/** Integers as a map key writes them: no sign other than minus, no leading zeros, no exponent. */
const INTEGER_TEXT = /^(0|-?[1-9][0-9]*)$/;

export function microOps(op: Op): Value[] | null {
  return Array.isArray(op.value) ? op.value : null;
}

/** Filled in place by readSend, so hot loops decode sends without allocating. */
export interface SendFields {
  key: Key;
  /** UNKNOWN_OFFSET when the micro-op carries no offset. */
  offset: number;
  value: RecordValue;
}

export function newSendFields(): SendFields {
  return { key: 0, offset: UNKNOWN_OFFSET, value: null };
}

/**
 * Reads ["send", key, value] (invocation, fail, some info) or ["send", key, [offset, value]] (ok, and
 * info when the client learnt the offset). Returns false when mop is not a send.
 */
export function readSend(mop: Value, out: SendFields): boolean {
  if (!Array.isArray(mop) || mop.length < 3 || mop[0] !== 'send') return false;
  const key = toKey(mop[1]);
  if (key === null) return false;
  const payload = mop[2];
  if (Array.isArray(payload) && payload.length === 2 && (typeof payload[0] === 'number' || payload[0] === null)) {
    const offset = payload[0];
    out.offset = typeof offset === 'number' && offset >= 0 ? offset : UNKNOWN_OFFSET;
    out.value = toRecordValue(payload[1]);
  } else {
    out.offset = UNKNOWN_OFFSET;
    out.value = toRecordValue(payload);
  }
  out.key = key;
  return true;
}

/** The { "<key>": [[offset, value], ...] } map of a completed ["poll", ...] micro-op, or null. */
export function pollRecordsByKey(mop: Value): { [key: string]: Value } | null {
  if (!Array.isArray(mop) || mop[0] !== 'poll' || mop.length < 2) return null;
  const byKey = mop[1];
  if (typeof byKey !== 'object' || byKey === null || Array.isArray(byKey)) return null;
  return byKey;
}

/** What the producer asked the leader to wait for, when the send's invocation says so. */
export type AcksHint = 'all' | 'leader' | 'none';

/**
 * A send invocation may carry a fourth element { acks: "all" | -1 | 1 | 0 } naming the producer's acks
 * setting; without it the caller decides what an acknowledgement promises.
 */
export function sendAcksHint(mop: Value): AcksHint | undefined {
  if (!Array.isArray(mop) || mop[0] !== 'send' || mop.length < 4) return undefined;
  const options = mop[3];
  if (typeof options !== 'object' || options === null || Array.isArray(options)) return undefined;
  const acks = options['acks'];
  if (acks === 'all' || acks === -1 || acks === '-1') return 'all';
  if (acks === 1 || acks === '1') return 'leader';
  if (acks === 0 || acks === '0') return 'none';
  return undefined;
}
