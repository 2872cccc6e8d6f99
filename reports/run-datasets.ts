// A run report's data as the page's chart datasets: compact rows of arrays, times in seconds.
import { sec } from './charts/common.ts';
import type { Cell, Dataset } from './page.ts';
import type { LinearOp } from './linearizability.ts';
import type { RunReportData } from './run-data.ts';
import { txnGroupDatasets } from './txn-group-datasets.ts';

function dataset(fields: string[], rows: Cell[][]): Dataset {
  return { fields, rows };
}

/** Latencies below this are drawn at it: a log scale has no zero (assigns complete instantly). */
const MIN_LATENCY_MS = 0.01;

/**
 * The drawn partitions a fault touched, as ",0,2," for a filter: those with a replica on a broker it
 * names; "*" when it names no broker (ZooKeeper, the clock of the cluster...), which touches every one.
 */
function touched(data: RunReportData, nodes: readonly string[]): string {
  const brokers = new Set(nodes.filter((n) => /^b\d+$/.test(n)).map((n) => Number(n.slice(1))));
  if (brokers.size === 0) return '*';
  const hit = data.partitions.filter((t) => t.logEndOffsets.some((l) => brokers.has(l.broker))).map((t) => t.partition);
  return `,${hit.join(',')},`;
}

/** "producer 3", "consumer 5": each client process named by what it does (its first send or poll). */
function processLabels(data: RunReportData): Map<string | number, string> {
  const labels = new Map<string | number, string>();
  for (const r of data.ops.rows) {
    if (labels.has(r.process)) continue;
    const role = r.f === 'send' ? 'producer' : r.f === 'poll' || r.f === 'assign' ? 'consumer' : null;
    if (role !== null) labels.set(r.process, `${role} ${r.process}`);
  }
  return labels;
}

export function runDatasets(data: RunReportData): Record<string, Dataset> {
  // Instantaneous ops would be invisible in the timeline: each bar is at least 1/2000 of the run wide.
  const minWidth = data.endMs / 2000;
  const who = processLabels(data);
  const ops = dataset(
    [
      'index',
      'completion',
      'process',
      'who',
      'f',
      'type',
      'start',
      'end',
      'tEnd',
      'latency',
      'error',
      'value',
      'anomalous',
    ],
    data.ops.rows.map((r) => [
      r.index,
      r.completion,
      r.process,
      who.get(r.process) ?? String(r.process),
      r.f,
      r.type,
      sec(r.start),
      sec(r.end),
      sec(Math.max(r.end, r.start + minWidth)),
      Math.max(MIN_LATENCY_MS, Math.round((r.end - r.start) * 1000) / 1000),
      r.error,
      r.value,
      r.anomalous,
    ]),
  );
  const throughput = dataset(
    ['time', 'f', 'type', 'rate'],
    data.throughput.points.map((p) => [sec(p.time), p.f ?? 'all', p.type, p.rate]),
  );
  const quantiles = dataset(
    ['time', 'f', 'quantile', 'latency'],
    (data.throughput.quantiles ?? []).map((q) => [sec(q.time), q.f, q.quantile, q.latency]),
  );
  const faults = dataset(
    ['id', 'kind', 'start', 'end', 'detail', 'nodes', 'lane', 'partitions'],
    data.faults.map((f) => {
      const nodes = f.nodes ?? [];
      const targets = nodes.length === 0 ? 'cluster' : nodes.join(' ');
      return [
        f.id,
        f.kind,
        sec(f.start),
        sec(f.end),
        f.detail,
        nodes.join(', '),
        `${f.kind} ${targets}`,
        touched(data, nodes),
      ];
    }),
  );
  const leaders = dataset(
    ['partition', 'start', 'end', 'leader', 'epoch'],
    data.partitions.flatMap((t) =>
      t.leaders.map((l) => [
        t.partition,
        sec(l.start),
        sec(l.end),
        l.leader < 0 ? 'none' : `broker ${l.leader}`,
        l.leaderEpoch,
      ]),
    ),
  );
  const isr = dataset(
    ['partition', 'time', 'size'],
    data.partitions.flatMap((t) => t.isrSize.map((p) => [t.partition, sec(p.time), p.value])),
  );
  const offsets = dataset(
    ['partition', 'time', 'series', 'value'],
    // Series are drawn in the order they first appear: the high watermark last, on top of the LEOs.
    data.partitions.flatMap((t) => [
      ...t.logEndOffsets.flatMap((l) =>
        l.points.map((p): Cell[] => [t.partition, sec(p.time), `LEO broker ${l.broker}`, p.value]),
      ),
      ...t.highWatermark.map((p): Cell[] => [t.partition, sec(p.time), 'high watermark', p.value]),
    ]),
  );
  const elections = dataset(
    ['partition', 'time', 'election', 'leader', 'previous', 'epoch', 'isr', 'reason'],
    data.partitions.flatMap((t) =>
      t.elections.map((e) => [
        t.partition,
        sec(e.time),
        e.lastKnownLeader === true ? 'last-known-leader' : e.unclean ? 'unclean' : 'clean',
        e.leader,
        e.previousLeader,
        e.leaderEpoch,
        `[${e.isr.join(', ')}]`,
        e.reason,
      ]),
    ),
  );
  const h = data.health;
  const named: [string, { time: number; value: number }[]][] = [
    ['UnderReplicatedPartitions', h.underReplicatedPartitions],
    ['OfflinePartitionsCount', h.offlinePartitionsCount],
    ['partitions without a live leader', h.partitionsWithoutLiveLeader],
    ['IsrShrinksPerSec', h.isrShrinksPerSec],
    ['IsrExpandsPerSec', h.isrExpandsPerSec],
    ['MaxLag', h.maxLag],
    ['ActiveControllerCount', h.activeControllerCount],
  ];
  const health = dataset(
    ['metric', 'time', 'value'],
    named.flatMap(([metric, points]) => points.map((p) => [metric, sec(p.time), p.value])),
  );
  const linear = dataset(
    ['view', 'role', 'order', 'index', 'process', 'f', 'type', 'start', 'tEnd', 'value', 'label', 'state', 'at'],
    data.linearizability.flatMap((v, i) => {
      const span =
        v.ops.length === 0 ? 0 : Math.max(...v.ops.map((o) => o.end)) - Math.min(...v.ops.map((o) => o.start));
      const points = linearizationPoints(v.ops);
      return v.ops.map((o) => {
        const state = o.stateAfter === null ? '' : ` → ${o.stateAfter}`;
        const label = `${o.order === null ? '' : `${o.order}. `}${o.f} ${o.value}${state}`;
        const at = points.get(o.index);
        return [
          i,
          o.role,
          o.order,
          o.index,
          o.process,
          o.f,
          o.type,
          sec(o.start),
          sec(Math.max(o.end, o.start + span / 500)),
          o.value,
          label,
          o.stateAfter,
          at === undefined ? null : sec(at),
        ];
      });
    }),
  );
  return {
    ops,
    throughput,
    quantiles,
    faults,
    leaders,
    isr,
    offsets,
    elections,
    health,
    linear,
    ...kraftDatasets(data),
    ...txnGroupDatasets(data),
  };
}

/**
 * A point in time for each linearized op, in linearization order, inside the op's own interval and never
 * before the previous one's (the order respects real time, so such points exist): the line through them
 * is the linearization, drawn across the processes as Porcupine draws it.
 */
function linearizationPoints(ops: readonly LinearOp[]): Map<number, number> {
  const points = new Map<number, number>();
  let at = -Infinity;
  for (const o of [...ops].filter((x) => x.order !== null).sort((a, b) => (a.order ?? 0) - (b.order ?? 0))) {
    at = Math.min(Math.max(at, o.start + (o.end - o.start) / 2), o.end);
    points.set(o.index, at);
  }
  return points;
}

/** The KRaft quorum view's datasets (none in ZooKeeper mode). */
function kraftDatasets(data: RunReportData): Record<string, Dataset> {
  const k = data.kraft;
  if (k === undefined) return {};
  const controller = (voter: number): string => `controller ${voter}`;
  // A broker is fenced for milliseconds after each registration: drawn at least 1/500 of the run wide.
  const minWidth = data.endMs / 500;
  return {
    'kraft-leaders': dataset(
      ['voter', 'epoch', 'start', 'end', 'label'],
      // Labelled only where the bar is wide enough for it (a tenth of the run).
      k.leaderships.map((l) => [
        controller(l.voter),
        l.epoch,
        sec(l.from),
        sec(l.to),
        l.to - l.from >= data.endMs / 10 ? `epoch ${l.epoch}` : '',
      ]),
    ),
    'kraft-elections': dataset(
      ['voter', 'epoch', 'time'],
      k.elections.map((e) => [controller(e.voter), e.epoch, sec(e.time)]),
    ),
    'kraft-offsets': dataset(
      ['series', 'time', 'offset'],
      [
        ...k.applied.flatMap((a) =>
          a.points.map((p): Cell[] => [`applied by broker ${a.broker}`, sec(p.time), p.value]),
        ),
        ...k.highWatermark.map((p): Cell[] => ['quorum high watermark', sec(p.time), p.value]),
      ],
    ),
    'kraft-registrations': dataset(
      ['broker', 'state', 'brokerEpoch', 'start', 'end', 'tEnd'],
      k.registrations.map((r) => [
        `broker ${r.broker}`,
        r.state === 'fenced' ? 'fenced' : 'controlled shutdown',
        r.brokerEpoch,
        sec(r.from),
        sec(r.to),
        sec(Math.max(r.to, r.from + minWidth)),
      ]),
    ),
  };
}
