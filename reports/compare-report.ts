// The comparison report: clean and unclean leader election on the same seeds and the same fault
// schedules, side by side. A headline answering what unclean election buys and costs here, the totals,
// each seed's figures with links to both runs' reports, and the distributions over all seeds.
import { compareCharts } from './charts/compare-charts.ts';
import type { CompareReportData, CompareRow, CompareSide } from './compare-data.ts';
import { headline, sideTotals, type SideTotals } from './compare-summary.ts';
import { configTables } from './config-table.ts';
import { escapeHtml } from './escape.ts';
import { millis, percent, verdictText } from './format.ts';
import { Html, link, pre, table, type CellContent } from './html.ts';
import { chartDiv, renderPage, type Dataset } from './page.ts';
import { produceWords, type ProduceUnit } from './produce.ts';

export type { CompareReportData, CompareRow, CompareSide } from './compare-data.ts';

const MODES = ['clean', 'unclean'] as const;

export function renderCompareReport(data: CompareReportData): string {
  const c = sideTotals(data.rows.map((r) => r.clean));
  const u = sideTotals(data.rows.map((r) => r.unclean));
  const { charts, datasets } = compareChartsAndData(data.rows, c.unit);
  const words = produceWords(c.unit);
  const body = [
    `<header><h1>${escapeHtml(data.title)}</h1><div class="sub">${escapeHtml(data.generatedBy)}</div></header>`,
    '<nav><a href="#headline">Headline</a><a href="#seeds">Per seed</a><a href="#distributions">Distributions</a><a ' +
      'href="#configuration">Configuration</a></nav>',
    '<main>',
    `<section id="headline"><h2>What unclean leader election buys and costs here</h2><p ` +
      `class="headline">${escapeHtml(headline(data.rows))}</p>`,
    totalsTable(c, u),
    `<p class="note">Each seed ran twice on the identical fault schedule, once with ` +
      `unclean.leader.election.enable=false and once with true. ` +
      `Offline time is partition time with no live leader, summed over partitions. ` +
      `${words.latency[0].toUpperCase()}${words.latency.slice(1)} counts every completed ` +
      `${c.unit === 'transaction' ? 'transaction' : 'send'}, whatever its outcome.</p>`,
    `<h3>Command</h3>${pre(data.command).html}</section>`,
    `<section id="seeds"><h2>Per seed</h2>${seedTable(data.rows)}` +
      `${chartDiv('chart-per-seed', 'each metric per seed, clean and unclean side by side')}</section>`,
    `<section id="distributions"><h2>Distributions over all seeds</h2>` +
      chartDiv(
        'chart-distributions',
        'each metric over all seeds: box from the first to the third quartile, whiskers to the extremes, ' +
          'one dot per seed',
      ) +
      '</section>',
    `<section id="configuration"><h2>Configuration</h2>${configTables(data.config)}</section>`,
    '</main>',
  ].join('\n');
  return renderPage({ title: data.title, body, charts, datasets });
}

function totalsTable(c: SideTotals, u: SideTotals): string {
  const words = produceWords(c.unit);
  const row = (label: string, f: (t: SideTotals) => CellContent): CellContent[] => [label, f(c), f(u)];
  return table(
    ['over all seeds', 'clean election', 'unclean election'],
    [
      row('acknowledged writes lost', (t) => `${t.lostAcked} (on ${t.seedsWithLoss} of ${t.seeds} seeds)`),
      row('of which allowed by the configuration', (t) => t.lostAllowed),
      row('partition time offline', (t) => `${(t.offlineMs / 1000).toFixed(1)} s`),
      row(words.success, (t) => `${percent(t.successRate)} (${t.ok} of ${t.sends} ${words.units})`),
      row(`median p50 ${words.latency}`, (t) => millis(t.medianP50Ms)),
      row(`median p99 ${words.latency}`, (t) => millis(t.medianP99Ms)),
      row('invalid runs (findings)', (t) => `${t.invalidSeeds} of ${t.seeds}`),
      row('unclean elections', (t) => t.uncleanElections),
      row('KIP-966 last-known-leader recoveries', (t) => t.lastKnownLeaderElections),
    ],
  );
}

function sideCells(s: CompareSide): CellContent[] {
  const links = [link(s.reportHref, 'report'), link(s.reproHref, 'repro')]
    .filter((l) => l.html.startsWith('<a'))
    .map((l) => l.html);
  return [
    verdictText(s.valid),
    s.lostAcked,
    (s.offlineMs / 1000).toFixed(1),
    percent(s.produce.successRate),
    millis(s.produce.p50Ms),
    millis(s.produce.p99Ms),
    new Html(links.join(' ') || '–'),
  ];
}

function seedTable(rows: readonly CompareRow[]): string {
  const head = ['verdict', 'lost', 'offline (s)', 'success', 'p50', 'p99', 'files'];
  return table(
    ['seed', ...head.map((h) => `clean: ${h}`), ...head.map((h) => `unclean: ${h}`)],
    rows.map((r) => [String(r.seed), ...sideCells(r.clean), ...sideCells(r.unclean)]),
    new Set([2, 3, 4, 5, 6, 9, 10, 11, 12, 13]),
  );
}

/** The metrics drawn per seed and as distributions. */
function metrics(unit: ProduceUnit): [string, (s: CompareSide) => number | null][] {
  const words = produceWords(unit);
  return [
    ['acked writes lost', (s) => s.lostAcked],
    ['offline (s)', (s) => s.offlineMs / 1000],
    [
      `${unit === 'transaction' ? 'commit' : 'produce success'} (%)`,
      (s) => (s.produce.successRate === null ? null : Math.round(s.produce.successRate * 1000) / 10),
    ],
    [`p50 ${words.latency} (ms)`, (s) => s.produce.p50Ms],
    [`p99 ${words.latency} (ms)`, (s) => s.produce.p99Ms],
  ];
}

function compareChartsAndData(
  rows: readonly CompareRow[],
  unit: ProduceUnit,
): {
  charts: ReturnType<typeof compareCharts>;
  datasets: Record<string, Dataset>;
} {
  const METRICS = metrics(unit);
  const values: Dataset = { fields: ['seed', 'mode', 'metric', 'value'], rows: [] };
  for (const r of rows) {
    for (const mode of MODES) {
      for (const [metric, f] of METRICS) {
        const v = f(r[mode]);
        if (v !== null) values.rows.push([String(r.seed), mode, metric, v]);
      }
    }
  }
  return { charts: compareCharts(METRICS.map(([m]) => m)), datasets: { values } };
}
