// Linearizability of a history against a model: Knossos's reading of the history, the model's
// partition into independent parts, each split at quiescent points (segments.ts), and a Wing–Gong–Lowe
// search per part, interleaved in slices so a hard part cannot starve the others. Pure: time comes only
// from the caller's clock.
import type { History } from '../../workloads/history/format.ts';
import type { CheckResult } from '../result.ts';
import { nonlinearizableAnomaly } from './anomaly.ts';
import type { Model, Operation, Part } from './model.ts';
import { modelOperations, pairOperations } from './operations.ts';
import { SegmentedSearch } from './segments.ts';

export const LINEARIZABLE_CHECKER = 'linearizable';

export interface LinearizableOptions {
  /**
   * Search steps (all parts together; one per candidate tried or backtrack) before giving up with
   * valid: 'unknown'. Unlimited by default.
   */
  maxSteps?: number;
  /** Milliseconds from the first reading of `clock` before giving up with valid: 'unknown'. */
  timeLimitMs?: number;
  /** The caller's clock in milliseconds (e.g. performance.now); required for timeLimitMs. */
  clock?: () => number;
  /** Steps a part runs before the next part's turn (and between budget checks). */
  sliceSteps?: number;
  /** Split each part at quiescent points (default true); false searches each part whole, as before. */
  splitAtQuiescence?: boolean;
  /** Ops a segment holds at least before it is cut (tests cut at every quiescent point with 1). */
  minSegmentOps?: number;
}

const DEFAULT_SLICE_STEPS = 4096;

export function checkLinearizable<S, I, O>(
  history: History,
  model: Model<S, I, O>,
  options: LinearizableOptions = {},
): CheckResult {
  return checkOperations(model, modelOperations(model, pairOperations(history)), options);
}

/** The same check, for operations already read from a history (see modelOperations). */
export function checkOperations<S, I, O>(
  model: Model<S, I, O>,
  operations: Operation<I, O>[],
  options: LinearizableOptions = {},
): CheckResult {
  const parts: Part<I, O>[] = model.partition === undefined ? [{ key: '', operations }] : model.partition(operations);
  const partitioned = model.partition !== undefined;
  const split = options.splitAtQuiescence === false ? false : (options.minSegmentOps ?? true);
  const searches = parts.map((part) => new SegmentedSearch(model, part.operations, split));
  const maxSteps = options.maxSteps ?? Infinity;
  const slice = Math.max(1, options.sliceSteps ?? DEFAULT_SLICE_STEPS);
  const { clock, timeLimitMs } = options;
  if (timeLimitMs !== undefined && clock === undefined) throw new Error('timeLimitMs needs a clock');
  const startedAt = clock === undefined ? 0 : clock();

  const stats = () => ({
    operations: operations.length,
    partitions: parts.length,
    segments: searches.reduce((sum, s) => sum + s.segmentCount, 0),
    statesExplored: searches.reduce((sum, s) => sum + s.statesExplored, 0),
    steps: searches.reduce((sum, s) => sum + s.steps, 0),
  });
  const result = (valid: CheckResult['valid']): CheckResult => ({
    checker: LINEARIZABLE_CHECKER,
    valid,
    anomalies: [],
    stats: stats(),
  });

  let pending = searches.map((_, i) => i);
  let stepsTaken = 0;
  while (pending.length > 0) {
    const stillPending: number[] = [];
    for (const i of pending) {
      const search = searches[i];
      const before = search.steps;
      const status = search.run(Math.min(slice, maxSteps - stepsTaken));
      stepsTaken += search.steps - before;
      if (status === 'not-linearizable') {
        const anomaly = nonlinearizableAnomaly(model, search.failed(), partitioned ? parts[i].key : undefined);
        return { ...result(false), anomalies: [anomaly] };
      }
      if (status === 'searching') stillPending.push(i);
      const outOfTime = clock !== undefined && timeLimitMs !== undefined && clock() - startedAt >= timeLimitMs;
      if (status === 'searching' && (stepsTaken >= maxSteps || outOfTime)) return result('unknown');
    }
    pending = stillPending;
  }
  return result(true);
}
