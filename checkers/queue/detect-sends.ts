// Anomalies about sends: acknowledged values that readers never got (lost-write, unseen), failed values
// that readers did get (G1a), and a producer's acknowledgements out of order (nonmonotonic-send).
import type { History, ProcessId } from '../../workloads/history/format.ts';
import { formatValue } from './describe.ts';
import type { EvidenceRequest } from './evidence.ts';
import { QUEUE_ANOMALIES } from './explanations.ts';
import { UNKNOWN_OFFSET, type Key, type RecordValue } from './micro-ops.ts';
import { opPair } from './pairing.ts';
import type { QueueScan } from './scan.ts';
import { AnomalyTally } from './tally.ts';

export interface MissingAcked {
  lostWrite: AnomalyTally;
  unseen: AnomalyTally;
  /** The same, for the instances whose loss the configuration allows (LossJudge). */
  lostWriteAllowed: AnomalyTally;
  unseenAllowed: AnomalyTally;
}

/** What a lost record's cause is and whether the configuration allows it (checkers/durability/causes.ts). */
export interface LossJudge {
  explain(
    key: number,
    value: number,
    offset: number,
    acks: undefined,
  ): { cause: string | null; allowed: boolean; why: string };
  /** Whether the configuration allows duplicates (a producer without idempotence retries at least once). */
  allowsDuplicates?(): boolean;
  /** Where a leader last appended `value` (its latest leader epoch), or null when unknown. */
  lastWrittenAt?(key: number, value: number): number | null;
  /**
   * A known bug of Kafka's idempotent producer behind a duplicate, as a sentence, when the facts show it (the same
   * producer wrote the value again under a later producer epoch: KAFKA-14034); empty otherwise.
   */
  knownDuplicateBug?(key: number, value: number): string;
}

/**
 * The judge's verdict on one lost record, or none when there is no judge or the value is not a number. The
 * judge knows partitions, which are integers: a key of another kind (Jepsen's `:x`) has no facts to judge by.
 */
export function judgeLoss(
  judge: LossJudge | undefined,
  key: Key,
  value: RecordValue,
  offset: number,
): { cause: string | null; allowed: boolean; why: string } | null {
  if (judge === undefined || typeof value !== 'number' || typeof key !== 'number') return null;
  return judge.explain(key, value, offset, undefined);
}

/** The sentence an example adds for a judged loss. */
export function causeSentence(verdict: { cause: string | null; allowed: boolean; why: string } | null): string {
  if (verdict === null) return '';
  if (verdict.allowed) return ` Allowed by the configuration (${verdict.cause}): ${verdict.why}.`;
  return ` ${verdict.cause === null ? 'A finding' : `A finding under --strict (${verdict.cause})`}: ${verdict.why}.`;
}

/**
 * Each acknowledged value nobody read is either a lost-write (reads went past its offset) or unseen
 * (nothing read reached it), never both, so each missing write is counted once.
 */
export function detectMissingAcked(history: History, scan: QueueScan, judge?: LossJudge): MissingAcked {
  const lostWrite = new AnomalyTally('lost-write', QUEUE_ANOMALIES['lost-write']);
  const unseen = new AnomalyTally('unseen', QUEUE_ANOMALIES.unseen);
  const lostWriteAllowed = new AnomalyTally('lost-write', QUEUE_ANOMALIES['lost-write'] + ALLOWED_NOTE);
  const unseenAllowed = new AnomalyTally('unseen', QUEUE_ANOMALIES.unseen + ALLOWED_NOTE);
  const { key, offset, value, position } = scan.acked;
  for (let i = 0; i < key.length; i++) {
    const log = scan.offsets.get(key[i]);
    if (log !== undefined && log.readValues.has(value[i])) continue;
    const maxReadOffset = log?.maxReadOffset ?? -1;
    const isLost = log !== undefined && offset[i] !== UNKNOWN_OFFSET && maxReadOffset > offset[i];
    const verdict = judgeLoss(judge, key[i], value[i], offset[i]);
    const allowed = verdict?.allowed === true;
    const tally = isLost ? (allowed ? lostWriteAllowed : lostWrite) : allowed ? unseenAllowed : unseen;
    if (!tally.recordCause(verdict?.cause ?? null)) continue;
    const because = causeSentence(verdict);
    const where =
      offset[i] === UNKNOWN_OFFSET
        ? `partition ${key[i]} (offset unknown)`
        : `offset ${offset[i]} of partition ${key[i]}`;
    const sendOps = opPair(history, scan.invocationOf, position[i]);
    const detail = {
      key: key[i],
      offset: offset[i],
      value: value[i],
      maxReadOffset,
      ...(verdict === null ? {} : { cause: verdict.cause, allowed: verdict.allowed, why: verdict.why }),
    };
    if (isLost) {
      tally.examples.push({
        description:
          `Value ${formatValue(value[i])}, acknowledged at ${where}, was never read, ` +
          `although a read of partition ${key[i]} reached offset ${maxReadOffset}.${because}`,
        ops: [...sendOps, ...opPair(history, scan.invocationOf, log.maxReadPosition)],
        detail,
      });
    } else {
      const reach =
        maxReadOffset < 0
          ? 'no read of that key returned anything'
          : `reads of that key reached offset ${maxReadOffset}`;
      tally.examples.push({
        description: `Value ${formatValue(value[i])}, acknowledged at ${where}, was never read; ${reach}.${because}`,
        ops: sendOps,
        detail,
      });
    }
  }
  return { lostWrite, unseen, lostWriteAllowed, unseenAllowed };
}

/** Appended to an anomaly's explanation when it lists the instances the configuration allows. */
export const ALLOWED_NOTE =
  ' Here the configuration under test allows it: each example names the loss that caused it, checked against the ' +
  'replicas (a power loss of unflushed records, an unclean or last-known-leader election, acks=0/1 failing over).';

export function detectAbortedReads(history: History, scan: QueueScan, evidence: EvidenceRequest): AnomalyTally {
  const tally = new AnomalyTally('G1a', QUEUE_ANOMALIES.G1a);
  const { key, value, position } = scan.failed;
  for (let i = 0; i < key.length; i++) {
    const log = scan.offsets.get(key[i]);
    if (log === undefined || !log.readValues.has(value[i]) || !tally.record()) continue;
    const failure = history[position[i]];
    const example = {
      description:
        `Value ${formatValue(value[i])} was read from partition ${key[i]} although its send failed` +
        `${failure.error === undefined ? '' : ` (${failure.error})`}.`,
      ops: [],
      detail: { key: key[i], value: value[i], error: failure.error ?? null },
    };
    tally.examples.push(example);
    evidence.witnessesOfValue(example, key[i], value[i], opPair(history, scan.invocationOf, position[i]));
  }
  return tally;
}

interface LastSend {
  offset: number;
  value: RecordValue;
  position: number;
}

/**
 * A later send acknowledged below an earlier one follows from a loss when the earlier record was lost from its
 * offset (truncated, and the offsets written again): allowed when the configuration allows that loss.
 */
export function detectNonmonotonicSends(
  history: History,
  scan: QueueScan,
  judge?: LossJudge,
): { findings: AnomalyTally; allowed: AnomalyTally } {
  const findings = new AnomalyTally('nonmonotonic-send', QUEUE_ANOMALIES['nonmonotonic-send']);
  const allowed = new AnomalyTally('nonmonotonic-send', QUEUE_ANOMALIES['nonmonotonic-send'] + ALLOWED_NOTE);
  const lastByProducer = new Map<ProcessId, Map<Key, LastSend>>();
  const { key, offset, value, position } = scan.acked;
  for (let i = 0; i < key.length; i++) {
    if (offset[i] === UNKNOWN_OFFSET) continue;
    const process = history[position[i]].process;
    let lastByKey = lastByProducer.get(process);
    if (lastByKey === undefined) {
      lastByKey = new Map();
      lastByProducer.set(process, lastByKey);
    }
    const last = lastByKey.get(key[i]);
    if (last === undefined) {
      lastByKey.set(key[i], { offset: offset[i], value: value[i], position: position[i] });
      continue;
    }
    const verdict = offset[i] < last.offset ? judgeLoss(judge, key[i], last.value, last.offset) : null;
    const tally = verdict?.allowed === true ? allowed : findings;
    if (offset[i] < last.offset && tally.recordCause(verdict?.cause ?? null)) {
      tally.examples.push({
        description:
          `Process ${String(process)} sent ${formatValue(last.value)} to partition ${key[i]} and got offset ` +
          `${last.offset}, ` +
          `then sent ${formatValue(value[i])} and got the lower offset ${offset[i]}.${causeSentence(verdict)}`,
        ops: [...opPair(history, scan.invocationOf, last.position), ...opPair(history, scan.invocationOf, position[i])],
        detail: {
          key: key[i],
          process,
          earlier: { offset: last.offset, value: last.value },
          later: { offset: offset[i], value: value[i] },
          ...(verdict === null ? {} : { cause: verdict.cause, allowed: verdict.allowed, why: verdict.why }),
        },
      });
    }
    last.offset = offset[i];
    last.value = value[i];
    last.position = position[i];
  }
  return { findings, allowed };
}
