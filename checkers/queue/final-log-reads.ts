// A consumer's reads judged against the log as it ended up. Before the final phase, each consumer's polls
// keep only the records the final reads found at the same offsets (records that no longer exist are
// dropped), sends are left out, and the queue checker runs on that followed by the final phase. A consumer
// that carried on past a truncation without re-reading the refilled offsets — what a consumer before
// KIP-320 does after an unclean election — shows as a poll skip over records of the final log; one that
// rewound (KIP-320's truncation detection, recorded as a seek) does not. A skip over offsets whose records the
// consumer had read, lost since in a way the configuration allows and written again in the same leader epoch, is
// allowed: no consumer can see such a rewrite (KIP-320 validates a position only when the leader or its epoch
// changes, and asks where the epoch of the last record consumed ends, which is then past the position).
import { FINAL_READS_F, type History, type Op, type ProcessId, type Value } from '../../workloads/history/format.ts';
import type { ReplicaAtRest } from '../checker.ts';
import type { Anomaly, CheckResult } from '../result.ts';
import { MAX_EXAMPLES } from '../result.ts';
import { checkQueue } from './check.ts';
import type { SkipJudge } from './detect-polls.ts';
import type { LossJudge } from './detect-sends.ts';

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
  judge?: SkipJudge,
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
  return checkQueue(
    kept.map((op, index) => ({ ...op, index })),
    { pollSkip: judge },
  );
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

/** What judges a skip's cause: the run's loss verdicts, and every replica's log when the run ended. */
export interface FinalLogReadsContext {
  /** The verdict on each lost record, and the leader epoch it had (checkers/durability/causes.ts). */
  loss?: LossJudge & { lostEpoch(key: number, value: number, offset: number): number | null };
  replicasAtRest?: readonly ReplicaAtRest[];
}

/**
 * The final-log reads checker: poll skips over records of the final log are `consumer-poll-skip`. A
 * consumer can read on past a truncation only if records it read are gone from the final log, so when
 * none is (nearly every run) the queue checker has nothing to add and is not run again. With a context, a
 * skip over records rewritten where no consumer can see it, after a loss the configuration allows, is allowed.
 */
export function checkFinalLogReads(history: History, context: FinalLogReadsContext = {}): CheckResult {
  const finalAt = history.findIndex((op) => op.f === FINAL_READS_F);
  if (finalAt < 0) return { checker: 'final-log-reads', valid: true, anomalies: [], stats: { vanishedReads: 0 } };
  const finalLog = finalLogOf(history, finalAt);
  const vanished = vanishedReads(history, finalAt, finalLog);
  if (vanished === 0) return { checker: 'final-log-reads', valid: true, anomalies: [], stats: { vanishedReads: 0 } };
  const judge = skipJudge(history, finalAt, finalLog, context);
  const result = filteredCheck(history, finalAt, finalLog, undefined, judge);
  const anomalies = consumerPollSkip(result.anomalies, CONSUMER_POLL_SKIP_EXPLANATION);
  const allowed = consumerPollSkip(result.allowed ?? [], CONSUMER_POLL_SKIP_EXPLANATION + ALLOWED_SKIP_NOTE);
  return {
    checker: 'final-log-reads',
    valid: anomalies.length === 0,
    anomalies,
    ...(allowed.length > 0 ? { allowed } : {}),
    stats: { vanishedReads: vanished },
  };
}

const ALLOWED_SKIP_NOTE =
  ' Allowed when the records it had read there were lost in a way the configuration allows and the offsets were ' +
  'written again in the same leader epoch, which no consumer can notice.';

/** The queue checker's poll skips, both kinds, as one consumer-poll-skip anomaly (none if there are none). */
function consumerPollSkip(found: readonly Anomaly[], explanation: string): Anomaly[] {
  const skips = found.filter((a) => a.name === 'poll-skip' || a.name === 'int-poll-skip');
  const count = skips.reduce((n, a) => n + a.count, 0);
  if (count === 0) return [];
  const anomaly: Anomaly = {
    name: CONSUMER_POLL_SKIP,
    count,
    explanation,
    examples: skips.flatMap((a) => a.examples).slice(0, MAX_EXAMPLES),
  };
  const byCause: Record<string, number> = {};
  for (const a of skips)
    for (const [cause, n] of Object.entries(a.byCause ?? {})) byCause[cause] = (byCause[cause] ?? 0) + n;
  if (Object.keys(byCause).length > 0) anomaly.byCause = byCause;
  return [anomaly];
}

/**
 * Judges a skip over records of the final log: allowed when, at every offset skipped, the consumer had read
 * records that are gone, each lost in a way the configuration allows, and the record there now was written in
 * the leader epoch the lost one had (or an earlier one). KIP-320's consumer validates its position only when the
 * leader or its epoch changes, asking where the epoch of its last record ends: for a log rewritten in that same
 * epoch that end is past the position, so no release's consumer can tell. A rewrite in a later epoch it can tell
 * (a consumer that does not is Kafka's bug before KIP-320, a finding).
 */
function skipJudge(
  history: History,
  finalAt: number,
  finalLog: FinalLog,
  context: FinalLogReadsContext,
): SkipJudge | undefined {
  const { loss, replicasAtRest } = context;
  if (loss === undefined || replicasAtRest === undefined) return undefined;
  // process → key → offset → the values it read there that the final log does not hold.
  const read = new Map<ProcessId, Map<string, Map<number, Value[]>>>();
  for (let i = 0; i < finalAt; i++) {
    const op = history[i];
    if (typeof op.process !== 'number' || op.type !== 'ok' || op.f !== 'poll') continue;
    for (const [key, pairs] of Object.entries(pollRecords(op.value))) {
      for (const [offset, value] of pairs) {
        if (inFinalLog(finalLog, key, offset, value)) continue;
        let keys = read.get(op.process);
        if (keys === undefined) read.set(op.process, (keys = new Map()));
        let offsets = keys.get(key);
        if (offsets === undefined) keys.set(key, (offsets = new Map()));
        const values = offsets.get(offset);
        if (values === undefined) offsets.set(offset, [value]);
        else if (!values.includes(value)) values.push(value);
      }
    }
  }
  const epochs = finalEpochs(finalLog, replicasAtRest);
  return (process, key, offsets) => {
    let first: { cause: string | null; why: string } | null = null;
    for (const offset of offsets) {
      const values = read.get(process)?.get(String(key))?.get(offset) ?? [];
      if (values.length === 0) return null;
      const now = epochs.get(String(key))?.get(offset);
      for (const value of values) {
        // Facts are about partitions, integers: nothing judges a skip over a key of another kind.
        if (typeof value !== 'number' || typeof key !== 'number') return null;
        const verdict = loss.explain(key, value, offset, undefined);
        const lostIn = loss.lostEpoch(key, value, offset);
        const heard = `it had read ${value} at offset ${offset}, lost since: ${verdict.why}`;
        if (!verdict.allowed) return { cause: verdict.cause, allowed: false, why: heard };
        if (lostIn === null || now === undefined || now > lostIn) {
          const which = `leader epoch ${now ?? '(unknown)'}, the lost record's ${lostIn ?? '(unknown)'}`;
          return {
            cause: null,
            allowed: false,
            why: `${heard}; the offset was written again in a later epoch (${which}), which a consumer can tell`,
          };
        }
        first ??= {
          cause: verdict.cause,
          why:
            `${heard}; the offset was written again in leader epoch ${now}, no later than the lost record's ` +
            `(${lostIn}), so no consumer's position validation (KIP-320) can tell`,
        };
      }
    }
    return first === null ? null : { cause: first.cause, allowed: true, why: first.why };
  };
}

/** key → offset → the leader epoch of the final log's record there, as a replica at rest has it (leaders first). */
function finalEpochs(finalLog: FinalLog, replicas: readonly ReplicaAtRest[]): Map<string, Map<number, number>> {
  const out = new Map<string, Map<number, number>>();
  const ordered = [...replicas].sort((a, b) => Number(b.leader) - Number(a.leader));
  for (const r of ordered) {
    const key = String(r.partition);
    let offsets = out.get(key);
    if (offsets === undefined) out.set(key, (offsets = new Map()));
    for (const b of r.batches) {
      for (let i = 0; i < b.values.length; i++) {
        const offset = b.baseOffset + i;
        if (!offsets.has(offset) && inFinalLog(finalLog, key, offset, b.values[i])) offsets.set(offset, b.epoch);
      }
    }
  }
  return out;
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
