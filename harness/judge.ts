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
  /** The findings, by anomaly name: what makes the run invalid. Allowed anomalies are in `allowed`. */
  anomalies: Record<string, number>;
  /** Finding instances over every checker (the sum of `anomalies`): the verdict follows them alone. */
  findings: number;
  /**
   * What the configuration under test allows, each instance's cause checked against the simulated state:
   * instances by anomaly name, and acknowledged writes lost by cause (power-loss, unclean-election,
   * last-known-leader, acks-failover). Reported, not findings; empty under --strict.
   */
  allowed: { anomalies: Record<string, number>; lostByCause: Record<string, number> };
  stats: {
    ops: number;
    acked: number;
    /** Acknowledged writes lost, allowed or not. */
    lost: number;
    /** Of those, the ones the configuration allows. */
    lostAllowed: number;
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
  let findings = 0;
  for (const count of Object.values(anomalies)) findings += count;
  const allowed: RunResult['allowed'] = { anomalies: {}, lostByCause: {} };
  for (const c of checkers) {
    for (const a of c.allowed ?? []) allowed.anomalies[a.name] = (allowed.anomalies[a.name] ?? 0) + a.count;
  }
  const losses = lossesOf(checkers);
  for (const [cause, n] of Object.entries(losses.byCause)) allowed.lostByCause[cause] = n;
  const unreadable = checkers.find((c) => c.checker === 'durability')?.stats?.unreadableAcked ?? 0;
  const result: RunResult = {
    kafkasimVersion: KAFKASIM_VERSION,
    seed: test.seed,
    valid: combineValidity(checkers.map((c) => c.valid)),
    historyHash: run.historyHash,
    anomalies,
    findings,
    allowed,
    stats: {
      ops: run.stats.ops,
      acked: run.stats.acked,
      lost: losses.lost,
      lostAllowed: losses.allowed,
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

/**
 * Acknowledged writes lost, and of those the ones the configuration allows by cause. A queue run counts them in its
 * durability checker. A txn run has none: there the writes are the records of committed transactions, and Jepsen's
 * checker counts those no ok poll returned as unseen. When every lost one was attributed (checkers/durability/
 * txn-losses.ts), `lostCommitted` counts them and the moved anomalies carry their causes; otherwise the unseen
 * findings are the count, as Jepsen counts them.
 */
function lossesOf(checkers: readonly CheckResult[]): {
  lost: number;
  allowed: number;
  byCause: Record<string, number>;
} {
  const durability = checkers.find((c) => c.checker === 'durability');
  if (durability !== undefined) {
    const allowedLost = durability.allowed?.find((a) => a.name === 'acked-write-lost');
    return {
      lost: durability.stats?.lostAcked ?? durability.anomalies.find((a) => a.name === 'acked-write-lost')?.count ?? 0,
      allowed: allowedLost?.count ?? 0,
      byCause: { ...(allowedLost?.byCause ?? {}) },
    };
  }
  const jepsen = checkers.find((c) => c.checker === 'jepsen-kafka');
  if (jepsen === undefined) return { lost: 0, allowed: 0, byCause: {} };
  const unseen = jepsen.anomalies.find((a) => a.name === 'unseen')?.count ?? 0;
  const attributed = jepsen.stats?.lostCommitted ?? 0;
  const moved = jepsen.allowed?.find((a) => a.name === 'unseen' || a.name === 'lost-write');
  return { lost: attributed + unseen, allowed: attributed, byCause: { ...(moved?.byCause ?? {}) } };
}
