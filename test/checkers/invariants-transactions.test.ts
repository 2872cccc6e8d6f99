// The transaction invariants (checkers/invariants/transactions.ts) fed by hand: each fires on what it forbids and
// stays quiet on what Kafka does.
import { describe, expect, it } from 'vitest';
import { InvariantMonitor } from '../../checkers/invariants/index.ts';
import type { ReplicationEvent } from '../../sim/events/index.ts';

const append = (
  offset: number,
  producer: { id: number; epoch: number },
  extra: { transactional?: true; control?: 'COMMIT' | 'ABORT' },
  asLeader = true,
): ReplicationEvent => ({
  kind: 'append',
  time: offset,
  broker: 0,
  partition: 0,
  baseOffset: offset,
  values: [offset + 1],
  epoch: 0,
  asLeader,
  producer: { ...producer, baseSequence: offset },
  ...extra,
});

const read = (
  endOffset: number,
  lastStableOffset: number,
  highWatermark: number,
  aborted: { producerId: number; firstOffset: number }[] = [],
): ReplicationEvent => ({
  kind: 'committed-read',
  time: 100,
  broker: 0,
  partition: 0,
  fetchOffset: 0,
  endOffset,
  lastStableOffset,
  highWatermark,
  aborted,
});

/** A group coordinator's OffsetFetch answer of the commit whose batch is at `batch` of its offsets partition 0. */
const fetchedOf = (batch: number): ReplicationEvent => ({
  kind: 'offset-fetched',
  time: 100,
  broker: 0,
  partition: 0,
  groupId: 'g',
  topicPartition: 1,
  offset: 42,
  appendedBatchOffset: batch,
});

function run(events: ReplicationEvent[]): string[] {
  const m = new InvariantMonitor(null, { minInsyncReplicas: 1, replicationFactor: 1 });
  for (const e of events) m.observe(e);
  return m.violations.map((v) => v.invariant);
}

const P = { id: 7, epoch: 0 };
const T = { transactional: true } as const;

describe('transaction invariants', () => {
  it('accept a committed transaction read below the last stable offset', () => {
    expect(run([append(0, P, T), append(1, P, T), append(2, P, { control: 'COMMIT' }), read(3, 3, 3)])).toEqual([]);
  });

  it('TxnOffsetCommitIsolation: offsets of an open or aborted transaction returned, not those of a commit', () => {
    const plain = { id: -1, epoch: -1 };
    expect(run([append(0, P, T), append(1, P, { control: 'COMMIT' }), fetchedOf(0)])).toEqual([]);
    // A plain OffsetCommit's batch (not mirrored) and an unknown position say nothing.
    expect(run([append(0, plain, {}), fetchedOf(0), fetchedOf(-1)])).toEqual([]);
    expect(run([append(0, P, T), fetchedOf(0)])).toEqual(['TxnOffsetCommitIsolation']);
    expect(run([append(0, P, T), append(1, P, { control: 'ABORT' }), fetchedOf(0)])).toEqual([
      'TxnOffsetCommitIsolation',
    ]);
    // Another producer's COMMIT does not end this one.
    const Q = { id: 8, epoch: 0 };
    expect(run([append(0, P, T), append(1, Q, T), append(2, Q, { control: 'COMMIT' }), fetchedOf(0)])).toEqual([
      'TxnOffsetCommitIsolation',
    ]);
  });

  it('LastStableOffset: a last stable offset above the high watermark', () => {
    expect(run([read(0, 4, 3)])).toEqual(['LastStableOffset']);
  });

  it('ReadCommittedIsolation: a record of an open transaction, or one whose marker is not replicated', () => {
    expect(run([append(0, P, T), read(1, 1, 1)])).toEqual(['ReadCommittedIsolation']);
    expect(run([append(0, P, T), append(1, P, { control: 'COMMIT' }), read(1, 1, 1)])).toEqual([
      'ReadCommittedIsolation',
    ]);
  });

  it('ReadCommittedIsolation: an aborted transaction returned without being listed', () => {
    const events = [append(0, P, T), append(1, P, { control: 'ABORT' })];
    expect(run([...events, read(2, 2, 2)])).toEqual(['ReadCommittedIsolation']);
    expect(run([...events, read(2, 2, 2, [{ producerId: 7, firstOffset: 0 }])])).toEqual([]);
  });

  it('MarkerBeforeRecords: a zombie record of an older epoch after a fencing marker', () => {
    const fenced = [append(0, P, T), append(1, { id: 7, epoch: 1 }, { control: 'ABORT' })];
    expect(run([...fenced, append(2, P, T)])).toEqual(['MarkerBeforeRecords']);
    // The new epoch's records are fine, and a follower copying the log is not judged.
    expect(run([...fenced, append(2, { id: 7, epoch: 1 }, T), append(3, P, T, false)])).toEqual([]);
  });

  it('forgets truncated markers', () => {
    const events: ReplicationEvent[] = [
      append(0, P, T),
      append(1, P, { control: 'COMMIT' }),
      {
        kind: 'truncate',
        time: 5,
        broker: 0,
        partition: 0,
        toOffset: 1,
        fromLogEndOffset: 2,
        reason: 'leader-epoch',
        removed: [],
      },
      read(1, 1, 1),
    ];
    expect(run(events)).toEqual(['ReadCommittedIsolation']);
  });
});

const txn = (to: string, partitions: number[], loaded = false): ReplicationEvent => ({
  kind: 'txn-transition',
  time: 50,
  broker: 1,
  transactionalId: 'tx',
  producerId: P.id,
  producerEpoch: P.epoch,
  from: loaded ? to : 'Ongoing',
  to,
  partitions,
  coordinatorEpoch: 0,
  ...(loaded ? { loaded: true as const } : {}),
});
const hw = (highWatermark: number): ReplicationEvent => ({
  kind: 'high-watermark',
  time: 60,
  broker: 0,
  partition: 0,
  highWatermark,
});
const truncate = (toOffset: number): ReplicationEvent => ({
  kind: 'truncate',
  time: 70,
  broker: 0,
  partition: 0,
  toOffset,
  fromLogEndOffset: toOffset + 1,
  reason: 'leader-epoch',
  removed: [],
});

describe('HangingTransaction', () => {
  // The transaction on partition 0: opened while Ongoing, ended by its marker, then the coordinator completes it.
  const ended = [
    txn('Ongoing', [0]),
    append(0, P, T),
    txn('PrepareAbort', [0]),
    append(1, P, { control: 'ABORT' }),
    txn('CompleteAbort', []),
  ];

  it('a record that opens a transaction after the marker, once below the high watermark', () => {
    expect(run([...ended, append(2, P, T)])).toEqual([]);
    expect(run([...ended, append(2, P, T), hw(3)])).toEqual(['HangingTransaction']);
  });

  it('not when the leader truncates it away first (a deposed leader woken from a pause)', () => {
    expect(run([...ended, append(2, P, T), truncate(2), hw(3)])).toEqual([]);
  });

  it('not while the coordinator has the partition Ongoing, as it loaded it or as it added it', () => {
    expect(run([...ended, txn('Ongoing', [0], true), append(2, P, T), hw(3)])).toEqual([]);
    expect(run([...ended, txn('Ongoing', [1, 0]), append(2, P, T), hw(3)])).toEqual([]);
  });

  it('not before the marker of a transaction being ended; after it, a hang', () => {
    const preparing = [txn('Ongoing', [0]), txn('PrepareAbort', [0])];
    expect(run([...preparing, append(0, P, T), append(1, P, { control: 'ABORT' }), hw(2)])).toEqual([]);
    expect(run([...preparing, append(0, P, { control: 'ABORT' }), append(1, P, T), hw(2)])).toEqual([
      'HangingTransaction',
    ]);
  });

  it('a record on a partition the coordinator has Ongoing without it', () => {
    expect(run([txn('Ongoing', [1]), append(0, P, T), hw(1)])).toEqual(['HangingTransaction']);
  });
});
