// The glue between a run and its reports: a run's in-memory output and verdict become the plain data
// the report pages draw (reports/ never sees the simulator), and a report directory is written whole.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckResult, Validity } from '../checkers/result.ts';
import { accountOf, type Account } from '../reports/account.ts';
import { compareSide, type CompareSide } from '../reports/compare-data.ts';
import type { BrokerCrash, ReplicationEvent } from '../sim/events/index.ts';
import { withCrashes } from '../reports/events.ts';
import { faultBands } from '../reports/faults.ts';
import { offlineMs } from '../reports/metrics.ts';
import { buildRunReportData, type ProbeRow, type RunReportData } from '../reports/run-data.ts';
import { renderRunReport } from '../reports/run-report.ts';
import { hashValue } from '../sim/world/hash.ts';
import type { History } from '../workloads/history/format.ts';
import type { RunResult } from './judge.ts';
import { flagWordsOf, type RunOptions } from './options.ts';
import { isOtherMode, probeDescription, runProbes } from './probes.ts';
import type { JudgedRun } from './run.ts';
import type { TestRun } from './run-test.ts';
import { KAFKASIM_VERSION } from './version.ts';
import { writeWhole } from './write-whole.ts';

export function runReportData(output: TestRun, result: RunResult, replayCommand: string): RunReportData {
  return buildRunReportData({
    generatedBy: `kafkasim ${result.kafkasimVersion}`,
    seed: result.seed,
    valid: result.valid,
    replayCommand,
    historyHash: result.historyHash,
    swarm: result.swarm,
    config: result.config,
    stats: { ...result.stats },
    anomalyCounts: result.anomalies,
    lostByCause: result.allowed.lostByCause,
    checkers: result.checkers,
    history: output.history,
    events: output.replicationEvents,
    brokerCrashes: output.brokerCrashes,
    raftEvents: output.raftEvents,
    controllerCrashes: output.controllerCrashes,
    groupEvents: output.groupEvents,
    partitions: output.config.partitions,
    replicationFactor: output.config['replication.factor'],
    probes: probeRows(output.probes, output.test.cluster.metadata),
  });
}

/** A run's probe hits as report rows: every declared probe, in order, with what it means. */
export function probeRows(counts: readonly number[], mode: 'zk' | 'kraft'): ProbeRow[] {
  const { hits } = runProbes(counts);
  return Object.entries(hits).map(([name, n]) => ({
    name,
    description: probeDescription(name),
    hits: n,
    otherMode: isOtherMode(name, mode),
  }));
}

/**
 * The report of a history checked from a file (`kafkasim check --out`): its ops, the checkers' verdicts
 * and, for a non-linearizable one, the longest linearizable prefix and the op that cannot be placed. No
 * cluster ran, so there are no replication events.
 */
export function checkReportData(
  file: string,
  model: string,
  history: History,
  checkers: CheckResult[],
  valid: Validity,
): RunReportData {
  const anomalyCounts: Record<string, number> = {};
  for (const c of checkers) for (const a of c.anomalies) anomalyCounts[a.name] = (anomalyCounts[a.name] ?? 0) + a.count;
  return buildRunReportData({
    title: `kafkasim check ${file} --model ${model}`,
    generatedBy: `kafkasim ${KAFKASIM_VERSION}`,
    seed: file,
    valid,
    replayCommand: `npx kafkasim check ${shellWord(file)} --model ${shellWord(model)}`,
    historyHash: hashValue(history),
    config: { history: file, model },
    stats: { ops: history.length },
    anomalyCounts,
    checkers,
    history,
    events: [],
    partitions: 0,
    replicationFactor: 0,
  });
}

/** What happened, in the words the report opens with (reports/account.ts), for the terminal. */
export function accountOfRun(output: TestRun, result: RunResult): Account {
  const history = output.history;
  const end = history.length > 0 ? history[history.length - 1].time : 0;
  return accountOf({
    valid: result.valid,
    anomalies: result.checkers.flatMap((c) =>
      c.anomalies.map((a) => ({ name: a.name, count: a.count, firstExample: a.examples[0]?.description })),
    ),
    stats: result.stats,
    faultKinds: faultBands(history, end).map((f) => f.kind),
    allowed: {
      anomalies: result.checkers.flatMap((c) =>
        (c.allowed ?? []).map((a) => ({ name: a.name, count: a.count, firstExample: a.examples[0]?.description })),
      ),
      lostByCause: result.allowed.lostByCause,
    },
  });
}

/**
 * Partition-milliseconds without a live leader over the whole run (for result.json's
 * stats.unavailableMs): from a leader's stop, or the controller taking it away, to the next leader.
 */
export function unavailableMsOf(output: {
  history: TestRun['history'];
  replicationEvents: readonly ReplicationEvent[];
  brokerCrashes: readonly BrokerCrash[];
  config: TestRun['config'];
}): number {
  const { history, replicationEvents } = output;
  const endMs = Math.max(
    history.length > 0 ? history[history.length - 1].time : 0,
    replicationEvents.length > 0 ? replicationEvents[replicationEvents.length - 1].time : 0,
  );
  return offlineMs(withCrashes(replicationEvents, output.brokerCrashes), output.config.partitions, endMs);
}

/** Writes report.json (the data, for `kafkasim report` to rebuild from) and index.html into `dir`. */
export function writeRunReport(dir: string, data: RunReportData): void {
  mkdirSync(dir, { recursive: true });
  writeWhole(join(dir, 'report.json'), JSON.stringify(data) + '\n');
  writeWhole(join(dir, 'index.html'), renderRunReport(data));
}

/** One side of a comparison (a clean or an unclean run) from a judged run. */
export function compareSideFrom(run: JudgedRun, hrefs: { reportHref?: string; reproHref?: string } = {}): CompareSide {
  const side = compareSide({
    valid: run.result.valid,
    anomalies: run.result.anomalies,
    acked: run.result.stats.acked,
    lostAcked: run.result.stats.lost,
    lostByCause: run.result.allowed.lostByCause,
    historyHash: run.result.historyHash,
    history: run.output.history,
    events: run.output.replicationEvents,
    brokerCrashes: run.output.brokerCrashes,
    partitions: run.output.config.partitions,
  });
  return { ...side, ...hrefs };
}

/** A shell word: left bare when it is safe, single-quoted otherwise. */
export function shellWord(text: string): string {
  return /^[A-Za-z0-9_./:,=@%+-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * The `kafkasim run` command line that reruns these options (their flags from the options schema). When
 * some option has no flag (broker or workload settings) and the run's repro file is known, the command
 * replays that instead. `scheduleFile` names the file a --schedule came from.
 */
export function replayCommandFor(
  options: RunOptions,
  files: { scheduleFile?: string; reproFile?: string } = {},
): string {
  const { seed, ...rest } = options;
  const flags = flagWordsOf(rest, { schedule: files.scheduleFile });
  if (!flags.complete && files.reproFile !== undefined) return `npx kafkasim replay ${shellWord(files.reproFile)}`;
  return ['npx', 'kafkasim', 'run', '--seed', String(seed), ...flags.words].map(shellWord).join(' ');
}

/** The `kafkasim compare` command line that reruns a comparison. */
export function compareCommandFor(options: RunOptions, seeds: number, out: string, scheduleFile?: string): string {
  const { seed, ...rest } = options;
  const flags = flagWordsOf({ ...rest, unclean: false }, { schedule: scheduleFile }).words;
  return ['npx', 'kafkasim', 'compare', '--seed', String(seed), '--seeds', String(seeds), ...flags, '--out', out]
    .map(shellWord)
    .join(' ');
}
