// Where commands write (--out), checked before anything runs: a file, an empty name, a path below a file,
// /proc (where Node's recursive mkdir spins for ever), /dev, an existing directory for shrink's file.
// Each is one line and exit 2 at once, nothing written, and no run's minutes wasted first.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectUsageError, kafkasimAll, kafkasimAsync, type CliResult } from '../helpers/cli.ts';

const root = mkdtempSync(join(tmpdir(), 'kafkasim-out-'));
const file = join(root, 'a-file');
const existingDir = join(root, 'existing-dir');
const repro = join(root, 'run', 'repro.json');
const shard = join(root, 'shard');
/** The commands' working directory: whatever a wrongly accepted case creates lands here. */
const cwd = join(root, 'cwd');

// [argv, message, what a run would have printed on stdout first: nothing here, since nothing ran]
const cases: [string[], RegExp][] = [
  [['run', '--seed', '1', '--time', '1', '--out', file], /--out .*a-file is a file, not a directory/],
  [['run', '--seed', '1', '--time', '1', '--out', ''], /--out must name a directory, got ""/],
  [['run', '--seed', '1', '--time', '1', '--out', join(file, 'sub')], /is below .*a-file, which is a file/],
  [['run', '--seed', '1', '--time', '1', '--out', '/proc/kafkasim-x'], /--out \/proc\/kafkasim-x is under \/proc/],
  [['run', '--seed', '1', '--time', '1', '--out', '/proc/self/x/y'], /under \/proc/],
  [['run', '--time', '1', '--out', 'x', '--no-out'], /--out and --no-out contradict/],
  [['compare', '--seeds', '1', '--time', '1', '--out', file], /--out .*a-file is a file, not a directory/],
  [['compare', '--seeds', '1', '--time', '1', '--out', ''], /--out must name a directory/],
  [['compare', '--seeds', '1', '--time', '1', '--out', '/proc/x'], /under \/proc/],
  [['replay', repro, '--out', file], /--out .*a-file is a file, not a directory/],
  [['replay', repro, '--out', ''], /--out must name a directory/],
  [['replay', repro, '--out', join(file, 'sub')], /which is a file/],
  [['replay', repro, '--out', '/proc/x'], /under \/proc/],
  [['shrink', repro, '--out', existingDir], /--out .*existing-dir is a directory, not a file/],
  [['shrink', repro, '--out', '/proc/x.json'], /under \/proc/],
  [['shrink', repro, '--out', '/dev/null'], /under \/dev/],
  [['shrink', repro, '--out', ''], /--out must name a file/],
  [['shrink', repro, '--out', join(file, 'min.json')], /which is a file/],
  [['fuzz', '--seeds', '1..2', '--out', '/proc/x'], /under \/proc/],
  [['fuzz', '--seeds', '1..2', '--out', file], /is a file, not a directory/],
  [['merge', shard, '--out', '/proc/x'], /under \/proc/],
  [['merge', shard, '--out', file], /is a file, not a directory/],
];

describe('--out that cannot be written', () => {
  let results: CliResult[] = [];
  let took = 0;
  beforeAll(async () => {
    mkdirSync(cwd);
    writeFileSync(file, 'keep me\n');
    mkdirSync(existingDir);
    // A real repro to replay and shrink, and a real shard to merge: the output check must come before any run.
    const run = await kafkasimAsync([
      'run',
      '--seed',
      '3',
      '--time',
      '2',
      '--nemesis',
      'none',
      '--out',
      join(root, 'run'),
    ]);
    expect(run.status).toBe(0);
    const fuzz = await kafkasimAsync([
      'fuzz',
      '--seeds',
      '1..1',
      '--time',
      '1',
      '--jobs',
      '1',
      '--quiet',
      '--out',
      shard,
    ]);
    expect(fuzz.status).toBe(0);
    const started = performance.now();
    // A hang (the /proc spin) shows as a killed process, status null.
    results = await kafkasimAll(
      cases.map(([argv]) => argv),
      { cwd, timeoutMs: 30_000 },
    );
    took = performance.now() - started;
  }, 240_000);

  it.each(cases.map((c, i) => [c[0].join(' '), i] as const))('%s', (_name, i) => {
    const r = results[i];
    expectUsageError(r, cases[i][1]);
    // Refused before the run: no preamble, no table header, no progress.
    expect(r.stdout).toBe('');
  });

  it('leaves nothing behind: no directory made, no temporary file, the file and directory as they were', () => {
    expect(readdirSync(cwd)).toEqual([]);
    expect(readdirSync(existingDir)).toEqual([]);
    expect(existsSync(`${existingDir}.tmp`)).toBe(false);
    expect(readdirSync(root).sort()).toEqual(['a-file', 'cwd', 'existing-dir', 'run', 'shard']);
    // Every case at once, three at a time: none of them ran a simulation or hung.
    expect(took).toBeLessThan(cases.length * 5_000);
  });
});
