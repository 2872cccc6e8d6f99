// Sums a comparison over its seeds and words the headline: what unclean leader election bought (less
// time offline, more sends succeeding, lower latency) and what it cost (acknowledged writes lost) on
// these seeds and fault schedules.
import type { CompareRow, CompareSide } from './compare-data.ts';
import { quantile } from './produce.ts';

export interface SideTotals {
  seeds: number;
  invalidSeeds: number;
  lostAcked: number;
  /** Seeds on which at least one acknowledged write was lost. */
  seedsWithLoss: number;
  offlineMs: number;
  sends: number;
  ok: number;
  successRate: number | null;
  /** Medians over seeds of each seed's p50 and p99 send latency. */
  medianP50Ms: number | null;
  medianP99Ms: number | null;
  uncleanElections: number;
}

export function sideTotals(sides: readonly CompareSide[]): SideTotals {
  const sorted = (f: (s: CompareSide) => number | null): number[] =>
    sides
      .map(f)
      .filter((v): v is number => v !== null)
      .sort((a, b) => a - b);
  const sends = sides.reduce((n, s) => n + s.produce.sends, 0);
  const ok = sides.reduce((n, s) => n + s.produce.ok, 0);
  return {
    seeds: sides.length,
    invalidSeeds: sides.filter((s) => s.valid === false).length,
    lostAcked: sides.reduce((n, s) => n + s.lostAcked, 0),
    seedsWithLoss: sides.filter((s) => s.lostAcked > 0).length,
    offlineMs: sides.reduce((n, s) => n + s.offlineMs, 0),
    sends,
    ok,
    successRate: sends === 0 ? null : ok / sends,
    medianP50Ms: quantile(
      sorted((s) => s.produce.p50Ms),
      0.5,
    ),
    medianP99Ms: quantile(
      sorted((s) => s.produce.p99Ms),
      0.5,
    ),
    uncleanElections: sides.reduce((n, s) => n + s.uncleanElections, 0),
  };
}

/** Smallest differences the headline mentions: 1 partition-second offline, 0.5 points of success rate, 10% of p99. */
const MIN_OFFLINE_MS = 1000;
const MIN_SUCCESS_DELTA = 0.005;
const MIN_LATENCY_RATIO = 0.1;

const pct = (v: number | null): string => (v === null ? 'n/a' : `${(v * 100).toFixed(1)}%`);
const secs = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const ms = (v: number | null): string => (v === null ? 'n/a' : `${Math.round(v)} ms`);

function list(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** One or two sentences answering "what does unclean election buy and cost here". */
export function headline(rows: readonly CompareRow[]): string {
  if (rows.length === 0) return 'No seeds were compared.';
  const c = sideTotals(rows.map((r) => r.clean));
  const u = sideTotals(rows.map((r) => r.unclean));
  const buys: string[] = [];
  const costs: string[] = [];
  // Differences smaller than these are noise between two runs, not something election bought or cost.
  const offline = `partitions offline ${secs(u.offlineMs)} instead of ${secs(c.offlineMs)}`;
  if (Math.abs(u.offlineMs - c.offlineMs) >= MIN_OFFLINE_MS) (u.offlineMs < c.offlineMs ? buys : costs).push(offline);
  if (
    c.successRate !== null &&
    u.successRate !== null &&
    Math.abs(u.successRate - c.successRate) >= MIN_SUCCESS_DELTA
  ) {
    (u.successRate > c.successRate ? buys : costs).push(
      `a produce success rate of ${pct(u.successRate)} instead of ${pct(c.successRate)}`,
    );
  }
  if (
    c.medianP99Ms !== null &&
    u.medianP99Ms !== null &&
    Math.abs(u.medianP99Ms - c.medianP99Ms) >= MIN_LATENCY_RATIO * Math.max(u.medianP99Ms, c.medianP99Ms)
  ) {
    (u.medianP99Ms < c.medianP99Ms ? buys : costs).push(
      `a median p99 send latency of ${ms(u.medianP99Ms)} instead of ${ms(c.medianP99Ms)}`,
    );
  }
  if (u.lostAcked > c.lostAcked) {
    costs.unshift(
      `${u.lostAcked} acknowledged writes lost on ${u.seedsWithLoss} of ${rows.length} seeds (clean election: ` +
        `${c.lostAcked})`,
    );
  } else if (u.lostAcked < c.lostAcked) {
    buys.push(`fewer acknowledged writes lost (${u.lostAcked} instead of ${c.lostAcked})`);
  }
  const seeds = `Over ${rows.length} seed${rows.length === 1 ? '' : 's'} with identical fault schedules`;
  const elections = `(${u.uncleanElections} unclean election${u.uncleanElections === 1 ? '' : 's'} happened)`;
  const bought = buys.length === 0 ? 'bought nothing measurable' : `bought ${list(buys)}`;
  const cost = costs.length === 0 ? 'cost nothing measurable' : `cost ${list(costs)}`;
  return `${seeds}, unclean leader election ${elections} ${bought}, and ${cost}.`;
}
