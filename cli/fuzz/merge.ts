// Merging shard outputs into one: the summaries must come from the same kafkasim and the same run
// options, and no seed may appear twice. Everything is checked before anything is written; the failing
// seeds' directories are copied (not linked) so that a published site is self-contained, and
// summary.json is written last, so it only exists once the merge is whole.
import { cpSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { canonicalJson } from '../../sim/world/index.ts';
import { UsageError } from '../usage-error.ts';
import { checkOutDir, makeOutDir } from '../../harness/out-path.ts';
import { writeWhole } from '../../harness/write-whole.ts';
import { JUNIT_FILE } from '../../harness/fuzz/fuzz-run.ts';
import { junitXml } from '../../harness/fuzz/junit.ts';
import type { SeedOutcome } from '../../harness/fuzz/outcome.ts';
import { writeFuzzIndex } from '../../harness/fuzz/reports.ts';
import { sumProbeTotals, type ProbeTotals } from '../../harness/probes.ts';
import {
  readSummary,
  sortRuns,
  SUMMARY_FILE,
  totalsOf,
  writeSummary,
  type FuzzSummary,
  type StopReason,
} from '../../harness/fuzz/summary.ts';

export interface MergeInput {
  dir: string;
  summary: FuzzSummary;
}

/** One summary of several; throws UsageError naming the first incompatibility. */
export function mergeSummaries(inputs: MergeInput[]): FuzzSummary {
  if (inputs.length === 0) throw new UsageError('merge: give at least one fuzz output directory');
  const first = inputs[0];
  const options = canonicalJson(first.summary.options);
  const seenIn = new Map<number, string>();
  const runs: SeedOutcome[] = [];
  for (const { dir, summary } of inputs) {
    if (canonicalJson(summary.options) !== options) {
      throw new UsageError(
        `merge: ${dir} ran with other options than ${first.dir} (${summary.runFlags.join(' ')} vs ` +
          `${first.summary.runFlags.join(' ')})`,
      );
    }
    for (const r of summary.runs) {
      const other = seenIn.get(r.seed);
      if (other !== undefined)
        throw new UsageError(`merge: seed ${r.seed} is in both ${other} and ${dir} (overlapping shards)`);
      seenIn.set(r.seed, dir);
      runs.push(r);
    }
  }
  const summaries = inputs.map((i) => i.summary);
  const sorted = sortRuns(runs);
  const stopped = summaries.map((s) => s.stoppedBy);
  // The merge is as unfinished as its least finished input.
  const stoppedBy: StopReason =
    (['running', 'interrupted', 'time-budget'] as const).find((r) => stopped.includes(r)) ?? 'done';
  return {
    kafkasim: first.summary.kafkasim,
    startedAt: summaries.map((s) => s.startedAt).sort()[0],
    options: first.summary.options,
    runFlags: first.summary.runFlags,
    shards: summaries.flatMap((s) => s.shards),
    seeds: {
      from: Math.min(...summaries.map((s) => s.seeds.from)),
      to: Math.max(...summaries.map((s) => s.seeds.to)),
      planned: summaries.reduce((n, s) => n + (s.seeds.planned ?? 0), 0),
      run: sorted.length,
    },
    runs: sorted,
    totals: totalsOf(sorted),
    // Shards run side by side: their rates add up, and the merged run took as long as the slowest.
    seedsPerSecond: Number(summaries.reduce((n, s) => n + (s.seedsPerSecond ?? 0), 0).toFixed(3)),
    wallSeconds: Math.max(...summaries.map((s) => s.wallSeconds ?? 0)),
    jobs: summaries.reduce((n, s) => n + (s.jobs ?? 0), 0),
    stoppedBy,
    interrupted: stoppedBy === 'interrupted',
    // Summed over the shards; unknown (absent) if one of them did not count them.
    ...(summaries.every((s) => s.probes !== undefined)
      ? { probes: sumProbeTotals(summaries.map((s) => s.probes as ProbeTotals)) }
      : {}),
  };
}

/** Shards of one n-way split that none of the inputs holds (a shard job that failed, say). */
export function missingShards(summary: FuzzSummary): string[] {
  const shards = summary.shards.filter((s) => s !== null);
  if (shards.length === 0 || shards.length !== summary.shards.length) return [];
  const count = shards[0].count;
  if (shards.some((s) => s.count !== count)) return [];
  const have = new Set(shards.map((s) => s.index));
  const missing: string[] = [];
  for (let i = 0; i < count; i++) if (!have.has(i)) missing.push(`${i}/${count}`);
  return missing;
}

/**
 * Reads, checks and merges `dirs` into `outDir`; returns the merged summary. `onUnfinished` hears of the
 * inputs that say 'running'.
 */
export function mergeDirs(
  dirs: string[],
  outDir: string,
  onUnfinished: (dir: string, summary: FuzzSummary) => void = () => {},
): FuzzSummary {
  for (const d of dirs) {
    if (resolve(d) === resolve(outDir)) throw new UsageError(`merge: --out ${outDir} is also an input`);
  }
  if (existsSync(join(outDir, SUMMARY_FILE)) || existsSync(join(outDir, 'seeds'))) {
    throw new UsageError(`${outDir} already holds fuzz results; choose another --out or remove it`);
  }
  checkOutDir(outDir);
  const inputs = dirs.map((dir) => ({ dir, summary: readSummary(dir) }));
  const merged = mergeSummaries(inputs);
  // A shard killed by its job's timeout still has its finished seeds to give; the merge keeps them and
  // says 'running' itself, as that shard's summary does.
  for (const { dir, summary } of inputs) if (summary.stoppedBy === 'running') onUnfinished(dir, summary);
  for (const { dir, summary } of inputs) {
    for (const r of summary.runs) {
      if (r.dir !== undefined && !existsSync(join(dir, r.dir)))
        throw new UsageError(`merge: ${join(dir, r.dir)} is missing (listed in ${join(dir, SUMMARY_FILE)})`);
    }
  }
  makeOutDir(outDir);
  for (const { dir, summary } of inputs) {
    for (const r of summary.runs) {
      if (r.dir !== undefined) cpSync(join(dir, r.dir), join(outDir, r.dir), { recursive: true });
    }
  }
  writeWhole(join(outDir, JUNIT_FILE), junitXml(merged));
  writeFuzzIndex(outDir, merged);
  writeSummary(outDir, merged);
  return merged;
}
