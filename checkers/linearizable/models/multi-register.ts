// Several named registers changed by transactions: a txn's value is a list of [read k v] / [write k v]
// micro-ops applied in order (Knossos's multi-register); a read of nil is a wildcard.
import type { Op, Value } from '../../../workloads/history/format.ts';
import { MalformedOperationError } from '../errors.ts';
import { ILLEGAL, type Illegal, type Model, type ModelCall } from '../model.ts';
import { describeValue, hashValue, sameValue } from './values.ts';

export interface RegisterMicroOp {
  f: 'read' | 'write';
  key: string;
  value: Value;
}

export type MultiRegisterState = Readonly<Record<string, Value>>;

function interpretTxn(invoke: Op, completion: Op | undefined): ModelCall<RegisterMicroOp[], null> | null {
  const expected = 'a txn of [read k v] / [write k v] micro-ops';
  if (invoke.f !== 'txn') throw new MalformedOperationError('multi-register', invoke, expected);
  const value = completion === undefined ? invoke.value : completion.value;
  if (!Array.isArray(value)) throw new MalformedOperationError('multi-register', invoke, expected);
  const steps: RegisterMicroOp[] = [];
  for (const micro of value) {
    if (!Array.isArray(micro) || micro.length !== 3 || (micro[0] !== 'read' && micro[0] !== 'write')) {
      throw new MalformedOperationError('multi-register', invoke, expected);
    }
    const [f, key, v] = micro;
    // Reads of an indeterminate txn were never observed, and nil reads are wildcards: neither constrains.
    if (f === 'read' && (completion === undefined || v === null)) continue;
    steps.push({ f, key: String(key), value: v });
  }
  return steps.length === 0 ? null : { input: steps, output: null };
}

function stepTxn(state: MultiRegisterState, steps: RegisterMicroOp[]): MultiRegisterState | Illegal {
  let next = state;
  for (const micro of steps) {
    if (micro.f === 'read') {
      if (!sameValue(next[micro.key] ?? null, micro.value)) return ILLEGAL;
    } else {
      if (next === state) next = { ...state };
      (next as Record<string, Value>)[micro.key] = micro.value;
    }
  }
  return next;
}

/** Registers named by the keys of `initial` (others read as nil until written). */
export function multiRegisterModel(
  initial: Readonly<Record<string, Value>> = {},
): Model<MultiRegisterState, RegisterMicroOp[], null> {
  return {
    name: 'multi-register',
    init: () => initial,
    interpret: interpretTxn,
    step: (state, steps) => stepTxn(state, steps),
    hash: (state) => hashValue(state as Record<string, Value>),
    equal: (a, b) => sameValue(a as Record<string, Value>, b as Record<string, Value>),
    describeOperation: (steps) => 'txn ' + steps.map((m) => `[${m.f} ${m.key} ${describeValue(m.value)}]`).join(' '),
    describeState: (state) => describeValue(state as Record<string, Value>),
  };
}
