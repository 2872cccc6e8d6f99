// npm run bench:mutants [-- --seeds 300] [--jobs 2] [--tests focused|full|none] [--no-fuzz] [--all-seeds]
//                          [--only name,name] [--check] [--keep] [--out mutants-out]
//
// A mutation benchmark of our own: realistic mistakes in sim/kafka, one per patch in bench/mutants/ (a header
// says what the mistake is and, for a mistake in one metadata mode's code, the fuzz flags that run that mode;
// the diff follows). For each mutant the bench makes a scratch copy of the repository at HEAD (git archive, with
// node_modules linked), applies the patch, and asks two questions:
// - does a swarm fuzz of --seeds seeds catch it? `kafkasim fuzz --nemesis swarm` runs in the copy and a seed
//   catches the mutant when the fuzz reports a finding on it (an anomaly, a harness crash or nondeterminism, as
//   the fuzz counts findings) that the same fuzz of the unmutated code does not report on that seed. The baseline
//   is needed as long as the fuzz reports findings on correct code (power losses of unflushed data are findings
//   until allowed losses are told apart); once it reports none, every finding counts. The fuzz stops at the first
//   seed that catches the mutant unless --all-seeds;
// - does the test suite catch it? vitest runs in the copy (--tests focused: test/sim and test/checkers; full: the
//   whole suite) and a test catches the mutant when it fails there and passes on the unmutated copy.
// It prints a table, mutant | fuzz caught (seed) | tests caught, and the share of mutants each catches (targets:
// 90% and 90%), and writes results.json to --out. --check only applies every patch and type-checks it.
// Wall time is measured here, outside the world; the runs themselves are the fuzz's and the tests'.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeWhole } from '../harness/write-whole.ts';

const ROOT = resolve(fileURLToPath(import.meta.url), '../..');
const MUTANTS_DIR = join(ROOT, 'bench/mutants');
const FOCUSED_TESTS = ['test/sim', 'test/checkers'];

export interface Mutant {
  /** The patch file's name without `.patch`, e.g. `01-hw-leader-leo`. */
  id: string;
  name: string;
  what: string;
  /** Extra `kafkasim fuzz` flags, e.g. ZooKeeper mode for a mistake in its controller. */
  fuzzArgs: string[];
  patch: string;
}

/** The header lines of a patch (before its diff): `kafkasim-mutant: name`, `what: ...`, `fuzz: flags`. */
export function parseMutant(file: string, text: string): Mutant {
  const head = text.slice(0, Math.max(0, text.indexOf('diff --git')));
  const field = (key: string): string | undefined =>
    head
      .split('\n')
      .find((l) => l.startsWith(`${key}:`))
      ?.slice(key.length + 1)
      .trim();
  const name = field('kafkasim-mutant');
  if (name === undefined || !text.includes('diff --git')) throw new Error(`${file}: not a kafkasim mutant patch`);
  const fuzz = field('fuzz');
  return {
    id: file.replace(/\.patch$/, ''),
    name,
    what: field('what') ?? '',
    fuzzArgs: fuzz === undefined || fuzz === '' ? [] : fuzz.split(/\s+/),
    patch: join(MUTANTS_DIR, file),
  };
}

export function readMutants(dir = MUTANTS_DIR): Mutant[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.patch'))
    .sort()
    .map((f) => parseMutant(f, readFileSync(join(dir, f), 'utf8')));
}

interface Flags {
  seeds: number;
  jobs: number;
  tests: 'focused' | 'full' | 'none';
  fuzz: boolean;
  allSeeds: boolean;
  only: string[];
  check: boolean;
  keep: boolean;
  out: string;
}

function fail(message: string): never {
  process.stderr.write(`bench:mutants: ${message}\n`);
  process.exit(2);
}

function parseFlags(argv: string[]): Flags {
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    if (i < 0) return undefined;
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) fail(`${flag} needs a value`);
    return v;
  };
  const int = (flag: string, dflt: number): number => {
    const v = value(flag);
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) fail(`${flag} must be a positive integer, got "${v}"`);
    return n;
  };
  const known = new Set(['--seeds', '--jobs', '--tests', '--only', '--out']);
  const switches = new Set(['--no-fuzz', '--all-seeds', '--check', '--keep']);
  for (let i = 0; i < argv.length; i++) {
    if (known.has(argv[i])) i++;
    else if (!switches.has(argv[i])) fail(`unknown flag "${argv[i]}"`);
  }
  const tests = value('--tests') ?? 'focused';
  if (tests !== 'focused' && tests !== 'full' && tests !== 'none')
    fail(`--tests must be focused, full or none, got "${tests}"`);
  return {
    seeds: int('--seeds', 300),
    jobs: int('--jobs', 2),
    tests,
    fuzz: !argv.includes('--no-fuzz'),
    allSeeds: argv.includes('--all-seeds'),
    only: value('--only')?.split(',') ?? [],
    check: argv.includes('--check'),
    keep: argv.includes('--keep'),
    out: value('--out') ?? 'mutants-out',
  };
}

// ---- scratch copies ----

/** A copy of the repository at HEAD in a new temporary directory, node_modules linked. */
function scratchCopy(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `kafkasim-mutant-${label}-`));
  const r = spawnSync('sh', ['-c', `git archive --format=tar HEAD | tar -x -C "${dir}"`], { cwd: ROOT });
  if (r.status !== 0) throw new Error(`git archive into ${dir} failed: ${String(r.stderr)}`);
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

/** Applies `patch` in `dir`; the error text if it does not apply. */
function applyPatch(dir: string, patch: string, reverse = false): string | null {
  const r = spawnSync('git', ['apply', ...(reverse ? ['-R'] : []), patch], { cwd: dir, encoding: 'utf8' });
  return r.status === 0 ? null : r.stderr.trim();
}

// ---- the fuzz ----

interface FuzzOutcome {
  /** Seeds with a finding, in the order the fuzz reported them, with what it found. */
  findings: { seed: number; what: string }[];
  seedsRun: number;
  wallSeconds: number;
}

/**
 * `kafkasim fuzz --nemesis swarm` in `dir` over seeds 1..n. `stopAt` is asked about each finding as the fuzz
 * reports it; once it says yes the fuzz is interrupted (it finishes the seeds in flight and exits).
 */
function runFuzz(dir: string, flags: Flags, extra: string[], stopAt: (seed: number) => boolean): Promise<FuzzOutcome> {
  const out = join(dir, 'fuzz-out');
  const args = [
    join(dir, 'bin/kafkasim.js'),
    'fuzz',
    '--nemesis',
    'swarm',
    '--seed',
    '1',
    '--count',
    String(flags.seeds),
    '--jobs',
    String(flags.jobs),
    ...extra,
    '--out',
    out,
    '--quiet',
  ];
  const started = performance.now();
  return new Promise((done, reject) => {
    const child = spawn(process.execPath, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    const findings: { seed: number; what: string }[] = [];
    let stopping = false;
    let stderr = '';
    let pending = '';
    child.stdout.resume();
    child.stderr.on('data', (d: Buffer) => {
      pending += d.toString();
      stderr += d.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const m = /^finding: seed (\d+): (.*) -> /.exec(line);
        if (m === null) continue;
        const seed = Number(m[1]);
        findings.push({ seed, what: m[2] });
        if (!stopping && stopAt(seed)) {
          stopping = true;
          child.kill('SIGINT');
        }
      }
    });
    child.on('error', reject);
    child.on('close', (status) => {
      const summaryFile = join(out, 'summary.json');
      if (!existsSync(summaryFile)) {
        reject(new Error(`fuzz in ${dir} exited with ${String(status)} and no summary: ${stderr.slice(-500)}`));
        return;
      }
      const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as { runs: unknown[] };
      done({ findings, seedsRun: summary.runs.length, wallSeconds: (performance.now() - started) / 1000 });
    });
  });
}

// ---- the tests ----

interface TestOutcome {
  /** Failing tests ("file > name"), and files that failed to run ("file"). */
  failing: string[];
  wallSeconds: number;
}

interface VitestJson {
  testResults: {
    name: string;
    status: string;
    message?: string;
    assertionResults: { fullName: string; status: string }[];
  }[];
}

/**
 * vitest in `dir`, its failing tests. With `bail` it stops at the first failure (a mutant needs one); a run that
 * stopped on a test the baseline fails too goes again whole, so that a flaky test cannot hide a real failure.
 */
function runTests(dir: string, flags: Flags, bail = false, known: ReadonlySet<string> = new Set()): TestOutcome {
  const started = performance.now();
  const report = join(dir, 'vitest.json');
  rmSync(report, { force: true });
  const dirs = flags.tests === 'focused' ? FOCUSED_TESTS : [];
  spawnSync(
    process.execPath,
    [
      join(dir, 'node_modules/vitest/vitest.mjs'),
      'run',
      ...dirs,
      ...(bail ? ['--bail=1'] : []),
      '--reporter=json',
      `--outputFile=${report}`,
    ],
    { cwd: dir, stdio: 'ignore', timeout: 3 * 3600 * 1000 },
  );
  const failing: string[] = [];
  if (!existsSync(report)) return { failing: ['(vitest wrote no report)'], wallSeconds: 0 };
  const json = JSON.parse(readFileSync(report, 'utf8')) as VitestJson;
  for (const file of json.testResults) {
    const name = relative(dir, file.name);
    const failed = file.assertionResults.filter((a) => a.status === 'failed');
    for (const a of failed) failing.push(`${name} > ${a.fullName}`);
    if (file.status === 'failed' && failed.length === 0) failing.push(name);
  }
  if (bail && failing.length > 0 && failing.every((f) => known.has(f))) return runTests(dir, flags, false, known);
  return { failing, wallSeconds: (performance.now() - started) / 1000 };
}

// ---- the bench ----

export interface MutantResult {
  mutant: string;
  what: string;
  fuzzArgs: string[];
  applied: boolean;
  fuzz?: { caught: boolean; seed: number | null; what: string | null; seedsRun: number; wallSeconds: number };
  tests?: { caught: boolean; failing: string[]; wallSeconds: number };
}

function check(mutants: Mutant[]): boolean {
  const dir = scratchCopy('check');
  let ok = true;
  const tsc = join(dir, 'node_modules/typescript/bin/tsc');
  const buildInfo = join(dir, '.tsbuildinfo');
  const typecheck = (): string => {
    const r = spawnSync(process.execPath, [tsc, '--noEmit', '--incremental', '--tsBuildInfoFile', buildInfo], {
      cwd: dir,
      encoding: 'utf8',
    });
    return r.status === 0 ? '' : r.stdout.trim().split('\n').slice(0, 3).join(' | ');
  };
  const base = typecheck();
  if (base !== '') fail(`HEAD does not type-check: ${base}`);
  for (const m of mutants) {
    const error = applyPatch(dir, m.patch);
    if (error !== null) {
      console.log(`${m.id}: does not apply: ${error}`);
      ok = false;
      continue;
    }
    const errors = typecheck();
    console.log(`${m.id}: ${errors === '' ? 'applies and type-checks' : `type errors: ${errors}`}`);
    if (errors !== '') ok = false;
    const back = applyPatch(dir, m.patch, true);
    if (back !== null) throw new Error(`${m.id}: could not be reverted: ${back}`);
  }
  rmSync(dir, { recursive: true, force: true });
  return ok;
}

function pct(n: number, of: number): string {
  return of === 0 ? '–' : `${((100 * n) / of).toFixed(0)}%`;
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  let mutants = readMutants();
  if (flags.only.length > 0) {
    const unknown = flags.only.filter((o) => !mutants.some((m) => m.name === o || m.id === o));
    if (unknown.length > 0) fail(`--only: no mutant named ${unknown.join(', ')}`);
    mutants = mutants.filter((m) => flags.only.includes(m.name) || flags.only.includes(m.id));
  }
  if (flags.check) process.exit(check(mutants) ? 0 : 1);

  const testsOn = flags.tests !== 'none';
  const fuzzText = flags.fuzz ? `${flags.seeds} swarm seeds, --jobs ${flags.jobs}` : 'off';
  console.log(
    `bench:mutants: ${mutants.length} mutants; fuzz ${fuzzText}` +
      `${flags.fuzz && !flags.allSeeds ? ' (stops at the first seed that catches)' : ''}; tests ${flags.tests}` +
      (flags.tests === 'focused' ? ` (${FOCUSED_TESTS.join(' ')})` : ''),
  );
  const t0 = performance.now();

  // The baseline: the unmutated copy's findings per fuzz configuration, and its failing tests.
  const baseDir = scratchCopy('baseline');
  const baselineFindings = new Map<string, Set<number>>();
  if (flags.fuzz) {
    for (const extra of [...new Set(mutants.map((m) => m.fuzzArgs.join(' ')))]) {
      const args = extra === '' ? [] : extra.split(' ');
      const f = await runFuzz(baseDir, flags, args, () => false);
      rmSync(join(baseDir, 'fuzz-out'), { recursive: true, force: true });
      baselineFindings.set(extra, new Set(f.findings.map((x) => x.seed)));
      console.log(
        `baseline fuzz${extra === '' ? '' : ` (${extra})`}: ${f.findings.length} of ${f.seedsRun} seeds with a ` +
          `finding on the unmutated code (not counted for any mutant), ${f.wallSeconds.toFixed(0)} s`,
      );
    }
  }
  let baselineFailing = new Set<string>();
  if (testsOn) {
    const t = runTests(baseDir, flags);
    baselineFailing = new Set(t.failing);
    console.log(
      `baseline tests: ${t.failing.length} failing on the unmutated code` +
        `${t.failing.length > 0 ? ` (${t.failing.join('; ')})` : ''}, ${t.wallSeconds.toFixed(0)} s`,
    );
  }
  if (!flags.keep) rmSync(baseDir, { recursive: true, force: true });

  const results: MutantResult[] = [];
  for (const m of mutants) {
    const dir = scratchCopy(m.name);
    const result: MutantResult = { mutant: m.id, what: m.what, fuzzArgs: m.fuzzArgs, applied: true };
    const error = applyPatch(dir, m.patch);
    if (error !== null) {
      result.applied = false;
      console.log(`${m.id}: does not apply to HEAD: ${error}`);
      results.push(result);
      continue;
    }
    if (flags.fuzz) {
      const known = baselineFindings.get(m.fuzzArgs.join(' ')) ?? new Set<number>();
      const f = await runFuzz(dir, flags, m.fuzzArgs, (seed) => !flags.allSeeds && !known.has(seed));
      const catching = f.findings.filter((x) => !known.has(x.seed)).sort((a, b) => a.seed - b.seed);
      const first = catching[0];
      result.fuzz = {
        caught: first !== undefined,
        seed: first?.seed ?? null,
        what: first?.what ?? null,
        seedsRun: f.seedsRun,
        wallSeconds: f.wallSeconds,
      };
    }
    if (testsOn) {
      const t = runTests(dir, flags, true, baselineFailing);
      const failing = t.failing.filter((x) => !baselineFailing.has(x));
      result.tests = { caught: failing.length > 0, failing, wallSeconds: t.wallSeconds };
    }
    if (!flags.keep) rmSync(dir, { recursive: true, force: true });
    results.push(result);
    console.log(line(result));
  }

  console.log('');
  console.log(`| mutant | fuzz caught (seed) | tests caught |`);
  console.log(`|---|---|---|`);
  for (const r of results) console.log(tableRow(r));
  const applied = results.filter((r) => r.applied);
  const byFuzz = applied.filter((r) => r.fuzz?.caught === true).length;
  const byTests = applied.filter((r) => r.tests?.caught === true).length;
  const byEither = applied.filter((r) => r.fuzz?.caught === true || r.tests?.caught === true).length;
  console.log('');
  if (flags.fuzz)
    console.log(`fuzz caught   ${byFuzz} of ${applied.length} (${pct(byFuzz, applied.length)}; target 90%)`);
  if (testsOn)
    console.log(`tests caught  ${byTests} of ${applied.length} (${pct(byTests, applied.length)}; target 90%)`);
  if (flags.fuzz && testsOn)
    console.log(`either        ${byEither} of ${applied.length} (${pct(byEither, applied.length)})`);
  const missed = applied.filter((r) => flags.fuzz && r.fuzz?.caught !== true).map((r) => r.mutant);
  if (missed.length > 0) console.log(`fuzz missed   ${missed.join(', ')}`);
  console.log(`wall time     ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  mkdirSync(flags.out, { recursive: true });
  const file = join(flags.out, 'results.json');
  writeWhole(file, JSON.stringify({ flags, results }, null, 2) + '\n');
  console.log(`written to    ${file}`);
}

function fuzzCell(r: MutantResult): string {
  if (!r.applied) return 'does not apply';
  if (r.fuzz === undefined) return '–';
  if (!r.fuzz.caught) return `no (${r.fuzz.seedsRun} seeds)`;
  return `yes (seed ${r.fuzz.seed}: ${r.fuzz.what})`;
}

function testsCell(r: MutantResult): string {
  if (r.tests === undefined) return '–';
  if (!r.tests.caught) return 'no';
  // The file of the first failing test (--bail stops there); the test's name is in results.json.
  return `yes (${r.tests.failing[0].split(' > ')[0]})`;
}

function line(r: MutantResult): string {
  return `${r.mutant}: fuzz ${fuzzCell(r)}; tests ${testsCell(r)}`;
}

function tableRow(r: MutantResult): string {
  const cells = [r.mutant, fuzzCell(r), testsCell(r)].map((c) => c.replace(/\|/g, '\\|'));
  return `| ${cells.join(' | ')} |`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e: unknown) => {
    process.stderr.write(`bench:mutants: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
