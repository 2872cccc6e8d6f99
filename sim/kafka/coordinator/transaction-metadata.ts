// One transactional id's state on its coordinator, as Kafka 3.9 keeps it (TransactionMetadata.scala: the states and
// their valid previous states, TxnTransitMetadata, prepareTransitionTo / completeTransitionTo with the pending
// state, prepareIncrementProducerEpoch, prepareFenceProducerEpoch, prepareAddPartitions, prepareAbortOrCommit,
// prepareComplete) and its record in __transaction_state (TransactionLog.keyToBytes / valueToBytes /
// readTxnRecordValue: key the transactional id, value the transit metadata).
import type { CoordinatorRecord } from '../records.ts';

export type TransactionState =
  | 'Empty'
  | 'Ongoing'
  | 'PrepareCommit'
  | 'PrepareAbort'
  | 'CompleteCommit'
  | 'CompleteAbort'
  | 'Dead'
  | 'PrepareEpochFence';

/** TransactionState.validPreviousStates. */
const VALID_PREVIOUS: Record<TransactionState, readonly TransactionState[]> = {
  Empty: ['Empty', 'CompleteCommit', 'CompleteAbort'],
  Ongoing: ['Ongoing', 'Empty', 'CompleteCommit', 'CompleteAbort'],
  PrepareCommit: ['Ongoing'],
  // Empty and the Complete states: transaction version 2's abort of a transaction that added no partition (4.0).
  PrepareAbort: ['Ongoing', 'PrepareEpochFence', 'Empty', 'CompleteCommit', 'CompleteAbort'],
  CompleteCommit: ['PrepareCommit'],
  CompleteAbort: ['PrepareAbort'],
  Dead: ['Empty', 'CompleteAbort', 'CompleteCommit'],
  PrepareEpochFence: ['Ongoing'],
};

/** RecordBatch.NO_PRODUCER_EPOCH. */
export const NO_PRODUCER_EPOCH = -1;
/** Short.MaxValue: TransactionMetadata.isEpochExhausted at Short.MaxValue - 1. */
const MAX_EPOCH = 32767;

/** TxnTransitMetadata: the state a transition leads to, written to the log before it is taken. */
export interface TxnTransit {
  producerId: number;
  lastProducerId: number;
  producerEpoch: number;
  lastProducerEpoch: number;
  txnTimeoutMs: number;
  state: TransactionState;
  partitions: number[];
  txnStartTimestamp: number;
  txnLastUpdateTimestamp: number;
}

export function isEpochExhausted(epoch: number): boolean {
  return epoch >= MAX_EPOCH - 1;
}

/** A transition that cannot be (Kafka throws IllegalStateException: a coordinator bug). */
export class IllegalTxnTransition extends Error {}

export class TransactionMetadata {
  pendingState: TransactionState | null = null;
  /** A fence whose log write failed: the next fence does not bump the epoch again. */
  hasFailedEpochFence = false;

  constructor(
    readonly transactionalId: string,
    public producerId: number,
    public lastProducerId: number,
    public producerEpoch: number,
    public lastProducerEpoch: number,
    public txnTimeoutMs: number,
    public state: TransactionState,
    public partitions: number[],
    public txnStartTimestamp: number,
    public txnLastUpdateTimestamp: number,
  ) {}

  static fromTransit(transactionalId: string, t: TxnTransit): TransactionMetadata {
    return new TransactionMetadata(
      transactionalId,
      t.producerId,
      t.lastProducerId,
      t.producerEpoch,
      t.lastProducerEpoch,
      t.txnTimeoutMs,
      t.state,
      [...t.partitions],
      t.txnStartTimestamp,
      t.txnLastUpdateTimestamp,
    );
  }

  get pendingTransitionInProgress(): boolean {
    return this.pendingState !== null;
  }

  get isProducerEpochExhausted(): boolean {
    return isEpochExhausted(this.producerEpoch);
  }

  prepareFenceProducerEpoch(): TxnTransit {
    const bumped = this.hasFailedEpochFence ? this.producerEpoch : this.producerEpoch + 1;
    return this.prepareTransitionTo(
      'PrepareEpochFence',
      this.producerId,
      bumped,
      NO_PRODUCER_EPOCH,
      this.txnTimeoutMs,
      this.partitions,
      this.txnStartTimestamp,
      this.txnLastUpdateTimestamp,
    );
  }

  /** prepareIncrementProducerEpoch: the transit, or PRODUCER_FENCED for an expected epoch that is neither. */
  prepareIncrementProducerEpoch(timeoutMs: number, expectedEpoch: number | undefined, now: number): TxnTransit | null {
    const bumped = this.producerEpoch + 1;
    let next: [number, number];
    if (expectedEpoch === undefined) next = [bumped, NO_PRODUCER_EPOCH];
    else if (this.producerEpoch === NO_PRODUCER_EPOCH || expectedEpoch === this.producerEpoch)
      next = [bumped, this.producerEpoch];
    else if (expectedEpoch === this.lastProducerEpoch) next = [this.producerEpoch, this.lastProducerEpoch];
    else return null;
    return this.prepareTransitionTo('Empty', this.producerId, next[0], next[1], timeoutMs, [], -1, now);
  }

  prepareProducerIdRotation(
    newProducerId: number,
    timeoutMs: number,
    now: number,
    recordLastEpoch: boolean,
  ): TxnTransit {
    const last = recordLastEpoch ? this.producerEpoch : NO_PRODUCER_EPOCH;
    return this.prepareTransitionTo('Empty', newProducerId, 0, last, timeoutMs, [], -1, now);
  }

  prepareAddPartitions(added: readonly number[], now: number): TxnTransit {
    const starting = this.state === 'Empty' || this.state === 'CompleteAbort' || this.state === 'CompleteCommit';
    const partitions = [...this.partitions];
    for (const p of added) if (!partitions.includes(p)) partitions.push(p);
    return this.prepareTransitionTo(
      'Ongoing',
      this.producerId,
      this.producerEpoch,
      this.lastProducerEpoch,
      this.txnTimeoutMs,
      partitions,
      starting ? now : this.txnStartTimestamp,
      now,
    );
  }

  /**
   * prepareAbortOrCommit. With `bumpEpoch` (KIP-890 part 2, transaction.version 2 from 4.0: the transaction's
   * clientTransactionVersion.supportsEpochBump) the prepare record already carries the next epoch, the current one
   * kept as lastProducerEpoch so that a retried EndTxn of the old epoch is known (Kafka 4.0's
   * TransactionMetadata.prepareAbortOrCommit, as its KIP and apache/kafka PR 17849 / KAFKA-18660 show it: 4.0's
   * source is not in the mirror, whose tags end at 3.9.0-rc3). Epoch exhaustion there (a new producer id,
   * nextProducerId) is not modelled: no run comes near 32767 transactions of one id. `noPartitionAdded` (4.0, with
   * the bump): an abort of a transaction that added no partition, which has none to mark and starts now.
   */
  prepareAbortOrCommit(
    state: 'PrepareCommit' | 'PrepareAbort',
    now: number,
    bumpEpoch = false,
    noPartitionAdded = false,
  ): TxnTransit {
    if (!bumpEpoch) return this.prepareSameProducer(state, this.partitions, now);
    return this.prepareTransitionTo(
      state,
      this.producerId,
      this.producerEpoch + 1,
      this.producerEpoch,
      this.txnTimeoutMs,
      noPartitionAdded ? [] : this.partitions,
      noPartitionAdded ? now : this.txnStartTimestamp,
      now,
    );
  }

  prepareComplete(now: number): TxnTransit {
    const state = this.state === 'PrepareCommit' ? 'CompleteCommit' : 'CompleteAbort';
    this.hasFailedEpochFence = false;
    return this.prepareSameProducer(state, [], now);
  }

  /** A transition that keeps the producer id, epochs, timeout and start time. */
  private prepareSameProducer(state: TransactionState, partitions: readonly number[], now: number): TxnTransit {
    return this.prepareTransitionTo(
      state,
      this.producerId,
      this.producerEpoch,
      this.lastProducerEpoch,
      this.txnTimeoutMs,
      partitions,
      this.txnStartTimestamp,
      now,
    );
  }

  private prepareTransitionTo(
    state: TransactionState,
    producerId: number,
    producerEpoch: number,
    lastProducerEpoch: number,
    txnTimeoutMs: number,
    partitions: readonly number[],
    txnStartTimestamp: number,
    now: number,
  ): TxnTransit {
    if (this.pendingState !== null)
      throw new IllegalTxnTransition(`${this.transactionalId}: to ${state} while pending ${this.pendingState}`);
    if (!VALID_PREVIOUS[state].includes(this.state))
      throw new IllegalTxnTransition(`${this.transactionalId}: ${this.state} is no valid previous state of ${state}`);
    this.pendingState = state;
    return {
      producerId,
      lastProducerId: this.producerId,
      producerEpoch,
      lastProducerEpoch,
      txnTimeoutMs,
      state,
      partitions: [...partitions],
      txnStartTimestamp,
      txnLastUpdateTimestamp: now,
    };
  }

  /** completeTransitionTo, once the transit's record is replicated (its checks are Kafka's sanity checks). */
  completeTransitionTo(t: TxnTransit): void {
    if (this.pendingState !== t.state)
      throw new IllegalTxnTransition(
        `${this.transactionalId}: completing ${t.state} while pending ${this.pendingState}`,
      );
    switch (t.state) {
      case 'Empty':
        this.txnTimeoutMs = t.txnTimeoutMs;
        this.producerEpoch = t.producerEpoch;
        this.lastProducerEpoch = t.lastProducerEpoch;
        this.producerId = t.producerId;
        this.lastProducerId = t.lastProducerId;
        break;
      case 'Ongoing':
        this.txnStartTimestamp = t.txnStartTimestamp;
        this.partitions = [...t.partitions];
        break;
      case 'PrepareCommit':
      case 'PrepareAbort':
        // 4.0 (transaction.version 2) takes the bumped epoch here; before, the transit kept both epochs as they were.
        this.producerEpoch = t.producerEpoch;
        this.lastProducerEpoch = t.lastProducerEpoch;
        break;
      case 'CompleteCommit':
      case 'CompleteAbort':
        this.txnStartTimestamp = t.txnStartTimestamp;
        this.partitions = [];
        break;
      default:
        throw new IllegalTxnTransition(`${this.transactionalId}: completing a transition to ${t.state}`);
    }
    this.txnLastUpdateTimestamp = t.txnLastUpdateTimestamp;
    this.pendingState = null;
    this.state = t.state;
  }
}

/** TransactionLog's record for a transit: key the transactional id, value the metadata. */
export function txnRecord(transactionalId: string, t: TxnTransit): CoordinatorRecord {
  return { key: transactionalId, value: { ...t, partitions: [...t.partitions] } };
}

/** TransactionLog.readTxnRecordValue: the transit a record holds, null for a tombstone or a record of another shape. */
export function readTxnRecord(r: CoordinatorRecord): TxnTransit | null {
  const v = r.value;
  if (v === null || typeof v.state !== 'string' || !Array.isArray(v.partitions)) return null;
  return v as unknown as TxnTransit;
}
