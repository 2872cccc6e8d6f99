// Judging a historical scenario with the project's real checkers: the queue checker and the durability
// checker on the recorded history, the invariant monitor that watched every step, and divergence at rest
// over every replica's log at the end (checkers/invariants/at-rest.ts: the live monitor only compares
// offsets as a high watermark passes them, so a divergence below a high watermark that never moves again,
// which is exactly what pre-KIP-101 truncation leaves behind, is only visible this way).
import { checkDurability } from '../../checkers/durability/index.ts';
import type { DurabilityFacts } from '../../checkers/durability/index.ts';
import { violationsAtRest } from '../../checkers/invariants/at-rest.ts';
import type { InvariantMonitor, Violation } from '../../checkers/invariants/index.ts';
import { checkQueue } from '../../checkers/queue/index.ts';
import type { Anomaly, CheckResult } from '../../checkers/result.ts';
import { replicasAtRest } from '../../harness/facts.ts';
import type { KafkaCluster } from '../../sim/kafka/cluster.ts';
import type { History } from '../../workloads/history/format.ts';

export { readsAgainstFinalLog } from '../../checkers/queue/final-log-reads.ts';

export interface HistoricalVerdict {
  queue: CheckResult;
  durability: CheckResult;
  /** Every violation the live monitor saw, explained (unclean election, crash) or not. */
  violations: Violation[];
  /** Violations of the end-of-run snapshot (LogMatching between replicas at rest). */
  atRest: Violation[];
  /** Anomaly name → count, over the queue and durability checkers. */
  anomalies: Record<string, number>;
}

export function judgeScenario(
  history: History,
  facts: DurabilityFacts,
  live: InvariantMonitor,
  cluster: KafkaCluster,
): HistoricalVerdict {
  const queue = checkQueue(history);
  // acks=1 sends carry an acks hint in their invocation, so only acks=all ones promise durability.
  const durability = checkDurability(history, facts);
  const anomalies: Record<string, number> = {};
  for (const c of [queue, durability])
    for (const a of c.anomalies) anomalies[a.name] = (anomalies[a.name] ?? 0) + a.count;
  return {
    queue,
    durability,
    violations: [...live.violations],
    atRest: violationsAtRest(replicasAtRest(cluster), cluster.world.now),
    anomalies,
  };
}

/** The named anomaly of a checker result, or undefined. */
export function anomaly(result: CheckResult, name: string): Anomaly | undefined {
  return result.anomalies.find((a) => a.name === name);
}

/** The values an anomaly's examples name in their `detail.value` (lost-write, acked-write-lost). */
export function exampleValues(a: Anomaly | undefined): unknown[] {
  return (a?.examples ?? []).map((e) => e.detail?.value);
}

/** Offsets an inconsistent-offsets anomaly names, from its examples. */
export function exampleOffsets(a: Anomaly | undefined): unknown[] {
  return (a?.examples ?? []).map((e) => e.detail?.offset);
}

/** Short lines for failure messages: "Invariant [brokers] description (cause)". */
export function describeViolations(vs: readonly Violation[]): string[] {
  return vs.map(
    (v) =>
      `${v.invariant} [${v.brokers.join(',')}] ` +
      `${v.description}${v.causedBy === null ? '' : ` (explained: ${v.causedBy.kind})`}`,
  );
}
