// Coverage probes as runs and fuzzes report them: a run's hits (probes.json beside result.json, and a section
// of its report), and a fuzz's totals summed over its seeds (summary.json, the fuzz index, and the probes no
// seed reached printed at the end). The probes themselves are declared in sim/kafka/probes.ts.
import type { RunOptions } from './options.ts';
import { testOf } from './test.ts';
import { PROBE_DESCRIPTIONS, PROBE_NAMES, probeMetadataMode, type ProbeName } from '../sim/kafka/probes.ts';

export const PROBES_FILE = 'probes.json';

/** A run's probes.json: every declared probe with its hits in this run, in declaration order. */
export interface RunProbes {
  declared: number;
  reached: number;
  hits: Record<string, number>;
}

export function runProbes(counts: readonly number[]): RunProbes {
  const hits: Record<string, number> = {};
  let reached = 0;
  PROBE_NAMES.forEach((name, i) => {
    const n = counts[i] ?? 0;
    hits[name] = n;
    if (n > 0) reached++;
  });
  return { declared: PROBE_NAMES.length, reached, hits };
}

/** One probe summed over a fuzz's seeds: how many seeds reached it, and its hits in all. */
export interface ProbeTotal {
  seeds: number;
  hits: number;
}

/** Every declared probe's total, in declaration order (unreached ones at zero, so that they can be listed). */
export type ProbeTotals = Record<string, ProbeTotal>;

export function emptyProbeTotals(): ProbeTotals {
  const out: ProbeTotals = {};
  for (const name of PROBE_NAMES) out[name] = { seeds: 0, hits: 0 };
  return out;
}

/** Adds one seed's counts (declaration order) to `totals`. */
export function addSeedProbes(totals: ProbeTotals, counts: readonly number[]): void {
  PROBE_NAMES.forEach((name, i) => {
    const n = counts[i] ?? 0;
    if (n === 0) return;
    const t = (totals[name] ??= { seeds: 0, hits: 0 });
    t.seeds++;
    t.hits += n;
  });
}

/**
 * The sum of several fuzzes' totals (merged shards). Probes this kafkasim declares come first, in its order;
 * one only an input knows (written by another build) is kept after them.
 */
export function sumProbeTotals(all: readonly ProbeTotals[]): ProbeTotals {
  const out = emptyProbeTotals();
  for (const totals of all) {
    for (const [name, t] of Object.entries(totals)) {
      const o = (out[name] ??= { seeds: 0, hits: 0 });
      o.seeds += t.seeds;
      o.hits += t.hits;
    }
  }
  return out;
}

/** The probes no seed reached, in declaration order. */
export function unreachedProbes(totals: ProbeTotals): string[] {
  return Object.entries(totals)
    .filter(([, t]) => t.seeds === 0)
    .map(([name]) => name);
}

/**
 * The probes no seed reached, split: those the fuzz's metadata mode could have reached, and those of the other
 * mode (ZooKeeper mode's in a KRaft fuzz, and the reverse), which it could not.
 */
export function unreachedByMode(totals: ProbeTotals, mode: 'zk' | 'kraft'): { missed: string[]; otherMode: string[] } {
  const missed: string[] = [];
  const otherMode: string[] = [];
  for (const name of unreachedProbes(totals)) {
    (isOtherMode(name, mode) ? otherMode : missed).push(name);
  }
  return { missed, otherMode };
}

/** Whether `name` is a probe of the metadata mode other than `mode`. */
export function isOtherMode(name: string, mode: 'zk' | 'kraft'): boolean {
  const m = probeMetadataMode(name);
  return m !== null && m !== mode;
}

/** The metadata mode runs of these options use (the release's own when they name none). */
export function metadataModeOf(options: Omit<RunOptions, 'seed'>): 'zk' | 'kraft' {
  return testOf({ ...options, seed: 0 }).cluster.metadata;
}

/** What a probe means, for reports ('' for a name this build does not declare). */
export function probeDescription(name: string): string {
  return (PROBE_DESCRIPTIONS as Record<string, string | undefined>)[name] ?? '';
}

/** Whether `name` is a probe this build declares. */
export function isDeclaredProbe(name: string): name is ProbeName {
  return Object.hasOwn(PROBE_DESCRIPTIONS, name);
}

/** Checks the shape of a summary's probe totals (read from disk); a message for the first fault, or null. */
export function probeTotalsProblem(v: unknown): string | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return '"probes" must be an object';
  for (const [name, t] of Object.entries(v as Record<string, unknown>)) {
    const ok =
      typeof t === 'object' &&
      t !== null &&
      Number.isInteger((t as ProbeTotal).seeds) &&
      Number.isInteger((t as ProbeTotal).hits);
    if (!ok) return `probe "${name}" needs integer "seeds" and "hits"`;
  }
  return null;
}
