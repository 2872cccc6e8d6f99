// Reading JSON lines: what is accepted, and errors that name the line and the problem.
import { describe, expect, it } from 'vitest';
import { HistoryFormatError } from '../../workloads/history/errors.ts';
import fc from 'fast-check';
import { runOnce } from '../../harness/run.ts';
import { Hasher } from '../../sim/world/index.ts';
import type { Op, OpType, Value } from '../../workloads/history/format.ts';
import { feedJsonlLine, jsonlLine, readJsonl, writeJsonl } from '../../workloads/history/jsonl.ts';

const good = '{"index":0,"time":0.5,"process":0,"type":"invoke","f":"send","value":[["send",1,2]]}';

describe('readJsonl', () => {
  it('skips blank lines and fills a missing index and value', () => {
    const text = `${good}\n\n{"time":1,"process":"nemesis","type":"info","f":"kill"}\n`;
    expect(readJsonl(text)).toEqual([
      { index: 0, time: 0.5, process: 0, type: 'invoke', f: 'send', value: [['send', 1, 2]] },
      { index: 1, time: 1, process: 'nemesis', type: 'info', f: 'kill', value: null },
    ]);
  });

  it.each([
    [`${good}\n{"index":1,"time":1,`, /^line 2: invalid JSON \(.+\)$/],
    [`${good}\n[1,2]`, /^line 2: expected an op object$/],
    [`${good}\n\n{"index":1,"process":0,"type":"ok","f":"send","value":null}`, /^line 3: "time" must be a number$/],
    [
      `${good}\n{"index":1,"time":1,"process":0,"type":"done","f":"send","value":null}`,
      /^line 2: "type" must be one of invoke, ok, fail, info$/,
    ],
    [
      `${good}\n{"index":5,"time":1,"process":0,"type":"ok","f":"send","value":null}`,
      /^line 2: index 5 where 1 was expected/,
    ],
    [
      `{"index":0,"time":1,"process":true,"type":"ok","f":"send","value":null}`,
      /^line 1: "process" must be a number or a string$/,
    ],
    [
      `{"index":0,"time":1,"process":0,"type":"ok","f":"send","value":null,"error":3}`,
      /^line 1: "error" must be a string when present$/,
    ],
  ])('%j', (text, message) => {
    expect(() => readJsonl(text)).toThrow(HistoryFormatError);
    expect(() => readJsonl(text)).toThrow(message);
  });
});

describe('feedJsonlLine', () => {
  /** Collects what feedJsonlLine sends, values written by JSON.stringify. */
  const collect = (op: Op): string => {
    let text = '';
    feedJsonlLine(op, {
      feed: (t: string) => (text += t),
      feedJson: (v: unknown) => (text += JSON.stringify(v) ?? ''),
    });
    return text;
  };
  const value = fc.jsonValue() as fc.Arbitrary<Value>;
  const op = fc.record(
    {
      index: fc.nat(),
      time: fc.oneof(fc.nat(), fc.double({ min: 0, max: 1e7, noNaN: true })),
      process: fc.oneof(fc.nat(), fc.constantFrom('nemesis', 'workload')),
      type: fc.constantFrom('invoke', 'ok', 'fail', 'info') as fc.Arbitrary<OpType>,
      f: fc.string(),
      value: fc.oneof(value, fc.constant(undefined as unknown as Value)),
      error: fc.string(),
    },
    { requiredKeys: ['index', 'time', 'process', 'type', 'f'] },
  ) as fc.Arbitrary<Op>;

  it('sends exactly the text of jsonlLine, key order and left-out keys included', () => {
    fc.assert(
      fc.property(op, (o) => {
        expect(collect(o)).toBe(jsonlLine(o));
      }),
      { numRuns: 1000 },
    );
  });

  it('hashes a recorded history as its history.jsonl text', () => {
    const { output } = runOnce({ seed: 7, timeSeconds: 10 });
    const fed = new Hasher();
    for (const o of output.history) feedJsonlLine(o, fed);
    expect(fed.endPart().digest()).toBe(new Hasher().update(writeJsonl(output.history)).digest());
  });
});
