// A data partition's transactions as the log holds them (Kafka's ProducerStateManager ongoing transactions,
// firstUnstableOffset and unreplicatedTxns, and LogSegment's TransactionIndex of aborted transactions, 3.9): which
// producer has a transaction open from which offset, which completed transactions still wait for their marker to
// be replicated, and every aborted transaction's offset range. Derived from the log alone, so it is rebuilt after a
// truncation or a restart, as Kafka's loadProducerState rebuilds it from the segments.
import type { RecordBatch } from './records.ts';
import { NO_PRODUCER } from './records.ts';

/** AbortedTxn: a transaction an ABORT marker at `lastOffset` ended, from its first record at `firstOffset`. */
export interface AbortedTxn {
  producerId: number;
  firstOffset: number;
  lastOffset: number;
}

/** A transaction whose marker is written but maybe not yet below the high watermark (CompletedTxn). */
interface CompletedTxn {
  firstOffset: number;
  markerOffset: number;
}

export class TransactionIndex {
  /** producer id → offset of its open transaction's first record (ProducerStateEntry.currentTxnFirstOffset). */
  private readonly ongoing = new Map<number, number>();
  private unreplicated: CompletedTxn[] = [];
  private aborted: AbortedTxn[] = [];

  /** Whether the partition has seen any transaction: until then every answer is the cheap one. */
  get empty(): boolean {
    return this.ongoing.size === 0 && this.unreplicated.length === 0 && this.aborted.length === 0;
  }

  /**
   * An appended batch (ProducerAppendInfo.appendDataBatch, appendEndTxnMarker; ProducerStateManager.completeTxn): a
   * transactional batch of a producer without an open transaction opens one; a marker closes the producer's (the
   * marker's own offset is the first if none was open), an ABORT marker indexing it as aborted.
   */
  onAppend(b: RecordBatch): void {
    if (b.producerId === NO_PRODUCER) return;
    if (b.control !== undefined) {
      const first = this.ongoing.get(b.producerId) ?? b.baseOffset;
      this.ongoing.delete(b.producerId);
      this.unreplicated.push({ firstOffset: first, markerOffset: b.baseOffset });
      if (b.control.type === 'ABORT') {
        this.aborted.push({ producerId: b.producerId, firstOffset: first, lastOffset: b.baseOffset });
      }
    } else if (b.isTransactional === true && !this.ongoing.has(b.producerId)) {
      this.ongoing.set(b.producerId, b.baseOffset);
    }
  }

  /** The producer's open transaction's first offset, if it has one. */
  ongoingFirstOffset(producerId: number): number | undefined {
    return this.ongoing.get(producerId);
  }

  /**
   * ProducerStateManager.firstUnstableOffset with onHighWatermarkUpdated's removeUnreplicatedTransactions: the first
   * offset of an open transaction, or of a completed one whose marker is not yet below the high watermark.
   */
  firstUnstableOffset(highWatermark: number): number | undefined {
    if (this.unreplicated.length > 0)
      this.unreplicated = this.unreplicated.filter((t) => t.markerOffset >= highWatermark);
    let first: number | undefined;
    for (const o of this.ongoing.values()) if (first === undefined || o < first) first = o;
    for (const t of this.unreplicated) if (first === undefined || t.firstOffset < first) first = t.firstOffset;
    return first;
  }

  /** UnifiedLog.lastStableOffset: the high watermark, or the first unstable offset below it. */
  lastStableOffset(highWatermark: number): number {
    if (this.empty) return highWatermark;
    const first = this.firstUnstableOffset(highWatermark);
    return first === undefined ? highWatermark : Math.min(first, highWatermark);
  }

  /**
   * UnifiedLog.collectAbortedTransactions (TransactionIndex.collectAbortedTxns): the aborted transactions a fetch of
   * [fetchOffset, upperBound) overlaps, in the order their markers were written.
   */
  abortedTransactions(fetchOffset: number, upperBound: number): AbortedTxn[] {
    return this.aborted.filter((a) => a.lastOffset >= fetchOffset && a.firstOffset < upperBound);
  }

  /** Every aborted transaction, in marker order (for tests and invariants). */
  allAborted(): readonly AbortedTxn[] {
    return this.aborted;
  }

  rebuild(batches: readonly RecordBatch[]): void {
    this.ongoing.clear();
    this.unreplicated = [];
    this.aborted = [];
    for (const b of batches) this.onAppend(b);
  }
}
