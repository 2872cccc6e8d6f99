// What one fuzzing run found, as a set of signal names: the judge's anomalies — the queue and durability
// checkers', invariant violations nothing explains, and the two end-of-run checks every run makes,
// `divergence-at-rest` (checkers/invariants/at-rest.ts) and `consumer-poll-skip`
// (checkers/queue/final-log-reads.ts).
import type { CheckResult } from '../checkers/result.ts';
import { runOnce, type JudgedRun, type RunOptions } from '../harness/index.ts';

export interface SignalledRun {
  run: JudgedRun;
  signals: string[];
  /** Invariant violations of any cause (explained ones are the judge's notes, not anomalies). */
  violations: number;
}

/** Runs once and collects every signal. */
export function runWithSignals(options: RunOptions): SignalledRun {
  const run = runOnce(options);
  return {
    run,
    signals: Object.keys(run.result.anomalies).sort(),
    violations: invariantViolations(run.result.checkers),
  };
}

function invariantViolations(checkers: readonly CheckResult[]): number {
  return checkers.find((c) => c.checker === 'invariants')?.stats?.violations ?? 0;
}
