// The data partition's transaction index (Kafka's ProducerStateManager firstUnstableOffset with
// removeUnreplicatedTransactions, and the TransactionIndex of aborted transactions, 3.9), from hand-built batches.
import { describe, expect, it } from 'vitest';
import { TransactionIndex } from '../../../sim/kafka/txn-index.ts';
import type { RecordBatch } from '../../../sim/kafka/records.ts';

const data = (baseOffset: number, producerId: number): RecordBatch => ({
  baseOffset,
  epoch: 0,
  producerId,
  producerEpoch: 0,
  baseSequence: baseOffset,
  values: [baseOffset * 10],
  isTransactional: true,
});
const marker = (baseOffset: number, producerId: number, type: 'COMMIT' | 'ABORT'): RecordBatch => ({
  baseOffset,
  epoch: 0,
  producerId,
  producerEpoch: 0,
  baseSequence: -1,
  values: [-1],
  control: { type, coordinatorEpoch: 0 },
});

describe('TransactionIndex', () => {
  it('holds the last stable offset at a completed transaction until its marker is below the high watermark', () => {
    // Producer 7: records at 0 and 1, COMMIT at 2.
    const index = new TransactionIndex();
    for (const b of [data(0, 7), data(1, 7), marker(2, 7, 'COMMIT')]) index.onAppend(b);
    // ProducerStateManager.firstUnstableOffset: the marker is written but not replicated (HW 2): still unstable.
    expect(index.lastStableOffset(2)).toBe(0);
    // onHighWatermarkUpdated removes the transaction once the HW passes its marker.
    expect(index.lastStableOffset(3)).toBe(3);
  });

  it('stops at the first open transaction, whoever else committed', () => {
    const index = new TransactionIndex();
    for (const b of [data(0, 7), data(1, 8), marker(2, 8, 'COMMIT')]) index.onAppend(b);
    expect(index.lastStableOffset(3)).toBe(0);
    index.onAppend(marker(3, 7, 'ABORT'));
    expect(index.lastStableOffset(4)).toBe(4);
  });

  it('lists an aborted transaction to a fetch that starts inside it (collectAbortedTxns by last offset)', () => {
    // Producer 7 aborted [0, 3]: records at 0..2, ABORT at 3. A fetch from 1 (a consumer positioned mid-way, after
    // a rebalance or a restart at a committed offset) must still learn of it, or it returns records 1 and 2.
    const index = new TransactionIndex();
    for (const b of [data(0, 7), data(1, 7), data(2, 7), marker(3, 7, 'ABORT')]) index.onAppend(b);
    expect(index.abortedTransactions(1, 4)).toEqual([{ producerId: 7, firstOffset: 0, lastOffset: 3 }]);
    expect(index.abortedTransactions(0, 4)).toHaveLength(1);
    // A fetch wholly after it, or wholly before it, does not get it.
    expect(index.abortedTransactions(4, 10)).toEqual([]);
  });

  it('rebuilds the same answers from the log after a truncation or a restart', () => {
    const batches = [data(0, 7), data(1, 8), marker(2, 7, 'ABORT')];
    const index = new TransactionIndex();
    index.rebuild(batches);
    expect(index.ongoingFirstOffset(8)).toBe(1);
    expect(index.ongoingFirstOffset(7)).toBeUndefined();
    expect(index.allAborted()).toEqual([{ producerId: 7, firstOffset: 0, lastOffset: 2 }]);
  });
});
