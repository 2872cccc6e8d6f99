// One run and its verdict, and the files a run leaves in its output directory. Shared by run, fuzz,
// compare, replay and shrink so that every command writes the same, replayable outputs.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeEdnHistory } from '../workloads/history/edn.ts';
import { writeJsonl } from '../workloads/history/jsonl.ts';
import { judge, type RunResult } from './judge.ts';
import { replayCommandFor, runReportData, writeRunReport } from './report-data.ts';
import { KAFKASIM_VERSION, makeRepro, reproText, type Repro } from './repro.ts';
import { runTest, type RunOptions, type RunOutput } from './runner.ts';
import { writeWhole } from './write-whole.ts';

export interface JudgedRun {
  options: RunOptions;
  output: RunOutput;
  result: RunResult;
  repro: Repro;
}

/** Runs one test and judges it; wall time is measured here, outside the world. */
export function runOnce(options: RunOptions): JudgedRun {
  const started = performance.now();
  const output = runTest(options);
  const result = judge(options.seed, output, performance.now() - started, KAFKASIM_VERSION);
  const repro = makeRepro(options, output.schedule, output.historyHash, Object.keys(result.anomalies).sort());
  return { options, output, result, repro };
}

/**
 * Writes history.jsonl, history.edn, result.json, repro.json, and the HTML report (report.json and
 * index.html) into `dir` (created if missing).
 */
export function writeRunOutputs(dir: string, run: JudgedRun, report: { replayCommand?: string } = {}): void {
  mkdirSync(dir, { recursive: true });
  writeWhole(join(dir, 'history.jsonl'), writeJsonl(run.output.history));
  writeWhole(join(dir, 'history.edn'), writeEdnHistory(run.output.history));
  writeWhole(join(dir, 'result.json'), JSON.stringify(run.result, null, 2) + '\n');
  writeWhole(join(dir, 'repro.json'), reproText(run.repro));
  // The command a reader of the report reruns it with; callers that know a shorter one pass it.
  const replay = report.replayCommand ?? replayCommandFor(run.options, { reproFile: join(dir, 'repro.json') });
  writeRunReport(dir, runReportData(run.output, run.result, replay));
}
