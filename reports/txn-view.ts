// Transactions as a report draws them, from the history alone: each :txn op a span from its invocation to its
// completion on its client process, by outcome (ok: committed; fail: aborted; info: unknown, its commit answered
// neither way; open: never completed), with the partitions (keys) it sent to and polled from. Bounded: beyond
// MAX_TXNS spans an even sample is kept, every anomalous op's transaction with it.
import { isClientProcess, type History, type Op, type Value } from '../workloads/history/format.ts';

export const MAX_TXNS = 5_000;

export interface TxnSpan {
  /** The invocation's index in the history. */
  index: number;
  process: number;
  start: number;
  /** Completion time; the run's end for one that never completed. */
  end: number;
  outcome: 'ok' | 'fail' | 'info' | 'open';
  /** Keys it sent to, and keys its polls returned records of (those of a completed ok op). */
  sent: number[];
  polled: number[];
  /** Micro-ops it planned (sends and polls). */
  mops: number;
}

export interface TxnView {
  total: number;
  counts: { ok: number; fail: number; info: number; open: number };
  spans: TxnSpan[];
}

function keysOf(value: Value, mop: 'send' | 'poll'): number[] {
  const keys = new Set<number>();
  if (!Array.isArray(value)) return [];
  for (const m of value) {
    if (!Array.isArray(m) || m[0] !== mop) continue;
    if (mop === 'send') keys.add(Number(m[1]));
    else if (typeof m[1] === 'object' && m[1] !== null && !Array.isArray(m[1]))
      for (const [k, records] of Object.entries(m[1]))
        if (Array.isArray(records) && records.length > 0) keys.add(Number(k));
  }
  return [...keys].sort((a, b) => a - b);
}

/** The transactions of a history, or undefined when it holds none (a queue run). */
export function txnView(history: History, endMs: number, keep: ReadonlySet<number> = new Set()): TxnView | undefined {
  const open = new Map<number, Op>();
  const spans: TxnSpan[] = [];
  const counts = { ok: 0, fail: 0, info: 0, open: 0 };
  const span = (invoke: Op, completion: Op | null): TxnSpan => ({
    index: invoke.index,
    process: invoke.process as number,
    start: invoke.time,
    end: completion?.time ?? endMs,
    outcome: completion === null ? 'open' : (completion.type as 'ok' | 'fail' | 'info'),
    sent: keysOf(completion?.value ?? invoke.value, 'send'),
    polled: completion?.type === 'ok' ? keysOf(completion.value, 'poll') : [],
    mops: Array.isArray(invoke.value) ? invoke.value.length : 0,
  });
  for (const op of history) {
    if (op.f !== 'txn' || !isClientProcess(op.process)) continue;
    if (op.type === 'invoke') {
      open.set(op.process, op);
      continue;
    }
    const invoke = open.get(op.process);
    if (invoke === undefined) continue;
    open.delete(op.process);
    spans.push(span(invoke, op));
  }
  for (const invoke of open.values()) spans.push(span(invoke, null));
  if (spans.length === 0) return undefined;
  spans.sort((a, b) => a.index - b.index);
  for (const s of spans) counts[s.outcome]++;
  return { total: spans.length, counts, spans: sample(spans, keep) };
}

/** At most MAX_TXNS spans, evenly spread, every span whose invocation or completion an anomaly names kept. */
function sample(spans: TxnSpan[], keep: ReadonlySet<number>): TxnSpan[] {
  if (spans.length <= MAX_TXNS) return spans;
  const step = spans.length / MAX_TXNS;
  const out: TxnSpan[] = [];
  let next = 0;
  for (let i = 0; i < spans.length; i++) {
    if (i >= next) {
      out.push(spans[i]);
      next += step;
    } else if (keep.has(spans[i].index)) out.push(spans[i]);
  }
  return out;
}
