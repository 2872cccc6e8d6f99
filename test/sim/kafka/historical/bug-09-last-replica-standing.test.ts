// Bug 9 (fixed by KIP-966): last replica standing. ISR {L, F1, F2}, min.insync.replicas 2; the ISR drops
// F1, then F2 (cut from the leader L, each behind L's log end offset: F1 cut just after fetching m1..m5,
// before its next fetch tells L; F2 while L appends a write it never acknowledges; since KAFKA-7152 a
// follower at the leader's log end offset never leaves the ISR), leaving L alone; L loses power, and with
// it the unflushed tail
// of its log (Kafka leaves fsync to the OS: flush.messages is never); it comes back, is re-elected as the
// only ISR member, and F1 and F2 truncate to it: committed data is lost on every replica. KIP-966: the
// high watermark does not advance below min.insync.replicas, and F2, dropped while the ISR fell below
// it, stays an eligible leader replica and is elected instead.
import { describe, expect, it } from 'vitest';
import { behavioursOf } from '../../../helpers/behaviours.ts';
import { HistoricalScenario } from '../../../helpers/historical.ts';
import { anomaly, describeViolations, exampleValues } from '../../../helpers/historical-verdict.ts';

function replay(mode: string) {
  const s = new HistoricalScenario({ brokers: 4, partitions: 4, rf: 3, protocol: behavioursOf(mode) }).start();
  const p = s.partitionAwayFromController();
  const [l, f1, f2] = s.replicasOf(p);
  const sends = s.startSends(5, { partition: p });
  s.world.runUntil(() => s.log(f1, p).length === 5, { maxEvents: 1_000_000 });
  s.cut(l, f1);
  // L commits m1..m5 once F1 has left the ISR.
  s.world.runUntil(() => sends.done(), { maxEvents: 1_000_000 });
  const committed = s.acked(sends.results);
  s.run(1000);
  const isr1 = s.isr(p);
  s.cut(l, f2);
  s.startSends(1, { partition: p, producer: { 'delivery.timeout.ms': 3000, 'request.timeout.ms': 2000 } });
  s.run(15_000);
  const isr2 = s.isr(p);
  s.crash(l, 'lose-unsynced').run(10_000);
  const leaderWhileDown = s.leader(p);
  s.heal().restart(l).run(15_000);
  const leaderAfter = s.leader(p);
  const later = s.acked(s.produce(6, { partition: p }));
  const reader = s.finalReads([p]);
  return {
    s,
    p,
    l,
    f1,
    f2,
    committed,
    later,
    isr1,
    isr2,
    leaderWhileDown,
    leaderAfter,
    read: reader.values(p),
    verdict: s.verdict(),
  };
}

describe('bug 9: last replica standing (KIP-966)', () => {
  it(
    'pre-kip-966: L, back empty, is re-elected as the last ISR member and every replica truncates to it: m1..m5 ' +
      'lost',
    () => {
      const r = replay('pre-kip-966');
      expect(r.isr1).toEqual([r.l, r.f2].sort((x, y) => x - y));
      expect(r.isr2).toEqual([r.l]);
      expect(r.leaderWhileDown).toBe(-1);
      expect(r.leaderAfter).toBe(r.l);
      // Every replica, including F1 and F2 that held m1..m5, now starts with the new writes.
      for (const b of [r.l, r.f1, r.f2]) expect(r.s.log(b, r.p)).toEqual(r.later);
      expect(r.read).toEqual(r.later);
      const completeness = r.verdict.violations.filter((v) => v.invariant === 'LeaderCompleteness');
      expect(completeness.map((v) => [v.brokers, v.detail.missing])).toEqual([[[r.l], 5]]);
      expect(exampleValues(anomaly(r.verdict.durability, 'acked-write-lost'))).toEqual(r.committed);
      expect(exampleValues(anomaly(r.verdict.queue, 'lost-write'))).toEqual(r.committed);
      expect(anomaly(r.verdict.queue, 'inconsistent-offsets')?.count).toBe(5);
      // F1 and F2 removed the committed records by truncating to the new leader.
      const truncatedBy = anomaly(r.verdict.durability, 'acked-write-lost')?.examples[0].detail?.truncatedBy as {
        broker: number;
      }[];
      expect(new Set(truncatedBy.map((t) => t.broker))).toEqual(new Set([r.l, r.f1, r.f2]));
    },
  );

  it('modern: F2 stays an eligible leader replica and is elected; nothing is lost', () => {
    const r = replay('modern');
    expect(r.isr2).toEqual([r.l]);
    expect(r.leaderWhileDown).toBe(r.f2);
    expect(r.read).toEqual([...r.committed, ...r.later]);
    expect(r.verdict.anomalies).toEqual({});
    expect(describeViolations(r.verdict.violations)).toEqual([]);
    expect(describeViolations(r.verdict.atRest)).toEqual([]);
  });
});
