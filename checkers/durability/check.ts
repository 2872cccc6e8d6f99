// The durability checker: every write acknowledged as durable must still be there when the final phase
// reads every partition from the beginning; a missing one is blamed on the truncations that removed it.
import type { History } from '../../workloads/history/format.ts';
import type { AnomalyExample, CheckResult } from '../result.ts';
import {
  collectReadValues,
  finalReadsPosition,
  invocationPositions,
  microOps,
  newSendFields,
  opPair,
  readSend,
  sendAcksHint,
  UNKNOWN_OFFSET,
  type Key,
  type RecordValue,
} from '../queue/index.ts';
import { formatValue, seconds } from '../queue/describe.ts';
import { AnomalyTally, reportedAnomalies } from '../queue/tally.ts';
import { blamedTruncation, groupTruncations, truncationsRemoving, type TruncationsByKey } from './attribution.ts';
import { lossExplainer, type LossExplainer } from './causes.ts';
import { describeCause, type AcksLevel, type DurabilityFacts, type FinalLog, type Truncation } from './facts.ts';

export interface DurabilityOptions {
  /**
   * Whether an ok send whose invocation names no acks setting was sent with acks=all, and so promised
   * durability. Default true; false judges acks=1/0 runs, where only sends hinted acks=all are judged.
   */
  ackedMeansDurable?: boolean;
}

export const ACKED_WRITE_LOST_EXPLANATION =
  'A send acknowledged with acks=all (the leader confirmed that every in-sync replica had it) was missing ' +
  'when the final phase read every partition from the beginning: a durability loss of an acknowledged ' +
  'write. When the simulator reported log truncations, each example names the brokers that removed the ' +
  'record and why.';

export const ACKED_WRITE_LOST_ALLOWED_EXPLANATION =
  'A send acknowledged by the leader was missing when the final phase read every partition from the beginning, ' +
  'and the configuration under test allows it: each example names the cause, checked against the replicas ' +
  '(every replica holding the record lost it unflushed in a power loss; an unclean election, or KIP-966 ' +
  'last-known-leader recovery, elected a replica without it; acks=0 or 1 and a new leader without it). Not a ' +
  'finding; --strict makes it one.';

const TRUNCATIONS_SHOWN = 8;

interface Tallies {
  lost: AnomalyTally;
  allowed: AnomalyTally;
  attributed: number;
  explainer: LossExplainer;
}

export function checkDurability(history: History, facts?: DurabilityFacts, opts: DurabilityOptions = {}): CheckResult {
  const ackedMeansDurable = opts.ackedMeansDurable ?? true;
  const invocationOf = invocationPositions(history);
  const finalReads = finalReadsPosition(history);
  const finalTime = finalReads >= 0 ? history[finalReads].time : Infinity;
  const readAtEnd = finalReads >= 0 ? collectReadValues(history, invocationOf, finalReads) : new Map();
  const truncations = groupTruncations(facts?.truncations ?? []);
  const tallies: Tallies = {
    lost: new AnomalyTally('acked-write-lost', ACKED_WRITE_LOST_EXPLANATION),
    allowed: new AnomalyTally('acked-write-lost', ACKED_WRITE_LOST_ALLOWED_EXPLANATION),
    attributed: 0,
    explainer: lossExplainer(facts?.loss),
  };
  const unreadable = new AnomalyTally('acked-write-unreadable', ACKED_WRITE_UNREADABLE_EXPLANATION);
  const held = heldByReplicas(facts?.finalLogs ?? []);
  let acked = 0;
  let notJudged = 0;
  const send = newSendFields();
  for (let position = 0; position < history.length; position++) {
    const op = history[position];
    if (op.type !== 'ok') continue;
    const mops = microOps(op);
    if (mops === null) continue;
    const invocationMops = invocationOf[position] >= 0 ? microOps(history[invocationOf[position]]) : null;
    for (let m = 0; m < mops.length; m++) {
      if (!readSend(mops[m], send)) continue;
      const invocationMop = invocationMops?.[m];
      const hint = invocationMop === undefined ? undefined : sendAcksHint(invocationMop);
      const promisedDurable = hint === 'all' || (hint === undefined && ackedMeansDurable);
      // Acknowledged after the final phase began: the final reads may have passed its partition already.
      if (!promisedDurable || (finalReads >= 0 && position > finalReads)) {
        notJudged++;
        continue;
      }
      acked++;
      if (finalReads < 0) continue;
      if (readAtEnd.get(send.key)?.has(send.value) === true) continue;
      // Replicas hold partitions, integers: a key of another kind (Jepsen's `:x`) is held by none we know.
      const holder =
        send.offset === UNKNOWN_OFFSET || typeof send.key !== 'number'
          ? undefined
          : held.get(send.key)?.get(send.offset);
      if (holder !== undefined && holder.value === send.value) {
        if (unreadable.record()) {
          unreadable.examples.push({
            description:
              `Value ${formatValue(send.value)}, acknowledged at offset ${send.offset} of key ` +
              `${send.key}, was not read in the final phase, but broker ${holder.broker} still holds it (its high ` +
              `watermark is ${holder.highWatermark}): unavailable, not lost.`,
            ops: opPair(history, invocationOf, position),
            detail: {
              key: send.key,
              offset: send.offset,
              value: send.value,
              broker: holder.broker,
              highWatermark: holder.highWatermark,
            },
          });
        }
        continue;
      }
      reportLoss(history, invocationOf, position, send, hint, finalTime, truncations, tallies);
    }
  }
  const anomalies = reportedAnomalies([tallies.lost]);
  const allowed = reportedAnomalies([tallies.allowed]);
  return {
    checker: 'durability',
    // Without a final phase nothing claims to have read everything, so loss cannot be told from delay.
    valid: finalReads < 0 && acked > 0 ? 'unknown' : anomalies.length === 0,
    anomalies,
    ...(unreadable.count > 0 ? { notes: [unreadable.toAnomaly()] } : {}),
    ...(allowed.length > 0 ? { allowed } : {}),
    stats: {
      acked,
      lostAcked: tallies.lost.count + tallies.allowed.count,
      lostAllowed: tallies.allowed.count,
      unreadableAcked: unreadable.count,
      attributed: tallies.attributed,
      unattributed: tallies.lost.count + tallies.allowed.count - tallies.attributed,
      notJudged,
    },
  };
}

function reportLoss(
  history: History,
  invocationOf: Int32Array,
  position: number,
  send: { key: Key; offset: number; value: RecordValue },
  acks: AcksLevel | undefined,
  finalTime: number,
  truncations: TruncationsByKey,
  tallies: Tallies,
): void {
  const { key, offset, value } = send;
  const ackTime = history[position].time;
  const removedBy =
    offset === UNKNOWN_OFFSET || typeof key !== 'number' ? [] : truncationsRemoving(truncations, key, offset, ackTime);
  if (removedBy.length > 0) tallies.attributed++;
  const verdict =
    typeof value === 'number' && typeof key === 'number' && tallies.explainer.known
      ? tallies.explainer.explain(key, value, offset, acks)
      : { cause: null, allowed: false, why: '' };
  const tally = verdict.allowed ? tallies.allowed : tallies.lost;
  if (!tally.recordCause(verdict.cause)) return;
  const blamed = blamedTruncation(removedBy, finalTime);
  const where =
    offset === UNKNOWN_OFFSET ? `partition ${key} (offset unknown)` : `offset ${offset} of partition ${key}`;
  const truncated = blamed === undefined ? 'no reported truncation explains it.' : blame(blamed, removedBy);
  const cause =
    verdict.why === ''
      ? ''
      : verdict.allowed
        ? ` Allowed by the configuration (${verdict.cause}): ${verdict.why}.`
        : ` ${verdict.cause === null ? 'A finding' : `A finding under --strict (${verdict.cause})`}: ${verdict.why}.`;
  const example: AnomalyExample = {
    description:
      `Value ${formatValue(value)}, acknowledged at ${where} at ${seconds(ackTime)}, ` +
      `is missing from the final reads; ${truncated}${cause}`,
    ops: opPair(history, invocationOf, position),
    detail: {
      key,
      offset,
      value,
      ackTime,
      cause: verdict.cause,
      allowed: verdict.allowed,
      why: verdict.why,
      blamed: blamed === undefined ? null : truncationDetail(blamed),
      truncatedBy: removedBy.slice(0, TRUNCATIONS_SHOWN).map(truncationDetail),
    },
  };
  tally.examples.push(example);
}

function blame(blamed: Truncation, all: readonly Truncation[]): string {
  const brokers = [...new Set(all.map((t) => t.broker))].sort((a, b) => a - b);
  const others = brokers.length > 1 ? ` Brokers that truncated it: ${brokers.join(', ')}.` : '';
  return (
    `broker ${blamed.broker} removed offsets ${blamed.fromOffset} to ${blamed.toOffset - 1} ` +
    `at ${seconds(blamed.time)} ` +
    `because ${describeCause(blamed.cause)}.${others}`
  );
}

function truncationDetail(t: Truncation): Record<string, unknown> {
  return {
    broker: t.broker,
    time: t.time,
    fromOffset: t.fromOffset,
    toOffset: t.toOffset,
    cause: t.cause,
    why: describeCause(t.cause),
  };
}

const ACKED_WRITE_UNREADABLE_EXPLANATION =
  'An acknowledged write the final reads did not see, although a replica still held it at its offset when ' +
  'the run ended: the partition was unavailable (no leader, or a high watermark held below it, e.g. with ' +
  'fewer in-sync replicas than min.insync.replicas) for the whole final phase. Not a durability loss.';

/** key → offset → the replica holding a value there (the first broker in the facts' order). */
function heldByReplicas(
  logs: readonly FinalLog[],
): Map<number, Map<number, { broker: number; value: number; highWatermark: number }>> {
  const byKey = new Map<number, Map<number, { broker: number; value: number; highWatermark: number }>>();
  for (const log of logs) {
    let offsets = byKey.get(log.key);
    if (offsets === undefined) byKey.set(log.key, (offsets = new Map()));
    for (let i = 0; i < log.values.length; i++) {
      const offset = log.startOffset + i;
      if (!offsets.has(offset))
        offsets.set(offset, { broker: log.broker, value: log.values[i], highWatermark: log.highWatermark });
    }
  }
  return byKey;
}
