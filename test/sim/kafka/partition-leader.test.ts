// A partition's leader driven by hand, one rule at a time, on the newest release's behaviours: when a follower may
// join the ISR (Partition.maybeExpandIsr), what a truncation does to the idempotent producers' state
// (UnifiedLog.truncateTo), and what a leader re-elected in a new epoch writes to its leader-epoch cache
// (Partition.makeLeader). Each rule is read in Kafka 3.9.0's source; whole-cluster scenarios are elsewhere.
import { describe, expect, it } from 'vitest';
import { LeaderEpochCache } from '../../../sim/kafka/leader-epoch-cache.ts';
import { handPartition, partitionState } from '../../helpers/hand-partition.ts';

/** Partition 0 on broker 0, replicas [0, 1, 2]; ISR changes it proposes are recorded, never answered. */
function replica() {
  return { ...handPartition(), state: partitionState };
}

describe('Partition.maybeExpandIsr: a follower joins the ISR only once it reaches the high watermark', () => {
  // Kafka 3.9.0 Partition.isFollowerInSync: followerEndOffset >= leaderLog.highWatermark (and >= the start offset
  // of the leader's epoch, KAFKA-7128); maybeExpandIsr proposes the expansion only then.
  it('keeps a follower one record short of the high watermark out, and proposes it once it gets there', () => {
    const r = replica();
    r.p.makeLeader(r.state(0, 0, [0, 1]));
    r.append(1, 2, 3, 4, 5);
    // Follower 1, in the ISR, fetches at the log end offset: the high watermark moves to 5.
    r.p.updateFollowerFetchState(1, 5);
    expect(r.p.highWatermark).toBe(5);
    // Follower 2, out of the ISR, has fetched up to offset 4: one record short.
    r.p.updateFollowerFetchState(2, 4);
    expect(r.proposals).toEqual([]);
    expect(r.p.pendingIsr).toBeNull();
    r.p.updateFollowerFetchState(2, 5);
    expect(r.proposals).toEqual([{ isr: [0, 1, 2], change: 'expand' }]);
  });
});

describe('UnifiedLog.truncateTo: a truncation rebuilds the idempotent producers’ state from the log', () => {
  // Kafka 3.9.0 UnifiedLog.truncateTo calls rebuildProducerState(targetOffset, producerStateManager): the batches
  // truncated away are no longer known, so a producer's retry of one is appended again, not answered as a
  // duplicate of a record that is gone.
  it('a leader that lost the tail of a producer’s batches takes their retries as new, in sequence', () => {
    const r = replica();
    const pid = 4242;
    const send = (baseSequence: number, value: number) =>
      r.p.appendAsLeader({ producerId: pid, producerEpoch: 0, baseSequence }, [value], 1);
    r.p.makeLeader(r.state(0, 0, [0, 1, 2]));
    for (let seq = 0; seq < 3; seq++) expect(send(seq, 10 + seq)).toMatchObject({ error: 'NONE', baseOffset: seq });
    // Broker 1 takes over in epoch 1 holding only the first record; broker 0 follows and truncates to it.
    r.p.makeFollower(r.state(1, 1, [0, 1]));
    r.p.truncateTo(1, 'leader-epoch');
    expect(r.values()).toEqual([10]);
    // Broker 0 leads again in epoch 2. Sequence 2 no longer follows the producer's last batch in the log.
    r.p.makeLeader(r.state(0, 2, [0, 1]));
    expect(send(2, 12).error).toBe('OUT_OF_ORDER_SEQUENCE_NUMBER');
    // The retry of sequence 1 is appended at offset 1, then sequence 2 after it.
    expect(send(1, 11)).toMatchObject({ error: 'NONE', baseOffset: 1 });
    expect(send(2, 12)).toMatchObject({ error: 'NONE', baseOffset: 2 });
    expect(r.values()).toEqual([10, 11, 12]);
  });
});

describe('Partition.makeLeader: a leader re-elected in a new epoch records that epoch’s start offset', () => {
  // Kafka 3.9.0 Partition.makeLeader: on a new leader epoch (isNewLeaderEpoch), a new leader or the same one,
  // leaderLog.maybeAssignEpochStartOffset(leaderEpoch, logEndOffset) (LeaderEpochFileCache.assign), "since it
  // should be larger than any epoch that a follower would try to query".
  it('its cache and checkpoint know the new epoch before anything is appended in it', () => {
    const r = replica();
    r.p.makeLeader(r.state(0, 0, [0, 1, 2]));
    r.append(1, 2, 3);
    r.p.makeLeader(r.state(0, 1, [0, 1]));
    expect(r.p.epochCache.latestEpoch()).toBe(1);
    // OffsetsForLeaderEpoch for the new epoch: it ends at the log end offset; epoch 0 ends where epoch 1 starts.
    expect(r.p.endOffsetForEpoch(1)).toEqual([1, 3]);
    expect(r.p.endOffsetForEpoch(0)).toEqual([0, 3]);
    // The checkpoint file (leader-epoch-checkpoint) holds it too.
    const onDisk = new LeaderEpochCache(r.disk, 'leader-epoch-checkpoint-0');
    expect(onDisk.latestEpoch()).toBe(1);
    expect(onDisk.endOffsetFor(0, 3, true)).toEqual([0, 3]);
  });
});
