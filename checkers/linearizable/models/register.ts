// A single register (read, write) and the compare-and-set register (read, write, cas), in Knossos's
// encoding: write v; cas [a b]; a read's value is on its ok completion, and a read of nil is a wildcard.
import type { Op, Value } from '../../../workloads/history/format.ts';
import { MalformedOperationError } from '../errors.ts';
import { ILLEGAL, type Illegal, type Model, type ModelCall } from '../model.ts';
import { describeValue, hashValue, sameValue } from './values.ts';

export type RegisterInput = { f: 'read' } | { f: 'write'; value: Value } | { f: 'cas'; from: Value; to: Value };
/** The value a read returned; writes and cas return nothing the model needs. */
export type RegisterOutput = Value;

function interpretRegisterOp(
  modelName: string,
  allowCas: boolean,
  invoke: Op,
  completion: Op | undefined,
): ModelCall<RegisterInput, RegisterOutput> | null {
  // Knossos: an ok completion's value replaces the invocation's.
  const value = completion === undefined ? invoke.value : completion.value;
  switch (invoke.f) {
    case 'read':
      // Nil reads and indeterminate reads can never be illegal and change nothing.
      if (completion === undefined || value === null) return null;
      return { input: { f: 'read' }, output: value };
    case 'write':
      return { input: { f: 'write', value }, output: undefined };
    case 'cas':
      if (allowCas) {
        if (!Array.isArray(value) || value.length !== 2)
          throw new MalformedOperationError(modelName, invoke, '[from to]');
        return { input: { f: 'cas', from: value[0], to: value[1] }, output: undefined };
      }
      break;
  }
  throw new MalformedOperationError(modelName, invoke, `an f of ${allowCas ? 'read, write or cas' : 'read or write'}`);
}

function stepRegister(state: Value, input: RegisterInput, output: RegisterOutput | undefined): Value | Illegal {
  switch (input.f) {
    case 'read':
      return output === undefined || output === null || sameValue(state, output) ? state : ILLEGAL;
    case 'write':
      return input.value;
    case 'cas':
      return sameValue(state, input.from) ? input.to : ILLEGAL;
  }
}

function describeRegisterOp(input: RegisterInput, output: RegisterOutput | undefined): string {
  switch (input.f) {
    case 'read':
      return `read ${output === undefined ? '?' : describeValue(output)}`;
    case 'write':
      return `write ${describeValue(input.value)}`;
    case 'cas':
      return `cas ${describeValue(input.from)} → ${describeValue(input.to)}`;
  }
}

function makeRegister(name: string, allowCas: boolean, initial: Value): Model<Value, RegisterInput, RegisterOutput> {
  return {
    name,
    init: () => initial,
    interpret: (invoke, completion) => interpretRegisterOp(name, allowCas, invoke, completion),
    step: stepRegister,
    hash: hashValue,
    equal: sameValue,
    // Keys by hash: equal values hash alike, and a collision only keeps an op the search could drop.
    effectKey: (input) => (input.f === 'read' ? null : String(hashValue(input.f === 'write' ? input.value : input.to))),
    observedKey: (input, output) =>
      input.f === 'cas' ? String(hashValue(input.from)) : output === undefined ? null : String(hashValue(output)),
    describeOperation: describeRegisterOp,
    describeState: (state) => describeValue(state),
  };
}

/** A register with read and write; `initial` is its value before the first write. */
export function registerModel(initial: Value = null): Model<Value, RegisterInput, RegisterOutput> {
  return makeRegister('register', false, initial);
}

/** A register with read, write and cas (Knossos's cas-register; its test data starts at 0). */
export function casRegisterModel(initial: Value = null): Model<Value, RegisterInput, RegisterOutput> {
  return makeRegister('cas-register', true, initial);
}
