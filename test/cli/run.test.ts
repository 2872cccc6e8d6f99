// The real binary, as a user runs it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kafkasimBin } from '../helpers/paths.ts';

const bin = kafkasimBin;
const kafkasim = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 60_000 });

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
    const result = JSON.parse(r.stdout) as { seed: number; valid: unknown; historyHash: string; anomalies: object; stats: Record<string, number> };
    expect(result.seed).toBe(3);
    expect(result.stats).toHaveProperty('acked');
    expect(result.stats).toHaveProperty('wallMs');
    const lines = readFileSync(join(dir, 'history.jsonl'), 'utf8').trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(result.stats.ops); // ops count operations; the history has their invocations and completions
    expect(readFileSync(join(dir, 'history.edn'), 'utf8')).toMatch(/:type :invoke/);
    expect(JSON.parse(readFileSync(join(dir, 'repro.json'), 'utf8')).expectedHistoryHash).toBe(result.historyHash);
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
