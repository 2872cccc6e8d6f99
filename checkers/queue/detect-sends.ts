// Anomalies about sends: acknowledged values that readers never got (lost-write, unseen), failed values
// that readers did get (G1a), and a producer's acknowledgements out of order (nonmonotonic-send).
import type { History, ProcessId } from '../../workloads/history/format.ts';
import { formatValue } from './describe.ts';
import type { EvidenceRequest } from './evidence.ts';
import { QUEUE_ANOMALIES } from './explanations.ts';
import { UNKNOWN_OFFSET, type RecordValue } from './micro-ops.ts';
import { opPair } from './pairing.ts';
import type { QueueScan } from './scan.ts';
import { AnomalyTally } from './tally.ts';

export interface MissingAcked {
  lostWrite: AnomalyTally;
  unseen: AnomalyTally;
}

/**
 * Each acknowledged value nobody read is either a lost-write (reads went past its offset) or unseen
 * (nothing read reached it), never both, so each missing write is counted once.
 */
export function detectMissingAcked(history: History, scan: QueueScan): MissingAcked {
  const lostWrite = new AnomalyTally('lost-write', QUEUE_ANOMALIES['lost-write']);
  const unseen = new AnomalyTally('unseen', QUEUE_ANOMALIES.unseen);
  const { key, offset, value, position } = scan.acked;
  for (let i = 0; i < key.length; i++) {
    const log = scan.offsets.get(key[i]);
    if (log !== undefined && log.readValues.has(value[i])) continue;
    const maxReadOffset = log?.maxReadOffset ?? -1;
    const isLost = log !== undefined && offset[i] !== UNKNOWN_OFFSET && maxReadOffset > offset[i];
    const tally = isLost ? lostWrite : unseen;
    if (!tally.record()) continue;
    const where =
      offset[i] === UNKNOWN_OFFSET
        ? `partition ${key[i]} (offset unknown)`
        : `offset ${offset[i]} of partition ${key[i]}`;
    const sendOps = opPair(history, scan.invocationOf, position[i]);
    const detail = { key: key[i], offset: offset[i], value: value[i], maxReadOffset };
    if (isLost) {
      tally.examples.push({
        description:
          `Value ${formatValue(value[i])}, acknowledged at ${where}, was never read, ` +
          `although a read of partition ${key[i]} reached offset ${maxReadOffset}.`,
        ops: [...sendOps, ...opPair(history, scan.invocationOf, log.maxReadPosition)],
        detail,
      });
    } else {
      const reach =
        maxReadOffset < 0
          ? 'no read of that key returned anything'
          : `reads of that key reached offset ${maxReadOffset}`;
      tally.examples.push({
        description: `Value ${formatValue(value[i])}, acknowledged at ${where}, was never read; ${reach}.`,
        ops: sendOps,
        detail,
      });
    }
  }
  return { lostWrite, unseen };
}

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

export function detectNonmonotonicSends(history: History, scan: QueueScan): AnomalyTally {
  const tally = new AnomalyTally('nonmonotonic-send', QUEUE_ANOMALIES['nonmonotonic-send']);
  const lastByProducer = new Map<ProcessId, Map<number, LastSend>>();
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
    if (offset[i] < last.offset && tally.record()) {
      tally.examples.push({
        description:
          `Process ${String(process)} sent ${formatValue(last.value)} to partition ${key[i]} and got offset ` +
          `${last.offset}, ` +
          `then sent ${formatValue(value[i])} and got the lower offset ${offset[i]}.`,
        ops: [...opPair(history, scan.invocationOf, last.position), ...opPair(history, scan.invocationOf, position[i])],
        detail: {
          key: key[i],
          process,
          earlier: { offset: last.offset, value: last.value },
          later: { offset: offset[i], value: value[i] },
        },
      });
    }
    last.offset = offset[i];
    last.value = value[i];
    last.position = position[i];
  }
  return tally;
}
