// What one fuzzing run found, as a set of signal names: the judge's anomalies (queue, durability, and
// invariant violations nothing explains), plus two end-of-run checks the judge does not make:
// - `divergence-at-rest`: after healing and the final reads, two replicas still disagree below both
//   their high watermarks (LogMatching on a snapshot; the live monitor blames such breaks on the crash
//   that preceded them, and a divergence left below an unmoving high watermark is never rechecked);
// - `consumer-poll-skip`: a consumer passed over records of the final log without reading them and with
//   no seek in between (its reads judged against the log as it ended up: what a consumer that misses a
//   truncation does).
import type { CheckResult } from '../checkers/result.ts';
import type { JudgedRun } from '../cli/run-once.ts';
import { runOnce } from '../cli/run-once.ts';
import type { RunOptions } from '../cli/runner.ts';
import type { KafkaCluster } from '../sim/kafka/cluster.ts';
import { readsAgainstFinalLog, replicasAtRest } from '../test/helpers/historical-verdict.ts';

export interface SignalledRun {
  run: JudgedRun;
  signals: string[];
  /** Invariant violations of any cause (explained ones are the judge's notes, not anomalies). */
  violations: number;
}

/** Runs once and collects every signal. */
export function runWithSignals(options: RunOptions): SignalledRun {
  const box: { cluster: KafkaCluster | null } = { cluster: null };
  const run = runOnce({ ...options, onFinalPhase: (c) => (box.cluster = c) });
  const signals = new Set(Object.keys(run.result.anomalies));
  // The world stopped after the final reads: the replicas are as the run left them.
  if (box.cluster !== null && replicasAtRest(box.cluster).length > 0) signals.add('divergence-at-rest');
  const skips = readsAgainstFinalLog(run.output.history);
  if (skips.anomalies.some((a) => a.name === 'poll-skip' || a.name === 'int-poll-skip')) signals.add('consumer-poll-skip');
  return { run, signals: [...signals].sort(), violations: invariantViolations(run.result.checkers) };
}

function invariantViolations(checkers: readonly CheckResult[]): number {
  return checkers.find((c) => c.checker === 'invariants')?.stats?.violations ?? 0;
}
