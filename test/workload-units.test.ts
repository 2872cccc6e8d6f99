// The queue workload's small parts: the recorder, the micro-op encoders, the poll ledger that makes up
// for late poll data, and option validation.
import { describe, expect, it } from 'vitest';
import type { PollResult } from '../sim/kafka/clients/consumer.ts';
import { ConfigError } from '../sim/world/index.ts';
import { HistoryRecorder } from '../workloads/history-recorder.ts';
import {
  holdBackTruncated,
  PollLedger,
  pollOkValue,
  QUEUE_WORKLOAD_DEFAULTS,
  queueWorkloadOptions,
  seekValue,
  sendOkValue,
  sendValue,
} from '../workloads/queue/index.ts';

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
      [0, [[0, 1], [1, 3]]],
      [1, []],
    ]);
    expect(pollOkValue(records)).toEqual([['poll', { '0': [[0, 1], [1, 3]], '2': [[5, 50]] }]]);
    expect(seekValue(new Map([[1, 4], [0, 0]]))).toEqual([[0, 0], [1, 4]]);
  });
});

describe('PollLedger', () => {
  it('delivers records a returned result gained later, before the next result of its own', () => {
    const ledger = new PollLedger(10000);
    const first = pollResult([[0, [[0, 10]]]]);
    expect(ledger.take(first, 0).records).toEqual(new Map([[0, [[0, 10]]]]));
    // A late fetch response lands in the result that was already handed back.
    (first.records.get(0) as [number, number][]).push([1, 11]);
    first.records.set(1, [[0, 20]]);
    const second = pollResult([[0, [[2, 12]]]]);
    const delivered = ledger.take(second, 100);
    expect(delivered.records).toEqual(
      new Map([
        [0, [[1, 11], [2, 12]]],
        [1, [[0, 20]]],
      ]),
    );
    // Nothing is delivered twice.
    expect(ledger.take(pollResult(), 200).records.size).toBe(0);
  });

  it('passes on late truncations and errors once, and forgets results after the retention time', () => {
    const ledger = new PollLedger(1000);
    const first = pollResult();
    ledger.take(first, 0);
    first.truncations.push({ partition: 0, from: 9, to: 4 });
    first.errors.push('NOT_LEADER_OR_FOLLOWER on partition 0');
    const d = ledger.take(pollResult(), 500);
    expect(d.truncations).toEqual([{ partition: 0, from: 9, to: 4 }]);
    expect(d.errors).toBe(1);
    expect(ledger.take(pollResult(), 600).truncations).toEqual([]);
    const late = pollResult();
    ledger.take(late, 700);
    late.records.set(2, [[0, 1]]);
    expect(ledger.take(pollResult(), 5000).records.get(2)).toEqual([[0, 1]]);
    late.records.set(3, [[0, 1]]);
    expect(ledger.take(pollResult(), 5100).records.size).toBe(0);
  });

  it('forgets everything on reset (a restarted client)', () => {
    const ledger = new PollLedger(10000);
    const first = pollResult();
    ledger.take(first, 0);
    ledger.reset();
    first.records.set(0, [[0, 1]]);
    expect(ledger.take(pollResult(), 1).records.size).toBe(0);
  });
});

describe('holdBackTruncated', () => {
  it('holds back a truncated partition and seeks to where re-reading starts', () => {
    const out = holdBackTruncated({
      records: new Map<number, [number, number][]>([
        [0, [[4, 40], [5, 41]]],
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
      records: new Map<number, [number, number][]>([[0, [[10, 1], [11, 2]]]]),
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
