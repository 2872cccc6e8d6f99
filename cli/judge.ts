// Runs every checker on a run's output and combines their verdicts into one result.json.
import { checkDurability } from '../checkers/durability/index.ts';
import { InvariantMonitor } from '../checkers/invariants/index.ts';
import { checkQueue } from '../checkers/queue/index.ts';
import type { CheckResult, Validity } from '../checkers/result.ts';
import { combineValidity } from '../checkers/result.ts';
import { unavailableMsOf } from './report-data.ts';
import type { RunOutput } from './runner.ts';

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
  config: unknown;
  checkers: CheckResult[];
}

export function judge(seed: number | string, output: RunOutput, wallMs: number, version: string): RunResult {
  const queue = checkQueue(output.history);
  const durability = checkDurability(output.history, output.durabilityFacts);
  const checkers = [queue, durability, checkInvariants(output)];
  const anomalies: Record<string, number> = {};
  for (const c of checkers) for (const a of c.anomalies) anomalies[a.name] = (anomalies[a.name] ?? 0) + a.count;
  const lost = durability.anomalies.find((a) => a.name === 'acked-write-lost')?.count ?? 0;
  const unreadable = durability.stats?.unreadableAcked ?? 0;
  const unavailableMs = unavailableMsOf(output);
  return {
    kafkasimVersion: version,
    seed,
    valid: combineValidity(checkers.map((c) => c.valid)),
    historyHash: output.historyHash,
    anomalies,
    stats: { ops: output.stats.ops, acked: output.stats.acked, lost, unreadable, unavailableMs, recoveryMs: output.stats.recoveryMs, events: output.stats.events, simSeconds: output.stats.simSeconds, wallMs: Math.round(wallMs) },
    swarm: output.swarmDescription,
    config: output.config,
    checkers,
  };
}

/** The replica invariants over the run's replication events, in the order the world emitted them. */
function checkInvariants(output: RunOutput): CheckResult {
  const monitor = new InvariantMonitor();
  const events = output.replicationEvents;
  for (let i = 0; i < events.length; i++) {
    monitor.step = i;
    monitor.observe(events[i]);
  }
  return monitor.result();
}
