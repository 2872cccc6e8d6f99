// GroupMetadataManager.doLoadGroupsAndOffsets (3.9.0) as replayGroupLog follows it: plain offsets in log order,
// transactional ones held per producer until a marker (COMMIT: materialised over an older commit; ABORT: dropped),
// and those still held at the log end loaded as pending.
import { describe, expect, it } from 'vitest';
import type { GroupLogBatch, GroupRecord } from '../../../../sim/kafka/group/group-records.ts';
import { replayGroupLog } from '../../../../sim/kafka/group/group-records.ts';

const offset = (partition: number, value: number): GroupRecord => ({
  kind: 'offset',
  groupId: 'g',
  partition,
  value: { offset: value, leaderEpoch: -1 },
});
const plain = (baseOffset: number, ...records: GroupRecord[]): GroupLogBatch => ({
  kind: 'records',
  baseOffset,
  producerId: -1,
  transactional: false,
  records,
});
const txn = (baseOffset: number, producerId: number, ...records: GroupRecord[]): GroupLogBatch => ({
  kind: 'records',
  baseOffset,
  producerId,
  transactional: true,
  records,
});
const marker = (producerId: number, commit: boolean): GroupLogBatch => ({ kind: 'marker', producerId, commit });

function loaded(batches: GroupLogBatch[]) {
  const [g] = replayGroupLog(batches);
  return {
    offsets: Object.fromEntries([...(g?.offsets ?? [])].map(([p, o]) => [p, o.offset])),
    pending: Object.fromEntries(
      [...(g?.pending ?? [])].map(([pid, m]) => [pid, Object.fromEntries([...m].map(([p, o]) => [p, o.offset]))]),
    ),
  };
}

describe('replayGroupLog (doLoadGroupsAndOffsets)', () => {
  it('materialises a committed transaction, drops an aborted one and keeps an open one pending', () => {
    const batches = [
      plain(0, offset(0, 1)),
      txn(1, 7, offset(0, 5), offset(1, 5)),
      txn(2, 8, offset(1, 9)),
      marker(7, true),
      marker(8, false),
      txn(5, 9, offset(0, 11)),
    ];
    expect(loaded(batches)).toEqual({ offsets: { 0: 5, 1: 5 }, pending: { 9: { 0: 11 } } });
  });

  it('keeps a newer plain commit over an older transactional one committed after it (olderThan)', () => {
    const batches = [txn(0, 7, offset(0, 5)), plain(1, offset(0, 3)), marker(7, true)];
    expect(loaded(batches)).toEqual({ offsets: { 0: 3 }, pending: {} });
    const newer = [plain(0, offset(0, 3)), txn(1, 7, offset(0, 5)), marker(7, true)];
    expect(loaded(newer)).toEqual({ offsets: { 0: 5 }, pending: {} });
  });
});
