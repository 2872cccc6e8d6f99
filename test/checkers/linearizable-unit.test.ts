// The checker's contract on hand-made histories: budgets give 'unknown', a failure names the op that
// could not be placed, and partitioned models stop at the first illegal part.
import { describe, expect, it } from 'vitest';
import {
  casRegisterModel,
  checkLinearizable,
  kafkaLogModel,
  NONLINEARIZABLE,
  registerModel,
} from '../../checkers/linearizable/index.ts';
import type { History, Op, Value } from '../../workloads/history/format.ts';
import { historyOf } from '../helpers/linearizable-generators.ts';

/** Ten concurrent writes, then a read of a value nobody wrote: refuting it takes thousands of steps. */
function tenWritesThenBadRead(): History {
  const rows: Parameters<typeof historyOf>[0] = [];
  for (let p = 0; p < 10; p++) rows.push([p, 'invoke', 'write', p]);
  for (let p = 0; p < 10; p++) rows.push([p, 'ok', 'write', p]);
  rows.push([10, 'invoke', 'read', null], [10, 'ok', 'read', 42]);
  return historyOf(rows);
}

describe('budgets', () => {
  it('answers unknown when the step budget runs out', () => {
    const result = checkLinearizable(tenWritesThenBadRead(), registerModel(0), { maxSteps: 50 });
    expect(result.valid).toBe('unknown');
    expect(result.anomalies).toEqual([]);
    expect(result.stats?.steps).toBeLessThanOrEqual(50);
  });

  it('answers unknown when the caller-supplied clock passes the time limit', () => {
    let now = 0;
    const clock = (): number => (now += 10);
    const result = checkLinearizable(tenWritesThenBadRead(), registerModel(0), {
      clock,
      timeLimitMs: 25,
      sliceSteps: 5,
    });
    expect(result.valid).toBe('unknown');
  });

  it('gives the real verdict when the budget suffices', () => {
    const result = checkLinearizable(tenWritesThenBadRead(), registerModel(0), { maxSteps: 10_000_000 });
    expect(result.valid).toBe(false);
    expect(result.stats?.statesExplored).toBeGreaterThan(1000);
  });
});

describe('indeterminate ops', () => {
  it('refutes a history with many indeterminate sends without trying their orders', () => {
    const rows: Parameters<typeof historyOf>[0] = [];
    for (let p = 0; p < 30; p++) rows.push([p, 'invoke', 'send', [['send', 0, p]]]);
    rows.push([40, 'invoke', 'poll', [['poll']]], [40, 'ok', 'poll', [['poll', { '0': [[0, 999]] }]]]);
    const result = checkLinearizable(historyOf(rows), kafkaLogModel(), { maxSteps: 100_000 });
    expect(result.valid).toBe(false);
  });
});

describe('the nonlinearizable anomaly', () => {
  it('names the op that could not be placed and the longest prefix before it', () => {
    const history = historyOf([
      [0, 'invoke', 'write', 1],
      [0, 'ok', 'write', 1],
      [1, 'invoke', 'write', 3],
      [1, 'info', 'write', 3],
      [2, 'invoke', 'read', null],
      [2, 'ok', 'read', 2],
    ]);
    const result = checkLinearizable(history, registerModel(0));
    expect(result.valid).toBe(false);
    expect(result.checker).toBe('linearizable');
    expect(result.anomalies).toHaveLength(1);
    const [anomaly] = result.anomalies;
    expect(anomaly.name).toBe(NONLINEARIZABLE);
    const [example] = anomaly.examples;
    expect(example.ops).toEqual([history[4], history[5]]);
    expect(example.description).toContain('read 2');
    expect(example.detail?.unplaced).toEqual({ operation: 'read 2', invoke: 4, completion: 5 });
    // The longest prefix: the write of 1. The crashed write of 3 is left out: nothing reads a 3, so it need
    // not take effect (Model.effectKey, segments.ts).
    expect(example.detail?.prefix).toEqual([0]);
    expect(example.detail?.state).toBe('1');
    expect(result.stats).toMatchObject({ operations: 3, partitions: 1 });
  });

  it("gives the model's state after each op of the prefix, replayed from where the failed segment began", () => {
    // 64 sequential writes make a segment of their own (quiescentSegments): the failed one starts in state 64.
    const rows: Parameters<typeof historyOf>[0] = [];
    for (let v = 1; v <= 64; v++) rows.push([0, 'invoke', 'write', v], [0, 'ok', 'write', v]);
    rows.push(
      [1, 'invoke', 'write', 100],
      [1, 'ok', 'write', 100],
      [2, 'invoke', 'cas', [100, 101]],
      [2, 'ok', 'cas', [100, 101]],
      [3, 'invoke', 'read', null],
      [3, 'ok', 'read', 100],
    );
    const result = checkLinearizable(historyOf(rows), casRegisterModel(0));
    expect(result.valid).toBe(false);
    const detail = result.anomalies[0].examples[0].detail;
    expect(detail?.linearizedBefore).toBe(64);
    expect(detail?.prefix).toEqual([128, 130]);
    // By invoke index: after the write the register holds 100, after the cas 101.
    expect(detail?.states).toEqual({ 128: '100', 130: '101' });
    expect(detail?.state).toBe('101');
  });

  it('is valid for the same history when the read saw a possible value', () => {
    const history = historyOf([
      [0, 'invoke', 'write', 1],
      [0, 'ok', 'write', 1],
      [1, 'invoke', 'write', 3],
      [1, 'info', 'write', 3],
      [2, 'invoke', 'read', null],
      [2, 'ok', 'read', 3],
    ]);
    expect(checkLinearizable(history, registerModel(0)).valid).toBe(true);
  });
});

describe('partitioned models', () => {
  /** Eight concurrent sends to partition 0 with unknown offsets, then a poll that saw them in reverse. */
  function hardPartition(): Array<Omit<Op, 'index' | 'time'>> {
    const sends = [0, 1, 2, 3, 4, 5, 6, 7];
    const ops: Array<Omit<Op, 'index' | 'time'>> = [];
    for (const p of sends) ops.push({ process: p, type: 'invoke', f: 'send', value: [['send', 0, 100 + p]] });
    for (const p of sends) ops.push({ process: p, type: 'ok', f: 'send', value: [['send', 0, [null, 100 + p]]] });
    const reversed: Value = sends.map((p, i) => [i, 107 - p]);
    ops.push({ process: 20, type: 'invoke', f: 'poll', value: [['poll']] });
    ops.push({ process: 20, type: 'ok', f: 'poll', value: [['poll', { '0': reversed }]] });
    return ops;
  }
  const number = (ops: Array<Omit<Op, 'index' | 'time'>>): History =>
    ops.map((op, index) => ({ index, time: index, ...op }));

  it('checks each key alone', () => {
    const result = checkLinearizable(number(hardPartition()), kafkaLogModel());
    expect(result.valid).toBe(true);
    expect(result.stats?.partitions).toBe(1);
    expect(result.stats?.steps).toBeGreaterThan(50_000);
  });

  it('stops at the first illegal part without finishing a hard one', () => {
    const alone = checkLinearizable(number(hardPartition()), kafkaLogModel());
    const illegalSend: Array<Omit<Op, 'index' | 'time'>> = [
      { process: 30, type: 'invoke', f: 'send', value: [['send', 1, 500]] },
      { process: 30, type: 'ok', f: 'send', value: [['send', 1, [5, 500]]] },
    ];
    const result = checkLinearizable(number([...hardPartition(), ...illegalSend]), kafkaLogModel(), {
      sliceSteps: 1000,
    });
    expect(result.valid).toBe(false);
    expect(result.stats?.partitions).toBe(2);
    expect(result.stats?.steps).toBeLessThan(2000);
    expect(result.stats?.steps).toBeLessThan((alone.stats?.steps ?? 0) / 10);
    expect(result.anomalies[0].examples[0].detail?.key).toBe('1');
    expect(result.anomalies[0].examples[0].description).toContain('send 500 to 1 at offset 5');
  });
});
