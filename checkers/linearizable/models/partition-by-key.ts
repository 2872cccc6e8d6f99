// Splitting a history by key, for models whose keys are independent objects (P-compositionality).
import type { ModelCall, Operation, Part } from '../model.ts';

/**
 * Builds one part per key, in order of first appearance. `split` gives an operation's share of each
 * key it touches (an op touching two keys becomes two operations with the same call and return).
 */
export function partitionByKey<I, O>(
  operations: Operation<I, O>[],
  split: (call: ModelCall<I, O>) => Array<[key: string, share: ModelCall<I, O>]>,
): Part<I, O>[] {
  const parts = new Map<string, Operation<I, O>[]>();
  for (const operation of operations) {
    for (const [key, share] of split(operation)) {
      let list = parts.get(key);
      if (list === undefined) {
        list = [];
        parts.set(key, list);
      }
      list.push({ ...operation, input: share.input, output: share.output });
    }
  }
  return [...parts].map(([key, list]) => ({ key, operations: list }));
}
