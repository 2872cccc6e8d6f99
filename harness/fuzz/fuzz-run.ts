// One fuzz: hands the seeds of a range (or of one shard of it) to a worker pool, collects outcomes,
// and keeps summary.json on disk as it goes, so an interrupted fuzz keeps everything it finished.
// Used by `kafkasim fuzz` and by bench/fuzz.ts.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { KAFKASIM_VERSION } from '../version.ts';
import { UsageError } from '../errors.ts';
import { makeOutDir } from '../out-path.ts';
import { writeWhole } from '../write-whole.ts';
import { junitXml } from './junit.ts';
import { addSeedProbes, emptyProbeTotals, type ProbeTotals } from '../probes.ts';
import type { SeedOutcome, SeedTask, WorkerSetup } from './outcome.ts';
import { runPool } from './pool.ts';
import { fuzzWorkerEntry } from './worker-bundle.ts';
import { workerExecArgv } from './worker-flags.ts';
import { writeFuzzIndex } from './reports.ts';
import { inDeterminismSample, shardSeeds, shardSize, type SeedRange, type Shard } from './seeds.ts';
import { sortRuns, SUMMARY_FILE, totalsOf, writeSummary, type FuzzSummary, type StopReason } from './summary.ts';

export interface FuzzConfig {
  options: WorkerSetup['options'];
  /** The options as `kafkasim run` flags (for the rerun command of a crash). */
  runFlags: string[];
  range: SeedRange;
  shard: Shard | null;
  jobs: number;
  /** Stop handing out seeds after this many wall seconds; seeds in flight finish. */
  timeBudgetSeconds?: number;
  /** Wall seconds one run of a seed may take before it counts as a hang (default: seedTimeoutFor). */
  seedTimeoutSeconds?: number;
  outDir: string;
}

/**
 * How often summary.json, junit.xml and the index are rewritten while the fuzz runs: every 2 s, or less
 * often once they are so large (a hundred thousand seeds) that writing them would take more than 2% of
 * the time.
 */
const SUMMARY_EVERY_MS = 2000;
const SUMMARY_MAX_SHARE = 0.02;

export const JUNIT_FILE = 'junit.xml';

/**
 * The default wall-clock limit for one run of a seed: a run simulates a second in a few milliseconds,
 * so a second of wall time per simulated second (and at least a minute) only stops a real hang.
 */
export function seedTimeoutFor(options: FuzzConfig['options']): number {
  return Math.max(60, options.timeSeconds ?? 60);
}

/** Creates the output directory; refuses one that already holds a fuzz, which it would overwrite. */
export function prepareOutDir(outDir: string): void {
  if (existsSync(join(outDir, SUMMARY_FILE)) || existsSync(join(outDir, 'seeds'))) {
    throw new UsageError(`${outDir} already holds fuzz results; choose another --out or remove it`);
  }
  makeOutDir(outDir);
}

export class FuzzRun {
  private readonly startedAt = new Date().toISOString();
  private readonly startedMs = performance.now();
  private readonly outcomes: SeedOutcome[] = [];
  /** Coverage probes summed over the seeds finished so far. */
  private readonly probes: ProbeTotals = emptyProbeTotals();
  private readonly seeds: Generator<number>;
  private readonly planned: number;
  /** Why no more seeds are handed out, once something says so. */
  private stopRequest: Exclude<StopReason, 'running' | 'done'> | undefined;
  /** Whether the summary is the last one (until then summary.json says 'running'). */
  private finished = false;
  private handedOut = 0;
  private findings = 0;
  private lastWrite = performance.now();
  private writeEveryMs = SUMMARY_EVERY_MS;
  /** Aborted by stopNow(): the pool kills its workers. */
  private readonly stopping = new AbortController();
  /** The Node and V8 flags its worker processes ran with (worker-flags.ts). */
  workerFlags: string[] = [];

  constructor(private readonly config: FuzzConfig) {
    const shard = config.shard ?? { index: 0, count: 1 };
    this.seeds = shardSeeds(config.range, shard);
    this.planned = shardSize(config.range, shard);
  }

  /** Seeds this fuzz would run if nothing stopped it. */
  get total(): number {
    return this.planned;
  }

  /** Stop handing out seeds (SIGINT); the seeds in flight finish, then run() resolves. */
  interrupt(): void {
    this.stopRequest = 'interrupted';
  }

  /**
   * Leave at once (a second SIGINT): the pool kills the workers, seeds in flight included, and run()
   * resolves with what had finished as soon as the last worker is gone, so that nothing of the fuzz
   * outlives it.
   */
  stopNow(): void {
    this.stopRequest = 'interrupted';
    this.stopping.abort();
  }

  /** Writes what has finished as the fuzz's last word now, for a fuzz that exits without waiting for run(). */
  writeLastWord(): void {
    this.stopRequest ??= 'interrupted';
    this.finished = true;
    this.writeAll();
  }

  /** Runs the seeds; `onOutcome` hears each as it finishes. Resolves with the final summary, written. */
  async run(onOutcome?: (outcome: SeedOutcome, done: number, findings: number) => void): Promise<FuzzSummary> {
    const setup: WorkerSetup = {
      options: this.config.options,
      outDir: this.config.outDir,
      runFlags: this.config.runFlags,
    };
    const jobs = Math.max(1, Math.min(this.config.jobs, this.planned));
    const timeoutMs = (this.config.seedTimeoutSeconds ?? seedTimeoutFor(this.config.options)) * 1000;
    this.workerFlags = workerExecArgv(jobs);
    // On disk from the start, saying 'running': a fuzz killed before its first rewrite leaves that much.
    this.writeAll();
    await runPool(
      { entry: await fuzzWorkerEntry(), execArgv: this.workerFlags },
      jobs,
      setup,
      {
        next: () => this.next(),
        done: ({ probes, ...outcome }) => {
          if (probes !== undefined) addSeedProbes(this.probes, probes);
          this.outcomes.push(outcome);
          if (outcome.findings.length > 0) this.findings++;
          onOutcome?.(outcome, this.outcomes.length, this.findings);
          if (performance.now() - this.lastWrite >= this.writeEveryMs) this.writeSoFar();
        },
      },
      timeoutMs,
      this.stopping.signal,
    );
    this.finished = true;
    const summary = this.summary();
    this.writeAll(summary);
    return summary;
  }

  private next(): SeedTask | undefined {
    if (this.stopRequest !== undefined) return undefined;
    const budget = this.config.timeBudgetSeconds;
    if (budget !== undefined && performance.now() - this.startedMs >= budget * 1000) {
      this.stopRequest = 'time-budget';
      return undefined;
    }
    const it = this.seeds.next();
    if (it.done === true) return undefined;
    // The first seed always runs twice, so that even a tiny fuzz checks determinism once.
    const twice = this.handedOut === 0 || inDeterminismSample(it.value);
    this.handedOut++;
    return { seed: it.value, twice };
  }

  /** The summary of everything finished so far. */
  summary(): FuzzSummary {
    const wallSeconds = (performance.now() - this.startedMs) / 1000;
    const runs = sortRuns(this.outcomes);
    const stoppedBy: StopReason = this.finished ? (this.stopRequest ?? 'done') : 'running';
    return {
      kafkasim: KAFKASIM_VERSION,
      startedAt: this.startedAt,
      options: this.config.options,
      runFlags: this.config.runFlags,
      shards: [this.config.shard],
      seeds: { ...this.config.range, planned: this.planned, run: runs.length },
      runs,
      totals: totalsOf(runs),
      seedsPerSecond: wallSeconds > 0 ? Number((runs.length / wallSeconds).toFixed(3)) : 0,
      wallSeconds: Number(wallSeconds.toFixed(3)),
      jobs: this.config.jobs,
      stoppedBy,
      interrupted: stoppedBy === 'interrupted',
      probes: structuredClone(this.probes),
    };
  }

  /** Writes summary.json, junit.xml and the fuzz index for what has finished so far. */
  private writeAll(summary: FuzzSummary = this.summary()): void {
    writeSummary(this.config.outDir, summary);
    writeWhole(join(this.config.outDir, JUNIT_FILE), junitXml(summary));
    writeFuzzIndex(this.config.outDir, summary);
  }

  private writeSoFar(): void {
    const started = performance.now();
    this.writeAll();
    this.lastWrite = performance.now();
    this.writeEveryMs = Math.max(SUMMARY_EVERY_MS, (this.lastWrite - started) / SUMMARY_MAX_SHARE);
  }
}
