// The EDN reader on the shapes Jepsen and Knossos files use, and its error messages.
import { describe, expect, it } from 'vitest';
import { HistoryFormatError } from '../../workloads/history/errors.ts';
import { parseEdn, readEdnHistory, writeHistoryText } from '../../workloads/history/edn.ts';

describe('parseEdn', () => {
  it('reads scalars, collections and keywords as JSON values', () => {
    expect(parseEdn('[1 -2 +3 4.5 1e3 7N 2.5M nil true false :kw :ns/kw sym "s"]')).toEqual([
      1,
      -2,
      3,
      4.5,
      1000,
      7,
      2.5,
      null,
      true,
      false,
      'kw',
      'ns/kw',
      'sym',
      's',
    ]);
    expect(parseEdn('{:a 1, "b" [2 3], 4 (5), :s #{6}}')).toEqual({ a: 1, b: [2, 3], '4': [5], s: [6] });
    expect(parseEdn('"tab\\tquote\\"nl\\nu\\u00e9 back\\\\"')).toBe('tab\tquote"nl\nué back\\');
    expect(parseEdn('[\\a \\newline \\u0041]')).toEqual(['a', '\n', 'A']);
  });

  it('skips comments, commas, discarded forms and tags', () => {
    expect(parseEdn('; header\n[1,,2 ; two\n #_ 99 #_[3] 4 #inst "2020-01-01T00:00:00Z"]')).toEqual([
      1,
      2,
      4,
      '2020-01-01T00:00:00Z',
    ]);
  });

  it('keeps a "__proto__" key as data', () => {
    const map = parseEdn('{"__proto__" 1}') as Record<string, unknown>;
    expect(Object.keys(map)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(map)).toBe(Object.prototype);
  });
});

describe('readEdnHistory', () => {
  it('reads Knossos-style ops: keywords, nanosecond times, dense indices, errors as strings', () => {
    const text = [
      '; a comment',
      '({:process 7, :type :invoke, :f :cas, :value [2 3], :index 40, :time 1500000}',
      ' {:process 7 :type :fail, :f :cas, :value [2 3], :error [:not-found "gone"]}',
      ' {:process :nemesis, :type :info, :f :start, :value nil}',
      ' {:type :invoke, :f :acquire, :process 3})',
    ].join('\n');
    expect(readEdnHistory(text)).toEqual([
      { index: 0, time: 1.5, process: 7, type: 'invoke', f: 'cas', value: [2, 3] },
      { index: 1, time: 1, process: 7, type: 'fail', f: 'cas', value: [2, 3], error: '["not-found","gone"]' },
      { index: 2, time: 2, process: 'nemesis', type: 'info', f: 'start', value: null },
      { index: 3, time: 3, process: 3, type: 'invoke', f: 'acquire', value: null },
    ]);
  });

  it('reads a Kafka op as Jepsen writes it: keyword keys and values, and its :rebalance-log', () => {
    const [op] = readEdnHistory(
      '[{:type :ok, :f :txn, :process 3, :time 5000000, :index 9, ' +
        ':value [[:send :x [2 :a]] [:poll {:y [[0 :b] [1 :c]], 4 [[7 8]]}]], :rebalance-log [{:keys [:x :y]}]}]',
    );
    expect(op).toEqual({
      index: 0,
      time: 5,
      process: 3,
      type: 'ok',
      f: 'txn',
      value: [
        ['send', 'x', [2, 'a']],
        [
          'poll',
          {
            y: [
              [0, 'b'],
              [1, 'c'],
            ],
            4: [[7, 8]],
          },
        ],
      ],
      rebalanceLog: [{ keys: ['x', 'y'] }],
    });
  });

  it('reads op maps that are not inside a collection', () => {
    const text = '{:process 0, :type :invoke, :f :read}\n{:process 0, :type :ok, :f :read, :value 1}\n';
    expect(readEdnHistory(text).map((op) => op.value)).toEqual([null, 1]);
  });
});

describe('EDN errors name the line', () => {
  const messageOf = (text: string): string => {
    try {
      readEdnHistory(text);
    } catch (err) {
      expect(err).toBeInstanceOf(HistoryFormatError);
      return (err as Error).message;
    }
    throw new Error('expected a HistoryFormatError');
  };

  it.each([
    [
      '[{:process 0, :type :invoke, :f :read}\n {:process 0, :type :done, :f :read}]',
      'line 2: :type must be one of :invoke, :ok, :fail, :info',
    ],
    [
      '[{:process 0, :type :invoke, :f :read}\n\n {:type :ok, :f :read}]',
      'line 3: :process must be an integer or a keyword',
    ],
    ['[{:process 0, :type :invoke, :f :read}\n 42]', 'line 2: expected an op map'],
    ['[{:process 0,\n :type :invoke, :f "read}]', 'line 2: string is never closed'],
    ['\n[{:process 0, :type :invoke, :f :read}\n', 'line 2: collection is never closed'],
    ['[{:process 0, :type :invoke, :f :read :value}]', 'line 1: map has a key without a value'],
    ['[{:process 0, :type :invoke, :f :read, :value 1/2}]', 'line 1: ratio 1/2 is not supported'],
    ['[{:process 0, :type :invoke, :f :read}]\n]', 'line 2: unexpected text after the history'],
    ['[{:process 0, :type :invoke, :f :read, :value ##Inf}]', 'line 1: ##Inf is not a JSON value'],
  ])('%j', (text, message) => {
    const actual = messageOf(text);
    expect(actual).toBe(message);
    expect(actual).not.toContain('\n');
  });
});

describe("writeHistoryText (Jepsen's history.txt)", () => {
  it('writes one op per line: process, type, f and value in EDN, tab-separated, the error last', () => {
    const text = writeHistoryText([
      { index: 0, time: 1, process: 0, type: 'invoke', f: 'send', value: [['send', 1, 7]] },
      { index: 1, time: 2, process: 0, type: 'info', f: 'send', value: [['send', 1, 7]], error: 'REQUEST_TIMED_OUT' },
      { index: 2, time: 3, process: 'nemesis', type: 'info', f: 'start-kill', value: { id: 0, nodes: ['b1'] } },
    ]);
    expect(text).toBe(
      '0\t:invoke\t:send\t[[:send 1 7]]\n' +
        '0\t:info\t:send\t[[:send 1 7]]\t:REQUEST_TIMED_OUT\n' +
        ':nemesis\t:info\t:start-kill\t{:id 0, :nodes [:b1]}\n',
    );
  });
});
