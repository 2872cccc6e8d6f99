// What producers experienced: how many sends succeeded, failed or ended with an unknown outcome, and
// the send latency percentiles (over every completed send, whatever its outcome: a send that timed out
// after ten seconds is ten seconds a client waited). A transactional history has no send ops: its unit is the
// transaction (Jepsen's :txn op, committed ok, aborted fail, unknown info), counted the same way.
import type { History } from '../workloads/history/format.ts';

export interface ProduceStats {
  /** What was counted: sends, or transactions (absent in comparisons written before transactions: sends). */
  unit?: ProduceUnit;
  sends: number;
  ok: number;
  fail: number;
  info: number;
  /** ok / sends, or null without sends. */
  successRate: number | null;
  p50Ms: number | null;
  p99Ms: number | null;
}

export type ProduceUnit = 'send' | 'transaction';

/** The q-quantile (0..1) of sorted values by nearest rank, or null for none. */
export function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

export function produceStats(history: History): ProduceStats {
  const f = history.some((op) => op.f === 'txn') ? 'txn' : 'send';
  const invoked = new Map<number, number>();
  const latencies: number[] = [];
  const counts = { ok: 0, fail: 0, info: 0 };
  let sends = 0;
  for (const op of history) {
    if (typeof op.process !== 'number') continue;
    if (op.type === 'invoke') {
      if (op.f === f) {
        invoked.set(op.process, op.time);
        sends++;
      } else invoked.delete(op.process);
      continue;
    }
    const start = invoked.get(op.process);
    if (start === undefined || op.f !== f) continue;
    invoked.delete(op.process);
    counts[op.type]++;
    latencies.push(op.time - start);
  }
  // A send still open when the history ends has an unknown outcome.
  counts.info += sends - counts.ok - counts.fail - counts.info;
  latencies.sort((a, b) => a - b);
  const round = (v: number | null): number | null => (v === null ? null : Math.round(v * 1000) / 1000);
  return {
    unit: f === 'txn' ? 'transaction' : 'send',
    sends,
    ...counts,
    successRate: sends === 0 ? null : counts.ok / sends,
    p50Ms: round(quantile(latencies, 0.5)),
    p99Ms: round(quantile(latencies, 0.99)),
  };
}

/** How a comparison names what it counted: the unit, plural, and the words for success and latency. */
export function produceWords(unit: ProduceUnit | undefined): { units: string; success: string; latency: string } {
  return unit === 'transaction'
    ? { units: 'transactions', success: 'transaction commit rate', latency: 'transaction latency' }
    : { units: 'sends', success: 'produce success rate', latency: 'send latency' };
}
