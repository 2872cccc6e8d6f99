// A repro file says nothing a flag refuses: its options are checked value by value as the flags check
// theirs (a run of 1e9 simulated seconds hung replay), its object-valued settings key by key, and the
// options together as `run` checks them (a fault after the end of the run, a replication factor above the
// brokers). Every refusal is a UsageError naming the file.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../harness/errors.ts';
import { parseRepro, RUN_OPTIONS, type RunOptionKey } from '../../harness/index.ts';
import type { FlagSpec, OptionSpec } from '../../harness/options.ts';

const SCHEDULE = { version: 1, ops: [] };

function reproText(options: Record<string, unknown>): string {
  return JSON.stringify({
    kafkasim: '0.3.0',
    seed: 1,
    options: { schedule: SCHEDULE, ...options },
    expectedHistoryHash: '0000000000000000',
  });
}

function refusal(options: Record<string, unknown>): string | undefined {
  try {
    parseRepro(reproText(options), 'r.json');
    return undefined;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    return e.message;
  }
}

/** Options whose flag takes the value's own text (numbers and words). */
const SCALAR_FLAGGED: RunOptionKey[] = [
  'brokers',
  'partitions',
  'replicationFactor',
  'minIsr',
  'acks',
  'protocol',
  'metadata',
  'flushMessages',
  'timeSeconds',
  'intensity',
];

const nasty = fc.oneof(
  fc.integer({ min: -5, max: 2000 }),
  fc.double({ noNaN: false }),
  fc.constantFrom(0, -0, 0.5, 1.5, 1e9, 1e21, 86_400, 86_401, 65, 1025, 1e-7, Infinity, NaN),
  fc.constantFrom('', ' ', 'all', 'never', 'modern', 'modern,pre-kip-101', 'pre-kip-101,', 'zk', 'kraft', '1', 'x'),
  fc.string(),
  fc.constantFrom(null, true, false, [], {}, [1], { a: 1 }),
);

describe('repro files are checked as the flags are', () => {
  it('accept a value only when its flag accepts the same value written out', () => {
    for (const key of SCALAR_FLAGGED) {
      const spec = RUN_OPTIONS[key] as unknown as OptionSpec<unknown>;
      const flag = spec.flag as FlagSpec<unknown>;
      fc.assert(
        fc.property(nasty, (value) => {
          let checked: unknown;
          try {
            checked = spec.check(value, key);
          } catch (e) {
            if (e instanceof UsageError) return;
            throw e;
          }
          // A repro accepted it: a flag must say the same value.
          expect(typeof value === 'number' || typeof value === 'string', `${key} ${JSON.stringify(value)}`).toBe(true);
          // As JSON, the form a repro holds: -0 and 0 are one value there.
          expect(JSON.stringify(flag.parse(String(value))), `${key} ${JSON.stringify(value)}`).toBe(
            JSON.stringify(checked),
          );
        }),
        { numRuns: 300 },
      );
    }
  });

  it.each<[Record<string, unknown>, RegExp]>([
    [{ timeSeconds: 1e9 }, /options\.timeSeconds must be an integer from 1 to 86400, got 1000000000/],
    [{ timeSeconds: 1.5 }, /options\.timeSeconds must be an integer/],
    [{ timeSeconds: '60' }, /options\.timeSeconds must be an integer/],
    [{ readyTimeoutMs: 1e12 }, /options\.readyTimeoutMs must be an integer from 1 to 3600000/],
    [{ flushMessages: 1e12 }, /options\.flushMessages must be an integer from 1 to 1000000000/],
    [{ protocol: 'modern,pre-kip-101' }, /unknown override "modern"/],
    [{ nemesis: ['partition', 'meteor'] }, /unknown fault kind "meteor"/],
    [{ broker: { 'min.insync.replica': 2 } }, /options\.broker: unknown broker setting "min\.insync\.replica"/],
    [{ broker: { 'min.insync.replicas': '2' } }, /options\.broker\["min\.insync\.replicas"\] must be an integer/],
    [{ broker: { 'unclean.leader.election.enable': 'yes' } }, /must be true or false/],
    [{ broker: { 'replica.high.watermark.checkpoint.interval.ms': 0 } }, /must be an integer of at least 1/],
    [{ broker: { 'broker.rack': 3 } }, /must be a rack name or null/],
    [{ broker: [] }, /options\.broker must be an object/],
    [{ workload: { rat: 20 } }, /options\.workload: unknown workload option "rat"/],
    [{ workload: { partitions: 4 } }, /unknown workload option "partitions"/],
    [{ workload: { rate: '20' } }, /options\.workload\.rate must be a number/],
    [{ workload: { rate: 1e12 } }, /options\.workload\.rate must be a number of at most 100000/],
    [{ workload: { finalReadLimitMs: 1e15 } }, /finalReadLimitMs must be a number of at most 86400000/],
    [{ workload: { producer: { acks: 2 } } }, /options\.workload\.producer\["acks"\] must be 0, 1 or "all"/],
    [{ workload: { producer: { 'linger.ms': 5 } } }, /unknown producer setting "linger\.ms"/],
    [{ workload: { consumer: { 'max.poll.records': 0 } } }, /must be an integer of at least 1/],
    [{ workload: { consumer: { 'isolation.level': 'serializable' } } }, /"read_uncommitted" or "read_committed"/],
    [
      { kafka: '0.10.2', workload: { consumer: { 'isolation.level': 'read_committed' } } },
      /Kafka 0\.10\.2's consumer has no isolation\.level/,
    ],
    [{ workload: { rate: -1 } }, /rate must be a positive number/],
    [{ replicationFactor: 5 }, /replication factor 5 exceeds the number of brokers 3/],
    [
      {
        timeSeconds: 10,
        schedule: { version: 1, ops: [{ at: 15_000, kind: 'kill', action: 'stop', id: 1 }] },
      },
      /schedule\.ops\[0\] at 15000 ms is past the end of the run \(10 s: 10000 ms\)/,
    ],
    [{ schedule: { version: 1, ops: [{ at: 1, kind: 'meteor', action: 'start', id: 1 }] } }, /fault kind "meteor"/],
  ])('refuses %j', (options, message) => {
    const text = refusal(options);
    expect(text).toMatch(/^r\.json: /);
    expect(text).toMatch(message);
    expect(text).not.toContain('\n');
  });

  it('accepts what a run writes: settings by their keys, a fault at the very end', () => {
    expect(
      refusal({
        timeSeconds: 10,
        broker: { 'min.insync.replicas': 2, 'broker.rack': null, 'unclean.leader.election.enable': true },
        workload: { rate: 60, producers: 1, producer: { acks: 1, retries: 0 }, consumer: { 'client.rack': 'r1' } },
        schedule: { version: 1, ops: [{ at: 10_000, kind: 'kill', action: 'stop', id: 1 }] },
      }),
    ).toBeUndefined();
  });
});
