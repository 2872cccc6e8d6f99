// The comparison of clean and unclean leader election as plain data (compare.json): for each seed, the
// two runs on the identical fault schedule, each summed up in the figures the comparison is about.
import type { Validity } from '../checkers/result.ts';
import type { History } from '../workloads/history/format.ts';
import type { BrokerCrash, ReplicationEvent } from '../sim/events/index.ts';
import { withCrashes } from './events.ts';
import { offlineMs } from './metrics.ts';
import { produceStats, type ProduceStats } from './produce.ts';

export const COMPARE_REPORT_KIND = 'kafkasim-compare-report';

export interface CompareSide {
  valid: Validity;
  anomalies: Record<string, number>;
  /** Sends acknowledged, and of those lost (acks=all writes missing from the final reads). */
  acked: number;
  lostAcked: number;
  /**
   * Of the acknowledged writes lost, those the configuration allows, by cause (unclean-election, power-loss, ...):
   * not findings. Absent from comparisons written before issue 18.
   */
  lostByCause?: Record<string, number>;
  /** Partition-milliseconds with no live leader. */
  offlineMs: number;
  produce: ProduceStats;
  elections: number;
  /** Unclean elections, KIP-966's last-known-leader recoveries not counted (they are lastKnownLeaderElections). */
  uncleanElections: number;
  lastKnownLeaderElections?: number;
  historyHash: string;
  /** Links (relative to the comparison page) to this run's report and repro. */
  reportHref?: string;
  reproHref?: string;
}

export interface CompareRow {
  seed: number | string;
  clean: CompareSide;
  unclean: CompareSide;
}

export interface CompareReportData {
  kind: typeof COMPARE_REPORT_KIND;
  formatVersion: 1;
  title: string;
  generatedBy: string;
  /** The command that produced this comparison. */
  command: string;
  /** The shared configuration (the clean run's; the unclean one differs only in unclean.leader.election.enable). */
  config: unknown;
  rows: CompareRow[];
}

export interface CompareSideInput {
  valid: Validity;
  anomalies: Record<string, number>;
  acked: number;
  lostAcked: number;
  lostByCause?: Record<string, number>;
  historyHash: string;
  history: History;
  events: readonly ReplicationEvent[];
  brokerCrashes?: readonly BrokerCrash[];
  partitions: number;
}

export function compareSide(input: CompareSideInput): CompareSide {
  const { history } = input;
  const events = withCrashes(input.events, input.brokerCrashes ?? []);
  const endMs = Math.max(
    history.length > 0 ? history[history.length - 1].time : 0,
    events.length > 0 ? events[events.length - 1].time : 0,
  );
  let elections = 0;
  let unclean = 0;
  let lastKnownLeader = 0;
  for (const e of events) {
    if (e.kind !== 'election') continue;
    elections++;
    if (e.lastKnownLeader === true) lastKnownLeader++;
    else if (e.unclean) unclean++;
  }
  return {
    valid: input.valid,
    anomalies: input.anomalies,
    acked: input.acked,
    lostAcked: input.lostAcked,
    lostByCause: input.lostByCause ?? {},
    offlineMs: offlineMs(events, input.partitions, endMs),
    produce: produceStats(history),
    elections,
    uncleanElections: unclean,
    lastKnownLeaderElections: lastKnownLeader,
    historyHash: input.historyHash,
  };
}
