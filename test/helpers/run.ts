// A run from run options, for tests: the test the options describe, run by the harness (hooks included).
import { runTest, testOf, type RunHooks, type RunOptions, type TestRun } from '../../harness/index.ts';

export function runOptions(options: RunOptions, hooks: RunHooks = {}): TestRun {
  return runTest(testOf(options), hooks);
}
