// summary.json: what a fuzz (or a merge of shards) ran and found. Written by fuzz and merge, read by
// merge and by the fuzz index report.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { KAFKASIM_VERSION } from '../version.ts';
import { UsageError } from '../errors.ts';
import { readInput } from '../input.ts';
import { writeWhole } from '../write-whole.ts';
import { seedDir, type SeedOutcome, type WorkerSetup } from './outcome.ts';
import type { SeedRange, Shard } from './seeds.ts';
import { probeTotalsProblem, type ProbeTotals } from '../probes.ts';

export interface FuzzTotals {
  runs: number;
  valid: number;
  invalid: number;
  unknown: number;
  crashes: number;
  nondeterministic: number;
  /** Seeds with at least one finding. */
  findings: number;
  /** Seeds that ran twice to check determinism. */
  rerun: number;
  /** Anomaly name → number of seeds showing it as a finding. */
  byAnomaly: Record<string, number>;
  /** Seeds with something the configuration allowed (and no finding of it). */
  allowedSeeds: number;
  /** Anomaly name → number of seeds showing it as allowed by the configuration. */
  allowedByAnomaly: Record<string, number>;
  /** Cause → acknowledged writes lost as the configuration allows, summed over seeds. */
  lostByCause: Record<string, number>;
}

/**
 * Why the fuzz stopped, or 'running': the fuzz rewrites summary.json as it goes, and until its last
 * write the file says 'running', so that one left by a fuzz that was killed (kill -9, an out-of-memory
 * kill, a CI job's timeout) does not claim to be a finished one. A merge says 'running' when one of its
 * inputs does.
 */
export type StopReason = 'running' | 'done' | 'time-budget' | 'interrupted';

export const STOP_REASONS: readonly StopReason[] = ['running', 'done', 'time-budget', 'interrupted'];

/** The words for a summary that is not a finished fuzz's, for notes and the index. */
export const NOT_FINISHED = 'the fuzz had not finished (still running, or killed)';

export interface FuzzSummary {
  kafkasim: string;
  /** Wall-clock start, ISO 8601 (outside the world: it never feeds a run). */
  startedAt: string;
  /** The run options every seed shared. */
  options: WorkerSetup['options'];
  /** The same options as `kafkasim run` flags. */
  runFlags: string[];
  /** The shards this summary covers: one for a fuzz, several after a merge. Null entries: unsharded. */
  shards: (Shard | null)[];
  /** The seed range the shards were cut from, how many seeds of it these shards hold, and how many ran. */
  seeds: SeedRange & { planned: number; run: number };
  /** One entry per seed that finished, by seed. */
  runs: SeedOutcome[];
  totals: FuzzTotals;
  /** Seeds per wall second (a merge adds its shards' rates: they ran side by side). */
  seedsPerSecond: number;
  /** Wall seconds (a merge takes the longest shard's). */
  wallSeconds: number;
  jobs: number;
  stoppedBy: StopReason;
  interrupted: boolean;
  /**
   * Coverage probes summed over the seeds that ran (a determinism rerun counts once): every declared probe, with
   * the seeds that reached it and its hits in all; those at zero no seed reached. Absent in a merge with an
   * input that has none.
   */
  probes?: ProbeTotals;
}

export function totalsOf(runs: SeedOutcome[]): FuzzTotals {
  const t: FuzzTotals = {
    runs: runs.length,
    valid: 0,
    invalid: 0,
    unknown: 0,
    crashes: 0,
    nondeterministic: 0,
    findings: 0,
    rerun: 0,
    byAnomaly: {},
    allowedSeeds: 0,
    allowedByAnomaly: {},
    lostByCause: {},
  };
  for (const r of runs) {
    if (r.valid === true) t.valid++;
    else if (r.valid === false) t.invalid++;
    else if (r.valid === 'unknown') t.unknown++;
    if (r.findings.includes('harness-crash')) t.crashes++;
    if (r.findings.includes('nondeterminism')) t.nondeterministic++;
    if (r.findings.length > 0) t.findings++;
    if (r.rerunHash !== undefined) t.rerun++;
  }
  const names = new Set(runs.flatMap((r) => Object.keys(r.anomalies)));
  for (const name of [...names].sort()) t.byAnomaly[name] = runs.filter((r) => (r.anomalies[name] ?? 0) > 0).length;
  const allowedNames = new Set(runs.flatMap((r) => Object.keys(r.allowed?.anomalies ?? {})));
  for (const name of [...allowedNames].sort())
    t.allowedByAnomaly[name] = runs.filter((r) => (r.allowed?.anomalies[name] ?? 0) > 0).length;
  const causes = new Map<string, number>();
  for (const r of runs) {
    if (r.allowed === undefined) continue;
    t.allowedSeeds++;
    for (const [cause, n] of Object.entries(r.allowed.lostByCause)) causes.set(cause, (causes.get(cause) ?? 0) + n);
  }
  for (const cause of [...causes.keys()].sort()) t.lostByCause[cause] = causes.get(cause) ?? 0;
  return t;
}

export function sortRuns(runs: SeedOutcome[]): SeedOutcome[] {
  return [...runs].sort((a, b) => a.seed - b.seed);
}

export const SUMMARY_FILE = 'summary.json';

export function writeSummary(outDir: string, summary: FuzzSummary): void {
  writeWhole(join(outDir, SUMMARY_FILE), JSON.stringify(summary, null, 2) + '\n');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads `<dir>/summary.json`, checking enough of its shape that merging it is safe. */
export function readSummary(dir: string): FuzzSummary {
  const path = join(dir, SUMMARY_FILE);
  if (!existsSync(path))
    throw new UsageError(`${dir}: no ${SUMMARY_FILE} there (not a kafkasim fuzz output directory)`);
  const text = readInput(path, 'fuzz summary');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError(`${path}: not valid JSON`);
  }
  if (!isObject(json) || typeof json.kafkasim !== 'string')
    throw new UsageError(`${path}: not a kafkasim fuzz summary (no "kafkasim" version field)`);
  if (json.kafkasim !== KAFKASIM_VERSION)
    throw new UsageError(`${path}: written by kafkasim ${json.kafkasim}, this is ${KAFKASIM_VERSION}`);
  if (!isObject(json.options) || !Array.isArray(json.runFlags) || !Array.isArray(json.shards))
    throw new UsageError(`${path}: "options", "runFlags" or "shards" is missing`);
  if (!isObject(json.seeds) || typeof json.seeds.from !== 'number' || typeof json.seeds.to !== 'number')
    throw new UsageError(`${path}: "seeds" must hold the range (from, to)`);
  if (!Array.isArray(json.runs)) throw new UsageError(`${path}: "runs" must be an array`);
  if (!STOP_REASONS.includes(json.stoppedBy as StopReason))
    throw new UsageError(`${path}: "stoppedBy" must be one of ${STOP_REASONS.join(', ')}`);
  const probesProblem = json.probes === undefined ? null : probeTotalsProblem(json.probes);
  if (probesProblem !== null) throw new UsageError(`${path}: ${probesProblem}`);
  for (const r of json.runs) {
    if (!isObject(r) || typeof r.seed !== 'number' || !Array.isArray(r.findings) || !isObject(r.anomalies)) {
      throw new UsageError(`${path}: every entry of "runs" needs a seed, findings and anomalies`);
    }
    if (r.cause !== undefined && typeof r.cause !== 'string')
      throw new UsageError(`${path}: seed ${r.seed} has a cause that is not a string`);
    // Merge copies these directories: only the one place a fuzz puts them, never a path elsewhere.
    if (r.dir !== undefined && r.dir !== seedDir(r.seed))
      throw new UsageError(
        `${path}: seed ${r.seed} has the directory "${String(r.dir)}", expected "${seedDir(r.seed)}"`,
      );
  }
  // The remaining fields are recomputed by merge, so their shape is not trusted.
  return json as unknown as FuzzSummary;
}
