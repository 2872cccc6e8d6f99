// Matching completions to invocations. A Jepsen process runs one op at a time, so a completion belongs
// to the latest open invocation of the same process.
import {
  FINAL_READS_F,
  WORKLOAD_PROCESS,
  type History,
  type Op,
  type ProcessId,
} from '../../workloads/history/format.ts';

const NO_OP = -1;

/** For every completion (ok, fail, info) the history position of its invocation; -1 everywhere else. */
export function invocationPositions(history: History): Int32Array {
  const invocationOf = new Int32Array(history.length).fill(NO_OP);
  const open = new Map<ProcessId, number>();
  for (let i = 0; i < history.length; i++) {
    const op = history[i];
    if (op.type === 'invoke') {
      open.set(op.process, i);
    } else {
      const invocation = open.get(op.process);
      if (invocation !== undefined) {
        invocationOf[i] = invocation;
        open.delete(op.process);
      }
    }
  }
  return invocationOf;
}

/** The invocation (when known) and the completion at `position`, for an anomaly example. */
export function opPair(history: History, invocationOf: Int32Array, position: number): Op[] {
  const invocation = invocationOf[position];
  return invocation === NO_OP ? [history[position]] : [history[invocation], history[position]];
}

/** Position of the first `final-reads` marker, or -1 when the history has no final phase. */
export function finalReadsPosition(history: History): number {
  for (let i = 0; i < history.length; i++) {
    if (isFinalReadsMarker(history[i])) return i;
  }
  return NO_OP;
}

export function isFinalReadsMarker(op: Op): boolean {
  return op.f === FINAL_READS_F && op.process === WORKLOAD_PROCESS;
}
