// Where a consumer goes when the log no longer holds its position, per release and auto.offset.reset: before
// KIP-320's consumer side (2.3) it fetches on until OFFSET_OUT_OF_RANGE and resets (Fetcher.handleOffsetOutOfRange);
// from 2.3 it detects the truncation after the leader change and seeks to where the log diverged
// (SubscriptionState.maybeCompleteValidation); with auto.offset.reset=none the poll raises instead. Each title names
// the Kafka class and method.
import { describe, expect, it } from 'vitest';
import type { ConsumerException, PollResult } from '../../../sim/kafka/clients/consumer.ts';
import type { OffsetResetStrategy } from '../../../sim/kafka/clients/subscription-state.ts';
import { releaseOf } from '../../../sim/kafka/releases.ts';
import type { ReplicaManager } from '../../../sim/kafka/replica-manager.ts';
import { pollAll, values } from '../../helpers/consumer-polls.ts';
import { UNCLEAN } from '../../helpers/producer-scenario.ts';
import { Scenario } from '../../helpers/scenario.ts';

/**
 * A cluster of `version` (ZooKeeper mode, no AlterIsr before 2.7) with a reader that has read offsets 0..6 of
 * partition 0; with `alone` the leader took 3..6 alone, its followers cut off and out of the ISR.
 */
function readerAtSeven(version: string, strategy: OffsetResetStrategy, alone = true) {
  const s = new Scenario({ broker: { ...UNCLEAN }, protocol: releaseOf(version).behaviours }).start();
  const committed = s.acked(s.produce(3));
  s.run(1000);
  const leader = s.leader();
  const others = [0, 1, 2].filter((b) => b !== leader);
  if (alone) for (const b of others) s.world.net.cutBoth(s.cluster.nodeOf(leader), s.cluster.nodeOf(b));
  s.run(15_000);
  const lost = s.acked(s.produce(4));
  s.cluster.addClient('reader', { consumer: { 'auto.offset.reset': strategy } });
  s.world.start('reader');
  const consumer = () => {
    const c = s.cluster.client('reader')?.consumer;
    if (c === undefined) throw new Error('reader is down');
    return c;
  };
  s.cluster.client('reader')?.metadata.refresh();
  s.run(100);
  consumer().assign([0]);
  consumer().seek(0, 0);
  for (const b of others) s.world.net.cutBoth('reader', s.cluster.nodeOf(b));
  const read = values(pollAll(s, 'reader', 3));
  s.world.net.heal();
  return { s, leader, others, committed, lost, read, consumer };
}

const repositions = (rs: PollResult[]) => rs.flatMap((r) => r.truncations);
const raised = (rs: PollResult[]): ConsumerException[] => rs.flatMap((r) => (r.exception ? [r.exception] : []));

describe(
  'A truncation under the position: Fetcher.handleOffsetOutOfRange before KIP-320, ' +
    'SubscriptionState.maybeCompleteValidation after',
  () => {
    for (const version of ['2.1', '2.4']) {
      for (const strategy of ['earliest', 'latest', 'none'] as const) {
        it(`on ${version} with auto.offset.reset=${strategy}`, () => {
          const r = readerAtSeven(version, strategy);
          expect(r.read).toEqual([...r.committed, ...r.lost]);
          expect(r.consumer().position(0)).toBe(7);
          // The leader dies; a follower (log end offset 3) is elected uncleanly and takes two new records.
          for (const b of r.others) r.s.world.net.cutBoth(r.s.cluster.nodeOf(r.leader), r.s.cluster.nodeOf(b));
          r.s.crash(r.leader).run(10_000);
          r.s.world.net.heal();
          const refill = r.s.acked(r.s.produce(2));
          r.s.cluster.client('reader')?.metadata.refresh();
          r.s.run(500);
          const rs = pollAll(r.s, 'reader', 4);
          if (strategy === 'none') {
            const name = version === '2.1' ? 'OffsetOutOfRangeException' : 'LogTruncationException';
            const divergentOffset = version === '2.1' ? null : 3;
            // Raised by every poll until the application seeks; the position stays where it was.
            expect(raised(rs)).toEqual(
              rs.map(() => ({ name, partitions: [{ partition: 0, fetchOffset: 7, divergentOffset }] })),
            );
            expect(values(rs)).toEqual([]);
            expect(r.consumer().position(0)).toBe(7);
            r.consumer().seek(0, divergentOffset ?? 0);
            expect(values(pollAll(r.s, 'reader', 2))).toEqual(version === '2.1' ? [...r.committed, ...refill] : refill);
            return;
          }
          expect(raised(rs)).toEqual([]);
          if (version === '2.4') {
            // KIP-320: the position goes back to where the reader's last epoch ends on the new leader.
            expect(repositions(rs)).toEqual([{ partition: 0, from: 7, to: 3, cause: 'truncation' }]);
            expect(values(rs)).toEqual(refill);
          } else if (strategy === 'earliest') {
            expect(repositions(rs)).toEqual([{ partition: 0, from: 7, to: 0, cause: 'reset' }]);
            expect(values(rs)).toEqual([...r.committed, ...refill]);
          } else {
            // latest: to the high watermark, past the refilled records, which the reader never sees.
            expect(repositions(rs)).toEqual([{ partition: 0, from: 7, to: 5, cause: 'reset' }]);
            expect(values(rs)).toEqual([]);
          }
        });
      }
    }
  },
);

describe(
  'KAFKA-9840: an OffsetsForLeaderEpoch answer without epoch or end offset ' +
    '(SubscriptionState.maybeCompleteValidation)',
  () => {
    for (const version of ['2.4', '2.7']) {
      for (const strategy of ['earliest', 'none'] as const) {
        it(
          `on ${version} with auto.offset.reset=${strategy}: ` +
            (version === '2.4'
              ? 'the end offset -1 is taken as where the log diverged'
              : 'the position is reset, or LogTruncationException names no divergent offset'),
          () => {
            const r = readerAtSeven(version, strategy, false);
            expect(r.read).toEqual([...r.committed, ...r.lost]);
            // A clean leader change; the new leader cannot place the reader's epoch (UNDEFINED_EPOCH_OFFSET: kafkasim's
            // brokers always can, so the answer is put in its mouth).
            r.s.crash(r.leader).run(10_000);
            const leader = r.s.leader();
            expect(r.others).toContain(leader);
            const rm = (r.s.cluster.broker(leader) as unknown as { replicaManager: ReplicaManager }).replicaManager;
            rm.lastOffsetForLeaderEpoch = (partitions) =>
              partitions.map((p) => ({ partition: p.partition, error: 'NONE', leaderEpoch: -1, endOffset: -1 }));
            r.s.cluster.client('reader')?.metadata.refresh();
            r.s.run(500);
            const rs = pollAll(r.s, 'reader', 3);
            if (strategy === 'none') {
              const divergentOffset = version === '2.4' ? -1 : null;
              expect(raised(rs)[0]).toEqual({
                name: 'LogTruncationException',
                partitions: [{ partition: 0, fetchOffset: 7, divergentOffset }],
              });
              expect(r.consumer().position(0)).toBe(7);
              return;
            }
            expect(raised(rs)).toEqual([]);
            expect(repositions(rs)).toEqual(
              version === '2.4'
                ? [
                    // seekValidated to -1, then OFFSET_OUT_OF_RANGE there and a reset (Fetcher.handleOffsetOutOfRange).
                    { partition: 0, from: 7, to: -1, cause: 'truncation' },
                    { partition: 0, from: -1, to: 0, cause: 'reset' },
                  ]
                : [{ partition: 0, from: 7, to: 0, cause: 'reset' }],
            );
            expect(values(rs)).toEqual(r.read);
          },
        );
      }
    }
  },
);

describe('Fetcher.resetPositionsIfNeeded: a partition assigned with no position', () => {
  for (const strategy of ['earliest', 'latest', 'none'] as const) {
    it(`auto.offset.reset=${strategy}`, () => {
      const s = new Scenario().start();
      const sent = s.acked(s.produce(4));
      s.cluster.addClient('reader', { consumer: { 'auto.offset.reset': strategy } });
      s.world.start('reader');
      s.cluster.client('reader')?.metadata.refresh();
      s.run(100);
      s.cluster.client('reader')?.consumer.assign([0]);
      const rs = pollAll(s, 'reader', 2);
      if (strategy === 'none') {
        expect(raised(rs)[0]).toEqual({
          name: 'NoOffsetForPartitionException',
          partitions: [{ partition: 0, fetchOffset: -1, divergentOffset: null }],
        });
      } else if (strategy === 'latest') {
        expect(repositions(rs)).toEqual([{ partition: 0, from: -1, to: 4, cause: 'reset' }]);
        expect(values(rs)).toEqual([]);
      } else {
        // kafkasim deletes no segments: the log start offset is 0, where earliest starts without asking.
        expect(repositions(rs)).toEqual([]);
        expect(values(rs)).toEqual(sent);
      }
    });
  }
});
