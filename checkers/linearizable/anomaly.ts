// Explains a failed search as a `nonlinearizable` anomaly: the longest linearizable prefix found, the
// state after it, and the operation that could not be placed next.
import type { Anomaly } from '../result.ts';
import type { Op } from '../../workloads/history/format.ts';
import { ILLEGAL, type Model, type Operation } from './model.ts';
import type { FailedSearch } from './segments.ts';

export const NONLINEARIZABLE = 'nonlinearizable';

const EXPLANATION =
  'No order of the operations agrees with both real time (an operation that completed before another ' +
  'was invoked comes first) and the model, so the history is not linearizable. The example gives the ' +
  'longest prefix the search could linearize, the state it leads to, and the operation that could not ' +
  'be placed after it.';

/** Ops at the end of the prefix whose state after them the example gives (Porcupine shows it on hover). */
const STATES_SHOWN = 30;

/**
 * The model's state after each of the last ops of the prefix, by invoke index, replayed from the search's
 * start state (the model is a pure function, so the replay is the search's own path).
 */
function statesAlong<S, I, O>(
  model: Model<S, I, O>,
  initial: S,
  shown: readonly number[],
  order: readonly number[],
  operations: readonly Operation<I, O>[],
): Record<number, string> {
  const wanted = new Set(shown);
  const out: Record<number, string> = {};
  let state = initial;
  for (const k of order) {
    const op = operations[k];
    const next = model.step(state, op.input, op.output);
    if (next === ILLEGAL) break;
    state = next;
    if (wanted.has(k)) out[op.invoke.index] = model.describeState(state);
  }
  return out;
}

export function nonlinearizableAnomaly<S, I, O>(
  model: Model<S, I, O>,
  search: FailedSearch<S, I, O>,
  partKey: string | undefined,
): Anomaly {
  const { order, initial, state, blocked } = search.longest();
  const operations = search.operations;
  const prefix = order.map((k) => operations[k].invoke.index);
  const states = statesAlong(model, initial, order.slice(-STATES_SHOWN), order, operations);
  const stateText = model.describeState(state);
  const where = partKey === undefined ? '' : ` (key ${partKey})`;
  // A search split at quiescent points explains the segment that failed; the ones before it linearized.
  const earlier = search.before === 0 ? '' : ` after the ${search.before} operations before it`;

  let ops: Op[] = [];
  const found = `${prefix.length} operations${earlier}`;
  let description = `${model.name}${where}: no linearization found after ${found}; state ${stateText}.`;
  const detail: Record<string, unknown> = { model: model.name, prefix, state: stateText, states };
  if (search.before > 0) detail.linearizedBefore = search.before;
  if (partKey !== undefined) detail.key = partKey;

  if (blocked >= 0) {
    const op = operations[blocked];
    ops = op.completion === undefined ? [op.invoke] : [op.invoke, op.completion];
    const what = model.describeOperation(op.input, op.output);
    const completed = op.completion === undefined ? 'never completed' : `completed at index ${op.completion.index}`;
    description =
      `${model.name}${where}: after the longest linearizable prefix found (${prefix.length} operations${earlier}, ` +
      `state ${stateText}), ${what} by process ${String(op.invoke.process)} (invoked at index ` +
      `${op.invoke.index}, ${completed}) cannot be placed.`;
    detail.unplaced = {
      operation: what,
      invoke: op.invoke.index,
      completion: op.completion === undefined ? null : op.completion.index,
    };
  }
  return { name: NONLINEARIZABLE, count: 1, explanation: EXPLANATION, examples: [{ description, ops, detail }] };
}
