// What producers experienced: how many sends succeeded, failed or ended with an unknown outcome, and
// the send latency percentiles (over every completed send, whatever its outcome: a send that timed out
// after ten seconds is ten seconds a client waited).
import type { History } from '../workloads/history/format.ts';

export interface ProduceStats {
  sends: number;
  ok: number;
  fail: number;
  info: number;
  /** ok / sends, or null without sends. */
  successRate: number | null;
  p50Ms: number | null;
  p99Ms: number | null;
}

/** The q-quantile (0..1) of sorted values by nearest rank, or null for none. */
export function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

export function produceStats(history: History): ProduceStats {
  const invoked = new Map<number, number>();
  const latencies: number[] = [];
  const counts = { ok: 0, fail: 0, info: 0 };
  let sends = 0;
  for (const op of history) {
    if (typeof op.process !== 'number') continue;
    if (op.type === 'invoke') {
      if (op.f === 'send') {
        invoked.set(op.process, op.time);
        sends++;
      } else invoked.delete(op.process);
      continue;
    }
    const start = invoked.get(op.process);
    if (start === undefined || op.f !== 'send') continue;
    invoked.delete(op.process);
    counts[op.type]++;
    latencies.push(op.time - start);
  }
  // A send still open when the history ends has an unknown outcome.
  counts.info += sends - counts.ok - counts.fail - counts.info;
  latencies.sort((a, b) => a - b);
  const round = (v: number | null): number | null => (v === null ? null : Math.round(v * 1000) / 1000);
  return {
    sends,
    ...counts,
    successRate: sends === 0 ? null : counts.ok / sends,
    p50Ms: round(quantile(latencies, 0.5)),
    p99Ms: round(quantile(latencies, 0.99)),
  };
}
