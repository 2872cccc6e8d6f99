// Jepsen's Kafka checker on small hand-written histories: cycles in the dependency graph, as Elle finds and
// names them, and which of them each configuration allows (ww-deps, rw-deps).
import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../../checkers/result.ts';
import { checkEdn, counts, found } from '../helpers/jepsen-edn.ts';

/** The relations along the first cycle of kind `name` found, in cycle order. */
function relations(result: CheckResult, name: string): string[] {
  const steps = (found(result).get(name)?.examples[0].detail?.steps ?? []) as { relation: string }[];
  return steps.map((s) => s.relation);
}

const WRITE_CYCLE = `
  0 invoke send [[:send :x :a] [:send :y :a]]
  1 invoke send [[:send :x :b] [:send :y :b]]
  0 ok     send [[:send :x [0 :a]] [:send :y [1 :a]]]
  1 ok     send [[:send :x [1 :b]] [:send :y [0 :b]]]`;

describe('G0', () => {
  it('is two transactions whose sends two keys order both ways, allowed', () => {
    const result = checkEdn(WRITE_CYCLE);
    expect(counts(result)).toEqual({ G0: 1, unseen: 4 });
    expect(result.anomalies.map((a) => a.name)).toEqual(['unseen']);
    const example = found(result).get('G0')?.examples[0];
    expect(example?.detail).toEqual({
      steps: [
        { from: 'T1', to: 'T2', relation: 'ww' },
        { from: 'T2', to: 'T1', relation: 'ww' },
      ],
    });
    expect(example?.description).toMatch(/^G0 cycle of 2 ops\. T1 = process \d's ok send/);
    expect(example?.ops).toHaveLength(4);
  });

  it('is not found without ww edges', () => {
    expect(counts(checkEdn(WRITE_CYCLE, { wwDeps: false }))).toEqual({ unseen: 4 });
  });
});

const WR_CYCLE = `
  0 invoke txn [[:send :x :a] [:poll]]
  1 invoke txn [[:send :y :b] [:poll]]
  0 ok     txn [[:send :x [0 :a]] [:poll {:y [[0 :b]]}]]
  1 ok     txn [[:send :y [0 :b]] [:poll {:x [[0 :a]]}]]`;

const WW_WR_CYCLE = `
  0 invoke txn [[:send :x :a] [:send :y :c]]
  1 invoke txn [[:poll] [:send :y :b]]
  0 ok     txn [[:send :x [0 :a]] [:send :y [2 :c]]]
  1 ok     txn [[:poll {:x [[0 :a]]}] [:send :y [1 :b]]]`;

describe('G1c', () => {
  it('is two transactions each polling what the other sent: a finding without ww edges', () => {
    const result = checkEdn(WR_CYCLE, { wwDeps: false });
    expect(counts(result)).toEqual({ G1c: 1 });
    expect(result.valid).toBe(false);
    expect(found(result).get('G1c')?.examples[0].detail?.steps).toEqual([
      { from: 'T1', to: 'T2', relation: 'wr' },
      { from: 'T2', to: 'T1', relation: 'wr' },
    ]);
  });

  it('is allowed with ww edges, as Jepsen allows it when it infers them', () => {
    const result = checkEdn(WR_CYCLE);
    expect(result.valid).toBe(true);
    expect(result.allowed?.map((a) => a.name)).toEqual(['G1c']);
  });

  it('closes with a ww edge: T2 polled T1 and sent the record just before T1 sent', () => {
    const result = checkEdn(WW_WR_CYCLE);
    expect(counts(result)).toEqual({ G1c: 1, unseen: 2 });
    expect(relations(result, 'G1c').sort()).toEqual(['wr', 'ww']);
    expect(counts(checkEdn(WW_WR_CYCLE, { wwDeps: false }))).toEqual({ unseen: 2 });
  });
});

describe('realtime cycles', () => {
  const FUTURE_READ = `
    1 invoke poll [[:poll]]
    1 ok     poll [[:poll {:x [[0 :a]]}]]
    0 invoke send [[:send :x :a]]
    0 ok     send [[:send :x [0 :a]]]`;

  it('G1c-realtime: a poll returned a record sent only after the poll completed', () => {
    const result = checkEdn(FUTURE_READ, { wwDeps: false });
    expect(counts(result)).toEqual({ 'G1c-realtime': 1 });
    expect(relations(result, 'G1c-realtime').sort()).toEqual(['realtime', 'wr']);
    // Allowed with ww edges, as Jepsen allows every G1c then.
    expect(checkEdn(FUTURE_READ).valid).toBe(true);
  });

  it('finds no realtime cycle among ops that follow one another', () => {
    const result = checkEdn(`
      0 invoke send [[:send :x :a]]
      0 ok     send [[:send :x [0 :a]]]
      1 invoke poll [[:poll]]
      1 ok     poll [[:poll {:x [[0 :a]]}]]
      0 invoke send [[:send :x :b]]
      0 ok     send [[:send :x [1 :b]]]
      1 invoke poll [[:poll]]
      1 ok     poll [[:poll {:x [[1 :b]]}]]`);
    expect(counts(result)).toEqual({});
    expect(result.stats).toMatchObject({ components: 0 });
  });
});

const READ_SKEW = `
  0 invoke send [[:send :x :a]]
  0 ok     send [[:send :x [0 :a]]]
  2 invoke send [[:send :x :b] [:send :y :c]]
  2 ok     send [[:send :x [1 :b]] [:send :y [0 :c]]]
  1 invoke txn [[:poll]]
  1 ok     txn [[:poll {:x [[0 :a]] :y [[0 :c]]}]]
  3 invoke poll [[:poll]]
  3 ok     poll [[:poll {:x [[0 :a] [1 :b]]}]]`;

const WRITE_SKEW = `
  9 invoke send [[:send :x :a0] [:send :y :b0]]
  9 ok     send [[:send :x [0 :a0]] [:send :y [0 :b0]]]
  1 invoke txn [[:poll] [:send :y :b1]]
  2 invoke txn [[:poll] [:send :x :a1]]
  1 ok     txn [[:poll {:x [[0 :a0]]}] [:send :y [1 :b1]]]
  2 ok     txn [[:poll {:y [[0 :b0]]}] [:send :x [1 :a1]]]
  3 invoke poll [[:poll]]
  3 ok     poll [[:poll {:x [[0 :a0] [1 :a1]] :y [[0 :b0] [1 :b1]]}]]`;

describe('rw cycles (rw-deps)', () => {
  it('G-single: a transaction polled y from a transaction whose send to x it did not see', () => {
    const result = checkEdn(READ_SKEW, { rwDeps: true });
    expect(counts(result)).toEqual({ 'G-single': 1 });
    expect(found(result).get('G-single')?.examples[0].detail?.steps).toEqual([
      { from: 'T1', to: 'T2', relation: 'rw' },
      { from: 'T2', to: 'T1', relation: 'wr' },
    ]);
    expect(counts(checkEdn(READ_SKEW))).toEqual({});
  });

  it('G2-item: two transactions each polled past the record the other then sent', () => {
    const result = checkEdn(WRITE_SKEW, { rwDeps: true });
    expect(counts(result)).toEqual({ 'G2-item': 1 });
    expect(relations(result, 'G2-item')).toEqual(['rw', 'rw']);
    expect(counts(checkEdn(WRITE_SKEW))).toEqual({});
  });

  it('gives up on a component past its budget: verdict unknown, the timeout noted', () => {
    const result = checkEdn(WRITE_SKEW, { rwDeps: true, cycleSearchBudget: 1 });
    expect(result.valid).toBe('unknown');
    expect(result.anomalies).toEqual([]);
    expect(result.notes?.map((n) => [n.name, n.count])).toEqual([['cycle-search-timeout', 1]]);
  });
});
