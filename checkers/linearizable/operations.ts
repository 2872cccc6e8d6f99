// Turns a history into the operations a model sees, by Knossos's rules: only integer processes count;
// an invocation is completed by its process's next ok, fail or info; fail drops both events; info, or
// no completion at all, makes the op indeterminate (it may take effect at any later moment, or never).
import type { History, Op } from '../../workloads/history/format.ts';
import type { Model, Operation } from './model.ts';

export interface PairedOp {
  invoke: Op;
  /** The ok or info completion, or undefined when the op never completed. */
  completion: Op | undefined;
  /** Event positions in the history; ret is Infinity unless the op completed ok. */
  call: number;
  ret: number;
}

function isIntegerProcess(op: Op): boolean {
  return typeof op.process === 'number' && Number.isInteger(op.process);
}

/** Pairs invocations with completions, dropping failed ops; ordered by invocation. */
export function pairOperations(history: History): PairedOp[] {
  const paired: PairedOp[] = [];
  const open = new Map<number, PairedOp>();
  for (let position = 0; position < history.length; position++) {
    const op = history[position];
    if (!isIntegerProcess(op)) continue;
    const process = op.process as number;
    const pending = open.get(process);
    if (op.type === 'invoke') {
      // A second invocation while one is open should not happen; the open one then stays indeterminate.
      const entry: PairedOp = { invoke: op, completion: undefined, call: position, ret: Infinity };
      paired.push(entry);
      open.set(process, entry);
      continue;
    }
    // A completion without an invocation tells nothing about what happened: ignore it.
    if (pending === undefined) continue;
    open.delete(process);
    if (op.type === 'ok') {
      pending.completion = op;
      pending.ret = position;
    } else if (op.type === 'info') {
      pending.completion = op;
    } else {
      pending.call = -1; // marked failed: removed below
    }
  }
  return paired.filter((p) => p.call >= 0);
}

/** The model's view of each paired op; ops the model finds irrelevant (null) are left out. */
export function modelOperations<S, I, O>(model: Model<S, I, O>, paired: PairedOp[]): Operation<I, O>[] {
  const operations: Operation<I, O>[] = [];
  for (const p of paired) {
    const determinate = p.ret !== Infinity;
    const call = model.interpret(p.invoke, determinate ? p.completion : undefined);
    if (call === null) continue;
    operations.push({
      input: call.input,
      output: determinate ? call.output : undefined,
      call: p.call,
      ret: p.ret,
      invoke: p.invoke,
      completion: p.completion,
    });
  }
  return operations;
}
