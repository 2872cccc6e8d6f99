// Judging a historical scenario with the project's real checkers: the queue checker and the durability
// checker on the recorded history, the invariant monitor that watched every step, and the same monitor
// fed a snapshot of every replica at the end (LogMatching at rest: the live monitor only compares offsets
// as a high watermark passes them, so a divergence below a high watermark that never moves again, which
// is exactly what pre-KIP-101 truncation leaves behind, is only visible this way).
import { checkDurability } from '../../checkers/durability/index.ts';
import type { DurabilityFacts } from '../../checkers/durability/index.ts';
import { InvariantMonitor } from '../../checkers/invariants/index.ts';
import type { Violation } from '../../checkers/invariants/index.ts';
import { checkQueue } from '../../checkers/queue/index.ts';
import type { Anomaly, CheckResult } from '../../checkers/result.ts';
import type { KafkaCluster } from '../../sim/kafka/cluster.ts';
import { FINAL_READS_F, type History, type Op, type Value } from '../../workloads/history/format.ts';

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

export function judgeScenario(history: History, facts: DurabilityFacts, live: InvariantMonitor, cluster: KafkaCluster): HistoricalVerdict {
  const queue = checkQueue(history);
  // acks=1 sends carry an acks hint in their invocation, so only acks=all ones promise durability.
  const durability = checkDurability(history, facts);
  const anomalies: Record<string, number> = {};
  for (const c of [queue, durability]) for (const a of c.anomalies) anomalies[a.name] = (anomalies[a.name] ?? 0) + a.count;
  return { queue, durability, violations: [...live.violations], atRest: replicasAtRest(cluster), anomalies };
}

/**
 * Feeds a fresh monitor each running replica's log and high watermark, the leader first, so that a
 * follower disagreeing with it below both high watermarks is reported as LogMatching naming
 * [leader, follower].
 */
export function replicasAtRest(cluster: KafkaCluster): Violation[] {
  const monitor = new InvariantMonitor();
  for (let p = 0; p < cluster.config.partitions; p++) {
    const leader = cluster.leaderOf(p);
    const order = [...cluster.brokerIds].sort((a, b) => (a === leader ? -1 : b === leader ? 1 : a - b));
    for (const b of order) {
      if (cluster.world.node(cluster.nodeOf(b)).status !== 'running') continue;
      const replica = cluster.broker(b)?.partitions.get(p);
      if (replica === undefined) continue;
      for (const batch of replica.log.all()) {
        monitor.observe({ kind: 'append', time: cluster.world.now, broker: b, partition: p, baseOffset: batch.baseOffset, values: batch.values, epoch: batch.epoch, asLeader: false });
      }
      monitor.observe({ kind: 'high-watermark', time: cluster.world.now, broker: b, partition: p, highWatermark: replica.highWatermark });
    }
  }
  return [...monitor.violations];
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
  return vs.map((v) => `${v.invariant} [${v.brokers.join(',')}] ${v.description}${v.causedBy === null ? '' : ` (explained: ${v.causedBy.kind})`}`);
}

/**
 * Consumers' reads judged against the log as it ended up: before the final phase, the polls of
 * `processes` (every client process when omitted) keep only the records the final reads found at the
 * same offsets (records that no longer exist are dropped), sends are left out, and the queue checker
 * runs on that followed by the final phase. A consumer that carried on past a truncation without
 * re-reading the refilled offsets shows as `poll-skip`; one that rewound (a KIP-320 seek) does not.
 */
export function readsAgainstFinalLog(history: History, processes?: readonly number[]): CheckResult {
  const finalAt = history.findIndex((op) => op.f === FINAL_READS_F);
  if (finalAt < 0) return checkQueue([]);
  const finalLog = new Map<string, Set<unknown>>();
  for (const op of history.slice(finalAt)) {
    if (typeof op.process !== 'number' || op.type !== 'ok' || op.f !== 'poll') continue;
    for (const [key, pairs] of Object.entries(pollRecords(op.value))) {
      for (const [offset, value] of pairs) {
        const at = finalLog.get(`${key}/${offset}`) ?? new Set<unknown>();
        at.add(value);
        finalLog.set(`${key}/${offset}`, at);
      }
    }
  }
  const judged = (process: Op['process']): boolean => typeof process === 'number' && (processes === undefined || processes.includes(process));
  const kept: History = [];
  for (const op of history) {
    if (op.index >= finalAt) {
      if (op.index === finalAt || (typeof op.process === 'number' && op.f !== 'send')) kept.push(op);
      continue;
    }
    if (!judged(op.process) || op.f === 'send') continue;
    if (op.type !== 'ok' || op.f !== 'poll') {
      kept.push(op);
      continue;
    }
    const byKey: { [key: string]: Value } = {};
    for (const [key, pairs] of Object.entries(pollRecords(op.value))) {
      const present = pairs.filter(([offset, value]) => finalLog.get(`${key}/${offset}`)?.has(value) === true);
      if (present.length > 0) byKey[key] = present;
    }
    kept.push({ ...op, value: [['poll', byKey]] });
  }
  return checkQueue(kept.map((op, index) => ({ ...op, index })));
}

function pollRecords(value: Value): { [key: string]: [number, Value][] } {
  const mop = Array.isArray(value) ? value[0] : null;
  if (!Array.isArray(mop) || mop[0] !== 'poll') return {};
  const byKey = mop[1];
  if (typeof byKey !== 'object' || byKey === null || Array.isArray(byKey)) return {};
  const out: { [key: string]: [number, Value][] } = {};
  for (const [key, pairs] of Object.entries(byKey)) {
    if (!Array.isArray(pairs)) continue;
    out[key] = pairs.filter((r): r is [number, Value] => Array.isArray(r) && typeof r[0] === 'number').map((r) => [r[0] as number, r[1]]);
  }
  return out;
}
