// A reference checker for small histories: tries every order of the operations that respects real
// time, with each indeterminate op either placed somewhere or left out. Exponential, and obviously
// right, which is the point. Shares only the model with the checker under test.
import { ILLEGAL, type AnyModel } from '../../checkers/linearizable/index.ts';
import type { History, Op } from '../../workloads/history/format.ts';

interface BruteOp {
  input: unknown;
  output: unknown;
  call: number;
  ret: number;
}

/** Knossos's rules, written out again independently of checkers/linearizable/operations.ts. */
function readOperations(history: History, model: AnyModel): BruteOp[] {
  const open = new Map<number, { invoke: Op; call: number }>();
  const done: Array<{ invoke: Op; call: number; completion: Op | undefined; ret: number }> = [];
  history.forEach((op, position) => {
    if (typeof op.process !== 'number') return;
    if (op.type === 'invoke') {
      open.set(op.process, { invoke: op, call: position });
      return;
    }
    const pending = open.get(op.process);
    if (pending === undefined) return;
    open.delete(op.process);
    if (op.type === 'ok') done.push({ ...pending, completion: op, ret: position });
    if (op.type === 'info') done.push({ ...pending, completion: undefined, ret: Infinity });
  });
  for (const pending of open.values()) done.push({ ...pending, completion: undefined, ret: Infinity });
  const operations: BruteOp[] = [];
  for (const d of done) {
    const call = model.interpret(d.invoke, d.completion);
    if (call !== null)
      operations.push({
        input: call.input,
        output: d.ret === Infinity ? undefined : call.output,
        call: d.call,
        ret: d.ret,
      });
  }
  return operations;
}

function someOrderWorks(model: AnyModel, ops: BruteOp[], placed: boolean[], state: unknown): boolean {
  const unplacedFinite = ops.filter((op, i) => !placed[i] && op.ret !== Infinity);
  if (unplacedFinite.length === 0) return true;
  for (let i = 0; i < ops.length; i++) {
    if (placed[i]) continue;
    const candidate = ops[i];
    // A candidate may go next only if no unplaced op returned before it was invoked.
    if (unplacedFinite.some((other) => other !== candidate && other.ret < candidate.call)) continue;
    const after = model.step(state, candidate.input, candidate.output);
    if (after === ILLEGAL) continue;
    placed[i] = true;
    const works = someOrderWorks(model, ops, placed, after);
    placed[i] = false;
    if (works) return true;
  }
  return false;
}

/**
 * `partition` replaces the model's own, for models whose partition does more than split (the Kafka
 * model's also marks unobserved sends, an optimisation this reference must not rely on).
 */
export function bruteForceLinearizable(history: History, model: AnyModel, partition = model.partition): boolean {
  const operations = readOperations(history, model);
  const parts =
    partition === undefined
      ? [operations]
      : // A partition only looks at input and output; the rest of Operation is carried along.
        partition(operations.map((op) => ({ ...op, invoke: history[0], completion: undefined }))).map(
          (part) => part.operations,
        );
  return parts.every((ops) =>
    someOrderWorks(
      model,
      ops,
      ops.map(() => false),
      model.init(),
    ),
  );
}
