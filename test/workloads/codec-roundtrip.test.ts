// JSON lines and EDN must carry any history the same way: writing then reading either gives equal histories.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseHistoryText, sniffHistoryFormat } from '../../checkers/io.ts';
import { readEdnHistory, writeEdnHistory } from '../../workloads/history/edn.ts';
import type { History, Op, Value } from '../../workloads/history/format.ts';
import { readJsonl, writeJsonl } from '../../workloads/history/jsonl.ts';

// Strings that sit on the keyword/string boundary of the EDN writer, plus arbitrary ones.
const trickyString = fc.oneof(
  fc.constantFrom(
    'send',
    'nemesis',
    'nil',
    'true',
    'false',
    'a/b',
    '-1',
    '+',
    'x.y',
    '',
    '3',
    ':x',
    'a b',
    '"q"',
    '\\',
    '\n',
  ),
  fc.string({ unit: 'binary', maxLength: 12 }),
);

const opArb: fc.Arbitrary<Omit<Op, 'index'>> = fc.record(
  {
    // Simulated time has microsecond resolution.
    time: fc.integer({ min: 0, max: 100_000_000_000 }).map((micros) => micros / 1000),
    process: fc.oneof(fc.nat(1000), fc.integer({ min: -5, max: -1 }), trickyString),
    type: fc.constantFrom('invoke', 'ok', 'fail', 'info'),
    f: trickyString,
    value: fc.jsonValue({ stringUnit: 'binary', maxDepth: 3 }) as fc.Arbitrary<Value>,
    error: trickyString,
    // Jepsen's :rebalance-log: maps whose keys were assigned during a transaction.
    rebalanceLog: fc.array(fc.record({ keys: fc.array(fc.oneof(trickyString, fc.nat(9))) })) as fc.Arbitrary<Value>,
  },
  { requiredKeys: ['time', 'process', 'type', 'f', 'value'] },
);

const historyArb: fc.Arbitrary<History> = fc
  .array(opArb, { maxLength: 20 })
  .map((ops) => ops.map((op, index) => ({ index, ...op })));

describe('history codecs', () => {
  it('JSON lines and EDN round trips give deep-equal histories', () => {
    fc.assert(
      fc.property(historyArb, (history) => {
        const fromJsonl = readJsonl(writeJsonl(history));
        const fromEdn = readEdnHistory(writeEdnHistory(history));
        expect(fromEdn).toStrictEqual(fromJsonl);
        // JSON has no -0: compare with the history as JSON sees it.
        expect(fromJsonl).toStrictEqual(JSON.parse(JSON.stringify(history)));
      }),
      { numRuns: 500 },
    );
  });

  it('writes the documented shapes', () => {
    const history: History = [
      { index: 0, time: 1.5, process: 0, type: 'invoke', f: 'send', value: [['send', 3, 17]] },
      {
        index: 1,
        time: 2.25,
        process: 'nemesis',
        type: 'info',
        f: 'partition',
        value: { '3': 'a b', key: null },
        error: 'REQUEST_TIMED_OUT',
      },
    ];
    expect(writeEdnHistory(history)).toBe(
      '[{:index 0, :time 1500000, :process 0, :type :invoke, :f :send, :value [[:send 3 17]]}\n' +
        ' {:index 1, :time 2250000, :process :nemesis, :type :info, :f :partition, :value {3 "a b", :key nil}, ' +
        ':error :REQUEST_TIMED_OUT}]\n',
    );
    expect(writeJsonl(history).split('\n')[1]).toBe(
      '{"index":1,"time":2.25,"process":"nemesis","type":"info","f":"partition","value":{"3":"a ' +
        'b","key":null},"error":"REQUEST_TIMED_OUT"}',
    );
  });

  it('parseHistoryText tells the formats apart', () => {
    const history: History = [
      { index: 0, time: 0.001, process: 1, type: 'ok', f: 'poll', value: [['poll', { '0': [[0, 5]] }]] },
    ];
    expect(sniffHistoryFormat(writeJsonl(history))).toBe('jsonl');
    expect(sniffHistoryFormat(writeEdnHistory(history))).toBe('edn');
    expect(sniffHistoryFormat('  {:process 0, :type :invoke, :f :read}')).toBe('edn');
    expect(parseHistoryText(writeJsonl(history))).toEqual(history);
    expect(parseHistoryText(writeEdnHistory(history))).toEqual(history);
    expect(parseHistoryText('\n', 'jsonl')).toEqual([]);
  });
});
