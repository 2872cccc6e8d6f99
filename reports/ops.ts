// A history's client operations as rows a chart can draw: each invocation paired with its completion
// (Jepsen's ok / fail / info), its latency, and whether an anomaly names it. Also throughput over time,
// and the downsampling that keeps charts light on long runs without ever dropping an anomalous op.
import type { History, Op, ProcessId } from '../workloads/history/format.ts';
import { bucketWidthMs } from './series.ts';

export type Outcome = 'ok' | 'fail' | 'info';

export interface OpRow {
  /** The invocation's index in the history. */
  index: number;
  /** The completion's index, or -1 when the op never completed. */
  completion: number;
  process: ProcessId;
  f: string;
  type: Outcome;
  /** Invocation and completion times (ms); an op that never completed ends with the history. */
  start: number;
  end: number;
  error: string | null;
  /** The completion's value (or the invocation's), as short JSON text for tooltips (see withValues). */
  value: string;
  /** Named by an anomaly example (its invocation or its completion). */
  anomalous: boolean;
}

const VALUE_CHARS = 60;

export function shortValue(op: Op): string {
  const text = JSON.stringify(op.value) ?? 'null';
  return text.length <= VALUE_CHARS ? text : `${text.slice(0, VALUE_CHARS - 1)}…`;
}

/**
 * Pairs each client invocation with the same process's next completion; nemesis and workload ops are not
 * clients. Values are left empty: writing them as text is most of the cost on a long history, so only
 * the rows kept for drawing get them (withValues).
 */
export function pairOps(history: History, anomalous: ReadonlySet<number>): OpRow[] {
  const open = new Map<ProcessId, OpRow>();
  const rows: OpRow[] = [];
  const lastTime = history.length > 0 ? history[history.length - 1].time : 0;
  for (const op of history) {
    if (typeof op.process !== 'number') continue;
    if (op.type === 'invoke') {
      const row: OpRow = {
        index: op.index,
        completion: -1,
        process: op.process,
        f: op.f,
        type: 'info',
        start: op.time,
        end: lastTime,
        error: 'never completed',
        value: '',
        anomalous: anomalous.has(op.index),
      };
      open.set(op.process, row);
      rows.push(row);
      continue;
    }
    const row = open.get(op.process);
    if (row === undefined) continue; // a completion without an invocation: nothing to draw
    open.delete(op.process);
    row.completion = op.index;
    row.type = op.type;
    row.end = op.time;
    row.error = op.error ?? null;
    row.anomalous ||= anomalous.has(op.index);
  }
  return rows;
}

export interface Throughput {
  bucketMs: number;
  /** Completions per second by operation (send, poll...) and outcome, by bucket start (Jepsen's rate.png). */
  points: { time: number; f: string; type: Outcome; rate: number }[];
  /** Latency quantiles per bucket and operation, of every completed op (Jepsen's latency-quantiles.png). */
  quantiles?: { time: number; f: string; quantile: string; latency: number }[];
}

const QUANTILES: [string, number][] = [
  ['p50', 0.5],
  ['p95', 0.95],
  ['p99', 0.99],
  ['max', 1],
];

export function throughput(rows: readonly OpRow[], endMs: number): Throughput {
  const bucketMs = bucketWidthMs(endMs);
  const buckets = Math.max(1, Math.ceil(endMs / bucketMs));
  // Per operation: completions per outcome and latencies, each per bucket.
  const byF = new Map<string, { counts: Record<Outcome, number[]>; latencies: number[][] }>();
  for (const r of rows) {
    if (r.completion < 0) continue;
    let entry = byF.get(r.f);
    if (entry === undefined) {
      const zeros = () => new Array<number>(buckets).fill(0);
      entry = { counts: { ok: zeros(), fail: zeros(), info: zeros() }, latencies: [] };
      byF.set(r.f, entry);
    }
    const b = Math.min(buckets - 1, Math.max(0, Math.floor(r.end / bucketMs)));
    entry.counts[r.type][b]++;
    (entry.latencies[b] ??= []).push(r.end - r.start);
  }
  const points: Throughput['points'] = [];
  const quantiles: NonNullable<Throughput['quantiles']> = [];
  for (const [f, { counts, latencies }] of [...byF].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    for (let b = 0; b < buckets; b++) {
      const time = b * bucketMs;
      for (const type of ['ok', 'fail', 'info'] as const) {
        if (counts[type][b] > 0) points.push({ time, f, type, rate: counts[type][b] / (bucketMs / 1000) });
      }
      const sorted = latencies[b]?.sort((x, y) => x - y);
      if (sorted === undefined) continue;
      for (const [quantile, q] of QUANTILES) {
        const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
        quantiles.push({ time, f, quantile, latency: Math.max(0.01, Math.round(sorted[rank] * 1000) / 1000) });
      }
    }
  }
  return { bucketMs, points, quantiles };
}

/** Every `n`-th of `rows`, n chosen so that at most `budget` remain (evenly over the run). */
function stride<T>(rows: readonly T[], budget: number): T[] {
  if (rows.length <= budget) return [...rows];
  if (budget <= 0) return [];
  const out: T[] = [];
  for (let k = 0; k < budget; k++) out.push(rows[Math.floor((k * rows.length) / budget)]);
  return out;
}

/**
 * At most `limit` rows (plus every anomalous one): anomalous ops always; failed and indeterminate ops
 * before ok ones, but never more than half of what is left when ok ones would not fit either, so the
 * charts still show the ordinary ops. Each tier is thinned evenly over time. Returned in history order.
 */
export function sampleOps(rows: readonly OpRow[], limit: number): OpRow[] {
  if (rows.length <= limit) return [...rows];
  const anomalous = rows.filter((r) => r.anomalous);
  const failed = rows.filter((r) => !r.anomalous && r.type !== 'ok');
  const ok = rows.filter((r) => !r.anomalous && r.type === 'ok');
  let budget = Math.max(0, limit - anomalous.length);
  const keptFailed = stride(failed, Math.max(Math.floor(budget / 2), budget - ok.length));
  budget -= keptFailed.length;
  const keptOk = stride(ok, budget);
  return [...anomalous, ...keptFailed, ...keptOk].sort((a, b) => a.index - b.index);
}

/** Fills in each row's value text from the history (ops sit at their index: histories are dense). */
export function withValues(rows: OpRow[], history: History): OpRow[] {
  for (const r of rows) {
    const op = history[r.completion >= 0 ? r.completion : r.index];
    if (op !== undefined) r.value = shortValue(op);
  }
  return rows;
}
