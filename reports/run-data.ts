// A run's report as plain data (what report.json holds and renderRunReport draws), and how it is built
// from a run's history, replication events and checker results. Everything here is bounded: long runs
// are downsampled, so the data and the page stay small whatever the length of the run.
import type { CheckResult, Validity } from '../checkers/result.ts';
import { FINAL_READS_F, type History } from '../workloads/history/format.ts';
import { anomalousIndexes, reportAnomalies, type ReportAnomaly } from './anomalies.ts';
import type { BrokerCrash, GroupStableEvent, RaftEvent, ReplicationEvent } from '../sim/events/index.ts';
import { groupView, type GroupView } from './group-view.ts';
import { txnView, type TxnView } from './txn-view.ts';
import { withCrashes } from './events.ts';
import { faultBands, type FaultBand } from './faults.ts';
import { kraftView, type KraftView } from './kraft-view.ts';
import { linearizabilityViews, type LinearizabilityView } from './linearizability.ts';
import { replicationMetrics, type HealthMetrics, type PartitionTimeline } from './metrics.ts';
import { pairOps, sampleOps, throughput, withValues, type OpRow, type Throughput } from './ops.ts';

export const RUN_REPORT_KIND = 'kafkasim-run-report';

/** Ops drawn in the latency and timeline charts; beyond this they are sampled, anomalous ones always kept. */
export const OPS_DRAWN = 10_000;
/** Partitions drawn one by one; more would make the page unreadable and large. */
export const PARTITIONS_DRAWN = 16;

export interface RunReportData {
  kind: typeof RUN_REPORT_KIND;
  formatVersion: 1;
  title: string;
  generatedBy: string;
  seed: number | string;
  valid: Validity;
  /** The command line that reruns this exact test. */
  replayCommand: string;
  historyHash: string;
  swarm: string | null;
  /** The run's configuration under Kafka's keys, as plain JSON. */
  config: unknown;
  stats: Record<string, number>;
  anomalyCounts: Record<string, number>;
  anomalies: ReportAnomaly[];
  /**
   * What the configuration allowed, each instance's cause checked (not findings): the anomalies with their
   * examples, and acknowledged writes lost by cause. Absent from reports written before issue 18.
   */
  allowed?: ReportAnomaly[];
  lostByCause?: Record<string, number>;
  linearizability: LinearizabilityView[];
  /** Simulated time of the last op or event. */
  endMs: number;
  /** When the final phase (every fault healed, every partition read) began, if it did. */
  finalReadsMs: number | null;
  ops: { total: number; rows: OpRow[] };
  throughput: Throughput;
  faults: FaultBand[];
  partitionCount: number;
  replicationFactor: number;
  /** The first PARTITIONS_DRAWN partitions. */
  partitions: PartitionTimeline[];
  health: HealthMetrics;
  /** KRaft mode: the metadata quorum over time (absent in ZooKeeper mode and in older reports). */
  kraft?: KraftView;
  /** Coverage probes of the simulator, every declared one with its hits (absent: no cluster ran). */
  probes?: ProbeRow[];
  /** The txn workload's transactions (absent when the history holds none, and in older reports). */
  transactions?: TxnView;
  /** Consumer group generations (absent when no group reached Stable, and in older reports). */
  groups?: GroupView;
}

/** One coverage probe in a report: its name, what reaching it means, and its hits. */
export interface ProbeRow {
  name: string;
  description: string;
  hits: number;
  /** Of the metadata mode the run did not use. */
  otherMode: boolean;
}

export interface RunReportInput {
  title?: string;
  generatedBy: string;
  seed: number | string;
  valid: Validity;
  replayCommand: string;
  historyHash: string;
  swarm?: string;
  config: unknown;
  stats: Record<string, number>;
  anomalyCounts: Record<string, number>;
  /** Acknowledged writes lost as the configuration allows, by cause. */
  lostByCause?: Record<string, number>;
  checkers: readonly CheckResult[];
  history: History;
  events: readonly ReplicationEvent[];
  /** Broker crashes, merged into the events (the events cannot report them). */
  brokerCrashes?: readonly BrokerCrash[];
  /** KRaft mode: the Raft events kept for the quorum view. */
  raftEvents?: readonly RaftEvent[];
  controllerCrashes?: readonly { voter: number; time: number }[];
  partitions: number;
  replicationFactor: number;
  probes?: ProbeRow[];
  /** The group coordinators' group-stable events (subscribe mode). */
  groupEvents?: readonly GroupStableEvent[];
}

export function buildRunReportData(input: RunReportInput): RunReportData {
  const { history } = input;
  const events = withCrashes(input.events, input.brokerCrashes ?? []);
  const lastOp = history.length > 0 ? history[history.length - 1].time : 0;
  const lastEvent = events.length > 0 ? events[events.length - 1].time : 0;
  const endMs = Math.max(lastOp, lastEvent);
  const finalReads = history.find((op) => op.process === 'workload' && op.f === FINAL_READS_F);
  const rows = pairOps(history, anomalousIndexes(input.checkers));
  const { timelines, health } = replicationMetrics(
    events,
    input.partitions,
    PARTITIONS_DRAWN,
    input.replicationFactor,
    endMs,
  );
  return {
    kind: RUN_REPORT_KIND,
    formatVersion: 1,
    title: input.title ?? `kafkasim run, seed ${String(input.seed)}`,
    generatedBy: input.generatedBy,
    seed: input.seed,
    valid: input.valid,
    replayCommand: input.replayCommand,
    historyHash: input.historyHash,
    swarm: input.swarm ?? null,
    config: input.config,
    stats: { ...input.stats, unavailableMs: input.stats.unavailableMs ?? health.offlineMs },
    anomalyCounts: input.anomalyCounts,
    anomalies: reportAnomalies(input.checkers, events),
    allowed: reportAnomalies(input.checkers, events, 'allowed'),
    lostByCause: input.lostByCause ?? {},
    linearizability: linearizabilityViews(input.checkers, rows, history),
    endMs,
    finalReadsMs: finalReads?.time ?? null,
    ops: { total: rows.length, rows: withValues(sampleOps(rows, OPS_DRAWN), history) },
    throughput: throughput(rows, endMs),
    faults: faultBands(history, endMs),
    partitionCount: input.partitions,
    replicationFactor: input.replicationFactor,
    partitions: timelines,
    health,
    ...(input.raftEvents !== undefined && input.raftEvents.length > 0
      ? { kraft: kraftView(input.raftEvents, input.controllerCrashes ?? [], endMs) }
      : {}),
    ...(input.probes === undefined ? {} : { probes: input.probes }),
    ...optional('transactions', txnView(history, endMs, anomalousIndexes(input.checkers))),
    ...optional('groups', groupView(input.groupEvents ?? [], endMs)),
  };
}

/** `{ [key]: value }`, or nothing when value is undefined: reports without the view read as before. */
function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}
