// poll-skip, nonmonotonic-poll and their within-one-poll forms: a consumer's position must move through
// the partition's known offsets one by one. Offsets no one ever saw holding a record (gaps in the log)
// do not count, so comparisons are between known offsets, not raw offset arithmetic.
import { isClientProcess, type History, type Op, type ProcessId, type Value } from '../../workloads/history/format.ts';
import type { AnomalyExample } from '../result.ts';
import { plural } from './describe.ts';
import { ALLOWED_NOTE, causeSentence } from './detect-sends.ts';
import { QUEUE_ANOMALIES } from './explanations.ts';
import { microOps, pollRecordsByKey, toKey, type Key } from './micro-ops.ts';
import { countKnownBetween, knownBetween, valuesAt, type KeyLog, type OffsetIndex } from './offset-index.ts';
import { isFinalReadsMarker, opPair } from './pairing.ts';
import { AnomalyTally } from './tally.ts';

/** Ops after which a consumer's position may legitimately be anywhere. */
const REPOSITIONING_OPS = new Set(['seek', 'crash']);

/**
 * Ops that change a consumer's assignment. Kafka's consumer keeps the position of each partition it is still
 * assigned (SubscriptionState.assignFromUser; kafkasim's simulated consumer does the same), and Jepsen's
 * checker keeps those, so only the positions of partitions no longer named are forgotten.
 */
const ASSIGNMENT_OPS = new Set(['assign', 'subscribe']);

const SKIPPED_SHOWN = 8;

export interface PollOrderTallies {
  pollSkip: AnomalyTally;
  nonmonotonicPoll: AnomalyTally;
  intPollSkip: AnomalyTally;
  intNonmonotonicPoll: AnomalyTally;
  /** Skips that follow from losses the configuration allows (SkipJudge), listed apart. */
  pollSkipAllowed: AnomalyTally;
  intPollSkipAllowed: AnomalyTally;
}

/**
 * Whether a consumer's skip over `offsets` of partition `key` follows from a loss the configuration allows, and
 * one no consumer could have noticed (final-log-reads.ts); null when nothing explains it.
 */
export type SkipJudge = (
  process: ProcessId,
  key: Key,
  offsets: readonly number[],
) => { cause: string | null; allowed: boolean; why: string } | null;

interface Position {
  /** Offset of the last record this consumer received for the key. */
  offset: number;
  /** The completion that returned it. */
  op: number;
}

export function detectPollOrder(
  history: History,
  index: OffsetIndex,
  invocationOf: Int32Array,
  judge?: SkipJudge,
): PollOrderTallies {
  const tallies: PollOrderTallies = {
    pollSkip: new AnomalyTally('poll-skip', QUEUE_ANOMALIES['poll-skip']),
    nonmonotonicPoll: new AnomalyTally('nonmonotonic-poll', QUEUE_ANOMALIES['nonmonotonic-poll']),
    intPollSkip: new AnomalyTally('int-poll-skip', QUEUE_ANOMALIES['int-poll-skip']),
    intNonmonotonicPoll: new AnomalyTally('int-nonmonotonic-poll', QUEUE_ANOMALIES['int-nonmonotonic-poll']),
    pollSkipAllowed: new AnomalyTally('poll-skip', QUEUE_ANOMALIES['poll-skip'] + ALLOWED_NOTE),
    intPollSkipAllowed: new AnomalyTally('int-poll-skip', QUEUE_ANOMALIES['int-poll-skip'] + ALLOWED_NOTE),
  };
  const positions = new Map<ProcessId, Map<Key, Position>>();
  const reporter = new PollOrderReporter(history, invocationOf, tallies, judge);
  for (let i = 0; i < history.length; i++) {
    const op = history[i];
    if (isFinalReadsMarker(op)) {
      // The final phase starts every consumer over from the beginning of every partition.
      positions.clear();
      continue;
    }
    if (!isClientProcess(op.process)) continue;
    // An info completion means the client crashed; its successor starts from wherever it is told.
    if (REPOSITIONING_OPS.has(op.f) || op.type === 'info') {
      positions.delete(op.process);
      continue;
    }
    if (op.type !== 'ok') continue;
    if (ASSIGNMENT_OPS.has(op.f)) {
      retainNamed(positions.get(op.process), op.value);
      continue;
    }
    // A consumer-group rebalance during the poll (Jepsen's :rebalance-log) may move the position of each key it
    // names: an assigned key starts at its committed offset, as Jepsen's checker allows.
    if (op.rebalanceLog !== undefined) forgetRebalanced(positions.get(op.process), op.rebalanceLog);
    const mops = microOps(op);
    if (mops === null) continue;
    for (const mop of mops) {
      const byKey = pollRecordsByKey(mop);
      if (byKey === null) continue;
      let consumer = positions.get(op.process);
      if (consumer === undefined) {
        consumer = new Map();
        positions.set(op.process, consumer);
      }
      for (const keyText in byKey) {
        const records = byKey[keyText];
        const key = toKey(keyText);
        const log = key === null ? undefined : index.get(key);
        if (!Array.isArray(records) || log === undefined) continue;
        checkRecords(log, records, i, consumer, reporter);
      }
    }
  }
  return tallies;
}

/** Forgets the positions of the keys a :rebalance-log [{keys: [k ...]} ...] names. */
function forgetRebalanced(consumer: Map<Key, Position> | undefined, log: Value): void {
  if (consumer === undefined || !Array.isArray(log)) return;
  for (const event of log) {
    if (event === null || typeof event !== 'object' || Array.isArray(event) || !Array.isArray(event.keys)) continue;
    for (const k of event.keys) {
      const key = toKey(k);
      if (key !== null) consumer.delete(key);
    }
  }
}

/** Forgets the positions of the keys `named` (an assignment's list of keys) does not name. */
function retainNamed(consumer: Map<Key, Position> | undefined, named: Value): void {
  if (consumer === undefined) return;
  const keep = new Set(Array.isArray(named) ? named.map(toKey) : []);
  for (const key of [...consumer.keys()]) if (!keep.has(key)) consumer.delete(key);
}

function checkRecords(
  log: KeyLog,
  records: Value[],
  opPosition: number,
  consumer: Map<Key, Position>,
  reporter: PollOrderReporter,
): void {
  let previous = NaN;
  for (let r = 0; r < records.length; r++) {
    const record = records[r];
    if (!Array.isArray(record) || typeof record[0] !== 'number') continue;
    const offset = record[0];
    if (Number.isNaN(previous)) {
      const position = consumer.get(log.key);
      if (position !== undefined) reporter.between(log, position, offset, opPosition);
    } else {
      reporter.within(log, previous, offset, opPosition);
    }
    previous = offset;
  }
  if (Number.isNaN(previous)) return;
  const position = consumer.get(log.key);
  if (position === undefined) consumer.set(log.key, { offset: previous, op: opPosition });
  else {
    position.offset = previous;
    position.op = opPosition;
  }
}

/** Compares offsets and builds examples only when something is wrong, keeping the loop above lean. */
class PollOrderReporter {
  constructor(
    private readonly history: History,
    private readonly invocationOf: Int32Array,
    private readonly tallies: PollOrderTallies,
    private readonly judge: SkipJudge | undefined,
  ) {}

  between(log: KeyLog, last: Position, next: number, opPosition: number): void {
    // Offsets are integers, so consecutive ones can hide nothing in between: no search needed.
    if (next === last.offset + 1) return;
    const process = this.history[opPosition].process;
    if (next <= last.offset) {
      if (!this.tallies.nonmonotonicPoll.record()) return;
      this.tallies.nonmonotonicPoll.examples.push({
        description:
          `Process ${String(process)} received partition ${log.key} up to offset ${last.offset}; ` +
          `its next poll went back to offset ${next}.`,
        ops: [...this.pair(last.op), ...this.pair(opPosition)],
        detail: { key: log.key, process, lastOffset: last.offset, nextOffset: next },
      });
      return;
    }
    const skipped = countKnownBetween(log, last.offset, next);
    if (skipped === 0) return;
    const verdict = this.judgeSkip(process, log, last.offset, next, skipped);
    const tally = verdict?.allowed === true ? this.tallies.pollSkipAllowed : this.tallies.pollSkip;
    if (!tally.recordCause(verdict?.cause ?? null)) return;
    tally.examples.push(
      this.skipExample(
        log,
        last.offset,
        next,
        skipped,
        [...this.pair(last.op), ...this.pair(opPosition)],
        `Process ${String(process)} received partition ${log.key} up to offset ${last.offset}; ` +
          `its next poll started at ` +
          `offset ${next}`,
        process,
        verdict,
      ),
    );
  }

  within(log: KeyLog, previous: number, offset: number, opPosition: number): void {
    if (offset === previous + 1) return;
    const process = this.history[opPosition].process;
    if (offset <= previous) {
      if (!this.tallies.intNonmonotonicPoll.record()) return;
      this.tallies.intNonmonotonicPoll.examples.push({
        description:
          `One poll by process ${String(process)} returned offset ${previous} of partition ${log.key}, then ` +
          `offset ${offset}.`,
        ops: this.pair(opPosition),
        detail: { key: log.key, process, previousOffset: previous, nextOffset: offset },
      });
      return;
    }
    const skipped = countKnownBetween(log, previous, offset);
    if (skipped === 0) return;
    const verdict = this.judgeSkip(process, log, previous, offset, skipped);
    const tally = verdict?.allowed === true ? this.tallies.intPollSkipAllowed : this.tallies.intPollSkip;
    if (!tally.recordCause(verdict?.cause ?? null)) return;
    tally.examples.push(
      this.skipExample(
        log,
        previous,
        offset,
        skipped,
        this.pair(opPosition),
        `One poll by process ${String(process)} returned offset ${previous} of partition ${log.key}, ` +
          `then offset ${offset}`,
        process,
        verdict,
      ),
    );
  }

  private judgeSkip(process: ProcessId, log: KeyLog, from: number, to: number, skipped: number): ReturnType<SkipJudge> {
    return this.judge === undefined ? null : this.judge(process, log.key, knownBetween(log, from, to, skipped));
  }

  private skipExample(
    log: KeyLog,
    from: number,
    to: number,
    skipped: number,
    ops: Op[],
    opening: string,
    process: ProcessId,
    verdict: ReturnType<SkipJudge>,
  ): AnomalyExample {
    const shown = knownBetween(log, from, to, SKIPPED_SHOWN);
    const more = skipped > shown.length ? ', ...' : '';
    return {
      description:
        `${opening}, skipping ${plural(skipped, 'offset')} known to hold records ` +
        `(${shown.join(', ')}${more}).${causeSentence(verdict)}`,
      ops,
      detail: {
        key: log.key,
        process,
        fromOffset: from,
        toOffset: to,
        skippedCount: skipped,
        skipped: shown.map((offset) => ({ offset, values: valuesAt(log, offset) })),
        ...(verdict === null ? {} : { cause: verdict.cause, allowed: verdict.allowed, why: verdict.why }),
      },
    };
  }

  private pair(position: number): Op[] {
    return opPair(this.history, this.invocationOf, position);
  }
}
