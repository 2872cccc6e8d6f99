// The history format: plain data shared by workloads (which record it) and checkers (which judge it).
// This module imports nothing, so checkers can read histories recorded anywhere (see test/layout).

/** Jepsen's completion types: an invocation, then ok (happened), fail (did not happen) or info (unknown). */
export type OpType = 'invoke' | 'ok' | 'fail' | 'info';

/** Any JSON value. EDN keywords and strings both read as strings; EDN maps read as objects. */
export type Value = null | boolean | number | string | Value[] | { [key: string]: Value };

/**
 * A client process is a non-negative integer, as in Jepsen; a replaced (crashed) client gets a new one.
 * Non-client actors use names: `nemesis` for faults, `workload` for phase markers.
 */
export type ProcessId = number | string;

export interface Op {
  /** Position in the history, 0-based and dense. */
  index: number;
  /** Simulated time in milliseconds (microsecond resolution). */
  time: number;
  process: ProcessId;
  type: OpType;
  /** What the op does: send, poll, assign, crash, read, write, cas, txn, acquire, release, or a nemesis op. */
  f: string;
  value: Value;
  /** Kafka's error name (NOT_ENOUGH_REPLICAS, REQUEST_TIMED_OUT...) or another reason, on fail and info. */
  error?: string;
  /**
   * Jepsen's :rebalance-log, kept as written: the consumer-group rebalances that happened while a transaction
   * ran, each a map whose :keys were assigned. Jepsen's checker expects no order within a poll of those keys.
   */
  rebalanceLog?: Value;
}

export type History = Op[];

/**
 * Queue workload conventions (as Jepsen's Kafka test records them), in micro-op form:
 * - send invoke: [["send", key, value]]; send ok: [["send", key, [offset, value]]].
 * - poll invoke: [["poll"]]; poll ok: [["poll", { "<key>": [[offset, value], ...] }]].
 * - assign invoke/ok: [key, ...] (the keys this consumer is assigned).
 * Keys are partitions (integers); values are unique integers.
 * A `workload` op with f = FINAL_READS_F marks the start of the final phase: every fault is healed and
 * each consumer then reads every partition from the beginning to its end.
 */
export const FINAL_READS_F = 'final-reads';
export const NEMESIS_PROCESS = 'nemesis';
export const WORKLOAD_PROCESS = 'workload';

export function isClientProcess(p: ProcessId): p is number {
  return typeof p === 'number';
}
