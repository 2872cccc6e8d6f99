// What a history file may hold: values nested at most MAX_DEPTH deep in either format (deeper ones ran
// the readers and checkers out of stack), and the rules a recorded history keeps (well-formed.ts), which
// every history of the Knossos corpus and of kafkasim's own runs keeps.
import { describe, expect, it } from 'vitest';
import { MAX_DEPTH } from '../../workloads/history/depth.ts';
import { parseEdn, readEdnHistory } from '../../workloads/history/edn.ts';
import { HistoryFormatError } from '../../workloads/history/errors.ts';
import type { History, Op } from '../../workloads/history/format.ts';
import { readJsonl } from '../../workloads/history/jsonl.ts';
import { checkWellFormed } from '../../workloads/history/well-formed.ts';
import { knossosCorpusExists, readKnossosCases, readKnossosHistory } from '../helpers/linearizable-knossos-corpus.ts';
import { runOptions } from '../helpers/run.ts';

const nested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);

describe('nesting', () => {
  it('reads values up to the limit and refuses deeper ones as one line, in EDN and JSON lines', () => {
    expect(() => parseEdn(nested(MAX_DEPTH))).not.toThrow();
    for (const deep of [nested(MAX_DEPTH + 1), nested(100_000), '#t '.repeat(100_000) + '1']) {
      expect(() => parseEdn(deep)).toThrow(HistoryFormatError);
      expect(() => parseEdn(deep)).toThrow(`line 1: nested deeper than ${MAX_DEPTH} levels`);
    }
    expect(() => readEdnHistory(`[${'#_ '.repeat(100_000)}1]`)).toThrow(/nested deeper than/);
    const line = (value: string) => `{"time":0,"process":0,"type":"invoke","f":"send","value":${value}}\n`;
    // The op object is the first level.
    expect(readJsonl(line(nested(MAX_DEPTH - 1)))).toHaveLength(1);
    expect(() => readJsonl(line(nested(MAX_DEPTH)))).toThrow('line 1: nested deeper than 1000 levels');
    expect(() => readJsonl(line(nested(100_000)))).toThrow(HistoryFormatError);
  });
});

function op(index: number, time: number, process: Op['process'], type: Op['type'], f = 'write'): Op {
  return { index, time, process, type, f, value: null };
}

describe('well-formed histories', () => {
  it('accepts one op at a time per client, nemesis infos in any order, and times that differ between processes', () => {
    const history: History = [
      op(0, 1.0, 0, 'invoke'),
      op(1, 0.9, 1, 'invoke'), // another thread's stamp, a little earlier: Jepsen records such
      op(2, 1.5, 'nemesis', 'info', 'start'),
      op(3, 1.6, 'nemesis', 'info', 'start'),
      op(4, 2.0, 0, 'ok'),
      op(5, 2.0, 1, 'info'),
      op(6, 3.0, 0, 'invoke'),
      op(7, 3.5, 0, 'fail'),
    ];
    expect(() => checkWellFormed(history)).not.toThrow();
  });

  it.runIf(knossosCorpusExists())('accepts every history of the Knossos corpus', () => {
    for (const c of readKnossosCases()) expect(() => checkWellFormed(readKnossosHistory(c)), c.file).not.toThrow();
  });

  it("accepts kafkasim's own histories: client crashes, unknown outcomes, nemesis and final reads", () => {
    for (const seed of [6, 7]) {
      const run = runOptions({ seed, timeSeconds: 20, nemesis: ['kill', 'partition', 'pause'], unclean: true });
      expect(run.history.some((o) => o.type === 'info' && typeof o.process === 'number')).toBe(true);
      expect(() => checkWellFormed(run.history)).not.toThrow();
    }
  });

  it.each<[string, History, RegExp]>([
    ['an ok with no invoke', [op(0, 1, 3, 'ok')], /op 0 \(process 3, ok write\): a completion with no invoke/],
    [
      'a fail after the completion',
      [op(0, 1, 3, 'invoke'), op(1, 2, 3, 'ok'), op(2, 3, 3, 'fail')],
      /op 2 .*no invoke/,
    ],
    ['two invokes', [op(0, 1, 3, 'invoke'), op(1, 2, 3, 'invoke')], /op 1 .*a second invoke while op 0/],
    ['time going backwards', [op(0, 5, 3, 'invoke'), op(1, 4, 3, 'ok')], /op 1 .*time goes backwards, 4 ms after op 0/],
    ['time backwards for the nemesis', [op(0, 5, 'nemesis', 'info'), op(1, 4, 'nemesis', 'info')], /backwards/],
  ])('refuses %s', (_what, history, message) => {
    expect(() => checkWellFormed(history)).toThrow(HistoryFormatError);
    expect(() => checkWellFormed(history)).toThrow(message);
  });
});
