// A consumer's position in each assigned partition, as Kafka's SubscriptionState keeps it (TopicPartitionState
// with its FetchPosition and offset epoch, the AWAIT_RESET state), and what it makes of the answer that validates
// a position after a leader change (SubscriptionState.maybeCompleteValidation, KIP-320 consumer side, 2.3.0).

/** auto.offset.reset (OffsetResetStrategy): where a position without a valid offset goes; none raises instead. */
export type OffsetResetStrategy = 'earliest' | 'latest' | 'none';

export interface Position {
  /** The next offset to fetch; -1 while awaiting a reset. */
  offset: number;
  /** FetchPosition.offsetEpoch: the leader epoch of the last record consumed, -1 if none. */
  lastEpoch: number;
  /** The leader epoch the position was last validated against. */
  validatedEpoch: number;
  /** FetchStates.AWAIT_RESET: auto.offset.reset must place the position before the next fetch. */
  awaitingReset: boolean;
}

/** What validating a position found (maybeCompleteValidation's outcomes). */
export type Validation =
  /** completeValidation: the log has not been truncated below the position. */
  | { kind: 'valid' }
  /** seekValidated: truncated, and with a reset policy the consumer goes to the first offset known to diverge. */
  | { kind: 'seek'; offset: number; epoch: number }
  /** requestOffsetReset (KAFKA-9840, 2.7.0): the answer names no epoch or end offset. */
  | { kind: 'reset' }
  /** A LogTruncation for LogTruncationException (auto.offset.reset=none), with its divergent offset if known. */
  | { kind: 'raise'; divergentOffset: number | null };

/** UNDEFINED_EPOCH and UNDEFINED_EPOCH_OFFSET in an OffsetsForLeaderEpoch answer. */
const UNDEFINED = -1;

/**
 * SubscriptionState.maybeCompleteValidation for an answer to OffsetsForLeaderEpoch at the position's epoch (the
 * caller has checked the position did not move meanwhile). An end offset below the position is a truncation:
 * with a default reset policy (hasDefaultOffsetResetPolicy) the position goes there, with auto.offset.reset=none
 * it is raised. KAFKA-9840 (2.7.0): an answer without epoch or end offset resets the position (or is raised);
 * before, 2.3-2.6 took its end offset, -1, as a truncation point.
 */
export function maybeCompleteValidation(
  position: Position,
  answer: { leaderEpoch: number; endOffset: number },
  strategy: OffsetResetStrategy,
  kafka9840: boolean,
): Validation {
  const hasDefaultPolicy = strategy !== 'none';
  if (kafka9840 && (answer.endOffset === UNDEFINED || answer.leaderEpoch === UNDEFINED)) {
    return hasDefaultPolicy ? { kind: 'reset' } : { kind: 'raise', divergentOffset: null };
  }
  if (answer.endOffset < position.offset) {
    if (hasDefaultPolicy) return { kind: 'seek', offset: answer.endOffset, epoch: answer.leaderEpoch };
    return { kind: 'raise', divergentOffset: answer.endOffset };
  }
  return { kind: 'valid' };
}

/** A position assigned anew: earliest is the log start, 0 (kafkasim deletes no segments); else a reset is due. */
export function initialPosition(strategy: OffsetResetStrategy): Position {
  return strategy === 'earliest'
    ? { offset: 0, lastEpoch: -1, validatedEpoch: -1, awaitingReset: false }
    : { offset: -1, lastEpoch: -1, validatedEpoch: -1, awaitingReset: true };
}

/** ListOffsets' timestamp for a reset strategy: -2 the log start offset, -1 the high watermark. */
export function resetTimestamp(strategy: Exclude<OffsetResetStrategy, 'none'>): -1 | -2 {
  return strategy === 'earliest' ? -2 : -1;
}
