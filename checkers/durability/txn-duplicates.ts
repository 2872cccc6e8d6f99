// A committed send answered as a duplicate of a batch from a forgotten history. Under KIP-890 part 2 (transaction
// version 2, from Kafka 4.0) the coordinator bumps the producer epoch at every EndTxn and the producer numbers each
// transaction's sequences from 0, so (producer id, epoch, sequence) names one batch only as long as the coordinator
// never hands the same epoch out twice. When its __transaction_state partition loses, from every replica and for a
// cause the configuration allows, every record it wrote of a transactional id since it first handed out epoch E,
// the next InitProducerId bumps from the last epoch it still knows and hands E out again
// (TransactionCoordinator.handleInitProducerId). A data partition that lost the marker of the first epoch-E
// transaction too still holds that transaction's batches in its producer state; the new transaction's first sends
// match them (ProducerStateEntry.findDuplicateBatch, checked by UnifiedLog.analyzeAndValidateProducerState before
// any epoch or sequence check, 3.9) and are answered with the old batches' offsets, appending nothing. The client
// sees its record acknowledged at an offset that holds another: a lost write whose cause is the coordinator's loss.
import type { DurabilityFacts, TxnFacts } from './facts.ts';
import { lostForAllowedCause } from './causes.ts';

type CoordinatorRecord = NonNullable<TxnFacts['coordinatorRecords']>[number];

/** A committed send: its key, value and the offset its acknowledgement gave, and when its op was invoked. */
export interface AnsweredSend {
  key: number;
  value: number;
  offset: number;
  time: number;
}

/**
 * The cause (power-loss, last-known-leader...) when `s` was acknowledged as a duplicate of a batch that an earlier
 * issue of the same producer epoch wrote, the coordinator having forgotten that issue for a cause the configuration
 * allows; else null. `began` maps each sent `key/value` to the invocation time of the op that sent it.
 */
export function duplicateOfForgottenEpoch(
  facts: DurabilityFacts,
  s: AnsweredSend,
  began: ReadonlyMap<string, number>,
): string | null {
  const written = facts.loss?.written;
  const records = facts.txn?.coordinatorRecords;
  const coordinatorLoss = facts.txn?.coordinatorLoss;
  if (written === undefined || records === undefined || coordinatorLoss === undefined) return null;
  // --strict: every loss is a finding, whatever its cause.
  if (facts.loss?.policy.strict !== false) return null;
  // Never appended anywhere: the leader answered without writing it.
  if (written.some((w) => w.key === s.key && w.value === s.value)) return null;
  for (const held of written) {
    if (held.key !== s.key || held.offset !== s.offset || held.producer === undefined) continue;
    const heldSentAt = began.get(`${held.key}/${held.value}`);
    if (heldSentAt === undefined) continue;
    const { id, epoch } = held.producer;
    // The epoch's issues: transactions of this producer id that went Ongoing with it.
    const starts = records.filter((r) => r.producerId === id && r.producerEpoch === epoch && r.state === 'Ongoing');
    const first = starts.find((r) => r.time >= heldSentAt);
    const again = starts.find((r) => first !== undefined && r.txnStart !== first.txnStart && r.time >= s.time);
    if (first === undefined || again === undefined || heldSentAt >= again.time) continue;
    // What the coordinator wrote of the transactional id from the first issue on, until the first record some
    // replica kept: all lost for an allowed cause, and that record (where its history resumed) below epoch E.
    const since = records.filter(
      (r: CoordinatorRecord) => r.transactionalId === first.transactionalId && r.time >= first.time,
    );
    const resume = since.findIndex((r) => r.kept);
    if (resume <= 0 || since[resume].time > again.time || (since[resume].producerEpoch ?? epoch) >= epoch) continue;
    const cause = lostForAllowedCause(since.slice(0, resume), coordinatorLoss);
    if (cause !== null) return cause;
  }
  return null;
}
