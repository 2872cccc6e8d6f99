// Jepsen's Kafka checker on small hand-written histories: aborted reads, precommitted reads, lost writes
// (with Jepsen's rule that a crashed transaction whose send was read committed as a whole) and unseen.
import { describe, expect, it } from 'vitest';
import { checkEdn, counts, found } from '../helpers/jepsen-edn.ts';

describe('G1a (aborted read)', () => {
  const failed = (type: string) => `
    0 invoke send [[:send :x 2] [:send :y 3]]
    0 ${type}   send [[:send :x 2] [:send :y 3]]
    1 invoke poll [[:poll]]
    1 ok     poll [[:poll {:x [[0 2]]}]]`;

  it('is an ok poll returning a record whose send failed', () => {
    const result = checkEdn(failed('fail'));
    expect(counts(result)).toEqual({ G1a: 1 });
    expect(found(result).get('G1a')?.examples[0].detail).toEqual({ key: 'x', value: 2 });
    expect(
      found(result)
        .get('G1a')
        ?.examples[0].ops.map((op) => op.type),
    ).toEqual(['invoke', 'fail', 'invoke', 'ok']);
  });

  it('is not a crashed send read: that send may have committed', () => {
    expect(counts(checkEdn(failed('info')))).toEqual({});
  });
});

describe('precommitted-read', () => {
  it('is a transaction polling its own send', () => {
    const result = checkEdn(`
      0 invoke txn [[:send :x :a] [:poll]]
      0 ok     txn [[:send :x [0 :a]] [:poll {:x [[0 :a]]}]]`);
    expect(counts(result)).toEqual({ 'precommitted-read': 1 });
  });

  it('is not a transaction polling what another sent', () => {
    const result = checkEdn(`
      1 invoke send [[:send :y :b]]
      1 ok     send [[:send :y [0 :b]]]
      0 invoke txn [[:send :x :a] [:poll]]
      0 ok     txn [[:send :x [0 :a]] [:poll {:y [[0 :b]]}]]`);
    expect(counts(result)).toEqual({ unseen: 1 });
  });
});

describe('lost-write', () => {
  it('is a committed record before the highest one ok polls reached that no ok poll returned', () => {
    const result = checkEdn(`
      0 invoke send [[:send :x :a]]
      0 ok     send [[:send :x [0 :a]]]
      0 invoke send [[:send :x :b] [:send :x :d]]
      0 ok     send [[:send :x [1 :b]] [:send :x [3 :d]]]
      1 invoke send [[:send :x :c]]
      1 info   send [[:send :x :c]]
      0 invoke poll [[:poll]]
      0 ok     poll [[:poll {:x [[2 :c]]}]]`);
    // d, after c, may simply not have been polled yet: unseen, not lost. The send of b and d around c is an
    // allowed int-send-skip, and c's crashed send between them a write cycle (G0), allowed too.
    expect(counts(result)).toEqual({ 'lost-write': 2, unseen: 3, 'int-send-skip': 1, G0: 1 });
    const lost = found(result).get('lost-write');
    expect(lost?.examples.map((e) => e.detail)).toEqual([
      { key: 'x', value: 'a', index: 0, bound: 2 },
      { key: 'x', value: 'b', index: 1, bound: 2 },
    ]);
    expect(result.anomalies.map((a) => a.name)).toEqual(['lost-write', 'unseen']);
  });

  it('judges by the first place a polled record appears when offsets disagree', () => {
    const result = checkEdn(`
      0 invoke send [[:send :x :a]]
      0 ok     send [[:send :x [0 :a]]]
      0 invoke send [[:send :x :b] [:send :x :c]]
      0 ok     send [[:send :x [0 :b]] [:send :x [2 :c]]]
      0 invoke poll [[:poll]]
      0 ok     poll [[:poll {:x [[0 :b] [2 :c]]}]]`);
    expect(counts(result)).toEqual({ 'inconsistent-offsets': 1, 'lost-write': 1, unseen: 1 });
    expect(found(result).get('lost-write')?.examples[0].detail).toEqual({ key: 'x', value: 'a', index: 0, bound: 1 });
  });

  const atomic = (pollA: boolean) => `
    0 invoke send [[:send :x :a] [:send :y :b]]
    0 info   send [[:send :x :a] [:send :y [0 :b]]]
    1 invoke send [[:send :y :c]]
    1 info   send [[:send :y :c]]
    ${pollA ? '2 invoke poll [[:poll]]\n2 ok poll [[:poll {:x [[0 :a]]}]]' : ''}
    3 invoke poll [[:poll]]
    3 ok     poll [[:poll {:y [[1 :c]]}]]`;

  it('counts every send of a crashed op as committed once an ok poll returned one of them', () => {
    const result = checkEdn(atomic(true));
    expect(counts(result)).toEqual({ 'lost-write': 1 });
    expect(found(result).get('lost-write')?.examples[0].detail).toEqual({ key: 'y', value: 'b', index: 0, bound: 1 });
  });

  it('claims nothing about a crashed op none of whose sends was read', () => {
    expect(counts(checkEdn(atomic(false)))).toEqual({});
  });
});

describe('unseen', () => {
  const history = (lastPoll: boolean) => `
    0 invoke poll [[:poll]]
    0 ok     poll [[:poll {}]]
    0 invoke send [[:send :x :a] [:send :x :b]]
    0 ok     send [[:send :x [0 :a]] [:send :x [1 :b]]]
    0 invoke poll [[:poll]]
    0 ok     poll [[:poll {:x [[0 :a]]}]]
    ${lastPoll ? '0 invoke poll [[:poll]]\n0 ok poll [[:poll {:x [[1 :b]]}]]' : ''}`;

  it('is nothing once every acknowledged record was polled', () => {
    expect(checkEdn(history(true)).valid).toBe(true);
  });

  it('is an acknowledged record no ok poll returned, always a finding', () => {
    const result = checkEdn(history(false));
    expect(counts(result)).toEqual({ unseen: 1 });
    expect(result.valid).toBe(false);
    expect(found(result).get('unseen')?.examples[0].detail).toEqual({ key: 'x', value: 'b' });
  });

  it('does not count a record only a failed or crashed poll returned', () => {
    const result = checkEdn(`${history(false)}
      1 invoke poll [[:poll]]
      1 info   poll [[:poll {:x [[1 :b]]}]]`);
    expect(counts(result)).toEqual({ unseen: 1 });
  });
});
