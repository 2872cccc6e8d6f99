// The models' sequential semantics, and how a history is read into operations (Knossos's rules).
import { describe, expect, it } from 'vitest';
import {
  casRegisterModel,
  checkLinearizable,
  ILLEGAL,
  kafkaLogModel,
  keyValueModel,
  MalformedOperationError,
  modelOperations,
  multiRegisterModel,
  mutexModel,
  pairOperations,
  type AnyModel,
} from '../../checkers/linearizable/index.ts';
import type { Op, Value } from '../../workloads/history/format.ts';
import { historyOf } from '../helpers/linearizable-generators.ts';

const op = (f: string, value: Value, type: Op['type'] = 'ok'): Op => ({
  index: 0,
  time: 0,
  process: 0,
  type,
  f,
  value,
});

/** Applies ok ops one after another; returns the final state or ILLEGAL. */
function runSequentially(model: AnyModel, ops: Array<[f: string, invokeValue: Value, okValue: Value]>): unknown {
  let state = model.init();
  for (const [f, invokeValue, okValue] of ops) {
    const call = model.interpret(op(f, invokeValue, 'invoke'), op(f, okValue));
    if (call === null) continue;
    const next = model.step(state, call.input, call.output);
    if (next === ILLEGAL) return ILLEGAL;
    state = next;
  }
  return state;
}

describe('reading a history (Knossos rules)', () => {
  const history = historyOf([
    ['nemesis', 'info', 'start', null],
    [1, 'invoke', 'write', 1],
    [2, 'invoke', 'cas', [1, 2]],
    [1, 'ok', 'write', 1],
    [2, 'fail', 'cas', [1, 2]],
    [3, 'invoke', 'read', null],
    [4, 'invoke', 'write', 7],
    [3, 'ok', 'read', 1],
    [4, 'info', 'write', 7],
    [5, 'invoke', 'write', 9],
  ]);

  it('skips non-client processes, drops failed ops, and makes info and unfinished ops indeterminate', () => {
    const paired = pairOperations(history);
    expect(paired.map((p) => [p.invoke.index, p.completion?.index, p.ret])).toEqual([
      [1, 3, 3],
      [5, 7, 7],
      [6, 8, Infinity],
      [9, undefined, Infinity],
    ]);
  });

  it('takes a read value from its ok completion', () => {
    const operations = modelOperations(casRegisterModel(0), pairOperations(history));
    expect(operations[1].output).toBe(1);
    expect(operations[2].output).toBeUndefined();
  });

  it('reports a value of the wrong shape', () => {
    const bad = historyOf([
      [0, 'invoke', 'cas', 3],
      [0, 'ok', 'cas', 3],
    ]);
    expect(() => checkLinearizable(bad, casRegisterModel(0))).toThrow(MalformedOperationError);
  });
});

describe('cas-register, mutex and multi-register', () => {
  it('cas needs the expected value', () => {
    expect(
      runSequentially(casRegisterModel(0), [
        ['cas', [0, 5], [0, 5]],
        ['read', null, 5],
      ]),
    ).toBe(5);
    expect(runSequentially(casRegisterModel(0), [['cas', [1, 5], [1, 5]]])).toBe(ILLEGAL);
  });

  it('a mutex is acquired only when free and released only when held', () => {
    expect(
      runSequentially(mutexModel(), [
        ['acquire', null, null],
        ['release', null, null],
      ]),
    ).toBe(false);
    expect(runSequentially(mutexModel(), [['release', null, null]])).toBe(ILLEGAL);
    expect(
      runSequentially(mutexModel(), [
        ['acquire', null, null],
        ['acquire', null, null],
      ]),
    ).toBe(ILLEGAL);
  });

  it('a txn applies its micro-ops in order; nil reads are wildcards', () => {
    const model = multiRegisterModel({ x: 0, y: 0 });
    const txn = (value: Value): [string, Value, Value] => ['txn', value, value];
    expect(
      runSequentially(model, [
        txn([
          ['write', 'x', 1],
          ['read', 'x', 1],
          ['read', 'y', null],
        ]),
      ]),
    ).toEqual({ x: 1, y: 0 });
    expect(
      runSequentially(model, [
        txn([
          ['read', 'x', 0],
          ['write', 'y', 2],
        ]),
        txn([['read', 'y', 0]]),
      ]),
    ).toBe(ILLEGAL);
  });
});

describe('key-value', () => {
  it('puts, appends and gets per key', () => {
    const state = runSequentially(keyValueModel(), [
      ['put', ['a', 'x'], ['a', 'x']],
      ['append', ['a', 'y'], ['a', 'y']],
      ['get', ['a', null], ['a', 'xy']],
      ['get', ['b', null], ['b', '']],
    ]);
    expect(state).toEqual([{ key: 'a', value: 'xy' }]);
    expect(runSequentially(keyValueModel(), [['get', ['a', null], ['a', 'z']]])).toBe(ILLEGAL);
  });

  it('checks keys as separate parts', () => {
    const history = historyOf([
      [0, 'invoke', 'put', ['a', '1']],
      [1, 'invoke', 'put', ['b', '2']],
      [0, 'ok', 'put', ['a', '1']],
      [1, 'ok', 'put', ['b', '2']],
      [2, 'invoke', 'get', ['a', null]],
      [2, 'ok', 'get', ['a', '1']],
      [3, 'invoke', 'get', ['b', null]],
      [3, 'ok', 'get', ['b', '1']],
    ]);
    const result = checkLinearizable(history, keyValueModel());
    expect(result.valid).toBe(false);
    expect(result.stats?.partitions).toBe(2);
    expect(result.anomalies[0].examples[0].detail?.key).toBe('b');
  });
});

describe('kafka-log', () => {
  const model = kafkaLogModel();
  const send = (key: number, value: number, offset: number | null): [string, Value, Value] => [
    'send',
    [['send', key, value]],
    [['send', key, [offset, value]]],
  ];
  const poll = (byKey: { [key: string]: Value }): [string, Value, Value] => ['poll', [['poll']], [['poll', byKey]]];

  it('a send is legal only at the log end offset', () => {
    expect(runSequentially(model, [send(0, 10, 0), send(0, 11, 1)])).not.toBe(ILLEGAL);
    expect(runSequentially(model, [send(0, 10, 0), send(0, 11, 0)])).toBe(ILLEGAL);
    expect(runSequentially(model, [send(0, 10, 1)])).toBe(ILLEGAL);
    expect(runSequentially(model, [send(0, 10, null), send(0, 11, 1)])).not.toBe(ILLEGAL);
  });

  it('a poll must return exactly the log from its first offset', () => {
    const base = [send(0, 10, 0), send(0, 11, 1), send(0, 12, 2)];
    expect(
      runSequentially(model, [
        ...base,
        poll({
          '0': [
            [1, 11],
            [2, 12],
          ],
        }),
      ]),
    ).not.toBe(ILLEGAL);
    expect(
      runSequentially(model, [
        ...base,
        poll({
          '0': [
            [0, 10],
            [2, 12],
          ],
        }),
      ]),
    ).toBe(ILLEGAL);
    expect(runSequentially(model, [...base, poll({ '0': [[1, 12]] })])).toBe(ILLEGAL);
    expect(
      runSequentially(model, [
        ...base,
        poll({
          '0': [
            [2, 12],
            [3, 13],
          ],
        }),
      ]),
    ).toBe(ILLEGAL);
    expect(runSequentially(model, [...base, poll({ '0': [] })])).not.toBe(ILLEGAL);
  });

  it('an indeterminate send may or may not have been appended', () => {
    const appended = historyOf([
      [0, 'invoke', 'send', [['send', 0, 10]]],
      [0, 'info', 'send', [['send', 0, 10]]],
      [1, 'invoke', 'poll', [['poll']]],
      [1, 'ok', 'poll', [['poll', { '0': [[0, 10]] }]]],
    ]);
    expect(checkLinearizable(appended, model).valid).toBe(true);
    const notAppended = historyOf([
      [0, 'invoke', 'send', [['send', 0, 10]]],
      [1, 'invoke', 'send', [['send', 0, 11]]],
      [1, 'ok', 'send', [['send', 0, [0, 11]]]],
    ]);
    expect(checkLinearizable(notAppended, model).valid).toBe(true);
  });

  it('splits a poll of two partitions, and ignores ops that are not sends or polls', () => {
    const history = historyOf([
      [0, 'invoke', 'assign', [0, 1]],
      [0, 'ok', 'assign', [0, 1]],
      [1, 'invoke', 'send', [['send', 0, 10]]],
      [1, 'ok', 'send', [['send', 0, [0, 10]]]],
      [2, 'invoke', 'send', [['send', 1, 20]]],
      [2, 'ok', 'send', [['send', 1, [0, 20]]]],
      [0, 'invoke', 'poll', [['poll']]],
      [0, 'ok', 'poll', [['poll', { '0': [[0, 10]], '1': [[0, 21]] }]]],
    ]);
    const result = checkLinearizable(history, model);
    expect(result.valid).toBe(false);
    expect(result.stats).toMatchObject({ operations: 3, partitions: 2 });
    expect(result.anomalies[0].examples[0].detail?.key).toBe('1');
  });
});
