// The linearizability search split at quiescent points (checkers/linearizable/segments.ts): where it cuts,
// what it carries across a cut (the states a segment may end in, crashed ops that may still take effect),
// and how it explains a failure found segments after the start.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WindowedBits } from '../../checkers/linearizable/bitset.ts';
import { checkLinearizable, registerModel, type Operation } from '../../checkers/linearizable/index.ts';
import { quiescentSegments } from '../../checkers/linearizable/segments.ts';
import type { Op, Value } from '../../workloads/history/format.ts';
import { historyOf } from '../helpers/linearizable-generators.ts';

type Row = [process: number, type: Op['type'], f: string, value: Value];

/** An op spanning [call, ret] (ret Infinity: indeterminate), for cutting tests. */
function op(call: number, ret: number): Operation<null, null> {
  const invoke: Op = { index: call, time: call, process: 0, type: 'invoke', f: 'x', value: null };
  return { input: null, output: null, call, ret, invoke, completion: undefined };
}

/** One process writing then reading back each value in turn: sequential, so quiescent between ops. */
function writeReadRows(from: number, to: number, process = 0): Row[] {
  const rows: Row[] = [];
  for (let v = from; v < to; v++) {
    rows.push([process, 'invoke', 'write', v], [process, 'ok', 'write', v]);
    rows.push([process, 'invoke', 'read', null], [process, 'ok', 'read', v]);
  }
  return rows;
}

describe('quiescentSegments', () => {
  it('cuts where every determinate op so far has returned, and never inside an overlap', () => {
    const ops = [op(0, 1), op(2, 5), op(3, 4), op(6, 7), op(8, 11), op(9, 12), op(13, 14)];
    const cuts = quiescentSegments(ops, 1).map((segment) => segment.map((o) => o.call));
    expect(cuts).toEqual([[0], [2, 3], [6], [8, 9], [13]]);
  });

  it('is not held open by an indeterminate op, which is carried instead', () => {
    const cuts = quiescentSegments([op(0, Infinity), op(1, 2), op(3, 4)], 1).map((s) => s.map((o) => o.call));
    expect(cuts).toEqual([[0, 1], [3]]);
  });

  it('waits until a segment holds the least number of ops asked for', () => {
    const ops = Array.from({ length: 10 }, (_, i) => op(2 * i, 2 * i + 1));
    expect(quiescentSegments(ops, 4).map((s) => s.length)).toEqual([4, 4, 2]);
  });
});

describe('checkLinearizable split at quiescent points', () => {
  it('checks a long sequential history in many segments', () => {
    const result = checkLinearizable(historyOf(writeReadRows(0, 2000)), registerModel(null));
    expect(result.valid).toBe(true);
    expect(result.stats?.segments).toBeGreaterThan(50);
  });

  it('carries every state a segment may end in: concurrent writes, then a read of either', () => {
    for (const seen of [1, 2]) {
      const rows: Row[] = [
        [0, 'invoke', 'write', 1],
        [1, 'invoke', 'write', 2],
        [0, 'ok', 'write', 1],
        [1, 'ok', 'write', 2],
        [0, 'invoke', 'read', null],
        [0, 'ok', 'read', seen],
      ];
      const result = checkLinearizable(historyOf(rows), registerModel(null), { minSegmentOps: 1 });
      expect(result.stats?.segments).toBe(2);
      expect(result.valid).toBe(true);
    }
  });

  it('lets a crashed write take effect many segments later, and only where it is read', () => {
    const crashed: Row[] = [
      [9, 'invoke', 'write', 99],
      [9, 'info', 'write', 99],
    ];
    const late: Row[] = [
      [0, 'invoke', 'read', null],
      [0, 'ok', 'read', 99],
    ];
    const valid = checkLinearizable(historyOf([...crashed, ...writeReadRows(0, 500), ...late]), registerModel(null));
    expect(valid.valid).toBe(true);
    expect(valid.stats?.segments).toBeGreaterThan(10);
    // Read 99 then 499: the crashed write cannot undo the later write 499 once 99 was read after it.
    const after: Row[] = [
      [0, 'invoke', 'read', null],
      [0, 'ok', 'read', 499],
    ];
    const rows = [...crashed, ...writeReadRows(0, 500), ...late, ...after];
    expect(checkLinearizable(historyOf(rows), registerModel(null)).valid).toBe(false);
  });

  it('drops a crashed write nobody reads, and still finds a violation after it', () => {
    const rows: Row[] = [[9, 'invoke', 'write', 77], [9, 'info', 'write', 77], ...writeReadRows(0, 300)];
    rows.push([0, 'invoke', 'read', null], [0, 'ok', 'read', 5]);
    const result = checkLinearizable(historyOf(rows), registerModel(null));
    expect(result.valid).toBe(false);
    const example = result.anomalies[0].examples[0];
    // The failing segment is explained after the operations of the segments before it.
    expect(example.description).toMatch(/after the \d+ operations before it/);
    expect(example.description).toContain('read 5 by process 0');
    expect((example.detail as { linearizedBefore: number }).linearizedBefore).toBeGreaterThan(500);
  });

  it('keeps the work per segment small when crashed writes pile up unread (Model.effectKey)', () => {
    const rows: Row[] = [];
    for (let i = 0; i < 200; i++) {
      rows.push([1000 + i, 'invoke', 'write', 10_000 + i], [1000 + i, 'info', 'write', 10_000 + i]);
      rows.push(...writeReadRows(5 * i, 5 * i + 5));
    }
    const withDrop = checkLinearizable(historyOf(rows), registerModel(null));
    const blind = checkLinearizable(historyOf(rows), { ...registerModel(null), effectKey: undefined });
    expect(withDrop.valid).toBe(true);
    expect(blind.valid).toBe(true);
    // Carried without end, each crashed write is tried again in every later segment.
    expect(withDrop.stats?.steps as number).toBeLessThan((blind.stats?.steps as number) / 5);
  });

  it('gives the same verdict whole on the same histories', () => {
    const rows: Row[] = [[9, 'invoke', 'write', 77], [9, 'info', 'write', 77], ...writeReadRows(0, 300)];
    rows.push([0, 'invoke', 'read', null], [0, 'ok', 'read', 77]);
    for (const splitAtQuiescence of [true, false]) {
      expect(checkLinearizable(historyOf(rows), registerModel(null), { splitAtQuiescence }).valid).toBe(true);
    }
  });
});

describe('WindowedBits', () => {
  it('names each set by its window: full words below low, empty words above top', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), fc.array(fc.nat(), { maxLength: 300 }), (bits, flips) => {
        const set = new WindowedBits(bits);
        const members = new Set<number>();
        for (const flip of flips) {
          const bit = flip % bits;
          if (members.has(bit)) {
            members.delete(bit);
            set.clear(bit);
          } else {
            members.add(bit);
            set.set(bit);
          }
          const firstOut = Array.from({ length: bits }, (_, i) => i).find((i) => !members.has(i)) ?? bits;
          const lastIn = Math.max(-1, ...members);
          expect(set.low).toBe(firstOut === bits ? set.words.length : firstOut >>> 5);
          expect(set.top).toBe(lastIn < 0 ? -1 : lastIn >>> 5);
        }
      }),
      { numRuns: 300 },
    );
  });
});
