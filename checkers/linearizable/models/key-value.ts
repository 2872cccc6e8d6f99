// A key-value store of strings, after Porcupine's kv model: get [k v], put [k v], append [k v]
// (appends v to the string at k). A missing key reads as "". Keys are independent, so the history
// is checked one key at a time.
import type { Op, Value } from '../../../workloads/history/format.ts';
import { MalformedOperationError } from '../errors.ts';
import { ILLEGAL, type Illegal, type Model, type ModelCall } from '../model.ts';
import { equalKeyed, getKeyed, setKeyed, type KeyedState } from './keyed-state.ts';
import { partitionByKey } from './partition-by-key.ts';
import { combineHash, hashString } from './values.ts';

export interface KeyValueInput {
  f: 'get' | 'put' | 'append';
  key: string;
  /** The string put or appended; unused by get. */
  value: string;
}

/** What a get returned. */
export type KeyValueOutput = string;

export type KeyValueState = KeyedState<string>;

function interpretKeyValueOp(invoke: Op, completion: Op | undefined): ModelCall<KeyValueInput, KeyValueOutput> | null {
  const value: Value = completion === undefined ? invoke.value : completion.value;
  const f = invoke.f;
  if ((f !== 'get' && f !== 'put' && f !== 'append') || !Array.isArray(value) || value.length !== 2) {
    throw new MalformedOperationError('key-value', invoke, 'an f of get, put or append with value [key value]');
  }
  const [key, v] = value;
  if (f === 'get') {
    // An unobserved get, or a get of nil (value unknown), constrains nothing.
    if (completion === undefined || v === null) return null;
    if (typeof v !== 'string') throw new MalformedOperationError('key-value', invoke, 'a string read');
    return { input: { f, key: String(key), value: '' }, output: v };
  }
  if (typeof v !== 'string') throw new MalformedOperationError('key-value', invoke, `a string to ${f}`);
  return { input: { f, key: String(key), value: v }, output: undefined };
}

function stepKeyValue(
  state: KeyValueState,
  input: KeyValueInput,
  output: KeyValueOutput | undefined,
): KeyValueState | Illegal {
  const current = getKeyed(state, input.key) ?? '';
  switch (input.f) {
    case 'get':
      return output === undefined || output === current ? state : ILLEGAL;
    case 'put':
      return setKeyed(state, input.key, input.value);
    case 'append':
      return setKeyed(state, input.key, current + input.value);
  }
}

function hashKeyValue(state: KeyValueState): number {
  let h = 0x1f3d5b79;
  for (const entry of state) h = combineHash(h, combineHash(hashString(entry.key), hashString(entry.value)));
  return h;
}

export function keyValueModel(): Model<KeyValueState, KeyValueInput, KeyValueOutput> {
  return {
    name: 'key-value',
    init: () => [],
    interpret: interpretKeyValueOp,
    step: stepKeyValue,
    hash: hashKeyValue,
    equal: (a, b) => equalKeyed(a, b, (x, y) => x === y),
    partition: (operations) => partitionByKey(operations, (call) => [[call.input.key, call]]),
    describeOperation: (input, output) =>
      input.f === 'get'
        ? `get ${input.key} → ${output === undefined ? '?' : JSON.stringify(output)}`
        : `${input.f} ${input.key} ${JSON.stringify(input.value)}`,
    describeState: (state) => JSON.stringify(Object.fromEntries(state.map((e) => [e.key, e.value]))),
  };
}
