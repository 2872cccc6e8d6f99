// A run's verdict: every checker of the test — those that judge the history and the facts now, and the
// monitors that watched the run online — combined into one result (result.json).
import type { RunFacts } from '../checkers/checker.ts';
import type { CheckResult, Validity } from '../checkers/result.ts';
import { combineValidity } from '../checkers/result.ts';
import type { BrokerCrash, ReplicationEvent } from '../sim/events/index.ts';
import type { History } from '../workloads/history/format.ts';
import type { StoppedAt } from './monitors.ts';
import { unavailableMsOf } from './report-data.ts';
import type { RunStats } from './run-test.ts';
import type { RunConfig, Test } from './test.ts';
import { KAFKASIM_VERSION } from './version.ts';

export interface RunResult {
  kafkasimVersion: string;
  seed: number | string;
  valid: Validity;
  historyHash: string;
  anomalies: Record<string, number>;
  stats: {
    ops: number;
    acked: number;
    lost: number;
    /** Acknowledged writes the final reads missed although a replica still held them (unavailable, not lost). */
    unreadable: number;
    /** Partition-milliseconds with no leader, summed over partitions. */
    unavailableMs: number;
    /** From healing every fault to every partition fully replicated again, or -1 if it never was. */
    recoveryMs: number;
    events: number;
    simSeconds: number;
    wallMs: number;
  };
  swarm?: string;
  /** Present when --stop-on-violation ended the run at a monitor's first finding. */
  stoppedAt?: StoppedAt;
  config: RunConfig;
  checkers: CheckResult[];
}

/** What judging needs of a run besides the facts. */
export interface Collected {
  history: History;
  replicationEvents: readonly ReplicationEvent[];
  brokerCrashes: readonly BrokerCrash[];
  stats: RunStats;
  historyHash: string;
  config: RunConfig;
  swarmDescription: string | undefined;
}

export function judge(
  test: Test,
  run: Collected,
  facts: RunFacts,
  monitored: ReadonlyMap<string, CheckResult>,
  stoppedAt: StoppedAt | undefined,
  wallMs: number,
): RunResult {
  const checkers: CheckResult[] = [];
  for (const c of test.checkers) {
    const result = c.kind === 'history' ? c.check(facts) : monitored.get(c.name);
    if (result !== undefined) checkers.push(result);
  }
  const anomalies: Record<string, number> = {};
  for (const c of checkers) for (const a of c.anomalies) anomalies[a.name] = (anomalies[a.name] ?? 0) + a.count;
  const durability = checkers.find((c) => c.checker === 'durability');
  const lost = durability?.anomalies.find((a) => a.name === 'acked-write-lost')?.count ?? 0;
  const unreadable = durability?.stats?.unreadableAcked ?? 0;
  const result: RunResult = {
    kafkasimVersion: KAFKASIM_VERSION,
    seed: test.seed,
    valid: combineValidity(checkers.map((c) => c.valid)),
    historyHash: run.historyHash,
    anomalies,
    stats: {
      ops: run.stats.ops,
      acked: run.stats.acked,
      lost,
      unreadable,
      unavailableMs: unavailableMsOf(run),
      recoveryMs: run.stats.recoveryMs,
      events: run.stats.events,
      simSeconds: run.stats.simSeconds,
      wallMs: Math.round(wallMs),
    },
    swarm: run.swarmDescription,
    config: run.config,
    checkers,
  };
  if (stoppedAt !== undefined) result.stoppedAt = stoppedAt;
  return result;
}
