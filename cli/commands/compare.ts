// `kafkasim compare`: clean against unclean leader election on the same seeds and the same fault
// schedules. For each seed the clean run goes first; its schedule is handed to the unclean run, so the
// two differ in unclean.leader.election.enable only. Prints a table per seed and a headline; writes
// compare.json, the comparison report (index.html) and each run's outputs and report under --out.
import { join } from 'node:path';
import type { Command } from 'commander';
import { COMPARE_REPORT_KIND, type CompareReportData, type CompareRow } from '../../reports/compare-data.ts';
import { renderCompareReport } from '../../reports/compare-report.ts';
import { headline } from '../../reports/compare-summary.ts';
import { produceWords } from '../../reports/produce.ts';
import type { Seed } from '../../sim/world/index.ts';
import { intOption } from '../options.ts';
import {
  checkOutDir,
  compareCommandFor,
  compareSideFrom,
  KAFKASIM_VERSION,
  makeOutDir,
  replayCommandFor,
  runOnce,
  testOf,
  writeRunOutputs,
  writeWhole,
  type JudgedRun,
  type RunOptions,
} from '../../harness/index.ts';
import { addRunFlags, runOptionsFrom, type RunFlagValues } from '../run-flags.ts';
import { UsageError } from '../usage-error.ts';

export const DEFAULT_COMPARE_OUT = 'kafkasim-compare';

interface CompareFlags extends RunFlagValues {
  seeds: string;
  out: string;
  json?: boolean;
}

/** The i-th seed from `first`: integers count up; a name gets a numbered suffix (the first is the name itself). */
export function nthSeed(first: Seed, i: number): Seed {
  if (typeof first === 'number') return first + i;
  return i === 0 ? first : `${first}.${i}`;
}

function runDir(out: string, seed: Seed, mode: 'clean' | 'unclean'): string {
  return join(out, `seed-${String(seed)}`, mode);
}

/** Runs one side and writes its outputs and report under <out>/seed-<seed>/<mode>/. */
function runSide(
  options: RunOptions,
  out: string,
  mode: 'clean' | 'unclean',
  scheduleFile: string | undefined,
): JudgedRun {
  const run = runOnce(options);
  const dir = runDir(out, options.seed, mode);
  const reproFile = join(dir, 'repro.json');
  writeRunOutputs(dir, run, {
    replayCommand: replayCommandFor({ ...options, schedule: undefined }, { scheduleFile, reproFile }),
  });
  return run;
}

const pad = (s: string, n: number): string => s.padStart(n);
const fmt = (ms: number | null): string => (ms === null ? '–' : `${Math.round(ms)}`);
const pct = (v: number | null): string => (v === null ? '–' : `${(v * 100).toFixed(1)}%`);

const WIDTHS = [5, 8, 8, 6, 7];

function columns(cells: string[]): string {
  return cells.map((c, i) => pad(c, WIDTHS[i])).join(' ');
}

function sideText(row: CompareRow['clean']): string {
  return columns([
    String(row.lostAcked),
    (row.offlineMs / 1000).toFixed(1),
    pct(row.produce.successRate),
    fmt(row.produce.p50Ms),
    fmt(row.produce.p99Ms),
  ]);
}

const HEADER = columns(['lost', 'offline', 'success', 'p50', 'p99']);

export function registerCompare(program: Command): void {
  addRunFlags(program.command('compare'), undefined, ['unclean'])
    .description(
      'clean against unclean leader election on the same seeds and fault schedules: data lost against availability ' +
        'gained',
    )
    .option('--seeds <n>', 'how many seeds to compare, counting up from --seed', '5')
    .option('--out <dir>', 'where to write compare.json, the report (index.html) and every run', DEFAULT_COMPARE_OUT)
    .option('--json', 'print compare.json on stdout instead of the table')
    .action((flags: CompareFlags) => {
      if (flags.unclean !== undefined) {
        const flag = flags.unclean === true ? '--unclean' : '--no-unclean';
        throw new UsageError(`compare runs every seed both with and without unclean leader election; drop ${flag}`);
      }
      const seeds = intOption('--seeds', flags.seeds, 1, 10_000);
      const base = runOptionsFrom(flags);
      // Everything the runs need is checked before the table starts: options, then where it all goes.
      testOf(base);
      checkOutDir(flags.out);
      const log = flags.json === true ? (_: string): void => {} : (line: string): void => console.log(line);
      log(`seeds         ${String(base.seed)}${seeds > 1 ? ` and the next ${seeds - 1}` : ''}`);
      log(`${''.padEnd(12)} ${'clean election'.padEnd(HEADER.length)} | unclean election`);
      log(`${'seed'.padEnd(12)} ${HEADER} | ${HEADER}`);
      makeOutDir(flags.out);
      const rows: CompareRow[] = [];
      let config: unknown = null;
      for (let i = 0; i < seeds; i++) {
        const seed = nthSeed(base.seed, i);
        const clean = runSide({ ...base, seed, unclean: false }, flags.out, 'clean', flags.schedule);
        config ??= clean.result.config;
        const unclean = runSide(
          { ...base, seed, unclean: true, schedule: clean.output.schedule },
          flags.out,
          'unclean',
          flags.schedule,
        );
        const hrefs = (mode: 'clean' | 'unclean') => ({
          reportHref: `seed-${String(seed)}/${mode}/index.html`,
          reproHref: `seed-${String(seed)}/${mode}/repro.json`,
        });
        const row: CompareRow = {
          seed,
          clean: compareSideFrom(clean, hrefs('clean')),
          unclean: compareSideFrom(unclean, hrefs('unclean')),
        };
        rows.push(row);
        log(`${String(seed).padEnd(12)} ${sideText(row.clean)} | ${sideText(row.unclean)}`);
      }
      const data: CompareReportData = {
        kind: COMPARE_REPORT_KIND,
        formatVersion: 1,
        title:
          `kafkasim compare: clean against unclean leader election, ${seeds} seed${seeds === 1 ? '' : 's'} ` +
          `from ${String(base.seed)}`,
        generatedBy: `kafkasim ${KAFKASIM_VERSION}`,
        command: compareCommandFor(base, seeds, flags.out, flags.schedule),
        config,
        rows,
      };
      writeWhole(join(flags.out, 'compare.json'), JSON.stringify(data, null, 2) + '\n');
      writeWhole(join(flags.out, 'index.html'), renderCompareReport(data));
      if (flags.json === true) process.stdout.write(JSON.stringify(data, null, 2) + '\n');
      const words = produceWords(rows[0]?.clean.produce.unit);
      log(
        `(lost: acknowledged writes lost; offline: partition-seconds without a live leader; success: ` +
          `${words.units === 'sends' ? 'sends ok' : 'transactions committed'}; p50/p99: ${words.latency} in ms)`,
      );
      log('');
      log(headline(rows));
      log('');
      log(`written to    ${join(flags.out, 'index.html')}`);
      process.exitCode = 0;
    });
}
