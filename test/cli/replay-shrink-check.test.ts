// replay, shrink and check through the real binary: a failing run replays to its recorded hash and
// shrinks to a smaller case that still fails the same way; bad repro and history files get one line.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kafkasimBin, knossosHistories } from '../helpers/paths.ts';

const bin = kafkasimBin;
const kafkasim = (...args: string[]) =>
  spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000 });
const knossos = knossosHistories;

// Unclean election with min ISR 1 and acks=1 under outages: seed 6 loses acknowledged writes, which the
// configuration allows, so it is judged --strict.
const FAILING = [
  '--strict',
  '--seed',
  '6',
  '--unclean',
  '--min-isr',
  '1',
  '--acks',
  '1',
  '--time',
  '30',
  '--nemesis',
  'outage,kill,partition',
];

describe('kafkasim replay and shrink', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kafkasim-replay-'));
  const run = kafkasim('run', ...FAILING, '--out', dir, '--json');
  const result = JSON.parse(run.stdout) as { valid: unknown; historyHash: string; anomalies: Record<string, number> };

  it('the failing run exits 1 and writes a repro with the run’s hash and anomalies', () => {
    expect(run.status).toBe(1);
    expect(result.valid).toBe(false);
    const repro = JSON.parse(readFileSync(join(dir, 'repro.json'), 'utf8')) as {
      expectedHistoryHash: string;
      anomalies: string[];
    };
    expect(repro.expectedHistoryHash).toBe(result.historyHash);
    expect(repro.anomalies).toContain('acked-write-lost');
  });

  it('replays to the same history hash and exits as the run did', () => {
    const r = kafkasim('replay', join(dir, 'repro.json'));
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`the history hash matches the recorded one (${result.historyHash})`);
  });

  it('says so, exit 4, when the recorded hash is not what the rerun gives', () => {
    const repro = JSON.parse(readFileSync(join(dir, 'repro.json'), 'utf8')) as Record<string, unknown>;
    const tampered = join(dir, 'tampered.json');
    writeFileSync(tampered, JSON.stringify({ ...repro, expectedHistoryHash: '0000000000000000' }));
    const r = kafkasim('replay', tampered);
    expect(r.status).toBe(4);
    expect(r.stdout).toMatch(/DIVERGED: recorded 0000000000000000, got [0-9a-f]{16}/);
  });

  it('shrinks to fewer faults or a shorter run that still loses acknowledged writes, and the result replays', () => {
    const r = kafkasim('shrink', join(dir, 'repro.json'), '--quiet', '--max-runs', '40');
    expect(r.status).toBe(0);
    const sizes = (label: string) =>
      /(\d+) faults?, (\d+) s, (\d+) clients?/
        .exec(r.stdout.split('\n').find((l) => l.startsWith(label)) ?? '')
        ?.slice(1)
        .map(Number);
    const before = sizes('before') as number[];
    const after = sizes('after') as number[];
    expect(after[0] < before[0] || after[1] < before[1] || after[2] < before[2]).toBe(true);
    expect(after[0]).toBeLessThanOrEqual(before[0]);
    const min = join(dir, 'repro.min.json');
    expect(existsSync(min)).toBe(true);
    const replayed = kafkasim('replay', min, '--json');
    expect(replayed.status).toBe(1);
    const again = JSON.parse(replayed.stdout) as { anomalies: Record<string, number>; replay: { matches: boolean } };
    expect(again.replay.matches).toBe(true);
    expect(again.anomalies['acked-write-lost']).toBeGreaterThan(0);
  });

  it.each([
    [['replay', '/nonexistent/repro.json'], /cannot read repro file/],
    [['shrink', '/nonexistent/repro.json'], /cannot read repro file/],
  ])('refuses %j with one line and exit 2', (args, message) => {
    const r = kafkasim(...args);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });

  it.each([
    ['{ not json', /invalid JSON/],
    ['{"hello": 1}', /not a kafkasim repro file/],
    [
      '{"kafkasim": "9.0.0", "seed": 1, "options": {}, "expectedHistoryHash": "0000000000000000"}',
      /written by kafkasim 9.0.0/,
    ],
    [
      '{"kafkasim": "0.3.0", "seed": 1, "options": {"bogus": 1, "schedule": {"version": 1, "ops": []}}, ' +
        '"expectedHistoryHash": "0000000000000000"}',
      /unknown option "bogus"/,
    ],
    ['{"kafkasim": "0.3.0", "seed": 1, "options": {}, "expectedHistoryHash": "xyz"}', /16 hex digits/],
  ])('refuses a malformed or foreign repro (%s) with one line and exit 2', (text, message) => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, text);
    const r = kafkasim('replay', file);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });

  it('refuses to shrink a run that does not fail', () => {
    const passing = mkdtempSync(join(tmpdir(), 'kafkasim-pass-'));
    kafkasim('run', '--seed', '7', '--nemesis', 'none', '--time', '10', '--out', passing);
    const r = kafkasim('shrink', join(passing, 'repro.json'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/does not fail: nothing to shrink/);
  });
});

describe('kafkasim check', () => {
  it.skipIf(!existsSync(knossos))(
    'gives the Knossos verdicts: a non-linearizable history exits 1, a linearizable one 0',
    () => {
      const rows = readFileSync(join(knossos, 'expected.tsv'), 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split('\t'));
      const bad = rows.find((r) => r[0] === 'cas-register/bad/bad-analysis.edn') as string[];
      const good = rows.find((r) => r[1] === 'linearizable' && r[2] === 'cas-register') as string[];
      expect(bad[1]).toBe('NOT linearizable');
      const b = kafkasim('check', join(knossos, bad[0]), '--model', 'cas-register', '--json');
      expect(b.status).toBe(1);
      expect((JSON.parse(b.stdout) as { valid: unknown }).valid).toBe(false);
      const g = kafkasim('check', join(knossos, good[0]), '--model', 'cas-register');
      expect(g.status).toBe(0);
      expect(g.stdout).toMatch(/verdict\s+valid/);
    },
  );

  it.skipIf(!existsSync(knossos))(
    'writes an HTML report with --out: the op that cannot be placed and the cause first; a bad --out refused',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'kafkasim-check-out-'));
      const history = join(knossos, 'cas-register/bad/bad-analysis.edn');
      const r = kafkasim('check', history, '--model', 'cas-register', '--out', join(dir, 'report'));
      expect(r.status).toBe(1);
      expect(r.stdout).toContain(`report   ${join(dir, 'report')}/index.html`);
      const page = readFileSync(join(dir, 'report', 'index.html'), 'utf8');
      expect(page).toContain('<p class="account invalid">INVALID. cas-register: after the longest linearizable prefix');
      expect(page).toContain('cannot be placed');
      writeFileSync(join(dir, 'a-file'), '');
      const bad = kafkasim('check', history, '--model', 'cas-register', '--out', join(dir, 'a-file'));
      expect(bad.status).toBe(2);
      expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    },
  );

  it('judges a kafkasim history with the Kafka checkers', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kafkasim-check-'));
    kafkasim('run', ...FAILING, '--out', dir);
    const r = kafkasim('check', join(dir, 'history.edn'), '--model', 'kafka', '--json');
    expect(r.status).toBe(1);
    const out = JSON.parse(r.stdout) as {
      valid: unknown;
      checkers: { checker: string; anomalies: { name: string }[] }[];
    };
    expect(out.valid).toBe(false);
    expect(out.checkers.flatMap((c) => c.anomalies.map((a) => a.name))).toContain('acked-write-lost');
  });

  it.each([
    [['check', '/nonexistent.edn', '--model', 'register'], /cannot read history file/],
    [['check', '/dev/null', '--model', 'teapot'], /--model must be one of/],
    [['check', '/dev/null'], /required option '--model <name>'/],
    [['check', '/dev/null', '--model', 'key-value', '--initial', '1'], /--initial does not apply/],
  ])('refuses %j with one line and exit 2', (args, message) => {
    const r = kafkasim(...args);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });

  it('refuses a malformed history with one line naming the problem', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kafkasim-bad-'));
    const file = join(dir, 'h.jsonl');
    writeFileSync(file, '{"index": 0, "type": "invoke"\n');
    const r = kafkasim('check', file, '--model', 'register');
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
