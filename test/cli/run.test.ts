// The real binary, as a user runs it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kafkasimBin } from '../helpers/paths.ts';

const bin = kafkasimBin;
const kafkasim = (...args: string[]) =>
  spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 60_000 });
const withEnv = (env: Record<string, string>, ...args: string[]) =>
  spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } });

describe('kafkasim run', () => {
  it('runs a fault-free test, prints a valid verdict and exits 0; the same seed gives the same hash', () => {
    const a = kafkasim('run', '--seed', '7', '--nemesis', 'none', '--time', '20');
    const b = kafkasim('run', '--seed', '7', '--nemesis', 'none', '--time', '20');
    expect(a.status).toBe(0);
    expect(a.stdout).toMatch(/verdict\s+valid/);
    const hash = (s: string) => /history hash\s+([0-9a-f]{16})/.exec(s)?.[1];
    expect(hash(a.stdout)).toBeDefined();
    expect(hash(b.stdout)).toBe(hash(a.stdout));
  });

  it('writes history, result and repro with --out, and prints result.json with --json', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kafkasim-'));
    const r = kafkasim('run', '--seed', '3', '--time', '20', '--out', dir, '--json');
    expect([0, 1, 3]).toContain(r.status);
    const result = JSON.parse(r.stdout) as {
      seed: number;
      valid: unknown;
      historyHash: string;
      anomalies: object;
      stats: Record<string, number>;
    };
    expect(result.seed).toBe(3);
    expect(result.stats).toHaveProperty('acked');
    expect(result.stats).toHaveProperty('wallMs');
    const lines = readFileSync(join(dir, 'history.jsonl'), 'utf8').trim().split('\n');
    // ops count operations; the history has their invocations and completions.
    expect(lines.length).toBeGreaterThanOrEqual(result.stats.ops);
    expect(readFileSync(join(dir, 'history.edn'), 'utf8')).toMatch(/:type :invoke/);
    expect(JSON.parse(readFileSync(join(dir, 'repro.json'), 'utf8')).expectedHistoryHash).toBe(result.historyHash);
  });

  it('prints the seed and every resolved option before the run starts', () => {
    const r = kafkasim('run', '--seed', '12', '--time', '5', '--min-isr', '1', '--no-out');
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('seed          12');
    expect(lines[1]).toBe('rerun with    npx kafkasim run --seed 12 --min-isr 1 --time 5');
    expect(r.stdout).toMatch(/min\.insync\.replicas=1 unclean\.leader\.election\.enable=false/);
    expect(r.stdout).toMatch(/nemesis\s+partition,kill,pause, 5 simulated s/);
    expect(r.stdout.indexOf('checkers')).toBeLessThan(r.stdout.indexOf('verdict'));
  });

  it('in KRaft mode, judges with the Raft invariants too (--json)', () => {
    const r = kafkasim(
      'run',
      '--seed',
      '5',
      '--metadata',
      'kraft',
      '--nemesis',
      'kill,partition',
      '--time',
      '15',
      '--no-out',
      '--json',
    );
    expect(r.status).toBe(0);
    const result = JSON.parse(r.stdout) as { valid: boolean; checkers: { checker: string; valid: boolean }[] };
    expect(result.checkers.map((c) => c.checker)).toContain('raft-invariants');
    expect(result.checkers.find((c) => c.checker === 'raft-invariants')?.valid).toBe(true);
    // The preamble went to stderr, so stdout is result.json alone.
    expect(r.stderr).toMatch(/^seed {10}5\n/);
  });

  it('on a harness crash, prints the seed, the rerun command and one line of error, writes the stack, exits 70', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kafkasim-crash-'));
    const r = withEnv({ KAFKASIM_FUZZ_SELF_TEST: 'throw:9' }, 'run', '--seed', '9', '--time', '5', '--out', dir);
    expect(r.status).toBe(70);
    expect(r.stdout).toMatch(/^seed {10}9\n/);
    const err = r.stderr.trim().split('\n');
    expect(err[0]).toBe('kafkasim: harness crash on seed 9: Error: self-test: seed 9 throws (KAFKASIM_FUZZ_SELF_TEST)');
    expect(err[1]).toBe('kafkasim: rerun with: npx kafkasim run --seed 9 --time 5');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const crash = readFileSync(join(dir, 'crash.txt'), 'utf8');
    expect(crash).toMatch(/^seed 9\nrerun: npx kafkasim run --seed 9 --time 5\n/);
    expect(crash).toMatch(/\n\s+at runOnce /);
  });

  it.each([
    [['run', '--seed', '-4'], /invalid seed/],
    [['run', '--acks', '2'], /--acks must be 0, 1 or all/],
    [['run', '--nemesis', 'flood'], /flood/],
    [['run', '--bogus'], /unknown option '--bogus'/],
    [['run', '--schedule', '/nonexistent/schedule.json'], /cannot read/],
    [['run', '--metadata', 'etcd'], /--metadata must be zk or kraft/],
  ])('refuses %j with one line and exit code 2', (args, message) => {
    const r = kafkasim(...(args as string[]));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
