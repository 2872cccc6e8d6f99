// KAFKA-7415 (2.1.0): Log.append assigns every batch's epoch that differs from the cache's latest
// (LeaderEpochFileCache.assign, isUpdateNeeded), dropping the entries it contradicts. Seed v11-94 of the version
// matrix (3.4, KRaft, replaced disks) found the simulator assigning only higher epochs, as 1.1.0 did: a broker that
// had led an empty log in epoch 8 fetched epochs 0..9 back and kept {8 at 0}, so as leader it told every follower
// that epoch 3 had no end offset, and they truncated to 0 and fetched again, 966,000 times each, until memory ran out.
import { describe, expect, it } from 'vitest';
import { behavioursOf } from '../../helpers/behaviours.ts';
import { handPartition, partitionState } from '../../helpers/hand-partition.ts';
import { LeaderEpochCache } from '../../../sim/kafka/leader-epoch-cache.ts';
import type { RecordBatch } from '../../../sim/kafka/records.ts';
import { Disk, Random } from '../../../sim/world/index.ts';

function batch(baseOffset: number, epoch: number, value: number): RecordBatch {
  return { baseOffset, epoch, producerId: -1, producerEpoch: -1, baseSequence: -1, values: [value] };
}

/** A replica that led an empty log in epoch 8, then follows broker 1 in epoch 9 and fetches epochs 0, 0, 1, 9. */
function ledEmptyThenFetched(mode: string) {
  const { p } = handPartition({ protocol: behavioursOf(mode) });
  p.makeLeader(partitionState(0, 8, [0, 1, 2]));
  p.makeFollower(partitionState(1, 9, [0, 1, 2]));
  p.appendAsFollower([batch(0, 0, 10), batch(1, 0, 11), batch(2, 1, 12), batch(3, 9, 13)]);
  return p;
}

describe('leader-epoch cache on append (KAFKA-7415)', () => {
  it('2.1 and later: the fetched epochs replace the empty epoch the replica led', () => {
    const p = ledEmptyThenFetched('modern');
    expect(p.epochCache.latestEpoch()).toBe(9);
    // Epoch 0 ends where epoch 1 starts, epoch 1 where epoch 9 does; epoch 8 has no records of its own.
    expect(p.endOffsetForEpoch(0)).toEqual([0, 2]);
    expect(p.endOffsetForEpoch(1)).toEqual([1, 3]);
    expect(p.endOffsetForEpoch(8)).toEqual([1, 3]);
  });

  it('before 2.1 a leader of an empty log records nothing, so the fetched epochs are cached as they come', () => {
    const p = ledEmptyThenFetched('-kafka7415');
    expect(p.epochCache.latestEpoch()).toBe(9);
    expect(p.endOffsetForEpoch(0)).toEqual([0, 2]);
    expect(p.endOffsetForEpoch(8)).toEqual([1, 3]);
  });

  it('a new epoch starting where the latest one did replaces it from 2.1 (truncateAndAppend)', () => {
    const cache = (kafka7415: boolean) => {
      const c = new LeaderEpochCache(new Disk('b0', Random.root(1)), 'leader-epoch-checkpoint-0', kafka7415);
      c.assign(0, 0);
      c.assign(1, 2);
      c.assign(2, 2);
      return c;
    };
    // Epoch 1 began at offset 2 and so did epoch 2: Kafka keeps only epoch 2, so epoch 1 ends with epoch 0's end.
    expect(cache(true).endOffsetFor(1, 5, true)).toEqual([0, 2]);
    // Before 2.1 (1.1.0's assign: a higher epoch at an offset not below the latest start) both stay.
    expect(cache(false).endOffsetFor(1, 5, true)).toEqual([1, 2]);
  });

  it('a new leader records its epoch at once from 2.1; before, its first append in the epoch did', () => {
    const modern = handPartition();
    modern.p.makeLeader(partitionState(0, 3, [0, 1, 2]));
    expect(modern.p.epochCache.latestEpoch()).toBe(3);
    const old = handPartition({ protocol: behavioursOf('-kafka7415') });
    old.p.makeLeader(partitionState(0, 3, [0, 1, 2]));
    expect(old.p.epochCache.latestEpoch()).toBe(-1);
    old.append(7);
    expect(old.p.epochCache.latestEpoch()).toBe(3);
    expect(old.p.endOffsetForEpoch(3)).toEqual([3, 1]);
  });
});
