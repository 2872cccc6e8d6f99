// One run from run options, start to finish: the test they describe (test.ts), run and judged (run-test.ts),
// and the repro file that replays it; and the files a run leaves in its output directory. Shared by run,
// fuzz, compare, replay, shrink and the benchmarks, so that every one writes the same, replayable outputs.
import { join } from 'node:path';
import { writeEdnHistory, writeHistoryText } from '../workloads/history/edn.ts';
import { writeJsonl } from '../workloads/history/jsonl.ts';
import type { RunResult } from './judge.ts';
import type { RunOptions } from './options.ts';
import { makeOutDir } from './out-path.ts';
import { PROBES_FILE, runProbes } from './probes.ts';
import { replayCommandFor, runReportData, writeRunReport } from './report-data.ts';
import { makeRepro, reproText, type Repro } from './repro.ts';
import { runTest, type RunHooks, type TestRun } from './run-test.ts';
import { selfTestFault } from './self-test.ts';
import { withSwarmConfig } from './swarm-config.ts';
import { testOf, type Test } from './test.ts';
import { writeWhole } from './write-whole.ts';

export interface JudgedRun {
  options: RunOptions;
  test: Test;
  output: TestRun;
  result: RunResult;
  repro: Repro;
}

/** Runs the test `options` describe and judges it; `test` when the caller resolved it already. */
export function runOnce(given: RunOptions, hooks: RunHooks = {}, test: Test = testOf(given)): JudgedRun {
  // With --swarm-config the drawn settings are recorded as given, so the repro replays without drawing.
  const options = withSwarmConfig(given);
  if (selfTestFault(options.seed) === 'throw')
    throw new Error(`self-test: seed ${String(options.seed)} throws (KAFKASIM_FUZZ_SELF_TEST)`);
  const output = runTest(test, hooks);
  // The release is always recorded: the default moves to each newer release kafkasim learns.
  const recorded = { ...options, kafka: test.cluster.kafka };
  const repro = makeRepro(recorded, output.schedule, output.historyHash, Object.keys(output.result.anomalies).sort());
  return { options, test, output, result: output.result, repro };
}

/**
 * Writes history.jsonl, history.edn, history.txt (Jepsen's one-line-per-op text), result.json, probes.json (the
 * run's coverage probes), repro.json, and the HTML report (report.json and index.html) into `dir` (created if missing).
 */
export function writeRunOutputs(dir: string, run: JudgedRun, report: { replayCommand?: string } = {}): void {
  makeOutDir(dir);
  writeWhole(join(dir, 'history.jsonl'), writeJsonl(run.output.history));
  writeWhole(join(dir, 'history.edn'), writeEdnHistory(run.output.history));
  writeWhole(join(dir, 'history.txt'), writeHistoryText(run.output.history));
  writeWhole(join(dir, 'result.json'), JSON.stringify(run.result, null, 2) + '\n');
  writeWhole(join(dir, PROBES_FILE), JSON.stringify(runProbes(run.output.probes), null, 2) + '\n');
  writeWhole(join(dir, 'repro.json'), reproText(run.repro));
  // The command a reader of the report reruns it with; callers that know a shorter one pass it.
  const replay = report.replayCommand ?? replayCommandFor(run.options, { reproFile: join(dir, 'repro.json') });
  writeRunReport(dir, runReportData(run.output, run.result, replay));
}
