// The index of a fuzz (or of merged shards): how many runs ended in each verdict, which anomaly kinds
// were found and how often, a chart of the findings, and a link to every failing seed's report and repro.
import type { Validity } from '../checkers/result.ts';
import { escapeHtml } from './escape.ts';
import { verdictText } from './format.ts';
import { code, link, table, type CellContent } from './html.ts';
import { chartDiv, renderPage, type Chart, type Dataset } from './page.ts';
import { probesSection, type ProbeView } from './probes.ts';

export interface FuzzRun {
  seed: number | string;
  valid: Validity;
  anomalies: Record<string, number>;
  wallMs: number;
  events: number;
  /** Links relative to the index page. */
  reportHref?: string;
  reproHref?: string;
  /** The run crashed the harness instead of finishing: what it threw. */
  error?: string;
  /** What makes the run worth a look besides its verdict (e.g. "nondeterminism", "harness-crash"). */
  findings?: string[];
  /** The first finding's cause in one sentence (reports/account.ts). */
  cause?: string;
  /**
   * What the configuration allowed (not findings): instances by anomaly name, acknowledged writes lost by cause.
   */
  allowed?: { anomalies: Record<string, number>; lostByCause: Record<string, number> };
}

export interface FuzzTotals {
  runs: number;
  valid: number;
  invalid: number;
  unknown: number;
  errors: number;
  /** Per anomaly kind: the runs that found it, and the anomalies found in all. */
  anomalies: Record<string, { runs: number; count: number }>;
  /** What the configuration allowed: runs with any, acknowledged writes lost by cause, and per anomaly kind. */
  allowed?: {
    runs: number;
    lostByCause: Record<string, number>;
    anomalies: Record<string, { runs: number; count: number }>;
  };
  wallMs: number;
  events: number;
}

export interface FuzzIndexData {
  title: string;
  generatedBy: string;
  runs: FuzzRun[];
  /** Computed from `runs` when absent. */
  totals?: FuzzTotals;
  /** Wall seconds from the fuzz's start to its end (or to now), as measured; per-seed times overlap. */
  elapsedSeconds?: number;
  /** False while the fuzz is still running (the index is rewritten as seeds finish). */
  finished?: boolean;
  /** Coverage probes summed over the seeds (absent: not counted). */
  probes?: ProbeView[];
}

/** Rows listed in the table of all runs; a long fuzz lists its failing runs in full and counts the rest. */
const ALL_RUNS_LISTED = 2000;

export function fuzzTotals(runs: readonly FuzzRun[]): FuzzTotals {
  const t: FuzzTotals = {
    runs: runs.length,
    valid: 0,
    invalid: 0,
    unknown: 0,
    errors: 0,
    anomalies: {},
    allowed: { runs: 0, lostByCause: {}, anomalies: {} },
    wallMs: 0,
    events: 0,
  };
  const allowed = t.allowed ?? { runs: 0, lostByCause: {}, anomalies: {} };
  for (const r of runs) {
    if (r.error !== undefined) t.errors++;
    else if (r.valid === true) t.valid++;
    else if (r.valid === false) t.invalid++;
    else t.unknown++;
    t.wallMs += r.wallMs;
    t.events += r.events;
    for (const [name, count] of Object.entries(r.anomalies)) {
      const a = (t.anomalies[name] ??= { runs: 0, count: 0 });
      a.runs++;
      a.count += count;
    }
    if (r.allowed === undefined) continue;
    allowed.runs++;
    for (const [cause, n] of Object.entries(r.allowed.lostByCause))
      allowed.lostByCause[cause] = (allowed.lostByCause[cause] ?? 0) + n;
    for (const [name, count] of Object.entries(r.allowed.anomalies)) {
      const a = (allowed.anomalies[name] ??= { runs: 0, count: 0 });
      a.runs++;
      a.count += count;
    }
  }
  return t;
}

/** Whether a run is a finding: an anomaly, an unknown verdict, or an error. */
export function isFailing(r: FuzzRun): boolean {
  return r.error !== undefined || r.valid !== true || (r.findings?.length ?? 0) > 0;
}

function verdictOf(r: FuzzRun): string {
  return r.error !== undefined ? 'error' : verdictText(r.valid);
}

function runRow(r: FuzzRun): CellContent[] {
  const anomalies = Object.entries(r.anomalies).length === 0 ? '' : anomalyList(r);
  const findings = (r.findings ?? []).filter((f) => f !== 'anomaly').join(', ');
  return [
    String(r.seed),
    verdictOf(r),
    anomalies || null,
    allowedList(r) || null,
    findings || null,
    r.error === undefined ? null : code(r.error),
    r.wallMs,
    r.events,
    link(r.reportHref, r.reportHref === undefined ? '–' : 'report'),
    link(r.reproHref, r.reproHref === undefined ? '–' : 'repro'),
  ];
}

/** A failing seed: its cause in one line, then how to replay and shrink it, then its row. */
function failingSeed(r: FuzzRun): string {
  const cause =
    r.cause ?? (r.error !== undefined ? `The harness crashed: ${r.error}` : `${verdictOf(r)}: ${anomalyList(r)}`);
  const commands =
    r.reproHref === undefined
      ? ''
      : `<pre>npx kafkasim replay ${escapeHtml(r.reproHref)}\nnpx kafkasim shrink ${escapeHtml(r.reproHref)}</pre>`;
  return (
    `<div class="failing-seed"><h3>seed ${escapeHtml(String(r.seed))}</h3><p class="cause">${escapeHtml(cause)}</p>` +
    `${commands}${table(RUN_HEADERS, [runRow(r)], new Set([6, 7]))}</div>`
  );
}

function anomalyList(r: FuzzRun): string {
  return (
    Object.entries(r.anomalies)
      .map(([k, v]) => `${k}×${v}`)
      .join(', ') || 'no anomaly'
  );
}

/** "power-loss 12, last-known-leader 3": acknowledged writes lost as the configuration allows, by cause. */
function allowedList(r: FuzzRun): string {
  if (r.allowed === undefined) return '';
  const causes = Object.entries(r.allowed.lostByCause).map(([k, v]) => `${k} ${v}`);
  if (causes.length > 0) return `lost: ${causes.join(', ')}`;
  return Object.entries(r.allowed.anomalies)
    .map(([k, v]) => `${k}×${v}`)
    .join(', ');
}

/** Allowed losses over the fuzz: not findings, told apart from them. */
function allowedSummary(t: FuzzTotals): string {
  const a = t.allowed;
  if (a === undefined || a.runs === 0) return '<p>No loss the configuration allows in any run.</p>';
  const causes = Object.entries(a.lostByCause).sort((x, y) => y[1] - x[1]);
  const lost = causes.reduce((n, [, c]) => n + c, 0);
  return (
    `<h3>Allowed by the configuration (not findings)</h3><p>${a.runs} run${a.runs === 1 ? '' : 's'} lost what the ` +
    `configuration under test permits, each cause checked against the replicas` +
    `${lost > 0 ? `: ${lost.toLocaleString('en')} acknowledged writes in all` : ''}. <code>--strict</code> makes ` +
    `these findings.</p>` +
    (causes.length === 0
      ? ''
      : table(
          ['cause', 'acknowledged writes lost'],
          causes.map(([k, n]) => [k, n]),
          new Set([1]),
        )) +
    table(
      ['allowed anomaly', 'runs', 'in all'],
      Object.entries(a.anomalies)
        .sort(([x], [y]) => (x < y ? -1 : 1))
        .map(([k, v]) => [k, v.runs, v.count]),
      new Set([1, 2]),
    )
  );
}

const RUN_HEADERS = [
  'seed',
  'verdict',
  'anomalies',
  'allowed',
  'other findings',
  'error',
  'wall ms',
  'events',
  'report',
  'repro',
];

export function renderFuzzIndex(data: FuzzIndexData): string {
  const t = data.totals ?? fuzzTotals(data.runs);
  const failing = data.runs.filter(isFailing);
  const finished = data.finished ?? true;
  const kinds = Object.entries(t.anomalies).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const verdicts: [string, number][] = [
    ['valid', t.valid],
    ['INVALID', t.invalid],
    ['unknown', t.unknown],
    ['error', t.errors],
  ];
  const datasets: Record<string, Dataset> = {
    verdicts: { fields: ['verdict', 'runs'], rows: verdicts.map(([v, n]) => [v, n]) },
    kinds: { fields: ['anomaly', 'runs', 'count'], rows: kinds.map(([k, a]) => [k, a.runs, a.count]) },
    findings: { fields: ['run', 'failing'], rows: cumulative(data.runs) },
  };
  const charts: Chart[] = [
    { id: 'chart-verdicts', spec: verdictChart(), uses: ['verdicts'] },
    { id: 'chart-kinds', spec: kindsChart(), uses: ['kinds'] },
    { id: 'chart-findings', spec: findingsChart(), uses: ['findings'] },
  ];
  const listed = data.runs.slice(0, ALL_RUNS_LISTED);
  const more =
    data.runs.length > listed.length
      ? `<p class="note">The first ${listed.length} of ${data.runs.length} runs.</p>`
      : '';
  const body = [
    `<header><h1>${escapeHtml(data.title)}</h1><div class="sub">${escapeHtml(data.generatedBy)}</div></header>`,
    '<nav><a href="#summary">Summary</a><a href="#findings">Findings</a><a href="#failing">Failing seeds</a><a ' +
      `href="#all">All runs</a>${data.probes === undefined ? '' : '<a href="#probes">Coverage probes</a>'}</nav>`,
    '<main>',
    `<section id="summary"><h2>Summary</h2>${table(
      ['runs', 'valid', 'INVALID', 'unknown', 'error', 'events', 'elapsed', 'seed time, summed'],
      [
        [
          t.runs,
          t.valid,
          t.invalid,
          t.unknown,
          t.errors,
          t.events.toLocaleString('en'),
          data.elapsedSeconds === undefined ? '–' : `${data.elapsedSeconds.toFixed(1)} s${finished ? '' : ' so far'}`,
          `${(t.wallMs / 1000).toFixed(1)} s`,
        ],
      ],
      new Set([0, 1, 2, 3, 4, 5, 6, 7]),
    )}`,
    kinds.length === 0
      ? '<p>No anomaly in any run.</p>'
      : table(
          ['anomaly', 'runs that found it', 'found in all'],
          kinds.map(([k, a]) => [k, a.runs, a.count]),
          new Set([1, 2]),
        ),
    allowedSummary(t),
    '</section>',
    '<section id="findings"><h2>Findings</h2><div style="display:flex;gap:24px;flex-wrap:wrap">' +
      chartDiv('chart-verdicts', 'runs by verdict') +
      `${chartDiv('chart-kinds', 'runs that found each anomaly kind')}</div>` +
      chartDiv('chart-findings', `failing runs after each run, in the order listed${finished ? '' : ' (running)'}`) +
      '</section>',
    `<section id="failing"><h2>Failing seeds (${failing.length})</h2>` +
      (failing.length === 0 ? '<p>None: every run was valid.</p>' : failing.map(failingSeed).join('\n')) +
      '</section>',
    `<section id="all"><h2>All runs</h2>${more}<details><summary>${listed.length} runs</summary>${table(
      RUN_HEADERS,
      listed.map(runRow),
      new Set([6, 7]),
      (i) => (isFailing(listed[i]) ? 'op-fail' : ''),
    )}</details></section>`,
    data.probes === undefined
      ? ''
      : `<section id="probes"><h2>Coverage probes</h2>${probesSection(data.probes, `${data.runs.length} seeds`)}` +
        '</section>',
    '</main>',
  ].join('\n');
  return renderPage({ title: data.title, body, charts, datasets });
}

/** Failing runs so far after each run, at most ~500 points (always the last). */
function cumulative(runs: readonly FuzzRun[]): [number, number][] {
  const step = Math.max(1, Math.ceil(runs.length / 500));
  const out: [number, number][] = [[0, 0]];
  let failing = 0;
  runs.forEach((r, i) => {
    if (isFailing(r)) failing++;
    if ((i + 1) % step === 0 || i === runs.length - 1) out.push([i + 1, failing]);
  });
  return out;
}

const VERDICT_SCALE = {
  domain: ['valid', 'INVALID', 'unknown', 'error'],
  range: ['#1e8449', '#c0392b', '#7f8c8d', '#8e44ad'],
};

function verdictChart(): Chart['spec'] {
  return {
    width: 260,
    height: 180,
    data: { name: 'verdicts' },
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'verdict', type: 'nominal', sort: VERDICT_SCALE.domain, title: null, axis: { labelAngle: 0 } },
      y: { field: 'runs', type: 'quantitative', axis: { tickMinStep: 1, format: 'd' } },
      color: { field: 'verdict', type: 'nominal', scale: VERDICT_SCALE, legend: null },
      tooltip: [{ field: 'verdict' }, { field: 'runs' }],
    },
  };
}

function kindsChart(): Chart['spec'] {
  return {
    width: 420,
    height: { step: 22 },
    data: { name: 'kinds' },
    mark: { type: 'bar', color: '#c0392b' },
    encoding: {
      y: { field: 'anomaly', type: 'nominal', sort: '-x', title: null },
      x: { field: 'runs', type: 'quantitative', title: 'runs that found it', axis: { tickMinStep: 1, format: 'd' } },
      tooltip: [{ field: 'anomaly' }, { field: 'runs' }, { field: 'count', title: 'found in all' }],
    },
  };
}

function findingsChart(): Chart['spec'] {
  return {
    width: 760,
    height: 160,
    data: { name: 'findings' },
    mark: { type: 'line', interpolate: 'step-after', color: '#c0392b' },
    encoding: {
      x: { field: 'run', type: 'quantitative', title: 'runs', scale: { nice: false } },
      y: { field: 'failing', type: 'quantitative', title: 'failing runs', axis: { tickMinStep: 1, format: 'd' } },
    },
  };
}
