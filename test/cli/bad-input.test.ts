// Bad input an adversarial tester found accepted, hanging or crashing, each now one line on stderr and
// exit 2 (README: never a stack trace): repro values no flag allows, histories nested 100,000 deep,
// checked against a model that reads none of their ops or breaking the rules a history keeps, devices
// that never end, flags that contradict each other or run nothing.
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectUsageError, kafkasimAll, type CliResult } from '../helpers/cli.ts';

const root = mkdtempSync(join(tmpdir(), 'kafkasim-bad-'));
const at = (name: string): string => join(root, name);
const cwd = at('cwd');

const repro = (options: Record<string, unknown>): string =>
  JSON.stringify({
    kafkasim: '0.3.0',
    seed: 1,
    options: { schedule: { version: 1, ops: [] }, ...options },
    expectedHistoryHash: '0000000000000000',
  });

const jsonl = (ops: Record<string, unknown>[]): string => ops.map((op) => JSON.stringify(op) + '\n').join('');

/** A Kafka queue history in kafkasim's own form: one send acknowledged and read back. */
const KAFKA_HISTORY = jsonl([
  { time: 1, process: 0, type: 'invoke', f: 'send', value: [['send', 0, 1]] },
  { time: 2, process: 0, type: 'ok', f: 'send', value: [['send', 0, [0, 1]]] },
  { time: 3, process: 1, type: 'invoke', f: 'poll', value: [['poll']] },
  { time: 4, process: 1, type: 'ok', f: 'poll', value: [['poll', { 0: [[0, 1]] }]] },
]);

const FILES: Record<string, string> = {
  'time-1e9.json': repro({ timeSeconds: 1e9 }),
  'meteor.json': repro({ schedule: { version: 1, ops: [{ at: 1000, kind: 'meteor', action: 'start', id: 0 }] } }),
  'late-fault.json': repro({
    timeSeconds: 5,
    schedule: { version: 1, ops: [{ at: 9000, kind: 'kill', action: 'stop', id: 0 }] },
  }),
  'unknown-broker-key.json': repro({ broker: { 'min.insync.replica': 2 } }),
  'txns-workload.json': repro({ workloadKind: 'txns' }),
  'txn-old-release.json': repro({ workloadKind: 'txn', kafka: '0.10.2' }),
  'late-schedule.json': JSON.stringify({ version: 1, ops: [{ at: 9000, kind: 'kill', action: 'stop', id: 0 }] }),
  'empty-schedule.json': JSON.stringify({ version: 1, ops: [] }),
  'kafka.jsonl': KAFKA_HISTORY,
  'register.edn':
    '[{:process 0, :type :invoke, :f :write, :value 1}\n {:process 0, :type :ok, :f :write, :value 1}\n' +
    ' {:process 1, :type :invoke, :f :read, :value nil}\n {:process 1, :type :ok, :f :read, :value 1}]\n',
  // Porcupine's key-value log: the key beside the value, which no model of ours reads.
  'porcupine-kv.txt':
    '{:process 0, :type :invoke, :f :put, :key "1", :value "a"}\n' +
    '{:process 0, :type :ok, :f :put, :key "1", :value "a"}\n' +
    '{:process 1, :type :invoke, :f :get, :key "1", :value nil}\n' +
    '{:process 1, :type :ok, :f :get, :key "1", :value "a"}\n',
  'deep.edn': '['.repeat(100_000) + ']'.repeat(100_000),
  'deep-tags.edn': '#x '.repeat(100_000) + '1',
  'deep.jsonl': jsonl([{ time: 0, process: 0, type: 'invoke', f: 'send', value: 0 }]).replace(
    '"value":0',
    `"value":${'['.repeat(100_000)}${']'.repeat(100_000)}`,
  ),
  'ok-without-invoke.jsonl': jsonl([{ time: 1, process: 0, type: 'ok', f: 'write', value: 1 }]),
  'two-invokes.jsonl': jsonl([
    { time: 1, process: 0, type: 'invoke', f: 'write', value: 1 },
    { time: 2, process: 0, type: 'invoke', f: 'write', value: 2 },
  ]),
  'time-backwards.jsonl': jsonl([
    { time: 5, process: 0, type: 'invoke', f: 'write', value: 1 },
    { time: 4, process: 0, type: 'ok', f: 'write', value: 1 },
  ]),
};

const cases: [string[], RegExp][] = [
  // 3: a repro says nothing a flag refuses
  [['replay', at('time-1e9.json')], /time-1e9\.json: options\.timeSeconds must be an integer from 1 to 86400/],
  [['replay', at('meteor.json')], /unknown fault kind "meteor"/],
  [['replay', at('late-fault.json')], /schedule\.ops\[0\] at 9000 ms is past the end of the run \(5 s/],
  [['shrink', at('unknown-broker-key.json')], /unknown broker setting "min\.insync\.replica"/],
  // 4: nesting deep enough to exhaust the stack
  [['check', at('deep.edn'), '--model', 'queue'], /line 1: nested deeper than 1000 levels/],
  [['check', at('deep-tags.edn'), '--model', 'register'], /nested deeper than 1000 levels/],
  [['check', at('deep.jsonl'), '--model', 'kafka-log'], /line 1: nested deeper than 1000 levels/],
  // 5: a model that reads none of the history's ops
  [['check', at('kafka.jsonl'), '--model', 'register'], /none of its 2 client invocations is one the register/],
  [['check', at('register.edn'), '--model', 'kafka'], /none of its 2 client invocations is one the kafka model/],
  [['check', at('porcupine-kv.txt'), '--model', 'key-value'], /key-value model: op 0 \(put\) has value "a"/],
  [['check', at('porcupine-kv.txt'), '--model', 'kafka-log'], /one the kafka-log model reads/],
  // 6: files that never end
  [['check', '/dev/zero', '--model', 'queue'], /history file \/dev\/zero is larger than 256 MiB/],
  [['replay', '/dev/zero'], /repro file \/dev\/zero is larger than 64 MiB/],
  [['run', '--schedule', '/dev/zero'], /schedule file \/dev\/zero is larger than 64 MiB/],
  // 7: histories that break the rules, flags that contradict or run nothing
  [['check', at('ok-without-invoke.jsonl'), '--model', 'register'], /op 0 .*a completion with no invoke before it/],
  [['check', at('two-invokes.jsonl'), '--model', 'register'], /op 1 .*a second invoke while op 0 has not completed/],
  [['check', at('time-backwards.jsonl'), '--model', 'register'], /op 1 .*time goes backwards, 4 ms after op 0/],
  [['run', '--schedule', at('empty-schedule.json'), '--nemesis', 'kill'], /--nemesis has no effect with --schedule/],
  [['run', '--schedule', at('empty-schedule.json'), '--intensity', '1'], /--intensity has no effect/],
  [['run', '--schedule', at('late-schedule.json'), '--time', '5'], /schedule\.ops\[0\] at 9000 ms is past the end/],
  [['run', '--protocol', 'modern,pre-kip-101'], /"modern" is gone; name a release with --kafka/],
  [['run', '--protocol', 'pre-kip-101,'], /--protocol: an empty name in "pre-kip-101,"/],
  [['run', '--nemesis', 'partition,'], /--nemesis: an empty fault kind in "partition,"/],
  [['fuzz', '--shard', '5/8', '--count', '2', '--seed', '1'], /--shard 5\/8 holds no seed of 1\.\.2 \(2 seeds\)/],
  [['fuzz', '--shard', '0/2', '--seeds', '3..3', '--nemesis', 'kill,'], /an empty fault kind/],
  [['compare', '--rf', '5'], /replication factor 5 exceeds the number of brokers 3/],
  // 8: the workload and the isolation level
  [['run', '--workload', 'txns'], /--workload must be one of queue, txn, got "txns"/],
  [['fuzz', '--count', '1', '--isolation', 'serializable'], /--isolation must be one of read_committed, read_uncommit/],
  [['replay', at('txns-workload.json')], /options\.workloadKind must be one of queue, txn, got "txns"/],
  [
    ['run', '--kafka', '0.10.2', '--isolation', 'read_committed'],
    /Kafka 0\.10\.2.s consumer has no isolation\.level \(KIP-98, 0\.11\.0: releases with transactions are 0\.11\.0, /,
  ],
  [
    ['shrink', at('txn-old-release.json')],
    /--workload txn: Kafka 0\.10\.2 has no transactions \(KIP-98, 0\.11\.0: rel/,
  ],
  [['run', '--workload', 'txn', '--acks', '1'], /--workload txn: a transactional producer needs acks=all, got acks=1/],
  // Subscribing txn clients are accepted: what is refused is the release, as for assign.
  [
    ['compare', '--workload', 'txn', '--consumer-mode', 'subscribe', '--kafka', '0.10.2'],
    /--workload txn: Kafka 0\.10\.2 has no transactions/,
  ],
];

describe('bad input: one line, exit 2, before anything runs', () => {
  let results: CliResult[] = [];
  let noCommand: CliResult;
  let kafkaValid: CliResult;
  beforeAll(async () => {
    mkdirSync(cwd);
    for (const [name, text] of Object.entries(FILES)) writeFileSync(at(name), text);
    const all = await kafkasimAll(
      [...cases.map(([argv]) => argv), [], ['check', at('kafka.jsonl'), '--model', 'queue']],
      { cwd, timeoutMs: 60_000 },
    );
    results = all.slice(0, cases.length);
    [noCommand, kafkaValid] = all.slice(cases.length);
  }, 240_000);

  it.each(cases.map((c, i) => [c[0].join(' ').replaceAll(root, '…'), i] as const))('%s', (_name, i) => {
    expectUsageError(results[i], cases[i][1]);
    // Nothing printed on stdout first: no preamble, no table header.
    expect(results[i].stdout).toBe('');
  });

  it('wrote nothing where the commands ran', () => {
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('still judges a Kafka history with the queue checker (the refusals above are not blanket ones)', () => {
    expect(kafkaValid.status).toBe(0);
    expect(kafkaValid.stdout).toMatch(/verdict {2}valid/);
  });

  it('prints the help on stderr and exits 2 when no command is given', () => {
    expect(noCommand.status).toBe(2);
    expect(noCommand.stdout).toBe('');
    expect(noCommand.stderr).toMatch(/^Usage: kafkasim \[options\] \[command\]/);
    for (const command of ['run', 'compare', 'fuzz', 'merge', 'replay', 'shrink', 'check', 'report'])
      expect(noCommand.stderr).toMatch(new RegExp(`\\n  ${command} `));
  });
});
