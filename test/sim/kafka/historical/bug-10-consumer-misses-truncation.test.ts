// Bug 10 (fixed by KIP-320 in 2.1): a consumer misses a truncation. After an unclean election (min ISR 1,
// unclean.leader.election.enable: the loss itself is the configuration's), a consumer at offset 10
// keeps fetching from the new leader, whose log was truncated to 6 and refilled: it silently skips the
// new records at 6..9 and has read records that no longer exist. With KIP-320 it asks the new leader
// where the epoch of its last record ends, finds the log truncated at 6, seeks there and reads 6..9.
//
// The consumer's reads are judged against the log as it ended up (readsAgainstFinalLog): what it
// passed over shows as the queue checker's poll-skip. The history as a whole shows, in both modes, what
// the unclean election did: acknowledged records lost and two values at offsets 6..9.
import { describe, expect, it } from 'vitest';
import { behavioursOf } from '../../../helpers/behaviours.ts';
import { HistoricalScenario } from '../../../helpers/historical.ts';
import {
  anomaly,
  describeViolations,
  exampleValues,
  readsAgainstFinalLog,
} from '../../../helpers/historical-verdict.ts';

function replay(mode: string) {
  const s = new HistoricalScenario({
    brokers: 4,
    partitions: 4,
    rf: 3,
    broker: { 'min.insync.replicas': 1, 'unclean.leader.election.enable': true },
    protocol: behavioursOf(mode),
  }).start();
  const p = s.partitionAwayFromController();
  const [leader, f1, f2] = s.replicasOf(p);
  const committed = s.acked(s.produce(6, { partition: p }));
  s.run(1000);
  // The followers fall out of the ISR; the leader alone acknowledges offsets 6..9, and a consumer reads them.
  s.cut(leader, f1).cut(leader, f2).run(15_000);
  const doomed = s.acked(s.produce(4, { partition: p }));
  const consumer = s.reader([p]);
  const before = consumer.polls(2);
  const position = consumer.position(p);
  // The leader dies; a follower (log end offset 6) is elected uncleanly; the log is refilled from 6.
  s.crash(leader, 'lose-unsynced').run(10_000);
  const election = s.elections(p).at(-1);
  s.heal();
  const refill = s.acked(s.produce(6, { partition: p }));
  s.run(1000);
  const after = consumer.polls(6);
  const finalReader = s.finalReads([p]);
  const verdict = s.verdict();
  const view = readsAgainstFinalLog(s.history, [consumer.process]);
  return {
    s,
    p,
    leader,
    committed,
    doomed,
    refill,
    before,
    position,
    election,
    after,
    truncations: consumer.truncations,
    read: finalReader.values(p),
    verdict,
    view,
  };
}

describe('bug 10: a consumer misses a truncation (KIP-320)', () => {
  it(
    'pre-kip-320: the consumer carries on from offset 10 and skips the refilled 6..9 (poll-skip against the final ' +
      'log)',
    () => {
      const r = replay('pre-kip-320');
      expect(r.before.map(([, v]) => v)).toEqual([...r.committed, ...r.doomed]);
      expect(r.position).toBe(10);
      expect(r.election?.unclean).toBe(true);
      expect(r.truncations).toEqual([]);
      expect(r.after.map(([, v]) => v)).toEqual(r.refill.slice(4));
      const skip = anomaly(r.view, 'poll-skip');
      expect(skip?.examples.map((e) => e.detail)).toEqual([
        expect.objectContaining({
          key: r.p,
          fromOffset: 5,
          toOffset: 10,
          skipped: [6, 7, 8, 9].map((offset, i) => ({ offset, values: [r.refill[i]] })),
        }),
      ]);
      // What the unclean election itself did, visible in both modes.
      expect(exampleValues(anomaly(r.verdict.durability, 'acked-write-lost'))).toEqual(r.doomed);
    },
  );

  it('modern: the consumer detects the truncation, seeks back to 6 and reads the refilled records', () => {
    const r = replay('modern');
    expect(r.position).toBe(10);
    expect(r.election?.unclean).toBe(true);
    expect(r.truncations).toEqual([{ partition: r.p, from: 10, to: 6, cause: 'truncation' }]);
    expect(r.after.map(([, v]) => v)).toEqual(r.refill);
    expect(r.view.anomalies).toEqual([]);
    expect(r.read).toEqual([...r.committed, ...r.refill]);
    // The unclean election's loss is the configuration's, and the invariant monitor blames it for every break.
    expect(exampleValues(anomaly(r.verdict.durability, 'acked-write-lost'))).toEqual(r.doomed);
    expect(describeViolations(r.verdict.violations.filter((v) => v.causedBy === null))).toEqual([]);
    expect(r.verdict.violations.every((v) => v.causedBy?.kind === 'unclean-election')).toBe(true);
  });
});
