// A data partition's KIP-890 verification states (Kafka 3.6.0's VerificationStateEntry, held by
// ProducerStateManager.verificationStates): one per producer whose first transactional batch on this partition the
// leader is verifying with the transaction coordinator. Its guard names that one verification; any transactional
// append of the producer (a record, which opens the transaction here, or a marker, which ends it) clears the entry
// (UnifiedLog.updateProducers), so a verification answered after a marker finds no entry and its append is refused:
// the ABA that a "verified" flag alone would let through. Kept in memory only, as Kafka keeps it.

interface VerificationStateEntry {
  /** The verification guard (Kafka's `new Object()`): unique within this partition. */
  guard: number;
  /** The lowest sequence seen while verifying: higher ones wait (VerificationStateEntry.lowestSequence). */
  lowestSequence: number;
  epoch: number;
}

export class VerificationStates {
  private readonly entries = new Map<number, VerificationStateEntry>();
  private nextGuard = 0;

  /**
   * ProducerStateManager.maybeCreateVerificationStateEntry: the producer's entry, created if absent, with
   * VerificationStateEntry.maybeUpdateLowestSequenceAndEpoch applied (a lower sequence of the same epoch, or any
   * sequence of a newer epoch, becomes the lowest).
   */
  start(producerId: number, sequence: number, epoch: number): number {
    let entry = this.entries.get(producerId);
    if (entry === undefined) {
      entry = { guard: ++this.nextGuard, lowestSequence: sequence, epoch };
      this.entries.set(producerId, entry);
    }
    if (epoch === entry.epoch && sequence < entry.lowestSequence) entry.lowestSequence = sequence;
    if (epoch > entry.epoch) {
      entry.epoch = epoch;
      entry.lowestSequence = sequence;
    }
    return entry.guard;
  }

  /** UnifiedLog.verificationGuard: the producer's current guard, null without an entry. */
  guardOf(producerId: number): number | null {
    return this.entries.get(producerId)?.guard ?? null;
  }

  /**
   * ProducerAppendInfo.checkSequence (3.6.0): while an entry exists, a sequence above its lowest is out of order, so
   * a batch behind one that failed verification cannot land first.
   */
  blocksSequence(producerId: number, firstSeq: number): boolean {
    const entry = this.entries.get(producerId);
    return entry !== undefined && firstSeq > entry.lowestSequence;
  }

  /** ProducerStateManager.clearVerificationStateEntry. */
  clear(producerId: number): void {
    this.entries.delete(producerId);
  }
}
