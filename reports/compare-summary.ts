// Sums a comparison over its seeds and words the headline: what unclean leader election bought (less
// time offline, more sends succeeding, lower latency) and what it cost (acknowledged writes lost) on
// these seeds and fault schedules, with the sample size, the sends each side attempted, and for each
// difference a 95% bootstrap interval of its mean per seed (seeds resampled with replacement).
import type { CompareRow, CompareSide } from './compare-data.ts';
import { produceWords, quantile, type ProduceUnit } from './produce.ts';

export interface SideTotals {
  seeds: number;
  invalidSeeds: number;
  lostAcked: number;
  /** Of those, the ones the configuration allows (not findings). */
  lostAllowed: number;
  /** Seeds on which at least one acknowledged write was lost. */
  seedsWithLoss: number;
  offlineMs: number;
  /** What sends and ok count: sends, or transactions in a transactional comparison. */
  unit: ProduceUnit;
  sends: number;
  ok: number;
  successRate: number | null;
  /** Medians over seeds of each seed's p50 and p99 send (or transaction) latency. */
  medianP50Ms: number | null;
  medianP99Ms: number | null;
  uncleanElections: number;
  lastKnownLeaderElections: number;
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
    lostAllowed: sides.reduce((n, s) => n + Object.values(s.lostByCause ?? {}).reduce((a, b) => a + b, 0), 0),
    seedsWithLoss: sides.filter((s) => s.lostAcked > 0).length,
    offlineMs: sides.reduce((n, s) => n + s.offlineMs, 0),
    unit: sides[0]?.produce.unit ?? 'send',
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
    lastKnownLeaderElections: sides.reduce((n, s) => n + (s.lastKnownLeaderElections ?? 0), 0),
  };
}

/** Resamples for the bootstrap; the generator is seeded, so a report says the same every time. */
const RESAMPLES = 2000;

/**
 * The 95% percentile-bootstrap interval of the mean of `values` (one per seed): resample the seeds with
 * replacement, take each resample's mean, and read the 2.5th and 97.5th percentiles. Null for one seed.
 */
export function bootstrapMeanInterval(values: readonly number[]): [number, number] | null {
  const n = values.length;
  if (n < 2) return null;
  // mulberry32: small and seeded; this is reporting, outside the simulated world.
  let state = 0x6b43a9b5;
  const next = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const means = new Float64Array(RESAMPLES);
  for (let r = 0; r < RESAMPLES; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += values[Math.floor(next() * n)];
    means[r] = sum / n;
  }
  means.sort();
  return [means[Math.floor(0.025 * (RESAMPLES - 1))], means[Math.ceil(0.975 * (RESAMPLES - 1))]];
}

/** " (per seed +1.2 s, 95% interval -0.3 to +2.8)": the mean per-seed difference and its interval. */
function perSeed(diffs: readonly number[], format: (v: number) => string): string {
  const mean = diffs.reduce((a, b) => a + b, 0) / Math.max(1, diffs.length);
  const interval = bootstrapMeanInterval(diffs);
  const signed = (v: number): string => (v > 0 ? '+' : '') + format(v);
  const range = interval === null ? '' : `, 95% interval ${signed(interval[0])} to ${signed(interval[1])}`;
  return ` (per seed ${signed(mean)}${range})`;
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
  const words = produceWords(c.unit);
  const buys: string[] = [];
  const costs: string[] = [];
  // Differences smaller than these are noise between two runs, not something election bought or cost.
  const diffs = (f: (s: CompareSide) => number): number[] => rows.map((r) => f(r.unclean) - f(r.clean));
  const offline =
    `partitions offline ${secs(u.offlineMs)} instead of ${secs(c.offlineMs)}` +
    perSeed(
      diffs((s) => s.offlineMs),
      (v) => secs(v),
    );
  if (Math.abs(u.offlineMs - c.offlineMs) >= MIN_OFFLINE_MS) (u.offlineMs < c.offlineMs ? buys : costs).push(offline);
  if (
    c.successRate !== null &&
    u.successRate !== null &&
    Math.abs(u.successRate - c.successRate) >= MIN_SUCCESS_DELTA
  ) {
    // The rate hides how many sends each side attempted: a side stuck offline attempts fewer.
    (u.successRate > c.successRate ? buys : costs).push(
      `a ${words.success} of ${pct(u.successRate)} (${u.ok} of ${u.sends} ${words.units}) instead of ` +
        `${pct(c.successRate)} (${c.ok} of ${c.sends})`,
    );
  }
  if (
    c.medianP99Ms !== null &&
    u.medianP99Ms !== null &&
    Math.abs(u.medianP99Ms - c.medianP99Ms) >= MIN_LATENCY_RATIO * Math.max(u.medianP99Ms, c.medianP99Ms)
  ) {
    (u.medianP99Ms < c.medianP99Ms ? buys : costs).push(
      `a median p99 ${words.latency} of ${ms(u.medianP99Ms)} instead of ${ms(c.medianP99Ms)}`,
    );
  }
  if (u.lostAcked > c.lostAcked) {
    costs.unshift(
      `${u.lostAcked} acknowledged writes lost on ${u.seedsWithLoss} of ${rows.length} seeds (clean election: ` +
        `${c.lostAcked} on ${c.seedsWithLoss})` +
        perSeed(
          diffs((s) => s.lostAcked),
          (v) => v.toFixed(1),
        ),
    );
  } else if (u.lostAcked < c.lostAcked) {
    buys.push(`fewer acknowledged writes lost (${u.lostAcked} instead of ${c.lostAcked})`);
  }
  const seeds =
    `Over ${rows.length} seed${rows.length === 1 ? '' : 's'} with identical fault schedules` +
    (rows.length < 10 ? ' (too few for the intervals to say much)' : '');
  const elections = `(${u.uncleanElections} unclean election${u.uncleanElections === 1 ? '' : 's'} happened)`;
  const bought = buys.length === 0 ? 'bought nothing measurable' : `bought ${list(buys)}`;
  const cost = costs.length === 0 ? 'cost nothing measurable' : `cost ${list(costs)}`;
  return `${seeds}, unclean leader election ${elections} ${bought}, and ${cost}.`;
}
