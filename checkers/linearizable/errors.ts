// The checker's one error: an op whose value does not have the shape its model reads.
import type { Op } from '../../workloads/history/format.ts';

/** Enough of a value to recognise it; the CLI prints the message as one line, not a megabyte. */
const MAX_VALUE_TEXT = 200;

export class MalformedOperationError extends Error {
  constructor(model: string, op: Op, expected: string) {
    const text = JSON.stringify(op.value) ?? 'undefined';
    const value = text.length > MAX_VALUE_TEXT ? `${text.slice(0, MAX_VALUE_TEXT)}…` : text;
    super(`${model} model: op ${op.index} (${op.f}) has value ${value}; expected ${expected}`);
    this.name = 'MalformedOperationError';
  }
}
