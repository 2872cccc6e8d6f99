// `kafkasim report <dirs...>` rebuilds HTML from saved results: a run directory (report.json), a
// comparison (compare.json, and its runs) and a fuzz (summary.json). Bad input is one line, exit 2.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { kafkasimBin } from '../helpers/paths.ts';

const bin = kafkasimBin;
const kafkasim = (...args: string[]) =>
  spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000 });

describe('kafkasim report', () => {
  const root = mkdtempSync(join(tmpdir(), 'kafkasim-report-'));
  const cmp = join(root, 'cmp');
  const page = (dir: string) => readFileSync(join(dir, 'index.html'), 'utf8');

  beforeAll(() => {
    const r = kafkasim('compare', '--seed', '3', '--seeds', '1', '--time', '10', '--out', cmp);
    expect(r.status).toBe(0);
  });

  it('rebuilds a comparison and its runs, page for page', () => {
    const run = join(cmp, 'seed-3', 'unclean');
    const before = { cmp: page(cmp), run: page(run) };
    rmSync(join(cmp, 'index.html'));
    rmSync(join(run, 'index.html'));
    const r = kafkasim('report', cmp);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`wrote ${join(cmp, 'index.html')}`);
    expect(r.stdout).toContain(`wrote ${join(run, 'index.html')}`);
    expect(page(cmp)).toBe(before.cmp);
    expect(page(run)).toBe(before.run);
  });

  it('rebuilds one run directory', () => {
    const run = join(cmp, 'seed-3', 'clean');
    rmSync(join(run, 'index.html'));
    const r = kafkasim('report', run);
    expect(r.status).toBe(0);
    expect(page(run)).toMatch(/<title>kafkasim run, seed 3<\/title>/);
  });

  it('rebuilds a fuzz index from summary.json as the fuzz drew it', () => {
    const fuzz = join(root, 'fuzz');
    const f = kafkasim('fuzz', '--seeds', '8..9', '--unclean', '--time', '20', '--jobs', '1', '--quiet', '--out', fuzz);
    expect([0, 1]).toContain(f.status);
    const before = page(fuzz);
    rmSync(join(fuzz, 'index.html'));
    const r = kafkasim('report', fuzz);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(page(fuzz)).toBe(before);
    const summary = JSON.parse(readFileSync(join(fuzz, 'summary.json'), 'utf8')) as { runs: { dir?: string }[] };
    for (const run of summary.runs) if (run.dir !== undefined) expect(before).toContain(`href="${run.dir}/`);
  });

  it('writes only inside the directory it rebuilds: a comparison linking elsewhere is refused, nothing written', () => {
    const victim = join(root, 'victim');
    mkdirSync(victim);
    cpSync(join(cmp, 'seed-3', 'clean', 'report.json'), join(victim, 'report.json'));
    writeFileSync(join(victim, 'index.html'), 'the victim page');
    const compare = JSON.parse(readFileSync(join(cmp, 'compare.json'), 'utf8')) as {
      rows: { clean: { reportHref: string } }[];
    };
    for (const [name, href, link] of [
      ['up', '../../victim/index.html', undefined],
      ['link', 'seed-9/clean/index.html', 'seed-9'],
    ] as const) {
      const evil = join(root, 'evil', name);
      mkdirSync(evil, { recursive: true });
      if (link !== undefined) {
        mkdirSync(join(evil, link));
        symlinkSync(victim, join(evil, link, 'clean'));
      }
      compare.rows[0].clean.reportHref = href;
      writeFileSync(join(evil, 'compare.json'), JSON.stringify(compare));
      const r = kafkasim('report', evil);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/compare\.json: a row links to .*, outside .*; nothing was written/);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(readFileSync(join(victim, 'index.html'), 'utf8')).toBe('the victim page');
      expect(existsSync(join(evil, 'index.html'))).toBe(false);
    }
  });

  it.each([
    ['a missing directory', (d: string) => join(d, 'nope'), /no such directory/],
    ['a directory with nothing to draw', (d: string) => d, /nothing to build a report from/],
    [
      'malformed report.json',
      (d: string) => {
        writeFileSync(join(d, 'report.json'), '{"kind": ');
        return d;
      },
      /report\.json: invalid JSON/,
    ],
    [
      'a report.json of another kind',
      (d: string) => {
        writeFileSync(join(d, 'report.json'), '{"kind": "something-else"}');
        return d;
      },
      /not a kafkasim run report/,
    ],
    [
      'a summary.json without runs',
      (d: string) => {
        writeFileSync(join(d, 'summary.json'), '{"kafkasim": "0.3.0"}');
        return d;
      },
      /summary\.json/,
    ],
  ])('refuses %s with one line and exit code 2', (_name, make, message) => {
    const dir = make(mkdtempSync(join(tmpdir(), 'kafkasim-report-bad-')));
    const r = kafkasim('report', dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
