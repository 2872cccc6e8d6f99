// The run flags come from the options schema: every option with a flag goes from a value to the words of
// a replay command and back through commander to the same value, and a command names every option that
// changes the run (or replays the repro when one has no flag).
import { Command } from 'commander';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { flagWordsOf, knobsOf, replayCommandFor, RUN_FLAGS, type RunOptions } from '../../harness/index.ts';
import { EVERY_FAULT_KIND, type FaultKind, type Schedule } from '../../nemesis/index.ts';
import { HISTORICAL_MODES } from '../../sim/kafka/protocol.ts';
import { RELEASES } from '../../sim/kafka/releases.ts';
import { addRunFlags, runOptionsFrom, type RunFlagValues } from '../../cli/run-flags.ts';

/** Parses words as `kafkasim run` does. */
function parse(words: string[]): RunOptions {
  const cmd = addRunFlags(new Command('run').exitOverride());
  cmd.parse(words, { from: 'user' });
  return runOptionsFrom(cmd.opts<RunFlagValues>());
}

/** Values an option with a flag can take (the schedule aside: a file names it). */
const flagged = fc.record(
  {
    brokers: fc.integer({ min: 1, max: 64 }),
    partitions: fc.integer({ min: 1, max: 1024 }),
    replicationFactor: fc.integer({ min: 1, max: 64 }),
    minIsr: fc.integer({ min: 1, max: 64 }),
    acks: fc.constantFrom<0 | 1 | 'all'>(0, 1, 'all'),
    unclean: fc.boolean(),
    protocol: fc.subarray([...HISTORICAL_MODES, '+elr', '-kip996'], { minLength: 1 }).map((ms) => ms.join(',')),
    kafka: fc.constantFrom(...RELEASES.map((r) => r.version)),
    metadata: fc.constantFrom<'zk' | 'kraft'>('zk', 'kraft'),
    timeSeconds: fc.integer({ min: 1, max: 86_400 }),
    nemesis: fc.oneof(
      fc.constant<'swarm'>('swarm'),
      fc.subarray([...EVERY_FAULT_KIND]).map((ks) => EVERY_FAULT_KIND.filter((k) => ks.includes(k)) as FaultKind[]),
    ),
    intensity: fc.integer({ min: 0, max: 100 }).map((n) => n / 100),
    stopOnViolation: fc.boolean(),
    strict: fc.boolean(),
    swarmConfig: fc.boolean(),
    network: fc.constantFrom('lan' as const, 'jittery' as const, 'wan' as const),
    shuffleSameTime: fc.boolean(),
    fileSystem: fc.constantFrom('journaled' as const, 'posix' as const),
    consumerMode: fc.constantFrom('assign' as const, 'subscribe' as const),
    workloadKind: fc.constantFrom('queue' as const, 'txn' as const),
    isolation: fc.constantFrom('read_committed' as const, 'read_uncommitted' as const),
    killModes: fc.constantFrom<'process' | 'mixed'>('process', 'mixed'),
    flushMessages: fc.oneof(fc.constant<'never'>('never'), fc.integer({ min: 1, max: 1_000_000 })),
  },
  { requiredKeys: [] },
);

/** The schema's flagged options this test draws values for: a new flag must be added above. */
const DRAWN = [
  'killModes',
  'kafka',
  'brokers',
  'partitions',
  'replicationFactor',
  'minIsr',
  'acks',
  'unclean',
  'protocol',
  'metadata',
  'timeSeconds',
  'nemesis',
  'intensity',
  'stopOnViolation',
  'strict',
  'swarmConfig',
  'network',
  'shuffleSameTime',
  'fileSystem',
  'consumerMode',
  'workloadKind',
  'isolation',
  'flushMessages',
  'schedule',
];

describe('the run flags', () => {
  it('declare every option of the schema that has a flag, with its default in the help', () => {
    const cmd = addRunFlags(new Command('run'));
    const longs = cmd.options.map((o) => o.long);
    for (const f of RUN_FLAGS) expect(longs).toContain(f.syntax.split(' ')[0]);
    expect(longs).toContain('--seed');
    expect(cmd.options.find((o) => o.long === '--min-isr')?.description).toMatch(/default: 2/);
    // Every flag's values are drawn by the round trip below (the schedule's come from a file).
    expect(RUN_FLAGS.map((f) => f.key).filter((k) => !DRAWN.includes(k))).toEqual([]);
  });

  it('give every value back: value → replay words → commander → the same options', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), flagged, (seed, given) => {
        const words = flagWordsOf(given);
        expect(words.complete).toBe(true);
        const back = parse(['--seed', String(seed), ...words.words]);
        expect(back.seed).toBe(seed);
        const { seed: _seed, ...rest } = back;
        expect(knobsOf(rest)).toEqual(knobsOf(given));
      }),
      { numRuns: 200 },
    );
  });

  it('leave out what is the default, and say what differs', () => {
    const options: RunOptions = {
      seed: 7,
      brokers: 5,
      minIsr: 1,
      acks: 1,
      unclean: true,
      nemesis: ['kill', 'pause'],
      timeSeconds: 30,
      protocol: 'pre-kip-101',
      metadata: 'kraft',
    };
    expect(replayCommandFor(options)).toBe(
      'npx kafkasim run --seed 7 --brokers 5 --min-isr 1 --acks 1 --unclean --protocol pre-kip-101 --metadata kraft ' +
        '--time 30 --nemesis kill,pause',
    );
    expect(replayCommandFor({ seed: 7, brokers: 3, nemesis: ['partition', 'kill', 'pause'] })).toBe(
      'npx kafkasim run --seed 7',
    );
  });

  it('replay the repro when an option has no flag', () => {
    expect(replayCommandFor({ seed: 7, workload: { producers: 1 } }, { reproFile: 'out/repro.json' })).toBe(
      'npx kafkasim replay out/repro.json',
    );
    expect(flagWordsOf({ broker: { 'flush.messages': 1 } }).complete).toBe(false);
  });

  it('give the schedule file instead of the nemesis kinds', () => {
    const schedule: Schedule = { version: 1, ops: [] };
    expect(flagWordsOf({ nemesis: ['kill'], metadata: 'kraft', schedule }, { schedule: 's.json' }).words).toEqual([
      '--metadata',
      'kraft',
      '--schedule',
      's.json',
    ]);
    expect(flagWordsOf({ schedule }).complete).toBe(false);
  });
});
