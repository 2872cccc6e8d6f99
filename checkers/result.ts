// The shape every checker returns: a verdict with named anomalies, as plain data a report can render.
import type { Op } from '../workloads/history/format.ts';

/** true: no anomaly; false: at least one; 'unknown': a budget ran out before an answer. */
export type Validity = true | false | 'unknown';

export interface AnomalyExample {
  /** One plain sentence saying what happened, naming offsets, values and keys. */
  description: string;
  /** The ops involved, copied from the history (invocations and completions). */
  ops: Op[];
  /** Anything else a reader needs, as plain data (offsets, replicas, elections...). */
  detail?: Record<string, unknown>;
}

export interface Anomaly {
  /** Jepsen's name for it: lost-write, duplicate, inconsistent-offsets, ... */
  name: string;
  count: number;
  /** What this anomaly means, in plain words, for reports. */
  explanation: string;
  /** A few examples (at most MAX_EXAMPLES), never the whole list. */
  examples: AnomalyExample[];
  /**
   * How many instances each cause explains (checkers/durability/causes.ts), when the checker judged causes:
   * for allowed anomalies, the cause the configuration allows; for findings under --strict, the same.
   */
  byCause?: Record<string, number>;
}

export interface CheckResult {
  /** Which checker produced this: linearizable, queue, durability, invariants. */
  checker: string;
  valid: Validity;
  /** Ordered by name, so that results serialise identically every time. */
  anomalies: Anomaly[];
  /** Checker-specific figures (ops examined, states explored, ...). */
  stats?: Record<string, number>;
  /**
   * What the checker saw that is not an anomaly but a reader should know: e.g. invariant violations that
   * an unclean election or a crash explains (Kafka doing what its configuration allows).
   */
  notes?: Anomaly[];
  /**
   * Anomalies the configuration under test allows, each instance's cause checked against the simulated state
   * (an unclean election, a power loss losing unflushed records, acks=1 failing over): reported and counted,
   * but not findings, so they leave `valid` alone. Empty under --strict.
   */
  allowed?: Anomaly[];
}

export const MAX_EXAMPLES = 8;

/** Combines several checkers' results: invalid beats unknown beats valid. */
export function combineValidity(values: Validity[]): Validity {
  if (values.some((v) => v === false)) return false;
  if (values.some((v) => v === 'unknown')) return 'unknown';
  return true;
}
