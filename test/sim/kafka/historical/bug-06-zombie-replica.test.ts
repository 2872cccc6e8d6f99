// Bug 6 (KAFKA-6880, KIP-320; fixed in 2.1): a zombie replica rejoins with stale data. F is cut off
// ZooKeeper and the controller (its session expires; it never hears of the next two leader epochs) but
// keeps fetching from L1. L1 leads again two epochs later, having truncated the tail F still holds and
// written a committed record y in its place. Before KIP-320 fetches carry no leader epoch: F's fetch
// succeeds against the later leader, F appends on top of its stale tail, catches up, rejoins the ISR,
// and, once it leads, y is gone. With KIP-320 the fetch is fenced (FENCED_LEADER_EPOCH) until F learns
// the epoch, and then it truncates by leader epoch.
import { describe, expect, it } from 'vitest';
import { anomaly, describeViolations, exampleValues } from '../../../helpers/historical-verdict.ts';
import { replayZombie } from '../../../helpers/zombie-follower.ts';

describe('bug 6: a zombie replica rejoins with stale data (KIP-320)', () => {
  it(
    'pre-kip-320: F keeps x under y, rejoins the ISR, leads, and y is lost (LogMatching, LeaderCompleteness, ' +
      'lost-write)',
    () => {
      const r = replayZombie('pre-kip-320', 'cut-from-control');
      expect(r.fTail).toEqual([...r.committed, r.x]);
      expect([r.epoch1Leader, r.epoch2Leader]).toEqual([r.l2, r.l1]);
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
      // The fetches that would have been fenced: none without KIP-320.
      expect(r.s.events.filter((e) => e.kind === 'fenced' && e.broker === r.f && e.partition === r.p)).toEqual([]);
    },
  );

  const modern = "modern: F's fetches are fenced (FENCED_LEADER_EPOCH); it truncates x when it learns the epoch";
  it(`${modern}; nothing is lost`, () => {
    const r = replayZombie('modern', 'cut-from-control');
    expect(r.fTail).toEqual([...r.committed, r.x]);
    expect([r.epoch1Leader, r.epoch2Leader]).toEqual([r.l2, r.l1]);
    expect(
      r.s.events.some(
        (e) => e.kind === 'fenced' && e.broker === r.f && e.partition === r.p && e.error === 'FENCED_LEADER_EPOCH',
      ),
    ).toBe(true);
    expect(r.fLog).toEqual([...r.committed, r.y, r.m4]);
    expect(r.finalLeader).toBe(r.f);
    expect(r.read).toEqual([...r.committed, r.y, r.m4]);
    expect(r.verdict.anomalies).toEqual({});
    expect(describeViolations(r.verdict.violations)).toEqual([]);
    expect(describeViolations(r.verdict.atRest)).toEqual([]);
  });
});
