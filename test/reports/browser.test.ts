// Each kind of report opened in a real headless Chromium: no console error, no request beyond the file
// itself, every chart rendered, no planted script run; a screenshot of each kind is saved under
// test-output/screenshots/. Skipped, saying why, when /usr/bin/chromium is absent.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRepro, reproRunOptions } from '../../harness/index.ts';
import { compareSideFrom, runReportData, writeRunReport } from '../../harness/report-data.ts';
import { runOnce } from '../../harness/run.ts';
import { COMPARE_REPORT_KIND, type CompareRow } from '../../reports/compare-data.ts';
import { renderCompareReport } from '../../reports/compare-report.ts';
import { renderFuzzIndex, type FuzzRun } from '../../reports/fuzz-index.ts';
import { HAVE_CHROMIUM, launch, NO_CHROMIUM_MESSAGE, visit, type PageVisit } from '../helpers/browser.ts';
import { HOSTILE, hostileRunReport, linearizabilityReport } from '../helpers/report-fixtures.ts';
import { repoRoot } from '../helpers/paths.ts';

const screenshots = resolve(repoRoot, 'test-output/screenshots');

if (!HAVE_CHROMIUM) console.warn(NO_CHROMIUM_MESSAGE);

function expectClean(v: PageVisit, file: string, charts: number): void {
  expect(v.errors).toEqual([]);
  expect(v.requests).toEqual([`file://${file}`]);
  expect(v.chartsState).toBe('done');
  expect(v.charts).toHaveLength(charts);
  for (const c of v.charts) expect(c, c.id).toMatchObject({ rendered: 'true', drawn: true });
  expect(v.pwned).toBeNull();
}

describe.skipIf(!HAVE_CHROMIUM)('reports in Chromium', () => {
  let browser: Browser;
  const dir = mkdtempSync(join(tmpdir(), 'kafkasim-reports-'));

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('draws a run report, its anomalies and hostile strings as text', async () => {
    const data = hostileRunReport();
    writeRunReport(join(dir, 'run'), data);
    const file = join(dir, 'run', 'index.html');
    const v = await visit(browser, file, join(screenshots, 'run-report.png'));
    // faults, latency, latency quantiles, throughput, one per partition, health, the KRaft quorum, timeline
    const drawn =
      (data.faults.length > 0 ? 1 : 0) +
      ((data.throughput.quantiles ?? []).length > 0 ? 1 : 0) +
      (data.kraft === undefined ? 0 : 1);
    expectClean(v, file, 4 + drawn + data.partitions.length);
    expect(v.text).toContain(HOSTILE);
    expect(v.text).toContain('replicas that had it');
  });

  it("opens a failing run's report with its cause, on the first screen, and logs nothing", async () => {
    const run = runOnce(reproRunOptions(readRepro(join(repoRoot, 'examples/bugfind/bug-01.min.json'))));
    writeRunReport(join(dir, 'failing'), runReportData(run.output, run.result, 'npx kafkasim replay repro.json'));
    const file = join(dir, 'failing', 'index.html');
    const v = await visit(browser, file, join(screenshots, 'failing-run-report.png'));
    expect(v.errors).toEqual([]);
    expect(v.messages).toEqual([]);
    const lost = run.result.checkers.flatMap((c) => c.anomalies).find((a) => a.name === 'acked-write-lost');
    expect(v.account?.text).toContain(`INVALID. ${lost?.examples[0].description ?? '(no loss)'}`);
    // Within the first screen of a 900 px window, under the title and the section links.
    expect(v.account?.top).toBeLessThan(600);
  });

  it("opens a valid run's report with what it survived, and logs nothing", async () => {
    const run = runOnce({ seed: 42, timeSeconds: 20 });
    expect(run.result.valid).toBe(true);
    writeRunReport(join(dir, 'valid'), runReportData(run.output, run.result, 'npx kafkasim run --seed 42'));
    const file = join(dir, 'valid', 'index.html');
    const v = await visit(browser, file, join(screenshots, 'valid-run-report.png'));
    expect(v.errors).toEqual([]);
    expect(v.messages).toEqual([]);
    expect(v.account?.text).toMatch(/^Valid\. [\d,]+ acknowledged writes? kept through \d+ faults? \(/);
    // The default release runs KRaft: the quorum view is drawn.
    expect(run.test.cluster.metadata).toBe('kraft');
    expect(v.charts.find((c) => c.id === 'chart-kraft')).toMatchObject({ rendered: 'true', drawn: true });
    expect(v.text).toMatch(/KRaft quorum[\s\S]*\d+ elections? \(epochs? [\d, ]+\)/);
    // Every chart's time axis starts at the same left edge (within a pixel of rounding).
    const lefts = v.charts.map((c) => c.plotLeft);
    expect(lefts.every((l) => l > 0)).toBe(true);
    expect(Math.max(...lefts) - Math.min(...lefts), JSON.stringify(v.charts)).toBeLessThanOrEqual(1);
  });

  it('draws the transactions and the consumer group generations of a txn run that subscribes', async () => {
    const run = runOnce({ seed: 7, timeSeconds: 20, workloadKind: 'txn', consumerMode: 'subscribe' });
    const data = runReportData(run.output, run.result, 'npx kafkasim run --seed 7 --workload txn');
    expect(data.transactions?.counts.ok).toBeGreaterThan(0);
    expect(data.groups?.generations.length).toBeGreaterThan(0);
    writeRunReport(join(dir, 'txn'), data);
    const file = join(dir, 'txn', 'index.html');
    const v = await visit(browser, file, join(screenshots, 'txn-run-report.png'));
    expect(v.errors).toEqual([]);
    expect(v.messages).toEqual([]);
    expect(v.chartsState).toBe('done');
    for (const id of ['chart-txns', 'chart-groups'])
      expect(
        v.charts.find((c) => c.id === id),
        id,
      ).toMatchObject({ rendered: 'true', drawn: true });
    expect(v.text).toMatch(/Transactions[\s\S]*Consumer groups/);
  });

  it("fits a phone: the failing report's page does not scroll sideways at 390 px", async () => {
    const phone = { width: 390, height: 844 };
    const run = await visit(browser, join(dir, 'failing', 'index.html'), join(screenshots, 'phone-run.png'), phone);
    expect(run.errors).toEqual([]);
    expect(run.pageWidth).toBeLessThanOrEqual(390);
    expect(run.account?.top).toBeLessThan(844);
  });

  it('draws the longest linearizable prefix and the op that cannot be placed, with no cluster charts', async () => {
    const data = linearizabilityReport();
    // Every op of the prefix carries the model's state after it, as Porcupine shows on hover.
    const linearized = data.linearizability[0].ops.filter((o) => o.role === 'linearized');
    expect(linearized.length).toBeGreaterThan(0);
    for (const o of linearized) expect(o.stateAfter, `op ${o.index}`).not.toBeNull();
    writeRunReport(join(dir, 'linear'), data);
    const file = join(dir, 'linear', 'index.html');
    const v = await visit(browser, file, join(screenshots, 'linearizability-report.png'));
    // latency, latency quantiles, throughput, timeline, and the linearizability chart; no cluster charts
    expectClean(v, file, 4 + 1);
    expect(v.messages).toEqual([]);
    expect(v.text).toContain('cannot be placed');
    expect(v.text).toContain('state after');
    expect(v.text).toMatch(/longest linearizable prefix\s+2 operations/);
  });

  it('draws a comparison of clean and unclean election', async () => {
    const rows: CompareRow[] = [];
    for (const seed of [8, 9]) {
      const clean = runOnce({ seed, nemesis: ['partition', 'kill', 'pause'], timeSeconds: 20 });
      const unclean = runOnce({
        seed,
        unclean: true,
        nemesis: ['partition', 'kill', 'pause'],
        timeSeconds: 20,
        schedule: clean.output.schedule,
      });
      rows.push({
        seed,
        clean: compareSideFrom(clean, { reportHref: `seed-${seed}/clean/index.html` }),
        unclean: compareSideFrom(unclean),
      });
    }
    const file = join(dir, 'compare.html');
    writeFileSync(
      file,
      renderCompareReport({
        kind: COMPARE_REPORT_KIND,
        formatVersion: 1,
        title: `compare ${HOSTILE}`,
        generatedBy: 'test',
        command: 'npx kafkasim compare --seeds 2',
        config: { seed: 8 },
        rows,
      }),
    );
    const v = await visit(browser, file, join(screenshots, 'compare-report.png'));
    expectClean(v, file, 2);
    expect(v.text).toMatch(/unclean leader election .* (bought|cost)/);
  });

  it('draws a fuzz index with links to the failing seeds', async () => {
    const runs: FuzzRun[] = Array.from({ length: 300 }, (_, i) => ({
      seed: i,
      valid: i % 17 === 0 ? false : i === 50 ? 'unknown' : true,
      anomalies:
        i % 17 === 0 ? { 'acked-write-lost': 1 + (i % 5), ...(i % 34 === 0 ? { 'inconsistent-offsets': 2 } : {}) } : {},
      wallMs: 200 + (i % 50),
      events: 9000 + i,
      ...(i % 17 === 0 ? { reportHref: `seeds/${i}/index.html`, reproHref: `seeds/${i}/repro.json` } : {}),
    }));
    runs.push({
      seed: HOSTILE,
      valid: 'unknown',
      anomalies: {},
      wallMs: 1,
      events: 0,
      error: HOSTILE,
      findings: ['harness-crash'],
      reportHref: 'javascript:window.__pwned=3',
    });
    const file = join(dir, 'fuzz.html');
    writeFileSync(file, renderFuzzIndex({ title: 'fuzz of 301 seeds', generatedBy: 'test', runs }));
    const v = await visit(browser, file, join(screenshots, 'fuzz-index.png'));
    expectClean(v, file, 3);
    expect(v.text).toMatch(/Failing seeds \(20\)/);
    expect(v.text).toContain(HOSTILE);
  });
});
