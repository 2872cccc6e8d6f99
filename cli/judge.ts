// Runs every checker on a run's output and combines their verdicts into one result.json.
import { checkDurability } from '../checkers/durability/index.ts';
import { checkQueue } from '../checkers/queue/index.ts';
import type { CheckResult, Validity } from '../checkers/result.ts';
import { combineValidity } from '../checkers/result.ts';
import type { RunOutput } from './runner.ts';

export interface RunResult {
  kafkasimVersion: string;
  seed: number | string;
  valid: Validity;
  historyHash: string;
  anomalies: Record<string, number>;
  stats: { ops: number; acked: number; lost: number; events: number; simSeconds: number; wallMs: number };
  swarm?: string;
  config: unknown;
  checkers: CheckResult[];
}

export function judge(seed: number | string, output: RunOutput, wallMs: number, version: string): RunResult {
  const queue = checkQueue(output.history);
  const durability = checkDurability(output.history, output.durabilityFacts);
  const checkers = [queue, durability];
  const anomalies: Record<string, number> = {};
  for (const c of checkers) for (const a of c.anomalies) anomalies[a.name] = (anomalies[a.name] ?? 0) + a.count;
  const lost = durability.anomalies.find((a) => a.name === 'acked-write-lost')?.count ?? 0;
  return {
    kafkasimVersion: version,
    seed,
    valid: combineValidity(checkers.map((c) => c.valid)),
    historyHash: output.historyHash,
    anomalies,
    stats: { ops: output.stats.ops, acked: output.stats.acked, lost, events: output.stats.events, simSeconds: output.stats.simSeconds, wallMs: Math.round(wallMs) },
    swarm: output.swarmDescription,
    config: output.config,
    checkers,
  };
}
