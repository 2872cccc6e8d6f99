// Divergence at rest: when the run is over (faults healed, the final reads done), two replicas that still
// disagree at an offset below both their high watermarks diverged and nothing repaired them. The live
// monitor blames a break that follows a crash or an unclean election on it, and compares offsets only as
// a high watermark passes them, so a divergence left below a high watermark that never moves again (what
// pre-KIP-101 truncation leaves behind, KAFKA-3919) shows only here. The replica invariants run over each
// partition's replicas at rest, its leader first.
import type { ReplicaAtRest } from '../checker.ts';
import type { CheckResult } from '../result.ts';
import { MAX_EXAMPLES } from '../result.ts';
import { InvariantMonitor } from './monitor.ts';
import type { Violation } from './violation.ts';

export const DIVERGENCE_AT_REST = 'divergence-at-rest';

export const DIVERGENCE_AT_REST_EXPLANATION =
  'After every fault was healed and the final reads were done, two replicas still disagree at an offset ' +
  'below both their high watermarks: their logs diverged and nothing repaired them (what truncation to ' +
  'the high watermark before KIP-101 left behind).';

/** The invariant violations of the replicas as they ended, `endMs` being when the run ended. */
export function violationsAtRest(replicas: readonly ReplicaAtRest[], endMs: number): Violation[] {
  const monitor = new InvariantMonitor();
  const partitions = [...new Set(replicas.map((r) => r.partition))].sort((a, b) => a - b);
  for (const p of partitions) {
    const order = replicas
      .filter((r) => r.partition === p)
      .sort((a, b) => (a.leader === b.leader ? a.broker - b.broker : a.leader ? -1 : 1));
    for (const r of order) {
      for (const batch of r.batches) {
        monitor.observe({
          kind: 'append',
          time: endMs,
          broker: r.broker,
          partition: p,
          baseOffset: batch.baseOffset,
          values: batch.values,
          epoch: batch.epoch,
          asLeader: false,
        });
      }
      monitor.observe({
        kind: 'high-watermark',
        time: endMs,
        broker: r.broker,
        partition: p,
        highWatermark: r.highWatermark,
      });
    }
  }
  return [...monitor.violations];
}

export function checkDivergenceAtRest(replicas: readonly ReplicaAtRest[], endMs: number): CheckResult {
  const violations = violationsAtRest(replicas, endMs);
  const anomalies =
    violations.length === 0
      ? []
      : [
          {
            name: DIVERGENCE_AT_REST,
            count: violations.length,
            explanation: DIVERGENCE_AT_REST_EXPLANATION,
            examples: violations.slice(0, MAX_EXAMPLES).map((v) => ({
              description: `${v.invariant}: ${v.description}`,
              ops: [],
              detail: { ...v.detail, partition: v.partition, brokers: v.brokers },
            })),
          },
        ];
  return {
    checker: DIVERGENCE_AT_REST,
    valid: anomalies.length === 0,
    anomalies,
    stats: { replicas: replicas.length },
  };
}
