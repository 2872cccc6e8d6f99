// The harness: where a test is assembled from run options, run with its monitors online, judged, and
// turned into the files and report data a run leaves. cli/, bench/ and the tests build on it.
export { UsageError } from './errors.ts';
export { readInput } from './input.ts';
export { checkOutDir, checkOutFile, makeOutDir } from './out-path.ts';
export {
  checkOptions,
  flagWordsOf,
  knobsOf,
  optionsFromFlags,
  RUN_DEFAULTS,
  RUN_FLAGS,
  RUN_OPTION_KEYS,
  RUN_OPTIONS,
  SEED_FLAG,
  type RunFlag,
  type RunKnobs,
  type RunOptionKey,
  type RunOptions,
} from './options.ts';
export { configOf, testOf, type NemesisPlan, type RunConfig, type Test } from './test.ts';
export { standardCheckers } from './checkers.ts';
export { runTest, type RunHooks, type RunStats, type TestRun } from './run-test.ts';
export { type RunResult } from './judge.ts';
export { StopRun, type StoppedAt } from './monitors.ts';
export { runOnce, writeRunOutputs, type JudgedRun } from './run.ts';
export {
  metadataModeOf,
  PROBES_FILE,
  runProbes,
  unreachedByMode,
  unreachedProbes,
  type ProbeTotals,
  type RunProbes,
} from './probes.ts';
export {
  makeRepro,
  parseRepro,
  readRepro,
  reproRunOptions,
  reproText,
  type Repro,
  type ReproOptions,
} from './repro.ts';
export {
  accountOfRun,
  checkReportData,
  compareCommandFor,
  compareSideFrom,
  replayCommandFor,
  runReportData,
  shellWord,
  unavailableMsOf,
  writeRunReport,
} from './report-data.ts';
export { KAFKASIM_VERSION } from './version.ts';
export { writeWhole } from './write-whole.ts';
