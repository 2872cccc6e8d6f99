// What one fuzzed seed came to, as the worker reports it and summary.json records it, and the messages
// between the fuzz's main thread and its workers. Plain data: it crosses threads by structured clone.
import type { Validity } from '../../checkers/result.ts';
import type { RunOptions } from '../options.ts';

/**
 * A finding is something a human should look at:
 * - `anomaly`: the checkers found the history invalid (Kafka lost or reordered data);
 * - `harness-crash`: the simulator, a checker or the worker itself threw or died on this seed;
 * - `nondeterminism`: the seed ran twice and the history hashes differ.
 */
export type FindingKind = 'anomaly' | 'harness-crash' | 'nondeterminism';

export interface SeedOutcome {
  seed: number;
  /** The checkers' verdict; null when the run crashed before one. */
  valid: Validity | null;
  /** Findings by anomaly name (what makes the seed invalid). */
  anomalies: Record<string, number>;
  /**
   * What the configuration allowed (reported, not findings): instances by anomaly name, and acknowledged writes
   * lost by cause. Present only when something was allowed.
   */
  allowed?: { anomalies: Record<string, number>; lostByCause: Record<string, number> };
  historyHash: string | null;
  /** The second run's hash, for seeds in the determinism sample. */
  rerunHash?: string;
  /** Wall milliseconds of the seed, both runs included. */
  wallMs: number;
  /** Events the world ran (first run). */
  events: number;
  findings: FindingKind[];
  /** First line of the error, for harness crashes (the stack is in the seed's directory). */
  error?: string;
  /** Where the seed's outputs are, relative to the fuzz's output directory (findings only). */
  dir?: string;
  /** For an anomaly: the first finding's cause in one sentence, as the run's report opens with it. */
  cause?: string;
  /**
   * The first run's coverage probe hits, one per declared probe in order (sim/kafka/probes.ts). Sent from the
   * worker to the fuzz, which sums them into summary.json's `probes` and does not keep them per seed.
   */
  probes?: number[];
}

/** Sent once to each worker when it starts, before any task. */
export interface WorkerSetup {
  /** The run options shared by every seed (the seed field is replaced per task). */
  options: Omit<RunOptions, 'seed'>;
  /** The fuzz's output directory: a finding's outputs go to `<outDir>/seeds/<seed>/`. */
  outDir: string;
  /** The `kafkasim run` flags of these options, for the replay command of a crash. */
  runFlags: string[];
}

/** Main → worker: run this seed (twice when `twice`). */
export interface SeedTask {
  seed: number;
  twice: boolean;
}

/** Worker → main; `fatal` carries an exception nothing caught, just before the worker exits. */
export type WorkerMessage =
  { type: 'ready' } | { type: 'done'; outcome: SeedOutcome } | { type: 'fatal'; stack: string };

/** Seed directories, relative to the output directory. */
export function seedDir(seed: number): string {
  return `seeds/${seed}`;
}
