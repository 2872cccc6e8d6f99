// The queue workload's small parts: the recorder, the micro-op encoders, what a poll delivers, and option
// validation.
import { describe, expect, it } from 'vitest';
import type { PollResult } from '../../sim/kafka/clients/consumer.ts';
import { ConfigError } from '../../sim/world/index.ts';
import { HistoryRecorder } from '../../workloads/history-recorder.ts';
import {
  deliveredBy,
  holdBackTruncated,
  pollOkValue,
  QUEUE_WORKLOAD_DEFAULTS,
  queueWorkloadOptions,
  seekValue,
  sendOkValue,
  sendValue,
} from '../../workloads/queue/index.ts';

function pollResult(records: [number, [number, number][]][] = []): PollResult {
  return { records: new Map(records), truncations: [], errors: [] };
}

describe('HistoryRecorder', () => {
  it('numbers ops densely and stamps them with the clock', () => {
    let now = 5;
    const r = new HistoryRecorder(() => now);
    r.invoke(0, 'send', sendValue(1, 7));
    now = 9.5;
    r.complete(0, 'info', 'send', sendValue(1, 7), 'NETWORK_TIMEOUT');
    r.record({ process: 'nemesis', type: 'info', f: 'kill', value: 'b1' }, 12);
    expect(r.history).toEqual([
      { index: 0, time: 5, process: 0, type: 'invoke', f: 'send', value: [['send', 1, 7]] },
      { index: 1, time: 9.5, process: 0, type: 'info', f: 'send', value: [['send', 1, 7]], error: 'NETWORK_TIMEOUT' },
      { index: 2, time: 12, process: 'nemesis', type: 'info', f: 'kill', value: 'b1' },
    ]);
    expect(r.length).toBe(3);
  });

  it('leaves error out of ops that have none (so JSON lines stay minimal)', () => {
    const r = new HistoryRecorder(() => 0);
    expect('error' in r.complete(1, 'ok', 'assign', [0, 1])).toBe(false);
  });
});

describe('micro-op encoders', () => {
  it('write the queue conventions', () => {
    expect(sendValue(2, 40)).toEqual([['send', 2, 40]]);
    expect(sendOkValue(2, 11, 40)).toEqual([['send', 2, [11, 40]]]);
    const records = new Map<number, [number, number][]>([
      [2, [[5, 50]]],
      [
        0,
        [
          [0, 1],
          [1, 3],
        ],
      ],
      [1, []],
    ]);
    expect(pollOkValue(records)).toEqual([
      [
        'poll',
        {
          '0': [
            [0, 1],
            [1, 3],
          ],
          '2': [[5, 50]],
        },
      ],
    ]);
    expect(
      seekValue(
        new Map([
          [1, 4],
          [0, 0],
        ]),
      ),
    ).toEqual([
      [0, 0],
      [1, 4],
    ]);
  });
});

describe('deliveredBy', () => {
  it('hands over the records, truncations and error count of a poll as they are', () => {
    const result = pollResult([
      [
        0,
        [
          [0, 10],
          [1, 11],
        ],
      ],
      [2, [[5, 20]]],
    ]);
    result.truncations.push({ partition: 1, from: 9, to: 4, cause: 'truncation' });
    result.errors.push('NOT_LEADER_OR_FOLLOWER on partition 1');
    const d = deliveredBy(result);
    expect(d.records).toEqual(
      new Map([
        [
          0,
          [
            [0, 10],
            [1, 11],
          ],
        ],
        [2, [[5, 20]]],
      ]),
    );
    expect(d.truncations).toEqual([{ partition: 1, from: 9, to: 4, cause: 'truncation' }]);
    expect(d.errors).toBe(1);
  });
});

describe('holdBackTruncated', () => {
  it('holds back a truncated partition and seeks to where re-reading starts', () => {
    const out = holdBackTruncated({
      records: new Map<number, [number, number][]>([
        [
          0,
          [
            [4, 40],
            [5, 41],
          ],
        ],
        [1, [[7, 70]]],
      ]),
      truncations: [{ partition: 0, from: 9, to: 4 }],
      errors: 0,
    });
    expect(out.records).toEqual(new Map([[1, [[7, 70]]]]));
    expect(out.seeks).toEqual(new Map([[0, 4]]));
  });

  it('seeks to the earliest of held-back records and truncation points', () => {
    const out = holdBackTruncated({
      records: new Map<number, [number, number][]>([
        [
          0,
          [
            [10, 1],
            [11, 2],
          ],
        ],
      ]),
      truncations: [
        { partition: 0, from: 12, to: 12 },
        { partition: 0, from: 15, to: 8 },
      ],
      errors: 0,
    });
    expect(out.records.size).toBe(0);
    expect(out.seeks).toEqual(new Map([[0, 8]]));
  });
});

describe('queueWorkloadOptions', () => {
  it('fills defaults, keeps Kafka key names for clients, and ignores undefined overrides', () => {
    const o = queueWorkloadOptions({ rate: undefined, producers: 1, producer: { acks: 1 } });
    expect(o.rate).toBe(QUEUE_WORKLOAD_DEFAULTS.rate);
    expect(o.producers).toBe(1);
    expect(o.producer.acks).toBe(1);
    expect(o.producer['delivery.timeout.ms']).toBe(10000);
    expect(o.consumer['max.poll.records']).toBe(500);
  });

  it('refuses nonsense', () => {
    expect(() => queueWorkloadOptions({ rate: 0 })).toThrow(ConfigError);
    expect(() => queueWorkloadOptions({ crashProbability: 1.5 })).toThrow(/crashProbability/);
    expect(() => queueWorkloadOptions({ producers: 1.5 })).toThrow(/producers/);
    expect(() => queueWorkloadOptions({ pollTimeoutMs: 0 })).toThrow(/pollTimeoutMs/);
    expect(() => queueWorkloadOptions({ partitions: 0 })).toThrow(/partitions/);
  });
});
