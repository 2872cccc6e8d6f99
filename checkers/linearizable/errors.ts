// The checker's one error: an op whose value does not have the shape its model reads.
import type { Op } from '../../workloads/history/format.ts';

export class MalformedOperationError extends Error {
  constructor(model: string, op: Op, expected: string) {
    super(`${model} model: op ${op.index} (${op.f}) has value ${JSON.stringify(op.value)}; expected ${expected}`);
    this.name = 'MalformedOperationError';
  }
}
