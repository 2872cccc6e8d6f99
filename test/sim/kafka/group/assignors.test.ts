// RangeAssignor and CooperativeStickyAssignor (clients, 3.9.0) on one topic.
import { describe, expect, it } from 'vitest';
import { COOPERATIVE_STICKY, RANGE, stickyAssign } from '../../../../sim/kafka/group/assignors.ts';

const ALL = [0, 1, 2, 3, 4];
const member = (memberId: string, owned: number[] = [], generation = -1) => ({
  memberId,
  metadata: { partitions: ALL, ownedPartitions: owned, generation },
});

describe('assignors', () => {
  it('range gives contiguous ranges in member id order, the first n mod m one more', () => {
    const a = RANGE.assign([member('c'), member('a'), member('b')]);
    expect([...a]).toEqual([
      ['a', [0, 1]],
      ['b', [2, 3]],
      ['c', [4]],
    ]);
  });

  it('sticky keeps owned partitions up to the quota and balances the rest', () => {
    const a = stickyAssign([member('a', [0, 1, 2, 3, 4], 3), member('b', [], 3), member('c', [], 3)]);
    expect([...a]).toEqual([
      ['a', [0, 1]],
      ['b', [2, 4]],
      ['c', [3]],
    ]);
  });

  it('sticky ignores claims of an older generation and partitions claimed twice', () => {
    const a = stickyAssign([member('a', [0, 1, 2], 4), member('b', [2, 3, 4], 4), member('c', [0, 1, 2, 3, 4], 2)]);
    // 2 is claimed by both a and b in generation 4; c's claims are from generation 2.
    expect(a.get('a')).toEqual([0, 1]);
    expect(a.get('b')).toEqual([3, 4]);
    expect(a.get('c')).toEqual([2]);
  });

  it('cooperative holds back partitions that change owner until their owner has revoked them', () => {
    const first = COOPERATIVE_STICKY.assign([member('a', ALL, 1), member('b', [], 1)]);
    // b would get 3 and 4, but a still owns them: nobody gets them this round.
    expect([...first]).toEqual([
      ['a', [0, 1, 2]],
      ['b', []],
    ]);
    const second = COOPERATIVE_STICKY.assign([member('a', [0, 1, 2], 2), member('b', [], 2)]);
    expect([...second]).toEqual([
      ['a', [0, 1, 2]],
      ['b', [3, 4]],
    ]);
    const owners = new Map<number, string>();
    for (const [id, ps] of [...first, ...second]) for (const p of ps) owners.set(p, id);
    expect(owners.size).toBe(5);
  });
});
