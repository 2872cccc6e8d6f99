// Bug 4 (KIP-101 scenario 2, KAFKA-3919; fixed in 0.11): replica divergence after a double power loss.
// A leads with m1, m2 and high watermark 2; B had m2 only in its page cache. Both lose power; B returns
// with m1 only, starts first, leads and writes m3 at offset 1. A returns as a follower and, before
// KIP-101, truncates to its high watermark 2: nothing. A = [m1, m2], B = [m1, m3]: diverged.
//
// The mode is `pre-kip-101` with the controller of its time (`pre-kip-966`): today's controller never
// lets B lead here (B is back from an unclean shutdown; KIP-966 elects the last known leader A), so the
// historical controller is needed for B to lead first. The control run `pre-kip-966` alone (KIP-101
// on) shows what KIP-101 changes: A truncates to B's epoch boundary, so the replicas agree (m2 is still
// lost: B was elected without it). min.insync.replicas is 1, Kafka's default of the time.
import { describe, expect, it } from 'vitest';
import { behavioursOf } from '../../../helpers/behaviours.ts';
import { HistoricalScenario } from '../../../helpers/historical.ts';
import { anomaly, describeViolations } from '../../../helpers/historical-verdict.ts';

function replay(mode: string) {
  const s = new HistoricalScenario({
    brokers: 3,
    partitions: 3,
    rf: 2,
    broker: { 'min.insync.replicas': 1 },
    protocol: behavioursOf(mode),
  }).start();
  const p = s.partitionAwayFromController();
  const [a, b] = s.replicasOf(p);
  expect(s.leader(p)).toBe(a);
  const [m1] = s.acked(s.produce(1, { partition: p }));
  s.run(1000);
  // m1 reaches both disks; m2 only A's (the operating system wrote A's page cache back, not B's).
  s.writeBack(a).writeBack(b);
  const [m2] = s.acked(s.produce(1, { partition: p }));
  s.run(6000); // past replica.high.watermark.checkpoint.interval.ms: both checkpoint high watermark 2
  s.writeBack(a);
  s.crash(a, 'lose-unsynced').crash(b, 'lose-unsynced').run(10_000);
  // B returns first; it leads if it may, and m3 is written.
  s.restart(b).run(15_000);
  const leaderAfterB = s.leader(p);
  const m3Sends = s.startSends(1, { partition: p });
  s.run(5000);
  s.restart(a).run(15_000);
  const logs = { a: s.log(a, p), b: s.log(b, p) };
  const [m4] = s.acked(s.produce(1, { partition: p }));
  const reader = s.finalReads([p]);
  const m3 = m3Sends.values[0];
  return { s, p, a, b, m1, m2, m3, m4, leaderAfterB, logs, read: reader.values(p), verdict: s.verdict() };
}

describe('bug 4: replica divergence after a double power loss (KIP-101 scenario 2)', () => {
  it(
    'pre-kip-101 (with the pre-kip-966 controller): A keeps m2 where B has m3 — LogMatching fails between ' + 'them',
    () => {
      const r = replay('pre-kip-101,pre-kip-966');
      expect(r.leaderAfterB).toBe(r.b);
      expect(r.logs).toEqual({ a: [r.m1, r.m2], b: [r.m1, r.m3] });
      // Still diverged after everything healed and settled: the leader B and the follower A disagree below
      // both high watermarks at offset 1.
      expect(r.s.log(r.a, r.p)).toEqual([r.m1, r.m2, r.m4]);
      expect(r.s.log(r.b, r.p)).toEqual([r.m1, r.m3, r.m4]);
      const atRest = r.verdict.atRest.map((v) => ({
        invariant: v.invariant,
        brokers: v.brokers,
        offset: v.detail.offset,
        was: v.detail.was,
        now: v.detail.now,
      }));
      expect(atRest).toEqual([{ invariant: 'LogMatching', brokers: [r.b, r.a], offset: 1, was: r.m3, now: r.m2 }]);
      // Clients see two records acknowledged at offset 1, and m2 never read from the leader.
      expect(anomaly(r.verdict.queue, 'inconsistent-offsets')?.examples[0].detail).toMatchObject({
        offset: 1,
        values: [r.m2, r.m3],
      });
      expect(r.read).toEqual([r.m1, r.m3, r.m4]);
    },
  );

  it("pre-kip-966 alone (KIP-101 on): A truncates to where B's epoch began, so the replicas agree", () => {
    const r = replay('pre-kip-966');
    expect(r.leaderAfterB).toBe(r.b);
    expect(r.logs).toEqual({ a: [r.m1, r.m3], b: [r.m1, r.m3] });
    expect(describeViolations(r.verdict.atRest)).toEqual([]);
    // m2 is lost all the same: B, back from a power loss without it, was elected (bug 9's territory).
    expect(anomaly(r.verdict.durability, 'acked-write-lost')?.examples.map((e) => e.detail?.value)).toEqual([r.m2]);
  });

  it('modern: B may not lead after its unclean shutdown; A (the last known leader) does, and nothing is lost', () => {
    const r = replay('modern');
    expect(r.leaderAfterB).toBe(-1);
    expect(r.s.log(r.a, r.p)).toEqual(r.s.log(r.b, r.p));
    expect(r.read).toEqual([r.m1, r.m2, r.m3, r.m4]);
    expect(r.verdict.anomalies).toEqual({});
    expect(describeViolations(r.verdict.atRest)).toEqual([]);
    expect(describeViolations(r.verdict.violations)).toEqual([]);
  });
});
