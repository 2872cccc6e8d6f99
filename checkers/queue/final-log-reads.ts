// A consumer's reads judged against the log as it ended up. Before the final phase, each consumer's polls
// keep only the records the final reads found at the same offsets (records that no longer exist are
// dropped), sends are left out, and the queue checker runs on that followed by the final phase. A consumer
// that carried on past a truncation without re-reading the refilled offsets — what a consumer before
// KIP-320 does after an unclean election — shows as a poll skip over records of the final log; one that
// rewound (KIP-320's truncation detection, recorded as a seek) does not.
import { FINAL_READS_F, type History, type Op, type Value } from '../../workloads/history/format.ts';
import type { Anomaly, CheckResult } from '../result.ts';
import { MAX_EXAMPLES } from '../result.ts';
import { checkQueue } from './check.ts';

export const CONSUMER_POLL_SKIP = 'consumer-poll-skip';

export const CONSUMER_POLL_SKIP_EXPLANATION =
  'A consumer passed over records that the final log holds, with no seek or reassignment in between: it ' +
  'read on past a truncation without reading the records written again at the offsets it had already ' +
  'passed (a consumer that does not detect log truncation, before KIP-320).';

/** What the final reads found: key → offset → the values read there. */
type FinalLog = Map<string, Map<number, Set<unknown>>>;

function finalLogOf(history: History, finalAt: number): FinalLog {
  const log: FinalLog = new Map();
  for (let i = finalAt; i < history.length; i++) {
    const op = history[i];
    if (typeof op.process !== 'number' || op.type !== 'ok' || op.f !== 'poll') continue;
    for (const [key, pairs] of Object.entries(pollRecords(op.value))) {
      let offsets = log.get(key);
      if (offsets === undefined) log.set(key, (offsets = new Map()));
      for (const [offset, value] of pairs) {
        const at = offsets.get(offset);
        if (at === undefined) offsets.set(offset, new Set([value]));
        else at.add(value);
      }
    }
  }
  return log;
}

const inFinalLog = (log: FinalLog, key: string, offset: number, value: unknown): boolean =>
  log.get(key)?.get(offset)?.has(value) === true;

/** The queue checker on the consumers' reads against the final log (`processes`: every client when omitted). */
export function readsAgainstFinalLog(history: History, processes?: readonly number[]): CheckResult {
  const finalAt = history.findIndex((op) => op.f === FINAL_READS_F);
  if (finalAt < 0) return checkQueue([]);
  return filteredCheck(history, finalAt, finalLogOf(history, finalAt), processes);
}

function filteredCheck(
  history: History,
  finalAt: number,
  finalLog: FinalLog,
  processes?: readonly number[],
): CheckResult {
  const judged = (process: Op['process']): boolean =>
    typeof process === 'number' && (processes === undefined || processes.includes(process));
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
      const present = pairs.filter(([offset, value]) => inFinalLog(finalLog, key, offset, value));
      if (present.length > 0) byKey[key] = present;
    }
    kept.push({ ...op, value: [['poll', byKey]] });
  }
  return checkQueue(kept.map((op, index) => ({ ...op, index })));
}

/** Reads before the final phase of records the final log does not hold at their offsets. */
function vanishedReads(history: History, finalAt: number, finalLog: FinalLog): number {
  let vanished = 0;
  for (let i = 0; i < finalAt; i++) {
    const op = history[i];
    if (typeof op.process !== 'number' || op.type !== 'ok' || op.f !== 'poll') continue;
    for (const [key, pairs] of Object.entries(pollRecords(op.value))) {
      for (const [offset, value] of pairs) if (!inFinalLog(finalLog, key, offset, value)) vanished++;
    }
  }
  return vanished;
}

/**
 * The final-log reads checker: poll skips over records of the final log are `consumer-poll-skip`. A
 * consumer can read on past a truncation only if records it read are gone from the final log, so when
 * none is (nearly every run) the queue checker has nothing to add and is not run again.
 */
export function checkFinalLogReads(history: History): CheckResult {
  const finalAt = history.findIndex((op) => op.f === FINAL_READS_F);
  if (finalAt < 0) return { checker: 'final-log-reads', valid: true, anomalies: [], stats: { vanishedReads: 0 } };
  const finalLog = finalLogOf(history, finalAt);
  const vanished = vanishedReads(history, finalAt, finalLog);
  if (vanished === 0) return { checker: 'final-log-reads', valid: true, anomalies: [], stats: { vanishedReads: 0 } };
  const skips = filteredCheck(history, finalAt, finalLog).anomalies.filter(
    (a) => a.name === 'poll-skip' || a.name === 'int-poll-skip',
  );
  const count = skips.reduce((n, a) => n + a.count, 0);
  const anomalies: Anomaly[] =
    count === 0
      ? []
      : [
          {
            name: CONSUMER_POLL_SKIP,
            count,
            explanation: CONSUMER_POLL_SKIP_EXPLANATION,
            examples: skips.flatMap((a) => a.examples).slice(0, MAX_EXAMPLES),
          },
        ];
  return { checker: 'final-log-reads', valid: anomalies.length === 0, anomalies, stats: { vanishedReads: vanished } };
}

function pollRecords(value: Value): { [key: string]: [number, Value][] } {
  const mop = Array.isArray(value) ? value[0] : null;
  if (!Array.isArray(mop) || mop[0] !== 'poll') return {};
  const byKey = mop[1];
  if (typeof byKey !== 'object' || byKey === null || Array.isArray(byKey)) return {};
  const out: { [key: string]: [number, Value][] } = {};
  for (const [key, pairs] of Object.entries(byKey)) {
    if (!Array.isArray(pairs)) continue;
    out[key] = pairs
      .filter((r): r is [number, Value] => Array.isArray(r) && typeof r[0] === 'number')
      .map((r) => [r[0] as number, r[1]]);
  }
  return out;
}
