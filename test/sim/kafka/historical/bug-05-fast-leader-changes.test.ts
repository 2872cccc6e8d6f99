// Bug 5 (KIP-279, KAFKA-6361; fixed in 2.0): divergence after fast leader changes. A follower asks the
// leader where an epoch it wrote in ends; the leader never had that epoch, and before KIP-279 it answers
// with the start of its next epoch, which lies beyond where the follower's tail diverged: the follower
// keeps the divergent tail.
//
// Two replicas, P (preferred) and Q, on a partition away from the controller:
//   epoch 1: Q leads (P was restarted), m1 replicated to both;
//   P and Q are cut apart; Q appends m2 at offset 1 (epoch 1) that P never gets;
//   a preferred leader election makes P leader in epoch 2 (Q, cut off, cannot truncate); P appends m3
//   at offset 1 (epoch 2); P dies; Q, still in the ISR, leads epoch 3 with [m1, m2];
//   P returns and asks Q about epoch 2, which Q never had. Pre-KIP-279 Q answers "epoch 2 ends at 2"
//   (the start of its epoch 3) and P keeps m3; with KIP-279 Q answers "epoch 1 ends at 2", P finds its
//   own epoch 1 ends at 1 and truncates m3.
// m2 and m3 are sent with acks=0 (appended by a leader, never acknowledged), so the modern run loses
// nothing a client was promised.
import { describe, expect, it } from 'vitest';
import { behavioursOf } from '../../../helpers/behaviours.ts';
import { HistoricalScenario } from '../../../helpers/historical.ts';
import { anomaly, describeViolations } from '../../../helpers/historical-verdict.ts';

function replay(mode: string) {
  const s = new HistoricalScenario({ brokers: 3, partitions: 3, rf: 2, protocol: behavioursOf(mode) }).start();
  const p = s.partitionAwayFromController();
  const [pref, q] = s.replicasOf(p);
  // Epoch 1: Q leads while P restarts; P comes back as a follower.
  s.shutdown(pref).run(10_000);
  s.restart(pref).run(15_000);
  expect(s.leader(p)).toBe(q);
  const [m1] = s.acked(s.produce(1, { partition: p }));
  s.run(1000);
  s.cut(pref, q);
  const [m2] = s.startSends(1, { partition: p, producer: { acks: 0 } }).values;
  s.run(500);
  s.preferredLeaderElection().run(500);
  const leaderEpoch2 = s.leader(p);
  const [m3] = s.startSends(1, { partition: p, producer: { acks: 0 } }).values;
  s.run(500);
  const before = { p: s.log(pref, p), q: s.log(q, p) };
  s.crash(pref, 'process').run(10_000);
  const leaderEpoch3 = s.leader(p);
  s.heal().restart(pref).run(15_000);
  const after = { p: s.log(pref, p), q: s.log(q, p) };
  const [m4] = s.acked(s.produce(1, { partition: p }));
  // A consumer reads from the leader Q; then leadership goes back to the preferred replica P.
  const early = s.reader([p]);
  early.readToEnd();
  s.preferredLeaderElection().run(2000);
  const finalLeader = s.leader(p);
  const reader = s.finalReads([p]);
  return {
    s,
    p,
    pref,
    q,
    m1,
    m2,
    m3,
    m4,
    leaderEpoch2,
    leaderEpoch3,
    before,
    after,
    finalLeader,
    early: early.values(p),
    read: reader.values(p),
    verdict: s.verdict(),
  };
}

describe('bug 5: divergence after fast leader changes (KIP-279)', () => {
  it(
    'pre-kip-279: P keeps m3 where Q has m2 — WeakIsr/StrongIsr and LogMatching fail, consumers see inconsistent ' +
      'offsets',
    () => {
      const r = replay('pre-kip-279');
      expect([r.leaderEpoch2, r.leaderEpoch3]).toEqual([r.pref, r.q]);
      expect(r.before).toEqual({ p: [r.m1, r.m3], q: [r.m1, r.m2] });
      expect(r.after).toEqual({ p: [r.m1, r.m3], q: [r.m1, r.m2] });
      // When P rejoins the ISR the leader Q's high watermark passes offset 1, which P does not hold.
      const isr = r.verdict.violations.filter((v) => v.invariant === 'WeakIsr' || v.invariant === 'StrongIsr');
      expect(isr.slice(0, 2).map((v) => [v.invariant, v.brokers, v.detail.offset, v.causedBy])).toEqual([
        ['WeakIsr', [r.q, r.pref], 1, null],
        ['StrongIsr', [r.q, r.pref], 1, null],
      ]);
      // Checked at every ISR change, the diverged offset shows again at later changes, unexplained each time.
      for (const v of isr) expect([v.detail.offset, v.causedBy]).toEqual([1, null]);
      const matching = r.verdict.violations.filter((v) => v.invariant === 'LogMatching');
      expect(matching.map((v) => [v.brokers, v.detail.offset, v.detail.was, v.detail.now])).toContainEqual([
        [r.q, r.pref],
        1,
        r.m2,
        r.m3,
      ]);
      // Read from Q, offset 1 held m2; read from P after the preferred election, it holds m3.
      expect(r.finalLeader).toBe(r.pref);
      expect(r.early).toEqual([r.m1, r.m2, r.m4]);
      expect(r.read).toEqual([r.m1, r.m3, r.m4]);
      expect(anomaly(r.verdict.queue, 'inconsistent-offsets')?.examples.map((e) => e.detail)).toEqual([
        { key: r.p, offset: 1, values: [r.m2, r.m3] },
      ]);
      expect(r.verdict.atRest.map((v) => [v.invariant, v.brokers, v.detail.offset])).toEqual([
        ['LogMatching', [r.pref, r.q], 1],
      ]);
    },
  );

  it('modern: P iterates down to epoch 1, truncates m3 and fetches m2; nothing diverges', () => {
    const r = replay('modern');
    expect([r.leaderEpoch2, r.leaderEpoch3]).toEqual([r.pref, r.q]);
    expect(r.before).toEqual({ p: [r.m1, r.m3], q: [r.m1, r.m2] });
    expect(r.after).toEqual({ p: [r.m1, r.m2], q: [r.m1, r.m2] });
    expect(r.early).toEqual([r.m1, r.m2, r.m4]);
    expect(r.read).toEqual([r.m1, r.m2, r.m4]);
    expect(r.verdict.anomalies).toEqual({});
    expect(describeViolations(r.verdict.violations)).toEqual([]);
    expect(describeViolations(r.verdict.atRest)).toEqual([]);
  });
});
