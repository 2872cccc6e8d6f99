// `kafkasim report <dirs...>`: rebuilds the HTML of saved results, so a report can be regenerated (by a
// newer kafkasim, or after copying a directory) without rerunning anything. A run directory has
// report.json, a comparison directory compare.json (its runs' directories are rebuilt too), a fuzz
// directory summary.json with its runs (drawn as the fuzz draws it). Bad input is one line, exit code 2.
import { existsSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { COMPARE_REPORT_KIND, type CompareReportData } from '../../reports/compare-data.ts';
import { renderCompareReport } from '../../reports/compare-report.ts';
import { RUN_REPORT_KIND, type RunReportData } from '../../reports/run-data.ts';
import { renderRunReport } from '../../reports/run-report.ts';
import { writeFuzzIndex } from '../../harness/fuzz/reports.ts';
import { NOT_FINISHED, readSummary, SUMMARY_FILE } from '../../harness/fuzz/summary.ts';
import { readInput } from '../../harness/input.ts';
import { KAFKASIM_VERSION } from '../../harness/version.ts';
import { UsageError } from '../usage-error.ts';
import { writeWhole } from '../../harness/write-whole.ts';

function readJson(path: string): unknown {
  const text = readInput(path, 'report data');
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new UsageError(`${path}: invalid JSON (${(e as Error).message.split('\n')[0]})`);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Renders, turning a malformed (but parseable) file's failure into one line naming the file. */
function render<T>(path: string, data: T, draw: (d: T) => string): string {
  try {
    return draw(data);
  } catch (e) {
    throw new UsageError(
      `${path}: not a report this kafkasim (${KAFKASIM_VERSION}) can draw: ${(e as Error).message.split('\n')[0]}`,
    );
  }
}

function rebuildRun(dir: string): string {
  const path = join(dir, 'report.json');
  const data = readJson(path);
  if (!isObject(data) || data.kind !== RUN_REPORT_KIND)
    throw new UsageError(`${path}: not a kafkasim run report (no "kind": "${RUN_REPORT_KIND}")`);
  const out = join(dir, 'index.html');
  writeWhole(out, render(path, data as unknown as RunReportData, renderRunReport));
  return out;
}

/**
 * The run directory a comparison row links to, when it is one inside `dir`: the link comes from a file,
 * and `report` writes only inside the directory it rebuilds ("../../victim/index.html" would have it
 * overwrite another page, a symbolic link the same). Undefined for a row without a report to rebuild.
 */
function linkedRunDir(dir: string, href: unknown, path: string): string | undefined {
  if (typeof href !== 'string') return undefined;
  const runDir = resolve(dir, dirname(href));
  if (!existsSync(join(runDir, 'report.json'))) return undefined;
  const rel = relative(realpathSync(dir), realpathSync(runDir));
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel))
    throw new UsageError(`${path}: a row links to ${JSON.stringify(href)}, outside ${dir}; nothing was written`);
  return runDir;
}

function rebuildCompare(dir: string): string[] {
  const path = join(dir, 'compare.json');
  const data = readJson(path);
  if (!isObject(data) || data.kind !== COMPARE_REPORT_KIND || !Array.isArray(data.rows)) {
    throw new UsageError(`${path}: not a kafkasim comparison (no "kind": "${COMPARE_REPORT_KIND}" with "rows")`);
  }
  const compare = data as unknown as CompareReportData;
  // Each run's report lives next to the page its row links to; every link is checked before any write.
  const runDirs = compare.rows.flatMap((row) =>
    [row?.clean, row?.unclean].flatMap((side) => linkedRunDir(dir, side?.reportHref, path) ?? []),
  );
  const written = runDirs.map(rebuildRun);
  const out = join(dir, 'index.html');
  writeWhole(out, render(path, compare, renderCompareReport));
  return [...written, out];
}

/** The fuzz index, drawn exactly as the fuzz itself draws it (summary.json is checked as merge checks it). */
function rebuildFuzz(dir: string): string {
  const summary = readSummary(dir);
  if (summary.stoppedBy === 'running')
    process.stderr.write(`kafkasim: note: ${join(dir, SUMMARY_FILE)}: ${NOT_FINISHED}; drawn as it stands\n`);
  try {
    writeFuzzIndex(dir, summary);
  } catch (e) {
    throw new UsageError(
      `${join(dir, SUMMARY_FILE)}: not a fuzz summary this kafkasim (${KAFKASIM_VERSION}) can draw: ` +
        `${(e as Error).message.split('\n')[0]}`,
    );
  }
  return join(dir, 'index.html');
}

/** Rebuilds the report(s) of one directory; returns the pages written. */
export function rebuildReports(dir: string): string[] {
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    throw new UsageError(`${dir}: no such directory`);
  }
  if (!isDir) throw new UsageError(`${dir}: not a directory`);
  if (existsSync(join(dir, 'compare.json'))) return rebuildCompare(dir);
  if (existsSync(join(dir, 'report.json'))) return [rebuildRun(dir)];
  if (existsSync(join(dir, SUMMARY_FILE))) return [rebuildFuzz(dir)];
  throw new UsageError(`${dir}: nothing to build a report from (no report.json, compare.json or summary.json)`);
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .description(
      'rebuild the HTML reports of saved results: run (report.json), compare (compare.json) or fuzz (summary.json) ' +
        'directories',
    )
    .argument('<dirs...>', 'directories written by run --out, compare or fuzz')
    .action((dirs: string[]) => {
      // Check every directory before writing anything, so a typo in the last one does not leave half done.
      for (const dir of dirs) if (!existsSync(dir)) throw new UsageError(`${dir}: no such directory`);
      for (const dir of dirs) for (const page of rebuildReports(dir)) console.log(`wrote ${page}`);
    });
}
