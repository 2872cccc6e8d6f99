import { describe, expect, it } from 'vitest';
import { checkQueue } from '../../checkers/queue/index.ts';
import { MAX_EXAMPLES, type CheckResult } from '../../checkers/result.ts';
import { QueueHistoryBuilder, records } from '../helpers/queue-history.ts';

function names(result: CheckResult): string[] {
  return result.anomalies.map((a) => a.name);
}

function only(result: CheckResult, name: string, count: number): void {
  expect(names(result)).toEqual([name]);
  expect(result.anomalies[0].count).toBe(count);
  expect(result.valid).toBe(false);
  expect(result.anomalies[0].explanation.length).toBeGreaterThan(20);
  expect(result.anomalies[0].examples.length).toBe(Math.min(count, MAX_EXAMPLES));
  for (const example of result.anomalies[0].examples) expect(example.ops.length).toBeGreaterThan(0);
}

/** Producer 0 writes 10, 11, 12 to key 0 at offsets 0, 1, 2. */
function threeSends(): QueueHistoryBuilder {
  return new QueueHistoryBuilder().send(0, 0, 10, 0).send(0, 0, 11, 1).send(0, 0, 12, 2);
}

describe('checkQueue on hand-made histories', () => {
  it('accepts a clean history with concurrent ops, gaps, an indeterminate send and final reads', () => {
    const history = new QueueHistoryBuilder()
      .assign(5, [0, 1])
      .invokeSend(0, 0, 10)
      .invokeSend(1, 1, 20)
      .ackSend(0, 0, 10, 0)
      .poll(5, { 0: records(0, 10) })
      .ackSend(1, 1, 20, 3) // offsets 0-2 of key 1 were never used: a gap, not a skip
      .sendInfo(2, 0, 11)
      .sendFail(3, 0, 99)
      .send(0, 0, 12, 2)
      .poll(5, {
        0: [
          [1, 11],
          [2, 12],
        ],
        1: records(3, 20),
      })
      .finalReads()
      .assign(6, [0, 1])
      .poll(6, { 0: records(0, 10, 11, 12), 1: records(3, 20) })
      .build();
    const result = checkQueue(history);
    expect(result).toMatchObject({ checker: 'queue', valid: true, anomalies: [] });
    expect(result.stats).toEqual({ sends: 5, acked: 3, polls: 3, recordsRead: 8, keys: 2, unseen: 0 });
  });

  it('inconsistent-offsets: two values at one offset', () => {
    const history = new QueueHistoryBuilder()
      .send(0, 0, 10, 0)
      .send(1, 0, 11, 0)
      .poll(5, { 0: records(0, 10) })
      .poll(6, { 0: records(0, 11) })
      .build();
    const result = checkQueue(history);
    only(result, 'inconsistent-offsets', 1);
    const example = result.anomalies[0].examples[0];
    expect(example.detail).toEqual({ key: 0, offset: 0, values: [10, 11] });
    // One witness (invocation and completion) per value.
    expect(example.ops.map((op) => op.index)).toEqual([0, 1, 2, 3]);
  });

  it('duplicate: one value at two offsets', () => {
    const history = new QueueHistoryBuilder()
      .send(0, 0, 10, 0)
      .send(0, 0, 11, 1)
      .poll(5, {
        0: [
          [0, 10],
          [1, 11],
          [2, 10],
        ],
      })
      .build();
    const result = checkQueue(history);
    only(result, 'duplicate', 1);
    expect(result.anomalies[0].examples[0].detail).toEqual({ key: 0, value: 10, offsets: [0, 2] });
  });

  it('lost-write: an acked value never read although a read went past it', () => {
    const history = threeSends()
      .poll(5, { 0: records(0, 10) })
      .assign(6, [0])
      .poll(6, { 0: records(2, 12) })
      .build();
    const result = checkQueue(history);
    only(result, 'lost-write', 1);
    expect(result.anomalies[0].examples[0].detail).toMatchObject({ key: 0, offset: 1, value: 11, maxReadOffset: 2 });
  });

  it('unseen: an acked value beyond every read, with final reads', () => {
    const history = threeSends()
      .finalReads()
      .poll(5, { 0: records(0, 10, 11) })
      .build();
    const result = checkQueue(history);
    only(result, 'unseen', 1);
    expect(result.stats?.unseen).toBe(1);
  });

  it('unseen is only a statistic without final reads', () => {
    const history = threeSends()
      .poll(5, { 0: records(0, 10, 11) })
      .build();
    const result = checkQueue(history);
    expect(result.valid).toBe(true);
    expect(result.stats?.unseen).toBe(1);
    expect(names(checkQueue(history, { unseenIsAnomaly: true }))).toEqual(['unseen']);
  });

  it('G1a: a failed send is read', () => {
    const history = new QueueHistoryBuilder()
      .sendFail(0, 0, 10)
      .poll(5, { 0: records(0, 10) })
      .build();
    const result = checkQueue(history);
    only(result, 'G1a', 1);
    // The failed send, then the poll that read its value.
    expect(result.anomalies[0].examples[0].ops.map((op) => op.type)).toEqual(['invoke', 'fail', 'invoke', 'ok']);
  });

  it('poll-skip: a consumer jumps over a known record between polls', () => {
    const history = threeSends()
      .poll(5, { 0: records(0, 10) })
      .poll(5, { 0: records(2, 12) })
      .poll(6, { 0: records(1, 11) })
      .build();
    only(checkQueue(history), 'poll-skip', 1);
  });

  it('poll-skip is not reported across a seek, a crash, an assignment dropping the key, the final-reads marker', () => {
    const across = (f: string, value: number[]) =>
      threeSends()
        .poll(5, { 0: records(0, 10) })
        .op(5, 'invoke', f, value)
        .op(5, 'ok', f, value)
        .poll(5, { 0: records(2, 12) })
        .poll(6, { 0: records(1, 11) })
        .build();
    for (const reposition of ['seek', 'crash']) expect(checkQueue(across(reposition, [0])).valid).toBe(true);
    expect(checkQueue(across('assign', [1])).valid).toBe(true);
    expect(checkQueue(across('subscribe', [1, 2])).valid).toBe(true);
    // An assignment that still names the key keeps the consumer's position there, as Kafka and Jepsen do.
    expect(checkQueue(across('assign', [0, 1])).anomalies.map((a) => [a.name, a.count])).toEqual([['poll-skip', 1]]);
    const afterMarker = threeSends()
      .poll(5, { 0: records(1, 11, 12) })
      .finalReads()
      .poll(5, { 0: records(0, 10, 11, 12) })
      .build();
    expect(checkQueue(afterMarker).valid).toBe(true);
    const afterCrash = threeSends()
      .poll(5, { 0: records(0, 10) })
      .invokePoll(5)
      .op(5, 'info', 'poll', [['poll']], 'DISCONNECTED')
      .poll(5, { 0: records(2, 12) })
      .poll(6, { 0: records(1, 11) })
      .build();
    expect(checkQueue(afterCrash).valid).toBe(true);
  });

  it('nonmonotonic-poll: a consumer goes back between polls', () => {
    const history = threeSends()
      .poll(5, { 0: records(0, 10, 11) })
      .poll(5, { 0: records(1, 11, 12) })
      .build();
    only(checkQueue(history), 'nonmonotonic-poll', 1);
  });

  it('a poll that went through a rebalance may go back on the keys its rebalance-log names', () => {
    // Subscribe mode: the group moved key 0 away and back; its position restarts at the committed offset.
    const history = threeSends()
      .poll(5, { 0: records(0, 10, 11) })
      .poll(5, { 0: records(1, 11, 12) })
      .build();
    const second = history[history.length - 1];
    second.rebalanceLog = [{ type: 'assigned', keys: [0], generation: 2 }];
    expect(checkQueue(history).valid).toBe(true);
    second.rebalanceLog = [{ type: 'assigned', keys: [1], generation: 2 }];
    only(checkQueue(history), 'nonmonotonic-poll', 1);
  });

  it('int-poll-skip: one poll skips a known record', () => {
    const history = threeSends()
      .poll(5, {
        0: [
          [0, 10],
          [2, 12],
        ],
      })
      .poll(6, { 0: records(1, 11) })
      .build();
    only(checkQueue(history), 'int-poll-skip', 1);
  });

  it('int-nonmonotonic-poll: one poll goes back', () => {
    const history = threeSends()
      .poll(5, {
        0: [
          [0, 10],
          [1, 11],
          [2, 12],
          [1, 11],
        ],
      })
      .build();
    only(checkQueue(history), 'int-nonmonotonic-poll', 1);
    // Going back and then forward past a known record is both an inversion and a skip.
    const backThenSkip = threeSends()
      .poll(5, {
        0: [
          [1, 11],
          [0, 10],
          [2, 12],
        ],
      })
      .build();
    expect(names(checkQueue(backThenSkip))).toEqual(['int-nonmonotonic-poll', 'int-poll-skip']);
  });

  it('nonmonotonic-send: a producer’s later send gets a lower offset', () => {
    const history = new QueueHistoryBuilder()
      .send(0, 0, 10, 1)
      .send(0, 0, 11, 0)
      .poll(5, {
        0: [
          [0, 11],
          [1, 10],
        ],
      })
      .build();
    only(checkQueue(history), 'nonmonotonic-send', 1);
  });

  it('counts every occurrence but keeps at most MAX_EXAMPLES examples', () => {
    const b = new QueueHistoryBuilder();
    for (let i = 0; i < 20; i++) b.sendFail(0, 0, i);
    b.poll(5, { 0: Array.from({ length: 20 }, (_, i): [number, number] => [i, i]) });
    only(checkQueue(b.build()), 'G1a', 20);
  });

  it('orders anomalies by name', () => {
    const history = new QueueHistoryBuilder()
      .sendFail(0, 0, 10)
      .send(1, 0, 11, 0)
      .poll(5, {
        0: [
          [0, 10],
          [2, 11],
        ],
      })
      .build();
    const found = names(checkQueue(history));
    expect(found).toEqual([...found].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(found).toEqual(['G1a', 'duplicate', 'inconsistent-offsets']);
  });

  it('handles sparse, huge offsets without dense allocation', () => {
    const big = 2 ** 50;
    const history = new QueueHistoryBuilder()
      .send(0, 0, 10, big)
      .send(0, 0, 11, big + 1000)
      .poll(5, {
        0: [
          [big, 10],
          [big + 1000, 11],
        ],
      })
      .build();
    expect(checkQueue(history).valid).toBe(true);
  });
});
