// Bug 7 (KAFKA-7164): a follower that sees the same leader again with a higher epoch skips truncation.
// F is paused (a long GC pause) through two leader changes, L1 → L2 → L1, holding a tail of L1's first
// epoch that L1 truncated meanwhile. On resuming, its fetch carries its old epoch and is fenced (KIP-320
// is on, were it sent in time); the controller's LeaderAndIsr tells it: epoch 3 (F's own removal from the ISR while
// it slept took epoch 1), leader L1. With the bug the fetcher
// sees
// "no change in leader", only updates the epoch and carries on: the stale tail stays, F catches up,
// rejoins the ISR and, once it leads, the committed record that replaced the tail is gone. Fixed: any
// epoch change truncates by leader epoch first.
import { describe, expect, it } from 'vitest';
import { anomaly, describeViolations, exampleValues } from '../../../helpers/historical-verdict.ts';
import { replayZombie } from '../../../helpers/zombie-follower.ts';

describe('bug 7: the same leader seen again with a higher epoch skips truncation (KAFKA-7164)', () => {
  it(
    'kafka-7164: F keeps x under y, rejoins the ISR, leads, and y is lost (LogMatching, LeaderCompleteness, ' +
      'lost-write)',
    () => {
      const r = replayZombie('kafka-7164', 'pause');
      expect(r.fTail).toEqual([...r.committed, r.x]);
      expect([r.epoch1Leader, r.epoch2Leader]).toEqual([r.l2, r.l1]);
      // F did hear of the new epoch: the controller's LeaderAndIsr made it follower of L1 in epoch 3...
      const heard = r.s.events
        .filter((e) => e.kind === 'become-follower' && e.broker === r.f && e.partition === r.p)
        .map((e) => e.kind === 'become-follower' && [e.leaderEpoch, e.leader]);
      expect(heard.slice(0, 2)).toEqual([
        [0, r.l1],
        [3, r.l1],
      ]);
      // ...and still kept x: no truncation for the same leader.
      expect(
        r.s.events.filter(
          (e) => e.kind === 'truncate' && e.broker === r.f && e.partition === r.p && e.reason !== 'recovery',
        ),
      ).toEqual([]);
      expect(r.fLog).toEqual([...r.committed, r.x, r.m4]);
      expect(r.isr).toContain(r.f);
      expect(r.finalLeader).toBe(r.f);
      const matching = r.verdict.violations.filter((v) => v.invariant === 'LogMatching' && v.brokers.includes(r.f));
      expect(matching.map((v) => [v.detail.offset, v.detail.was, v.detail.now, v.causedBy])).toContainEqual([
        3,
        r.y,
        r.x,
        null,
      ]);
      const completeness = r.verdict.violations.filter((v) => v.invariant === 'LeaderCompleteness');
      expect(completeness.map((v) => [v.brokers, v.detail.value, v.causedBy])).toEqual([[[r.f], r.y, null]]);
      expect(r.read).toEqual([...r.committed, r.x, r.m4]);
      expect(exampleValues(anomaly(r.verdict.queue, 'lost-write'))).toEqual([r.y]);
      expect(exampleValues(anomaly(r.verdict.durability, 'acked-write-lost'))).toEqual([r.y]);
      expect(anomaly(r.verdict.queue, 'inconsistent-offsets')?.examples.map((e) => e.detail)).toEqual([
        { key: r.p, offset: 3, values: [r.y, r.x] },
      ]);
    },
  );

  it('modern: F truncates x by leader epoch when it learns epoch 3, fetches y, and nothing is lost', () => {
    const r = replayZombie('modern', 'pause');
    expect(r.fTail).toEqual([...r.committed, r.x]);
    expect(
      r.s.events
        .filter((e) => e.kind === 'truncate' && e.broker === r.f && e.partition === r.p && e.reason === 'leader-epoch')
        .map((e) => e.kind === 'truncate' && e.toOffset),
    ).toEqual([3]);
    expect(r.fLog).toEqual([...r.committed, r.y, r.m4]);
    expect(r.finalLeader).toBe(r.f);
    expect(r.read).toEqual([...r.committed, r.y, r.m4]);
    expect(r.verdict.anomalies).toEqual({});
    expect(describeViolations(r.verdict.violations)).toEqual([]);
    expect(describeViolations(r.verdict.atRest)).toEqual([]);
  });
});
