// A leader's record of its followers, on one partition driven by hand with a clock of its own: Kafka's
// Replica.updateLogReadResult (0.10.2–2.x; Replica.updateFetchStateOrThrow in 3.x), which sets
// lastCaughtUpTimeMs, Partition.getOutOfSyncReplicas (isFollowerOutOfSync from 2.4), which reads it, and
// Partition.makeLeader's reset of the followers (Replica.resetLastCaughtUpTime, 3.3+ resetReplicaState).
// Whole-cluster scenarios of the same rules are in follower-state.test.ts.
import { describe, expect, it } from 'vitest';
import { BROKER_DEFAULTS } from '../../../sim/kafka/config.ts';
import type { PartitionState } from '../../../sim/kafka/messages.ts';
import { ObserverHub } from '../../../sim/kafka/observer.ts';
import { Partition } from '../../../sim/kafka/partition.ts';
import type { KafkaBehaviours } from '../../../sim/kafka/protocol.ts';
import { NO_PRODUCER } from '../../../sim/kafka/records.ts';
import { releaseOf } from '../../../sim/kafka/releases.ts';
import { Disk, Random } from '../../../sim/world/index.ts';

const LAG = 10_000;

/** Broker 0 leads a partition with followers 1 and 2, all in the ISR; time is `clock.now`. */
function leaderOf(protocol: KafkaBehaviours) {
  const clock = { now: 0 };
  const shrinks: number[][] = [];
  const p = new Partition(
    0,
    {
      brokerId: 0,
      disk: new Disk('b0', Random.root(1)),
      config: { ...BROKER_DEFAULTS, 'replica.lag.time.max.ms': LAG },
      protocol,
      now: () => clock.now,
      observe: new ObserverHub(),
      proposeIsr: (_p, isr, change) => {
        if (change === 'shrink') shrinks.push(isr);
      },
      onHighWatermark: () => {},
      onAppend: () => {},
      useAlterIsr: true,
      isReplicaIsrEligible: () => true,
    },
    0,
  );
  const state = (leaderEpoch: number): PartitionState => ({
    partition: 0,
    leader: 0,
    leaderEpoch,
    isr: [0, 1, 2],
    partitionEpoch: leaderEpoch,
    replicas: [0, 1, 2],
    elr: [],
  });
  p.makeLeader(state(0));
  const noProducer = { producerId: NO_PRODUCER, producerEpoch: -1, baseSequence: -1 };
  const append = (): void => void p.appendAsLeader(noProducer, [clock.now], 1);
  return { clock, p, shrinks, state, append };
}

/** The leader's record of a follower (private to Partition: read here only to show what it keeps). */
function followerLogEndOffset(p: Partition, follower: number): number | undefined {
  return (p as unknown as { followers: Map<number, { logEndOffset: number }> }).followers.get(follower)?.logEndOffset;
}

describe('Replica.updateLogReadResult: when a follower last caught up (KAFKA-1546, KAFKA-4485)', () => {
  // Every 100 ms the leader appends a record and follower 1 fetches from the log end offset the leader had at
  // its previous fetch, never from the current one (small writes at a high rate); follower 2 keeps up.
  function trickle(protocol: KafkaBehaviours) {
    const l = leaderOf(protocol);
    for (let t = 0; t <= 15_000; t += 100) {
      l.clock.now = t;
      const before = l.p.logEndOffset;
      l.append();
      l.p.updateFollowerFetchState(1, before);
      l.p.updateFollowerFetchState(2, l.p.logEndOffset);
      if (t % (LAG / 2) === 0) l.p.maybeShrinkIsr();
    }
    return l;
  }

  it('0.10.2 (KAFKA-4485): reaching the log end offset of the previous fetch counts as caught up then', () => {
    const l = trickle(releaseOf('0.10.2').behaviours);
    expect(l.shrinks).toEqual([]);
    expect(l.p.isr).toEqual([0, 1, 2]);
  });

  it('before KAFKA-4485 (0.9.0–0.10.1): only a fetch from the leader log end offset counts, so it leaves', () => {
    const l = trickle({ ...releaseOf('0.10.2').behaviours, kafka4485: false });
    expect(l.shrinks).toEqual([[0, 2]]);
  });

  it('0.8.2 (before KAFKA-1546): a follower fetching regularly is in sync unless 4000 messages behind', () => {
    const l = trickle(releaseOf('0.8.2').behaviours);
    expect(l.shrinks).toEqual([]);
    // Follower 1 keeps fetching, but from 4001 records back: "slow" (replica.lag.max.messages).
    l.clock.now = 15_050;
    for (let i = 0; i < 4001; i++) l.append();
    l.p.updateFollowerFetchState(1, l.p.logEndOffset - 4001);
    l.p.updateFollowerFetchState(2, l.p.logEndOffset);
    l.p.maybeShrinkIsr();
    expect(l.shrinks).toEqual([[0, 2]]);
  });

  it('0.8.2: "stuck" is no fetch at all for replica.lag.time.max.ms; 0.10.2: no fetch caught up for as long', () => {
    for (const [version, shrinks] of [
      ['0.8.2', []],
      ['0.10.2', [[0, 2]]],
    ] as const) {
      // Follower 1 fetches every 100 ms but only ever from offset 0, never catching up.
      const l = leaderOf(releaseOf(version).behaviours);
      for (let t = 0; t <= 15_000; t += 100) {
        l.clock.now = t;
        l.append();
        l.p.updateFollowerFetchState(1, 0);
        l.p.updateFollowerFetchState(2, l.p.logEndOffset);
        if (t % (LAG / 2) === 0) l.p.maybeShrinkIsr();
      }
      expect(l.shrinks, version).toEqual(shrinks);
    }
  });
});

describe('KAFKA-7152: Partition.getOutOfSyncReplicas / ReplicaState.isCaughtUp with equal log end offsets', () => {
  it('2.0 drops a follower idle for replica.lag.time.max.ms; 2.1 keeps it while at the leader log end', () => {
    for (const [version, shrinks] of [
      ['2.0', [[0, 2]]],
      ['2.1', []],
    ] as const) {
      const l = leaderOf(releaseOf(version).behaviours);
      l.append();
      l.p.updateFollowerFetchState(1, 1);
      l.p.updateFollowerFetchState(2, 1);
      // Follower 1 stops fetching; follower 2 goes on; nothing is written.
      for (let t = 100; t <= 15_000; t += 100) {
        l.clock.now = t;
        l.p.updateFollowerFetchState(2, 1);
        if (t % (LAG / 2) === 0) l.p.maybeShrinkIsr();
      }
      expect(l.shrinks, version).toEqual(shrinks);
    }
  });
});

describe('KAFKA-2721: Partition.makeLeader keeps the followers of a leader re-elected in a new epoch', () => {
  for (const [version, kept] of [
    ['0.8.2', false],
    ['0.10.2', true],
  ] as const) {
    it(`${version}: ${kept ? 'keeps' : 'forgets'} their log end offsets`, () => {
      const l = leaderOf(releaseOf(version).behaviours);
      l.append();
      l.append();
      l.p.updateFollowerFetchState(1, 2);
      l.p.updateFollowerFetchState(2, 1);
      l.clock.now = 1000;
      l.p.makeLeader(l.state(1));
      expect([followerLogEndOffset(l.p, 1), followerLogEndOffset(l.p, 2)]).toEqual(kept ? [2, 1] : [-1, -1]);
    });
  }
});
