// `kafkasim fuzz` and `kafkasim merge`, the real binary as a user runs it: outputs that agree with each
// other, findings that replay to the same hash, crashes that are findings, interrupts that keep what
// finished, shards that merge into the union, and one clear line with exit code 2 for bad input.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SeedOutcome } from '../../harness/fuzz/outcome.ts';
import type { FuzzSummary } from '../../harness/fuzz/summary.ts';
import { readRepro, reproRunOptions } from '../../harness/repro.ts';
import { runOnce } from '../../harness/run.ts';
import { repoRoot } from '../helpers/paths.ts';
import {
  addSeedProbes,
  emptyProbeTotals,
  metadataModeOf,
  sumProbeTotals,
  unreachedByMode,
  type ProbeTotals,
} from '../../harness/probes.ts';
import { PROBE_NAMES } from '../../sim/kafka/probes.ts';

const root = repoRoot;
const bin = join(root, 'bin/kafkasim.js');
const kafkasim = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } });
const tmp = (): string => mkdtempSync(join(tmpdir(), 'kafkasim-fuzz-'));
const summaryOf = (dir: string): FuzzSummary =>
  JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as FuzzSummary;

/**
 * Settings that lose acknowledged writes within seconds: acks=1, one in-sync replica, unclean elections; judged
 * --strict, since the configuration allows those losses.
 */
const LOSSY = [
  '--strict',
  '--time',
  '10',
  '--acks',
  '1',
  '--rf',
  '2',
  '--min-isr',
  '1',
  '--unclean',
  '--nemesis',
  'kill,partition',
];

describe('kafkasim fuzz', () => {
  // One lossy fuzz, shared by the tests that look at its findings.
  const lossyOut = join(tmp(), 'out');
  let lossy: ReturnType<typeof kafkasim>;
  beforeAll(() => {
    lossy = kafkasim(['fuzz', '--seeds', '1..12', '--jobs', '2', ...LOSSY, '--out', lossyOut]);
  });

  it(
    'finds lost writes, writes summary.json and junit.xml that agree, and a repro per finding that replays to its ' +
      'hash',
    () => {
      const [out, r] = [lossyOut, lossy];
      expect(r.stderr).not.toMatch(/\n\s+at /);
      const s = summaryOf(out);
      expect(s.runs.map((x) => x.seed)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
      expect(s).toMatchObject({
        seeds: { from: 1, to: 12, planned: 12, run: 12 },
        stoppedBy: 'done',
        interrupted: false,
        jobs: 2,
      });
      const failing = s.runs.filter((x) => x.findings.length > 0);
      expect(failing.length).toBeGreaterThan(0);
      expect(r.status).toBe(1);
      expect(s.totals.findings).toBe(failing.length);
      expect(r.stdout).toMatch(new RegExp(`findings\\s+${failing.length} `));

      const junit = readFileSync(join(out, 'junit.xml'), 'utf8');
      expect(junit.match(/<testcase /g)).toHaveLength(12);
      expect(junit).toContain(`tests="12" failures="${failing.length}" errors="0"`);
      for (const f of failing) expect(junit).toContain(`replay: npx kafkasim replay seeds/${f.seed}/repro.json`);

      // The first seed always runs twice (and about 5% of the others): same hash both times.
      const twice = s.runs.filter((x) => x.rerunHash !== undefined);
      expect(twice.map((x) => x.seed)).toContain(1);
      for (const x of twice) expect(x.rerunHash).toBe(x.historyHash);

      for (const f of failing) {
        const repro = readRepro(join(out, `seeds/${f.seed}/repro.json`));
        expect(repro.expectedHistoryHash).toBe(f.historyHash);
        expect(runOnce(reproRunOptions(repro)).result.historyHash).toBe(repro.expectedHistoryHash);
        expect(existsSync(join(out, `seeds/${f.seed}/history.jsonl`))).toBe(true);
        expect(readFileSync(join(out, `seeds/${f.seed}/index.html`), 'utf8')).toMatch(/<html/i);
      }
      // The fuzz index links every finding's report and repro.
      const index = readFileSync(join(out, 'index.html'), 'utf8');
      for (const f of failing) expect(index).toContain(`seeds/${f.seed}/repro.json`);
      // Only findings get a directory.
      for (const ok of s.runs.filter((x) => x.findings.length === 0))
        expect(existsSync(join(out, `seeds/${ok.seed}`))).toBe(false);
    },
  );

  it('sums the coverage probes of every seed, whichever worker ran it, and lists those no seed reached', () => {
    const s = summaryOf(lossyOut);
    const totals = s.probes as ProbeTotals;
    expect(Object.keys(totals)).toEqual([...PROBE_NAMES]);
    // The same seeds run here one by one: their probes add up to the fuzz's (a rerun seed counts once).
    const expected = emptyProbeTotals();
    for (const r of s.runs) addSeedProbes(expected, runOnce({ ...s.options, seed: r.seed }).output.probes);
    expect(totals).toEqual(expected);
    expect(Object.values(totals).some((t) => t.seeds > 0)).toBe(true);
    const { missed } = unreachedByMode(totals, metadataModeOf(s.options));
    expect(missed.length).toBeGreaterThan(0);
    expect(lossy.stdout).toMatch(new RegExp(`never reached ${missed.length}:`));
    for (const name of missed) expect(lossy.stdout).toContain(name);
    const index = readFileSync(join(lossyOut, 'index.html'), 'utf8');
    expect(index).toContain('<section id="probes">');
    expect(index).toContain(`Never reached (${missed.length})`);
  });

  it.runIf(existsSync(join(root, 'cli/commands/replay.ts')))(
    'a finding replays with `kafkasim replay` to the same hash',
    () => {
      const out = lossyOut;
      const f = summaryOf(out).runs.find((x) => x.findings.includes('anomaly')) as SeedOutcome;
      const r = spawnSync(process.execPath, [bin, 'replay', `seeds/${f.seed}/repro.json`], {
        cwd: out,
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(r.stdout + r.stderr).toContain(f.historyHash as string);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    },
  );

  it('exits 0 when nothing is found', () => {
    const out = join(tmp(), 'out');
    const r = kafkasim([
      'fuzz',
      '--seed',
      '1',
      '--count',
      '3',
      '--jobs',
      '2',
      '--time',
      '10',
      '--nemesis',
      'none',
      '--out',
      out,
    ]);
    expect(r.status).toBe(0);
    expect(summaryOf(out).totals).toMatchObject({ runs: 3, valid: 3, findings: 0 });
    expect(readFileSync(join(out, 'junit.xml'), 'utf8')).toContain('tests="3" failures="0" errors="0"');
  });

  it('makes a seed that throws, kills its worker or hangs a harness-crash finding, and goes on', () => {
    const out = join(tmp(), 'out');
    const args = [
      'fuzz',
      '--seeds',
      '1..6',
      '--jobs',
      '2',
      '--time',
      '10',
      '--nemesis',
      'none',
      '--seed-timeout',
      '2',
      '--out',
      out,
    ];
    const r = kafkasim(args, { KAFKASIM_FUZZ_SELF_TEST: 'throw:2,exit:4,hang:5' });
    expect(r.status).toBe(1);
    const s = summaryOf(out);
    expect(s.runs.map((x) => x.seed)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(s.totals).toMatchObject({ crashes: 3, valid: 3 });
    expect(s.runs[4].error).toMatch(/^hang: no outcome after 2 s/);
    expect(readFileSync(join(out, 'seeds/2/crash.txt'), 'utf8')).toMatch(
      /self-test: seed 2 throws[\s\S]*\n\s+at [\s\S]*rerun: npx kafkasim run --seed 2 /,
    );
    // Workers run from a bundle (harness/fuzz/worker-bundle.ts); the stack still names the TypeScript source.
    expect(readFileSync(join(out, 'seeds/2/crash.txt'), 'utf8')).toMatch(
      /\n\s+at runSeed \(\S*harness\/fuzz\/run-seed\.ts:\d+:\d+\)/,
    );
    expect(readFileSync(join(out, 'seeds/4/crash.txt'), 'utf8')).toMatch(/exited with code 70/);
    expect(readFileSync(join(out, 'junit.xml'), 'utf8')).toContain('errors="3"');
  });

  it('on an interrupt, finishes the seeds in flight, keeps everything finished and exits 130', async () => {
    const out = join(tmp(), 'out');
    const child = spawn(
      process.execPath,
      [bin, 'fuzz', '--seeds', '1..100000', '--jobs', '2', ...LOSSY, '--out', out],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    const code = await new Promise<number | null>((done) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (/fuzz: \d+\/100000 seeds/.test(stderr) && !child.killed) child.kill('SIGINT');
      });
      child.on('exit', (c) => done(c));
    });
    expect(code).toBe(130);
    const s = summaryOf(out);
    expect(s).toMatchObject({ interrupted: true, stoppedBy: 'interrupted', seeds: { planned: 100000 } });
    expect(s.runs.length).toBeGreaterThan(0);
    expect(s.runs.length).toBeLessThan(100000);
    for (const f of s.runs.filter((x) => x.findings.length > 0))
      expect(existsSync(join(out, `seeds/${f.seed}/repro.json`))).toBe(true);
    expect(readFileSync(join(out, 'junit.xml'), 'utf8')).toContain(`tests="${s.runs.length}"`);
  });

  it.runIf(existsSync('/proc/self/environ'))(
    'on a second interrupt, leaves at once and takes its worker processes with it, even hung ones',
    async () => {
      const out = join(tmp(), 'out');
      // Every seed hangs, so both workers hang in their first, and each says so with its pid (self-test.ts):
      // both interrupts come while the workers are mid-seed, never while the fuzz is still starting (an
      // interrupt then ends it by signal, as it would any program). The tag finds any worker process left
      // afterwards (self-test.ts skips it).
      const tag = `tag:${process.pid}${Date.now()}`;
      const hangs = Array.from({ length: 10 }, (_, i) => `hang:${i + 1}`).join(',');
      const env = { ...process.env, KAFKASIM_FUZZ_SELF_TEST: `${hangs},${tag}` };
      const child = spawn(
        process.execPath,
        [bin, 'fuzz', '--seeds', '1..10', '--jobs', '2', '--seed-timeout', '600', '--out', out],
        { stdio: ['ignore', 'pipe', 'pipe'], env },
      );
      let stderr = '';
      let sent = 0;
      const hung = (): number[] =>
        [...stderr.matchAll(/self-test: seed \d+ hangs in worker (\d+)/g)].map((m) => Number(m[1]));
      const code = await new Promise<number | null>((done) => {
        child.stderr.on('data', (d: Buffer) => {
          stderr += d.toString();
          if (sent === 0 && hung().length === 2) {
            sent++;
            child.kill('SIGINT');
          }
          if (sent === 1 && /interrupt again to stop now/.test(stderr)) {
            sent++;
            child.kill('SIGINT');
          }
        });
        child.on('exit', (c) => done(c));
      });
      expect(code, stderr).toBe(130);
      expect(summaryOf(out)).toMatchObject({ interrupted: true, stoppedBy: 'interrupted', runs: [] });
      // Gone the moment the fuzz is: it waits for its killed workers before it leaves.
      expect(hung().filter((pid) => existsSync(`/proc/${pid}`))).toEqual([]);
      const left = readdirSync('/proc').filter((pid) => {
        try {
          return (
            /^\d+$/.test(pid) &&
            readFileSync(`/proc/${pid}/environ`, 'utf8').includes(tag) &&
            /fuzz-worker|worker-boot/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'))
          );
        } catch {
          return false;
        }
      });
      expect(left).toEqual([]);
    },
  );

  it('says "running" until it ends: a fuzz killed with -9 leaves a summary saying it did not finish', async () => {
    const dir = tmp();
    const out = join(dir, 'out');
    // Its own process group, so that one kill reaches the fuzz and its workers alike, as an OOM kill of a job would.
    const child = spawn(
      process.execPath,
      [bin, 'fuzz', '--seeds', '1..100000', '--jobs', '2', '--time', '5', '--out', out],
      {
        stdio: 'ignore',
        detached: true,
      },
    );
    const exited = new Promise((done) => child.on('exit', done));
    // Until a rewrite after the first seeds: summary.json is there from the start, saying 'running'.
    for (let tries = 0; tries < 600; tries++) {
      await new Promise((r) => setTimeout(r, 100));
      if (existsSync(join(out, 'summary.json')) && summaryOf(out).runs.length > 0) break;
    }
    process.kill(-(child.pid as number), 'SIGKILL');
    await exited;
    const s = summaryOf(out);
    expect(s.runs.length).toBeGreaterThan(0);
    expect(s).toMatchObject({ stoppedBy: 'running', interrupted: false });
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain(
      'the fuzz had not finished (still running, or killed)',
    );

    // merge keeps its finished seeds and says so; report draws it and says so.
    const merged = kafkasim(['merge', out, '--out', join(dir, 'merged')]);
    expect(merged.status).toBe(0);
    expect(merged.stderr).toMatch(
      /^kafkasim: warning: .*out: the fuzz had not finished \(still running, or killed\); its \d+ finished seeds/,
    );
    expect(merged.stderr.trim().split('\n')).toHaveLength(1);
    expect(summaryOf(join(dir, 'merged'))).toMatchObject({ stoppedBy: 'running', seeds: { run: s.runs.length } });
    const report = kafkasim(['report', out]);
    expect(report.status).toBe(0);
    expect(report.stderr).toMatch(
      /^kafkasim: note: .*summary\.json: the fuzz had not finished .*; drawn as it stands\n$/,
    );
  });

  it('stops handing out seeds when the time budget is spent', () => {
    const out = join(tmp(), 'out');
    const r = kafkasim([
      'fuzz',
      '--seeds',
      '1..100000',
      '--jobs',
      '2',
      '--time',
      '10',
      '--nemesis',
      'none',
      '--time-budget',
      '1',
      '--out',
      out,
    ]);
    expect(r.status).toBe(0);
    const s = summaryOf(out);
    expect(s.stoppedBy).toBe('time-budget');
    expect(s.runs.length).toBeLessThan(100000);
    expect(r.stdout).toMatch(/stopped by\s+time-budget/);
  });
});

describe('kafkasim merge', () => {
  it('merges the shards of one range into their union, findings copied', () => {
    const dir = tmp();
    const shards = [0, 1].map((i) => {
      const out = join(dir, `shard-${i}`);
      const r = kafkasim([
        'fuzz',
        '--seeds',
        '1..8',
        '--shard',
        `${i}/2`,
        '--jobs',
        '2',
        ...LOSSY,
        '--out',
        out,
        '--quiet',
      ]);
      expect([0, 1]).toContain(r.status);
      expect(summaryOf(out).runs.map((x) => x.seed % 2)).toEqual(Array(4).fill((i + 1) % 2));
      return out;
    });
    const merged = join(dir, 'merged');
    const r = kafkasim(['merge', ...shards, '--out', merged]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    const s = summaryOf(merged);
    expect(s.runs.map((x) => x.seed)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(s.shards).toEqual([
      { index: 0, count: 2 },
      { index: 1, count: 2 },
    ]);
    for (const f of s.runs.filter((x) => x.findings.length > 0))
      expect(existsSync(join(merged, `seeds/${f.seed}/repro.json`))).toBe(true);
    expect(readFileSync(join(merged, 'junit.xml'), 'utf8')).toContain('tests="8"');
    expect(readFileSync(join(merged, 'index.html'), 'utf8')).toContain('seeds 1..8, 2 shards');
    // Coverage probes: the shards' sums added up.
    const [a, b] = shards.map((d) => summaryOf(d).probes as ProbeTotals);
    expect(s.probes).toEqual(sumProbeTotals([a, b]));
    const hits = (t: ProbeTotals): number => Object.values(t).reduce((n, x) => n + x.hits, 0);
    expect(hits(s.probes as ProbeTotals)).toBe(hits(a) + hits(b));
    expect(r.stdout).toMatch(/probes\s+\d+ of \d+ coverage probes reached/);
  });
});

describe('bad input: one line, exit code 2', () => {
  const existing = tmp();
  mkdirSync(join(existing, 'seeds'));
  const malformed = tmp();
  writeFileSync(join(malformed, 'summary.json'), '{ not json');
  const cases: [string[], RegExp][] = [
    [['fuzz', '--shard', '3/2', '--seeds', '1..4'], /--shard: index 3 is out of range for 2 shards/],
    [['fuzz', '--shard', '1/2'], /--shard needs the same seeds on every shard/],
    [['fuzz', '--seeds', '5..1'], /--seeds: the range 5\.\.1 is empty/],
    [['fuzz', '--seeds', '1..x'], /--seeds: the last seed must be a non-negative integer/],
    [['fuzz', '--seed', 'abc', '--count', '3'], /--seed: fuzz seeds are integers/],
    [['fuzz', '--count', '0'], /--count must be an integer from 1/],
    [['fuzz', '--jobs', '0'], /--jobs must be an integer from 1 to 256/],
    [['fuzz', '--time-budget', 'soon'], /--time-budget must be a positive number/],
    [['fuzz', '--seed-timeout', '0'], /--seed-timeout must be a positive number/],
    [['fuzz', '--seeds', '1..3', '--count', '3'], /--seeds gives the whole range/],
    [['fuzz', '--bogus'], /unknown option '--bogus'/],
    [['fuzz', '--acks', '2'], /--acks must be 0, 1 or all/],
    [['fuzz', '--brokers', '1', '--seeds', '1..2'], /replication factor 3 exceeds the number of brokers 1/],
    [['fuzz', '--schedule', '/nonexistent/schedule.json'], /cannot read/],
    [['fuzz', '--seeds', '1..2', '--out', existing], /already holds fuzz results/],
    [['merge', '/nonexistent/shard-0'], /no summary\.json there/],
    [['merge', malformed], /summary\.json: not valid JSON/],
    [['merge'], /missing required argument/],
    [['fuzzz'], /unknown command 'fuzzz'/],
  ];
  // Each case starts the binary; they run side by side, a few at a time, and are checked one by one.
  const results = new Map<string, { status: number | null; stderr: string }>();
  const scratch = tmp();
  beforeAll(async () => {
    const queue = [...cases];
    const runOne = async (): Promise<void> => {
      for (let c = queue.shift(); c !== undefined; c = queue.shift()) {
        const args = c[0];
        results.set(
          JSON.stringify(args),
          await new Promise((done) => {
            // In a scratch directory, so that a case that wrongly passes cannot leave fuzz-out/ in the repository.
            const child = spawn(process.execPath, [bin, ...args], {
              cwd: scratch,
              stdio: ['ignore', 'ignore', 'pipe'],
            });
            let stderr = '';
            child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
            child.on('close', (status) => done({ status, stderr }));
          }),
        );
      }
    };
    await Promise.all([runOne(), runOne(), runOne()]);
  });

  it.each(cases)('%j', (args, message) => {
    const r = results.get(JSON.stringify(args)) as { status: number | null; stderr: string };
    expect(r.stderr).toMatch(message);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
