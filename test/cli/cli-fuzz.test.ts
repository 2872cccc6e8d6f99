// A fuzz of the command line itself: argument vectors for run, replay, check, shrink and report, drawn by
// fast-check from each command's own options (as commander declares them) and from nasty values (empty,
// huge, negative, NaN, unicode, files, directories, devices, truncated JSON and EDN). Every spawn must end
// with one of the documented exit codes (0, 1, 2, 3, 4); a 2 must be exactly one line on stderr; and no
// stack trace may ever show. The vectors are sampled up front and spawned three at a time, so the whole
// fuzz stays within a minute; its seed is in every failure message (rerun it with KAFKASIM_CLI_FUZZ_SEED).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, type Option } from 'commander';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { CHECK_MODELS, registerCheck } from '../../cli/commands/check.ts';
import { registerReplay } from '../../cli/commands/replay.ts';
import { registerReport } from '../../cli/commands/report.ts';
import { registerRun } from '../../cli/commands/run.ts';
import { registerShrink } from '../../cli/commands/shrink.ts';
import { kafkasimAll, STACK_FRAME, type CliResult } from '../helpers/cli.ts';

const SEED = Number(process.env.KAFKASIM_CLI_FUZZ_SEED ?? Date.now() % 2 ** 31);
/** Spawns per command: about 50 in all, a second or two each, three at a time. */
const SPAWNS = { run: 12, replay: 8, check: 14, shrink: 6, report: 8 };

const root = mkdtempSync(join(tmpdir(), 'kafkasim-clifuzz-'));
const inputs = join(root, 'inputs');
const at = (name: string): string => join(inputs, name);

const REPRO = {
  kafkasim: '0.3.0',
  seed: 5,
  options: { timeSeconds: 1, nemesis: [], schedule: { version: 1, ops: [] } },
  expectedHistoryHash: '0000000000000000',
};
const REGISTER_EDN =
  '[{:process 0, :type :invoke, :f :write, :value 1}\n {:process 0, :type :ok, :f :write, :value 1}\n' +
  ' {:process 1, :type :invoke, :f :read, :value nil}\n {:process 1, :type :ok, :f :read, :value 1}]\n';
const KAFKA_JSONL =
  '{"time":1,"process":0,"type":"invoke","f":"send","value":[["send",0,1]]}\n' +
  '{"time":2,"process":0,"type":"ok","f":"send","value":[["send",0,[0,1]]]}\n';

/** Input files, none named as a run's outputs are (a drawn --out may point into their directory). */
const FILES: Record<string, string> = {
  'valid.repro.json': JSON.stringify(REPRO),
  'truncated.repro.json': JSON.stringify(REPRO).slice(0, 60),
  'schedule.json': JSON.stringify({ version: 1, ops: [{ at: 500, kind: 'pause', action: 'stop', id: 0 }] }),
  'truncated-schedule.json': '{"version": 1, "ops": [{"at": 5',
  'register.edn': REGISTER_EDN,
  'truncated.edn': REGISTER_EDN.slice(0, 70),
  'kafka.jsonl': KAFKA_JSONL,
  'truncated.jsonl': KAFKA_JSONL.slice(0, 90),
  'empty.txt': '',
  'report-dir/report.json': '{"kind": "kafkasim-run-rep',
  'fuzz-dir/summary.json': '{"kafkasim": "0.3.0", "runs": [',
};

const PATHS = [
  ...Object.keys(FILES).map(at),
  inputs,
  at('report-dir'),
  at('fuzz-dir'),
  at('run-dir'),
  at('nope/missing.json'),
  '/dev/null',
  '/dev/zero',
  '/proc/self/x',
  '.',
  '',
];
const WORDS = [
  '',
  ' ',
  '0',
  '-1',
  '1',
  '2',
  '3',
  '1.5',
  '65',
  '1025',
  '1e999',
  '99999999999999999999',
  'NaN',
  'Infinity',
  '-0',
  'all',
  'none',
  'never',
  'swarm',
  'kraft',
  'modern,pre-kip-101',
  'partition,',
  'register',
  'kafka',
  'key-value',
  '{"x":0}',
  '[1',
  'ünïcödé',
  '💥',
  '\u202e',
  '--',
  '-x',
  '../',
];
const nasty = fc.oneof(fc.constantFrom(...WORDS), fc.constantFrom(...PATHS), fc.string({ maxLength: 8 }));

/** Values that make sense for an option, drawn as often as nasty ones, so that valid-ish runs happen too. */
const SENSIBLE: Record<string, fc.Arbitrary<string>> = {
  '--model': fc.constantFrom(...CHECK_MODELS),
  '--nemesis': fc.constantFrom('none', 'kill', 'partition,kill', 'swarm', 'all', 'slow-link'),
  '--protocol': fc.constantFrom('modern', 'pre-kip-101', 'pre-kip-320,kafka-7164', '+elr', '-kip101,'),
  '--metadata': fc.constantFrom('zk', 'kraft'),
  '--acks': fc.constantFrom('0', '1', 'all'),
  '--schedule': fc.constant(at('schedule.json')),
  '--out': fc.nat(20).map((n) => join(root, 'outs', String(n))),
  '--initial': fc.constantFrom('0', 'null', '{"x":0}'),
  '--seed': fc.oneof(fc.nat(), fc.constantFrom('a-name', 'x.y_z')).map(String),
};
const sensibleOr = (arb: fc.Arbitrary<string> | undefined): fc.Arbitrary<string> =>
  arb === undefined ? nasty : fc.oneof(arb, nasty);

/** The input each command is for, drawn half the time; any path the other half. */
const INPUT: Record<string, string[]> = {
  replay: [at('valid.repro.json')],
  shrink: [at('valid.repro.json')],
  check: [at('register.edn'), at('kafka.jsonl')],
  report: [at('run-dir'), at('report-dir'), at('fuzz-dir')],
};

/** Each command as commander declares it, with its options and arguments. */
function commands(): Map<string, Command> {
  const program = new Command();
  for (const register of [registerRun, registerReplay, registerCheck, registerShrink, registerReport])
    register(program);
  return new Map(program.commands.map((c) => [c.name(), c]));
}

/** Words for one option: the flag, and a drawn value when it takes one. */
function optionWords(option: Option): fc.Arbitrary<string[]> {
  const flag = option.long as string;
  return option.required || option.optional ? sensibleOr(SENSIBLE[flag]).map((v) => [flag, v]) : fc.constant([flag]);
}

/**
 * An argument vector for `command`: its arguments drawn from the paths, then `fixed` (words every vector
 * of it has), then up to three of its options.
 */
function argv(command: Command, fixed: fc.Arbitrary<string[]>, skip: string[]): fc.Arbitrary<string[]> {
  const options = command.options.filter((o) => !skip.includes(o.long as string));
  const path = fc.oneof(fc.constantFrom(...(INPUT[command.name()] ?? PATHS)), fc.constantFrom(...PATHS));
  const args = command.registeredArguments.map((a) =>
    a.variadic ? fc.array(path, { minLength: 1, maxLength: 2 }) : path.map((p) => [p]),
  );
  const flags =
    options.length === 0 ? fc.constant([]) : fc.array(fc.oneof(...options.map(optionWords)), { maxLength: 3 });
  return fc
    .tuple(fc.tuple(...args), fixed, flags)
    .map(([positional, words, drawn]) => [command.name(), ...positional.flat(), ...words, ...drawn.flat()]);
}

describe('a fuzz of the command line', () => {
  const vectors: string[][] = [];
  let results: CliResult[] = [];
  beforeAll(async () => {
    for (const [name, text] of Object.entries(FILES)) {
      mkdirSync(join(inputs, name, '..'), { recursive: true });
      writeFileSync(at(name), text);
    }
    const cwd = join(root, 'cwd');
    mkdirSync(cwd);
    // A run's outputs, for report to rebuild.
    const [run] = await kafkasimAll([
      ['run', '--seed', '5', '--time', '1', '--nemesis', 'none', '--out', at('run-dir')],
    ]);
    expect(run.status).toBe(0);
    const cmds = commands();
    const draw = (name: keyof typeof SPAWNS, fixed: fc.Arbitrary<string[]> = fc.constant([]), skip: string[] = []) =>
      vectors.push(
        ...fc.sample(argv(cmds.get(name) as Command, fixed, skip), {
          seed: SEED + vectors.length,
          numRuns: SPAWNS[name],
        }),
      );
    // Runs are one simulated second long, whatever else is drawn.
    draw('run', fc.constant(['--time', '1']), ['--time']);
    draw('replay');
    // --model is required: drawn always, so that most vectors get past commander to the history.
    draw(
      'check',
      sensibleOr(SENSIBLE['--model']).map((m) => ['--model', m]),
      ['--model'],
    );
    draw('shrink');
    draw('report');
    results = await kafkasimAll(vectors, { cwd, timeoutMs: 60_000 });
  }, 300_000);

  it('ends every command with a documented exit code; a usage error is one line; never a stack trace', () => {
    expect(vectors.length).toBe(Object.values(SPAWNS).reduce((a, b) => a + b, 0));
    for (const [i, r] of results.entries()) {
      const what = `seed ${SEED}: kafkasim ${JSON.stringify(vectors[i])}\nexit ${r.status}\n${r.stderr}`;
      expect([0, 1, 2, 3, 4], what).toContain(r.status);
      expect(r.stderr, what).not.toMatch(STACK_FRAME);
      if (r.status === 2) {
        expect(r.stderr.trim().split('\n'), what).toHaveLength(1);
        expect(r.stderr, what).toMatch(/^kafkasim: /);
      }
    }
  });
});
