// Jepsen's Kafka checker on small hand-written histories: the order of one process's polls and sends
// (poll-skip, nonmonotonic-poll, nonmonotonic-send), with Jepsen's rules for assignment changes and for polls
// of failed and crashed transactions, and the order inside one op (int-poll-skip, int-nonmonotonic-poll,
// int-send-skip, int-nonmonotonic-send).
import { describe, expect, it } from 'vitest';
import { checkEdn, counts, found } from '../helpers/jepsen-edn.ts';

// Offsets 1 2 (polled by 0), 3 (polled by 1), 4, 6 and 7 (polled by 0) of key x; 5 was never seen.
const SKIPS = (between: string, beforeLast = '') => `
  0 invoke poll [[:poll]]
  0 ok     poll [[:poll {:x [[1 :a] [2 :b]]}]]
  1 invoke poll [[:poll]]
  1 ok     poll [[:poll {:x [[3 :c]]}]]
  ${between}
  0 invoke poll [[:poll]]
  0 ok     poll [[:poll {:x [[4 :d]]}]]
  ${beforeLast}
  2 invoke send [[:send :x :f]]
  2 ok     send [[:send :x [6 :f]]]
  0 invoke poll [[:poll]]
  0 ok     poll [[:poll {:x [[7 :g]]}]]
  3 invoke send [[:send :x :a] [:send :x :b] [:send :x :c] [:send :x :d] [:send :x :g]]
  3 info   send [[:send :x :a] [:send :x :b] [:send :x :c] [:send :x :d] [:send :x :g]]`;

describe('poll-skip', () => {
  it('is a process polling past records it never got, twice here', () => {
    const result = checkEdn(SKIPS(''));
    const skip = found(result).get('poll-skip');
    expect(skip?.count).toBe(2);
    expect(skip?.examples.map((e) => e.detail)).toEqual([
      { key: 'x', values: ['b', 'd'], delta: 2, skipped: ['c'] },
      { key: 'x', values: ['d', 'g'], delta: 2, skipped: ['f'] },
    ]);
    // f, sent at 6 and never polled although 7 was, is also lost (and unseen).
    expect(result.anomalies.map((a) => a.name)).toEqual(['lost-write', 'poll-skip', 'unseen']);
  });

  it('is forgotten for a key no longer assigned or subscribed, kept for one still named', () => {
    const away = SKIPS('0 invoke subscribe [:y]\n0 ok subscribe [:y]', '0 invoke assign [:y]\n0 info assign [:y]');
    expect(found(checkEdn(away)).get('poll-skip')).toBeUndefined();
    const still = SKIPS(
      '0 invoke subscribe [:x :y]\n0 ok subscribe [:x :y]',
      '0 invoke assign [:x :y]\n0 ok assign [:x :y]',
    );
    expect(found(checkEdn(still)).get('poll-skip')?.count).toBe(2);
  });

  it('is kept through an assignment that failed', () => {
    const failed = SKIPS('0 invoke assign [:y]\n0 fail assign [:y]');
    expect(found(checkEdn(failed)).get('poll-skip')?.count).toBe(2);
  });

  it('is allowed when consumers subscribe, since a rebalance may move them', () => {
    const result = checkEdn(SKIPS(''), { subVia: ['subscribe'] });
    expect(result.anomalies.map((a) => a.name)).toEqual(['lost-write', 'unseen']);
    expect(result.allowed?.map((a) => a.name)).toEqual(['G0', 'int-send-skip', 'poll-skip']);
  });

  const SIX = `
    0 invoke send [[:send :x 0] [:send :x 1] [:send :x 2] [:send :x 3] [:send :x 4] [:send :x 5]]
    0 ok     send [[:send :x [0 0]] [:send :x [1 1]] [:send :x [2 2]] [:send :x [3 3]] [:send :x [4 4]]
                   [:send :x [5 5]]]
    1 invoke txn [[:poll]]
    1 ok     txn [[:poll {:x [[0 0]]}]]
    1 invoke txn [[:poll]]
    1 fail   txn [[:poll {:x [[1 1] [2 2]]}]]`;

  it('expects failed and crashed transactions to rewind: polling the same records again is fine', () => {
    const result = checkEdn(`${SIX}
      1 invoke txn [[:poll]]
      1 info   txn [[:poll {:x [[1 1] [2 2]]}]]
      1 invoke txn [[:poll]]
      1 ok     txn [[:poll {:x [[1 1] [2 2]]}]]`);
    expect(counts(result)).toEqual({ unseen: 3 });
  });

  it('checks the polls of failed and crashed transactions against the position they should rewind to', () => {
    const failed = checkEdn(`${SIX}
      1 invoke txn [[:poll]]
      1 fail   txn [[:poll {:x [[3 3] [4 4]]}]]
      1 invoke txn [[:poll]]
      1 ok     txn [[:poll {:x [[5 5]]}]]`);
    expect(
      found(failed)
        .get('poll-skip')
        ?.examples.map((e) => e.detail?.skipped),
    ).toEqual([
      [1, 2],
      [1, 2, 3, 4],
    ]);
    const crashed = checkEdn(`${SIX}
      1 invoke txn [[:poll]]
      1 info   txn [[:poll {:x [[3 3] [4 4]]}]]`);
    expect(
      found(crashed)
        .get('poll-skip')
        ?.examples.map((e) => e.detail?.skipped),
    ).toEqual([[1, 2]]);
  });
});

describe('nonmonotonic-poll', () => {
  const history = (between: string) => `
    0 invoke send [[:send :x :a] [:send :x :b] [:send :x :c] [:send :x :d]]
    0 ok     send [[:send :x [1 :a]] [:send :x [2 :b]] [:send :x [3 :c]] [:send :x [4 :d]]]
    0 invoke poll [[:poll]]
    0 ok     poll [[:poll {:x [[1 :a] [2 :b] [3 :c]]}]]
    ${between}
    0 invoke poll [[:poll]]
    0 ok     poll [[:poll {:x [[2 :b] [3 :c] [4 :d]]}]]`;

  it('is a process polling again from before where it got to', () => {
    const result = checkEdn(history(''));
    expect(counts(result)).toEqual({ 'nonmonotonic-poll': 1 });
    expect(found(result).get('nonmonotonic-poll')?.examples[0].detail).toEqual({
      key: 'x',
      values: ['c', 'b'],
      delta: -1,
    });
  });

  it('is forgiven after an assignment that drops the key, not after one that keeps it', () => {
    expect(counts(checkEdn(history('0 invoke assign [:y]\n0 ok assign [:y]')))).toEqual({});
    expect(counts(checkEdn(history('0 invoke subscribe [:y]\n0 ok subscribe [:y]')))).toEqual({});
    expect(counts(checkEdn(history('0 invoke assign [:x :y]\n0 ok assign [:x :y]')))).toEqual({
      'nonmonotonic-poll': 1,
    });
  });

  it('is forgiven after a kafkasim seek of the key', () => {
    expect(counts(checkEdn(history('0 invoke seek [[:x 2]]\n0 ok seek [[:x 2]]')))).toEqual({});
  });
});

describe('nonmonotonic-send', () => {
  const history = (between: string) => `
    0 invoke send [[:send :x :c] [:send :x :d]]
    0 ok     send [[:send :x [3 :c]] [:send :x [4 :d]]]
    ${between}
    0 invoke send [[:send :x :a] [:send :x :b]]
    0 ok     send [[:send :x [1 :a]] [:send :x [2 :b]]]
    1 invoke poll [[:poll]]
    1 ok     poll [[:poll {:x [[1 :a] [2 :b] [3 :c] [4 :d]]}]]`;

  it('is a later op of one process sending to a key landing before its earlier send', () => {
    const result = checkEdn(history(''));
    // The later op's b sits just before the earlier op's c (ww), and the earlier op completed before the later
    // one was invoked (realtime): an allowed G0-realtime.
    expect(counts(result)).toEqual({ 'nonmonotonic-send': 1, 'G0-realtime': 1 });
    expect(found(result).get('nonmonotonic-send')?.examples[0].detail).toEqual({
      key: 'x',
      values: ['d', 'a'],
      delta: -3,
    });
  });

  it('is forgiven after an assignment dropping the key, even a crashed one', () => {
    expect(counts(checkEdn(history('0 invoke assign [:y]\n0 info assign [:y]')))).toEqual({ 'G0-realtime': 1 });
    expect(counts(checkEdn(history('0 invoke subscribe [:x]\n0 ok subscribe [:x]')))).toMatchObject({
      'nonmonotonic-send': 1,
    });
  });
});

describe('internal anomalies', () => {
  it('int-poll-skip: within one poll, or across the polls of one op', () => {
    const result = checkEdn(`
      1 invoke send [[:send :x :a] [:send :x :b] [:send :x :d]]
      1 info   send [[:send :x :a] [:send :x :b] [:send :x :d]]
      0 invoke poll [[:poll]]
      0 ok     poll [[:poll {:x [[1 :a] [4 :d]]}]]
      2 invoke poll [[:poll] [:poll]]
      2 ok     poll [[:poll {:x [[1 :a]]}] [:poll {:x [[4 :d]]}]]
      3 invoke poll [[:poll]]
      3 ok     poll [[:poll {:x [[2 :b]]}]]`);
    expect(counts(result)).toEqual({ 'int-poll-skip': 2 });
    expect(found(result).get('int-poll-skip')?.examples[1].detail).toEqual({
      key: 'x',
      values: ['a', 'd'],
      delta: 2,
      skipped: ['b'],
    });
  });

  it('int-poll-skip is not claimed for a key the op says a rebalance reassigned', () => {
    const result = checkEdn(`
      1 invoke send [[:send :x :a] [:send :x :b] [:send :x :d]]
      1 info   send [[:send :x :a] [:send :x :b] [:send :x :d]]
      0 invoke txn [[:poll]]
      0 ok     txn [[:poll {:x [[1 :a] [4 :d]]}]] | :rebalance-log [{:keys [:x]}]
      3 invoke poll [[:poll]]
      3 ok     poll [[:poll {:x [[2 :b]]}]]`);
    expect(counts(result)).toEqual({});
  });

  it('int-nonmonotonic-poll: a poll going back, or returning one record twice', () => {
    const result = checkEdn(`
      0 invoke send [[:send :x :a] [:send :x :b] [:send :x :c]]
      0 info   send [[:send :x :a] [:send :x :b] [:send :x :c]]
      1 invoke poll [[:poll]]
      1 ok     poll [[:poll {:x [[3 :c] [1 :a]]}]]
      2 invoke poll [[:poll]]
      2 ok     poll [[:poll {:x [[2 :b] [3 :c]]}] [:poll {:x [[3 :c]]}]]`);
    expect(counts(result)).toEqual({ 'int-nonmonotonic-poll': 2 });
    expect(
      found(result)
        .get('int-nonmonotonic-poll')
        ?.examples.map((e) => e.detail?.delta),
    ).toEqual([-2, 0]);
  });

  it('int-send-skip: sends of one op with another record between them, allowed', () => {
    const result = checkEdn(`
      0 invoke send [[:send :x :a] [:send :x :c]]
      0 ok     send [[:send :x [1 :a]] [:send :x :c]]
      1 invoke send [[:send :x :b]]
      1 info   send [[:send :x :b]]
      2 invoke poll [[:poll]]
      2 ok     poll [[:poll {:x [[2 :b] [3 :c]]}]]`);
    // a, sent at offset 1 before the polled b and c, was never polled: lost, and unseen.
    expect(result.anomalies.map((a) => a.name)).toEqual(['lost-write', 'unseen']);
    expect(found(result).get('int-send-skip')?.examples[0].detail).toEqual({
      key: 'x',
      values: ['a', 'c'],
      delta: 2,
      skipped: ['b'],
    });
  });

  it('int-nonmonotonic-send: from offsets the send named, or from the order polls showed', () => {
    const result = checkEdn(`
      0 invoke send [[:send :x 3] [:send :x 1]]
      0 ok     send [[:send :x [3 :c]] [:send :x [1 :a]]]
      0 invoke send [[:send :y :d] [:send :y :b]]
      0 info   send [[:send :y :d] [:send :y :b]]
      1 invoke send [[:send :y :c]]
      1 info   send [[:send :y :c]]
      0 invoke poll [[:poll]]
      0 ok     poll [[:poll {:y [[2 :b] [3 :c] [4 :d]]}]]`);
    const anomaly = found(result).get('int-nonmonotonic-send');
    expect(anomaly?.examples.map((e) => e.detail)).toEqual([
      { key: 'x', values: ['c', 'a'], delta: -1 },
      { key: 'y', values: ['d', 'b'], delta: -2 },
    ]);
  });
});
