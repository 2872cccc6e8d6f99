// The one place the checker meets real time: a wrapper that gives the pure checker a wall clock, for
// the CLI and benchmarks (the simulated world never calls this).
import type { History } from '../../workloads/history/format.ts';
import type { CheckResult } from '../result.ts';
import { checkLinearizable, type LinearizableOptions } from './check.ts';
import type { Model } from './model.ts';

/** checkLinearizable with performance.now as its clock, giving up with 'unknown' after timeLimitMs. */
export function checkLinearizableWithin<S, I, O>(
  history: History,
  model: Model<S, I, O>,
  timeLimitMs: number,
  options: Omit<LinearizableOptions, 'clock' | 'timeLimitMs'> = {},
): CheckResult {
  return checkLinearizable(history, model, { ...options, timeLimitMs, clock: () => performance.now() });
}
