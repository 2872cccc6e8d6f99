// A run's report: one self-contained HTML page explaining the run without the terminal. What happened,
// first (account.ts: the first finding's cause, or what the run survived); the summary (verdict, seed,
// replay command, anomaly counts, the configuration folded), each anomaly with its ops and facts, causes first,
// latency and throughput with the faults shaded, each partition's leaders, ISR, HW and LEOs, Kafka's
// health metrics, the timeline of ops per process and, for a non-linearizable history, the longest
// linearizable prefix and the op that could not be placed.
import { accountOf, causeFirst, type Account } from './account.ts';
import type { ReportAnomaly } from './anomalies.ts';
import { healthChart } from './charts/health-chart.ts';
import { kraftChart } from './charts/kraft-chart.ts';
import { linearChart } from './charts/linear-chart.ts';
import { latencyChart, quantilesChart, throughputChart, timelineChart } from './charts/ops-charts.ts';
import { partitionChart } from './charts/partition-charts.ts';
import { groupChart, txnChart } from './charts/txn-chart.ts';
import type { GroupView } from './group-view.ts';
import type { TxnView } from './txn-view.ts';
import { faultLanesChart, sec, withSharedLeftEdge } from './charts/common.ts';
import { configTables } from './config-table.ts';
import { escapeHtml } from './escape.ts';
import { seconds, verdictClass, verdictText } from './format.ts';
import { Html, kvTable, opsTable, pre, table, type CellContent } from './html.ts';
import type { KraftView } from './kraft-view.ts';
import type { LinearizabilityView } from './linearizability.ts';
import { chartDiv, renderPage, type Chart } from './page.ts';
import { probesSection } from './probes.ts';
import type { RunReportData } from './run-data.ts';
import { runDatasets } from './run-datasets.ts';

export type { RunReportData } from './run-data.ts';

const USES_OPS = ['ops', 'faults'];
/** Anomaly examples shown unfolded; the others are one click away. */
const EXAMPLES_OPEN = 2;

export function renderRunReport(data: RunReportData): string {
  const endS = sec(data.endMs);
  const charts: Chart[] = [];
  const chart = (id: string, spec: Chart['spec'], uses: string[], caption?: string): string => {
    charts.push({ id, spec: withSharedLeftEdge(spec), uses });
    return chartDiv(id, caption);
  };
  const processes = new Set(data.ops.rows.map((r) => r.process)).size;
  const brokers = [
    ...new Set(
      data.partitions.flatMap((t) => [
        ...t.leaders.filter((l) => l.leader >= 0).map((l) => l.leader),
        ...t.logEndOffsets.map((l) => l.broker),
      ]),
    ),
  ].sort((a, b) => a - b);
  const sampled = data.ops.rows.length < data.ops.total;
  const sampleNote = sampled
    ? `Showing ${data.ops.rows.length.toLocaleString('en')} of ${data.ops.total.toLocaleString('en')} ops: sampled ` +
      `evenly over the run, every op named by an anomaly kept.`
    : `All ${data.ops.total.toLocaleString('en')} client ops.`;

  const sections: [string, string, string][] = [];
  sections.push(['what-happened', 'What happened', whatHappened(runAccount(data), data.valid)]);
  sections.push(['summary', 'Summary', summary(data)]);
  sections.push(['anomalies', 'Anomalies', anomalies(causeFirst(data.anomalies))]);
  if ((data.allowed ?? []).length > 0) {
    sections.push(['allowed', 'Allowed by the configuration', allowedSection(data)]);
  }
  if (data.linearizability.length > 0) {
    sections.push([
      'linearizability',
      'Linearizability',
      data.linearizability
        .map((v, i) => linearSection(v, chart(`chart-linear-${i}`, linearChart(i), ['linear'])))
        .join('\n'),
    ]);
  }
  sections.push([
    'latency',
    'Faults, latency and throughput',
    `<p class="note">Each nemesis fault on a lane named by its kind and the nodes it hit, over the time it was ` +
      `active; the same faults are shaded grey behind the charts below (on a partition's charts, only those ` +
      `that hit its replicas). Then every client op by the time it was invoked; ok blue, fail pink, info ` +
      `(outcome unknown) orange, as Jepsen draws them. Ops named by an anomaly are ringed in red. ` +
      `${escapeHtml(sampleNote)}</p>` +
      (data.faults.length === 0
        ? '<p>No fault was injected.</p>'
        : chart('chart-faults', faultLanesChart(endS), ['faults'], 'faults, one lane per kind and targets')) +
      chart('chart-latency', latencyChart(endS), USES_OPS, 'latency of each op (log scale), shape by operation') +
      // No completed op, no quantile: an empty log-scale chart would only warn in the console.
      ((data.throughput.quantiles ?? []).length === 0
        ? ''
        : chart(
            'chart-quantiles',
            quantilesChart(endS),
            ['quantiles', 'faults'],
            `latency quantiles per operation, in ${data.throughput.bucketMs / 1000} s buckets (all completed ops)`,
          )) +
      chart(
        'chart-throughput',
        throughputChart(endS),
        ['throughput', 'faults'],
        `completions per second by operation (dash) and outcome (colour), in ${data.throughput.bucketMs / 1000} s ` +
          'buckets (all ops)',
      ),
  ]);
  // A history checked from a file (`check`) has no cluster behind it: no partition or health charts, which
  // would be empty (and Vega warns about empty scales in the console).
  const cluster = data.partitions.some((t) => t.isrSize.length > 0 || t.logEndOffsets.length > 0);
  const shownPartitions =
    data.partitions.length < data.partitionCount
      ? `<p class="note">Showing the first ${data.partitions.length} of ${data.partitionCount} partitions.</p>`
      : '';
  if (cluster)
    sections.push([
      'partitions',
      'Partitions',
      `<p class="note">For each partition: the broker leading it over time (red: no live leader), the ISR size, and ` +
        `the leader's high watermark (thick) ` +
        `against each replica's log end offset. Vertical rules are leader elections: grey dashed clean, red solid ` +
        `unclean.</p>${shownPartitions}` +
        data.partitions
          .map((t) =>
            chart(`chart-partition-${t.partition}`, partitionChart(t.partition, endS, brokers), [
              'leaders',
              'isr',
              'offsets',
              'elections',
              'faults',
            ]),
          )
          .join('\n'),
    ]);
  if (cluster)
    sections.push([
      'health',
      'Kafka health metrics',
      `<p class="note">As a Kafka operator graphs them, computed from the replicas' reports. ` +
        `UnderReplicatedPartitions: partitions whose leader has fewer in-sync ` +
        `replicas than the replication factor (${data.replicationFactor}). OfflinePartitionsCount: partitions the ` +
        `controller has no leader for; the dashed line also ` +
        `counts partitions whose leader has stopped before the controller noticed. IsrShrinksPerSec / ` +
        `IsrExpandsPerSec: ISR changes written by leaders, in ` +
        `${data.health.bucketMs / 1000} s buckets. MaxLag: the most records any running follower is behind its ` +
        `leader. ActiveControllerCount: brokers that believe ` +
        `they are the controller (more than one: a zombie).</p>` +
        chart('chart-health', healthChart(endS), ['health', 'faults']),
    ]);
  if (data.kraft !== undefined) sections.push(['kraft', 'KRaft quorum', kraftSection(data.kraft, chart, endS)]);
  if (data.transactions !== undefined)
    sections.push(['transactions', 'Transactions', txnSection(data.transactions, chart, endS)]);
  if (data.groups !== undefined) sections.push(['groups', 'Consumer groups', groupSection(data.groups, chart, endS)]);
  sections.push([
    'timeline',
    'Timeline',
    `<p class="note">Each client process's ops from invocation to completion, as in Jepsen's timeline. ` +
      `${escapeHtml(sampleNote)}</p>` +
      chart('chart-timeline', timelineChart(endS, processes), USES_OPS),
  ]);

  if (data.probes !== undefined) sections.push(['probes', 'Coverage probes', probesSection(data.probes, 'this run')]);

  const nav = sections.map(([id, title]) => `<a href="#${id}">${escapeHtml(title)}</a>`).join('');
  const body = [
    `<header><h1>${escapeHtml(data.title)}</h1><div class="sub"><span class="verdict ` +
      `${verdictClass(data.valid)}">${verdictText(data.valid)}</span> ` +
      `seed ${escapeHtml(String(data.seed))} · ${escapeHtml(data.generatedBy)}</div></header>`,
    `<nav>${nav}</nav>`,
    '<main>',
    ...sections.map(([id, title, html]) => `<section id="${id}"><h2>${escapeHtml(title)}</h2>\n${html}\n</section>`),
    '</main>',
  ].join('\n');
  return renderPage({ title: data.title, body, charts, datasets: runDatasets(data) });
}

/** The run's account (account.ts) from its report data. */
export function runAccount(data: RunReportData): Account {
  return accountOf({
    valid: data.valid,
    anomalies: data.anomalies.map((a) => ({ name: a.name, count: a.count, firstExample: a.examples[0]?.description })),
    stats: data.stats,
    faultKinds: data.faults.map((f) => f.kind),
    allowed: {
      anomalies: (data.allowed ?? []).map((a) => ({
        name: a.name,
        count: a.count,
        firstExample: a.examples[0]?.description,
      })),
      lostByCause: data.lostByCause ?? {},
    },
  });
}

function anomalyLink(name: string): string {
  return `<a href="#anomaly-${escapeHtml(slug(name))}">${escapeHtml(name)}</a>`;
}

function whatHappened(account: Account, valid: RunReportData['valid']): string {
  const evidence =
    account.lead === undefined ? '' : ` <span class="note">Evidence: ${anomalyLink(account.lead)}.</span>`;
  const also =
    account.alsoFound.length === 0
      ? ''
      : `<p>Also found: ${account.alsoFound.map((item) => escapeHtml(item)).join(', ')}.</p>`;
  const allowed =
    account.allowed === '' || valid === true
      ? ''
      : `<p>Allowed by the configuration (<a href="#allowed">not findings</a>): ${escapeHtml(account.allowed)}.</p>`;
  return `<p class="account ${verdictClass(valid)}">${escapeHtml(account.headline)}${evidence}</p>${also}${allowed}`;
}

function summary(data: RunReportData): string {
  const s = data.stats;
  const rows: [string, CellContent][] = [
    ['verdict', new Html(`<span class="verdict ${verdictClass(data.valid)}">${verdictText(data.valid)}</span>`)],
    ['seed', String(data.seed)],
    ['replay', pre(data.replayCommand)],
    ['history hash', data.historyHash],
  ];
  if (data.swarm !== null) rows.push(['swarm', data.swarm]);
  const stat = (label: string, key: string, format: (n: number) => string = (n) => n.toLocaleString('en')): void => {
    if (typeof s[key] === 'number') rows.push([label, format(s[key])]);
  };
  stat('ops', 'ops');
  stat('acknowledged writes', 'acked');
  stat('acknowledged writes lost', 'lost');
  stat('of which allowed by the configuration', 'lostAllowed');
  stat('partition time offline', 'unavailableMs', (n) => `${seconds(n)} (summed over partitions)`);
  stat('events', 'events');
  stat('simulated time', 'simSeconds', (n) => `${n.toFixed(1)} s`);
  stat('wall time', 'wallMs', (n) => `${n} ms`);
  if (data.finalReadsMs !== null) rows.push(['final phase from', seconds(data.finalReadsMs)]);
  const counts = causeFirst(Object.entries(data.anomalyCounts).map(([name, count]) => ({ name, count }))).map(
    (a): [string, number] => [a.name, a.count],
  );
  const anomalyTable =
    counts.length === 0
      ? '<p>No anomalies.</p>'
      : table(
          ['anomaly', 'count'],
          counts.map(([k, v]) => [new Html(anomalyLink(k)), v]),
          new Set([1]),
        );
  return (
    `${kvTable(rows)}\n<h3>Anomaly counts</h3>\n${anomalyTable}\n` +
    `<details class="config-fold"><summary><b>Configuration</b> (Kafka's keys)</summary>\n` +
    `${configTables(data.config)}</details>`
  );
}

function byCauseText(byCause: Record<string, number> | undefined): string {
  if (byCause === undefined) return '';
  const parts = Object.entries(byCause).map(([cause, n]) => `${cause} ${n}`);
  return parts.length === 0 ? '' : `; by cause: ${parts.join(', ')}`;
}

function slug(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, '_');
}

function anomalies(list: readonly ReportAnomaly[], idPrefix = ''): string {
  if (list.length === 0) return '<p>No anomalies: every checker found the history valid.</p>';
  return list
    .map((a) => {
      const examples = a.examples
        .map((ex, i) => {
          const facts =
            ex.facts.length === 0
              ? ''
              : kvTable(
                  ex.facts.map((f): [string, CellContent] => [f.label, f.text.includes('\n') ? pre(f.text) : f.text]),
                  'kv facts',
                );
          // The first examples open, the rest folded: a run can have dozens of examples with many ops each.
          return (
            `<details class="example"${i < EXAMPLES_OPEN ? ' open' : ''}><summary><b>Example ${i + 1}.</b> ` +
            `${escapeHtml(ex.description)}</summary>` +
            `${facts}${ex.ops.length > 0 ? opsTable(ex.ops) : ''}</details>`
          );
        })
        .join('\n');
      const more = a.count > a.examples.length ? `<p class="note">${a.examples.length} of ${a.count} shown.</p>` : '';
      return (
        `<div class="anomaly" id="${idPrefix}anomaly-${escapeHtml(slug(a.name))}"><h3>${escapeHtml(a.name)} × ` +
        `${a.count} <span class="note">(${escapeHtml(a.checker)} checker${byCauseText(a.byCause)})</span></h3>` +
        `<p>${escapeHtml(a.explanation)}</p>${examples}${more}</div>`
      );
    })
    .join('\n');
}

/** The losses the configuration allows: not findings, each with its cause checked against the replicas. */
function allowedSection(data: RunReportData): string {
  const causes = Object.entries(data.lostByCause ?? {});
  const table =
    causes.length === 0
      ? ''
      : kvTable(
          causes.map(([cause, n]): [string, CellContent] => [
            cause,
            `${n.toLocaleString('en')} acknowledged writes lost`,
          ]),
        );
  return (
    `<p>What Kafka's configuration here permits it to lose, so not findings (<code>--strict</code> makes them ` +
    `findings, as Jepsen judges). Each instance's cause was checked against the simulated replicas: every replica ` +
    `holding the record lost it unflushed in a power loss (power-loss), an unclean election (unclean-election) or ` +
    `KIP-966's last-known-leader recovery (last-known-leader) made leader a replica without it, or acks=0/1 failed ` +
    `over to a leader without it (acks-failover).</p>${table}` +
    anomalies(causeFirst(data.allowed ?? []), 'allowed-')
  );
}

function linearSection(v: LinearizabilityView, chartHtml: string): string {
  const rows: [string, CellContent][] = [
    ['model', v.model],
    ['key', v.key],
    ['longest linearizable prefix', `${v.prefixLength} operations`],
    ['state after it', v.state],
    [
      'cannot be placed',
      v.unplaced === null
        ? 'none (the search gave up)'
        : `${v.unplaced.operation} (invoked at op ${v.unplaced.invoke}` +
          `${v.unplaced.completion === null ? ', never completed' : `, completed at op ${v.unplaced.completion}`})`,
    ],
  ];
  const opRows = v.ops.map((o): CellContent[] => [
    o.order,
    o.role,
    o.index,
    o.process,
    o.f,
    o.type,
    new Html(`<code>${escapeHtml(o.value)}</code>`),
    o.stateAfter === null ? '' : new Html(`<code>${escapeHtml(o.stateAfter)}</code>`),
  ]);
  const header = ['position', 'role', 'op', 'process', 'f', 'type', 'value', 'state after'];
  const ops = table(header, opRows, new Set([0, 2]), (i) =>
    v.ops[i].role === 'cannot be placed' ? 'op-unplaced' : '',
  );
  return (
    `<div class="anomaly"><p>${escapeHtml(v.description)}</p>${kvTable(rows)}${chartHtml}<h3>The end of the ` +
    `prefix, and the op that cannot be placed</h3>${ops}</div>`
  );
}

function kraftSection(
  k: KraftView,
  chart: (id: string, spec: Chart['spec'], uses: string[], c?: string) => string,
  endS: number,
): string {
  const epochs = k.elections.length === 0 ? 'none' : k.elections.map((e) => e.epoch).join(', ');
  const fenced = k.registrations.filter((r) => r.state === 'fenced').length;
  return (
    `<p class="note">The metadata quorum of controllers ${k.voters.join(', ')}: which one led it in which epoch ` +
    `(a black tick at each election; gaps: no leader), the quorum's high watermark of the metadata log against ` +
    `how far each broker had applied it, and when each broker was fenced (registered and not yet caught up, or ` +
    `fenced for missed heartbeats) or in controlled shutdown. ${k.elections.length} elections (epochs ` +
    `${escapeHtml(epochs)}) from ${k.candidacies} candidacies; ${fenced} fenced spans.</p>` +
    chart(
      'chart-kraft',
      kraftChart(endS),
      ['kraft-leaders', 'kraft-elections', 'kraft-offsets', 'kraft-registrations', 'faults'],
      'quorum leader and epoch, metadata offsets, fenced brokers',
    )
  );
}

type ChartOf = (id: string, spec: Chart['spec'], uses: string[], c?: string) => string;

function txnSection(t: TxnView, chart: ChartOf, endS: number): string {
  const processes = new Set(t.spans.map((s) => s.process)).size;
  const shown = t.spans.length < t.total ? ` Showing ${t.spans.length} of ${t.total}, sampled evenly.` : '';
  return (
    `<p class="note">Each transaction of the txn workload from invocation to completion, on its client process: ` +
    `committed (ok) blue, aborted (fail) pink, unknown (info: its commit answered neither way, its client went on ` +
    `as a new process) orange, never completed grey. The tooltip lists the partitions (keys) it sent to and ` +
    `polled. ${t.total.toLocaleString('en')} transactions: ${t.counts.ok} committed, ${t.counts.fail} aborted, ` +
    `${t.counts.info} unknown${t.counts.open > 0 ? `, ${t.counts.open} never completed` : ''}.${shown}</p>` +
    chart('chart-txns', txnChart(endS, processes), ['txns', 'faults'], 'transactions per client process, by outcome')
  );
}

function groupSection(g: GroupView, chart: ChartOf, endS: number): string {
  return (
    `<p class="note">Each consumer group's generations, as its coordinator stored them once Stable: a bar from ` +
    `that moment to the next generation (or the end of the run), darker with more members; the tooltip lists ` +
    `each member's partitions. ${g.generations.length} generations of ${g.groups.length} ` +
    `group${g.groups.length === 1 ? '' : 's'} (${escapeHtml(g.groups.join(', '))}).</p>` +
    chart('chart-groups', groupChart(endS, g.groups.length), ['generations', 'faults'], 'group generations')
  );
}
