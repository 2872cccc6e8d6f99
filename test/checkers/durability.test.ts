import { describe, expect, it } from 'vitest';
import { checkDurability, type Truncation } from '../../checkers/durability/index.ts';
import type { History } from '../../workloads/history/format.ts';
import { QueueHistoryBuilder, records } from '../helpers/queue-history.ts';

/** 10, 11, 12 acked at offsets 0, 1, 2 of key 0 (at times 1, 3, 5); the final phase starts at time 6. */
function lostMiddleWrite(): History {
  return new QueueHistoryBuilder()
    .send(0, 0, 10, 0)
    .send(0, 0, 11, 1)
    .send(0, 0, 12, 2)
    .finalReads()
    .poll(5, {
      0: [
        [0, 10],
        [2, 12],
      ],
    })
    .build();
}

function truncation(
  time: number,
  broker: number,
  fromOffset: number,
  toOffset: number,
  kind: 'unclean-election' | 'crash' = 'unclean-election',
): Truncation {
  return {
    time,
    broker,
    key: 0,
    fromOffset,
    toOffset,
    cause: kind === 'crash' ? { kind, broker, time } : { kind, leader: 2, leaderEpoch: 7, time },
  };
}

describe('checkDurability', () => {
  it('accepts a history whose acked writes are all read in the final phase', () => {
    const history = new QueueHistoryBuilder()
      .send(0, 0, 10, 0)
      .sendFail(0, 0, 11)
      .finalReads()
      .poll(5, { 0: records(0, 10) })
      .build();
    expect(checkDurability(history)).toEqual({
      checker: 'durability',
      valid: true,
      anomalies: [],
      stats: {
        acked: 1,
        lostAcked: 0,
        lostAllowed: 0,
        unreadableAcked: 0,
        attributed: 0,
        unattributed: 0,
        notJudged: 0,
      },
    });
  });

  it('calls an acked write the final reads missed unreadable, not lost, when the leader still holds it', () => {
    const history = new QueueHistoryBuilder()
      .send(0, 0, 10, 0)
      .send(1, 0, 11, 1)
      .finalReads()
      .poll(5, { 0: records(0, 10) })
      .build();
    // The leader's high watermark stayed at 1 (too few in-sync replicas), so offset 1 was never readable.
    const held = checkDurability(history, {
      truncations: [],
      finalLogs: [{ broker: 2, key: 0, highWatermark: 1, startOffset: 0, values: [10, 11] }],
    });
    expect(held.valid).toBe(true);
    expect(held.stats).toMatchObject({ lostAcked: 0, unreadableAcked: 1 });
    expect(held.notes?.[0]).toMatchObject({ name: 'acked-write-unreadable', count: 1 });
    // A different value at that offset means the acked one is gone: lost.
    const replaced = checkDurability(history, {
      truncations: [],
      finalLogs: [{ broker: 2, key: 0, highWatermark: 1, startOffset: 0, values: [10, 99] }],
    });
    expect(replaced.valid).toBe(false);
    expect(replaced.anomalies.map((a) => [a.name, a.count])).toEqual([['acked-write-lost', 1]]);
  });

  it('reads before the final phase do not count', () => {
    const history = new QueueHistoryBuilder()
      .send(0, 0, 10, 0)
      .poll(5, { 0: records(0, 10) })
      .finalReads()
      .poll(5, { 0: [] })
      .build();
    const result = checkDurability(history);
    expect(result.anomalies.map((a) => [a.name, a.count])).toEqual([['acked-write-lost', 1]]);
  });

  it('attributes a lost acked write to a matching unclean-election truncation', () => {
    const result = checkDurability(lostMiddleWrite(), { truncations: [truncation(4, 3, 1, 3)] });
    expect(result.valid).toBe(false);
    expect(result.anomalies.map((a) => [a.name, a.count])).toEqual([['acked-write-lost', 1]]);
    expect(result.anomalies[0].explanation).toMatch(/durability loss of an acknowledged write/);
    expect(result.stats).toMatchObject({ acked: 3, lostAcked: 1, attributed: 1, unattributed: 0 });
    const example = result.anomalies[0].examples[0];
    expect(example.description).toMatch(
      /broker 3 removed offsets 1 to 2 at 0.004 s because an unclean leader election made broker 2 leader in epoch 7/,
    );
    expect(example.detail).toMatchObject({ key: 0, offset: 1, value: 11, blamed: { broker: 3, time: 4 } });
    expect(example.ops.map((op) => op.type)).toEqual(['invoke', 'ok']);
  });

  it('leaves a lost acked write unattributed without facts', () => {
    const result = checkDurability(lostMiddleWrite());
    expect(result.anomalies.map((a) => [a.name, a.count])).toEqual([['acked-write-lost', 1]]);
    expect(result.stats).toMatchObject({ lostAcked: 1, attributed: 0, unattributed: 1 });
    expect(result.anomalies[0].examples[0].description).toMatch(/no reported truncation explains it/);
  });

  it('ignores truncations before the ack, of other offsets or of other keys', () => {
    const unrelated: Truncation[] = [
      truncation(2, 3, 1, 3), // before value 11 was acknowledged at t=3
      truncation(4, 3, 2, 3), // did not remove offset 1
      { ...truncation(4, 3, 0, 3), key: 1 },
    ];
    expect(checkDurability(lostMiddleWrite(), { truncations: unrelated }).stats).toMatchObject({
      attributed: 0,
      unattributed: 1,
    });
  });

  it('blames the latest truncation before the final phase and names every broker that truncated it', () => {
    const truncations = [truncation(3, 1, 1, 2, 'crash'), truncation(5, 2, 0, 3), truncation(9, 4, 1, 3)];
    const example = checkDurability(lostMiddleWrite(), { truncations }).anomalies[0].examples[0];
    expect(example.detail).toMatchObject({ blamed: { broker: 2, time: 5 } });
    expect(example.description).toMatch(/Brokers that truncated it: 1, 2, 4\./);
    // Only later truncations: the latest of them.
    const late = checkDurability(lostMiddleWrite(), { truncations: [truncation(7, 1, 1, 2), truncation(9, 4, 1, 3)] });
    expect(late.anomalies[0].examples[0].detail).toMatchObject({ blamed: { broker: 4, time: 9 } });
  });

  it('is unknown without a final phase', () => {
    const history = new QueueHistoryBuilder().send(0, 0, 10, 0).build();
    expect(checkDurability(history).valid).toBe('unknown');
  });

  it('judges only sends that promised durability', () => {
    const history = new QueueHistoryBuilder()
      .op(0, 'invoke', 'send', [['send', 0, 10, { acks: 1 }]])
      .ackSend(0, 0, 10, 0)
      .op(0, 'invoke', 'send', [['send', 0, 11, { acks: 'all' }]])
      .ackSend(0, 0, 11, 1)
      .send(0, 0, 12, 2)
      .finalReads()
      .poll(5, { 0: [] })
      .build();
    expect(checkDurability(history).stats).toMatchObject({ acked: 2, lostAcked: 2, notJudged: 1 });
    expect(checkDurability(history, undefined, { ackedMeansDurable: false }).stats).toMatchObject({
      acked: 1,
      lostAcked: 1,
      notJudged: 2,
    });
  });

  it('does not judge sends acknowledged after the final phase began', () => {
    const history = new QueueHistoryBuilder()
      .invokeSend(0, 0, 10)
      .finalReads()
      .ackSend(0, 0, 10, 0)
      .poll(5, { 0: [] })
      .build();
    expect(checkDurability(history)).toMatchObject({ valid: true, stats: { acked: 0, notJudged: 1 } });
  });
});
