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
