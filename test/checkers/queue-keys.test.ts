// Keys as Jepsen writes them: keywords (`:x`, read as the string "x"), strings and integers. Before keys
// were more than integers, a history with keyword keys read as 0 sends and was judged valid.
import { describe, expect, it } from 'vitest';
import { checkQueue, toKey } from '../../checkers/queue/index.ts';
import { readEdnHistory } from '../../workloads/history/edn.ts';

const KEYWORD_HISTORY = `[
{:index 0 :time 0 :process 0 :type :invoke :f :send :value [[:send :x 1] [:send :y 2]]}
{:index 1 :time 1 :process 0 :type :ok :f :send :value [[:send :x [0 1]] [:send :y [0 2]]]}
{:index 2 :time 2 :process 1 :type :invoke :f :send :value [[:send :x 3]]}
{:index 3 :time 3 :process 1 :type :ok :f :send :value [[:send :x [1 3]]]}
{:index 4 :time 4 :process 2 :type :invoke :f :poll :value [[:poll]]}
{:index 5 :time 5 :process 2 :type :ok :f :poll :value [[:poll {:x [[1 3]]}]]}]`;

describe('queue checker keys', () => {
  it('reads keyword keys: the sends count and a lost write on :x is found', () => {
    const result = checkQueue(readEdnHistory(KEYWORD_HISTORY));
    expect(result.stats).toMatchObject({ sends: 3, acked: 3, polls: 1, recordsRead: 1, keys: 2 });
    expect(result.anomalies.map((a) => [a.name, a.count])).toEqual([['lost-write', 1]]);
    expect(result.anomalies[0].examples[0].detail).toMatchObject({ key: 'x', offset: 0, value: 1 });
  });

  it('keeps string and keyword keys apart from integer ones, and meets "3" with 3', () => {
    expect(toKey('x')).toBe('x');
    expect(toKey('3')).toBe(3);
    expect(toKey(3)).toBe(3);
    expect(toKey('-2')).toBe(-2);
    expect(toKey('03')).toBe('03');
    expect(toKey(1.5)).toBeNull();
    expect(toKey('')).toBeNull();
    expect(toKey(null)).toBeNull();
    expect(toKey(['x'])).toBeNull();
  });

  it('judges integer keys written as strings in sends like integer ones', () => {
    const history = readEdnHistory(`[
{:process 0 :type :invoke :f :send :value [["send" "3" 10]]}
{:process 0 :type :ok :f :send :value [["send" "3" [0 10]]]}
{:process 1 :type :invoke :f :poll :value [["poll"]]}
{:process 1 :type :ok :f :poll :value [["poll" {3 [[0 10]]}]]}]`);
    const result = checkQueue(history, { unseenIsAnomaly: true });
    expect(result.valid).toBe(true);
    expect(result.stats).toMatchObject({ sends: 1, acked: 1, keys: 1, unseen: 0 });
  });
});

const POLL_X =
  '{:process 2 :type :invoke :f :poll :value [[:poll]]} {:process 2 :type :ok :f :poll :value [[:poll {:x [[0 :a]]}]]}';

describe('queue checker on a crashed multi-send', () => {
  it('takes every send of a crashed op as committed once a poll returned one of them', () => {
    const history = (pollX: boolean) =>
      readEdnHistory(`[
{:process 0 :type :invoke :f :send :value [[:send :x :a] [:send :y :b]]}
{:process 0 :type :info :f :send :value [[:send :x [0 :a]] [:send :y [0 :b]]]}
{:process 1 :type :invoke :f :send :value [[:send :y :c]]}
{:process 1 :type :ok :f :send :value [[:send :y [0 :c]]]}
${pollX ? POLL_X : ''}]`);
    // b's offset counts only once a's read shows the op committed: then b and c both sit at offset 0 of y.
    expect(checkQueue(history(false)).anomalies).toEqual([]);
    expect(checkQueue(history(true)).anomalies.map((a) => a.name)).toEqual(['inconsistent-offsets']);
  });
});
