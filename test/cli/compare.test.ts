// `kafkasim compare`, run as a user runs it: both elections on the same seeds and fault schedules, the
// table and headline, compare.json, the report and each run's outputs; bad usage is one line, exit 2.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kafkasimBin } from '../helpers/paths.ts';

const bin = kafkasimBin;
const kafkasim = (...args: string[]) =>
  spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000 });

describe('kafkasim compare', () => {
  it('runs clean then unclean election on each seed with identical faults and writes the comparison', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'kafkasim-compare-')), 'cmp');
    const r = kafkasim('compare', '--seed', '8', '--seeds', '2', '--time', '20', '--out', out);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^8\s+\d+/m);
    expect(r.stdout).toMatch(/^9\s+\d+/m);
    expect(r.stdout).toContain(
      'Over 2 seeds with identical fault schedules (too few for the intervals to say much), unclean leader election',
    );

    const compare = JSON.parse(readFileSync(join(out, 'compare.json'), 'utf8'));
    expect(compare.kind).toBe('kafkasim-compare-report');
    expect(compare.rows.map((row: { seed: number }) => row.seed)).toEqual([8, 9]);
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toMatch(/^<!doctype html>/);

    for (const seed of [8, 9]) {
      const clean = join(out, `seed-${seed}`, 'clean');
      const unclean = join(out, `seed-${seed}`, 'unclean');
      for (const f of ['index.html', 'report.json', 'result.json', 'repro.json', 'history.jsonl']) {
        expect(existsSync(join(clean, f)), f).toBe(true);
        expect(existsSync(join(unclean, f)), f).toBe(true);
      }
      const reproOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'repro.json'), 'utf8'));
      expect(reproOf(clean).options.unclean).toBe(false);
      expect(reproOf(unclean).options.unclean).toBe(true);
      expect(reproOf(unclean).options.schedule).toEqual(reproOf(clean).options.schedule);
      expect(
        JSON.parse(readFileSync(join(clean, 'result.json'), 'utf8')).config.broker['unclean.leader.election.enable'],
      ).toBe(false);
    }

    // The replay command printed in the unclean run's report reproduces that run exactly.
    const unclean = join(out, 'seed-8', 'unclean');
    const report = JSON.parse(readFileSync(join(unclean, 'report.json'), 'utf8'));
    const words = (report.replayCommand as string).split(' ');
    expect(words.slice(0, 3)).toEqual(['npx', 'kafkasim', 'run']);
    expect(words).toContain('--unclean');
    const replay = kafkasim(...words.slice(2), '--json');
    expect(JSON.parse(replay.stdout).historyHash).toBe(
      JSON.parse(readFileSync(join(unclean, 'result.json'), 'utf8')).historyHash,
    );
  });

  it('prints compare.json with --json', () => {
    const out = mkdtempSync(join(tmpdir(), 'kafkasim-compare-'));
    const r = kafkasim(
      'compare',
      '--seed',
      'alpha',
      '--seeds',
      '1',
      '--time',
      '10',
      '--nemesis',
      'kill',
      '--out',
      out,
      '--json',
    );
    expect(r.status).toBe(0);
    const compare = JSON.parse(r.stdout);
    expect(compare.rows).toHaveLength(1);
    expect(compare.rows[0].seed).toBe('alpha');
    expect(compare.rows[0].clean.produce.sends).toBeGreaterThan(0);
  });

  it('does not offer --unclean or --no-unclean in its help: it runs both', () => {
    const r = kafkasim('compare', '--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('--min-isr');
    expect(r.stdout).not.toContain('unclean.leader.election.enable');
    expect(r.stdout).not.toMatch(/--(no-)?unclean/);
    expect(kafkasim('run', '--help').stdout).toMatch(/--no-unclean/);
  });

  it.each([
    [['compare', '--unclean'], /drop --unclean/],
    [['compare', '--no-unclean'], /drop --no-unclean/],
    [['compare', '--seeds', '0'], /--seeds must be an integer/],
    [['compare', '--seed', '-4'], /invalid seed/],
    [['compare', '--acks', '2'], /--acks must be 0, 1 or all/],
  ])('refuses %j with one line and exit code 2', (args, message) => {
    const r = kafkasim(...(args as string[]));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
