// Bug 8 (KAFKA-7128): a replica joins the ISR too early. A new leader's high watermark lags (a follower
// learns the high watermark a fetch late, and KIP-966 keeps it still while the ISR is below
// min.insync.replicas). Before the fix a follower joined the ISR once caught up to that high watermark,
// although records committed in the previous epoch lie beyond it; if the leader dies before the new ISR
// member fetches them, it is elected without them. Fixed: it must reach the start offset of the
// leader's epoch.
//
// Replicas [A, B, C] on a partition away from the controller, min.insync.replicas 2:
//   C falls out of the ISR with m1..m3 (cut from A just after fetching them, before its next fetch tells A:
//   since KAFKA-7152 a follower A knows to be at its log end offset never leaves the ISR, so A commits
//   m1..m3 only once C has left); B misses a moment, then fetches m4..m6 in one go
//   (the response carries high watermark 3) and its next fetch lets A acknowledge them;
//   A dies at once: B leads epoch 1 with log end offset 6 and high watermark 3;
//   C (log end offset 3) follows B over a slow link (200 ms); B dies right after admitting C to the ISR.
// With the bug C is admitted on its first fetch, before m4..m6 reach it, and is elected without them.
import { describe, expect, it } from 'vitest';
import { behavioursOf } from '../../../helpers/behaviours.ts';
import { HistoricalScenario } from '../../../helpers/historical.ts';
import { anomaly, describeViolations, exampleValues } from '../../../helpers/historical-verdict.ts';

function replay(mode: string) {
  const s = new HistoricalScenario({
    brokers: 4,
    partitions: 4,
    rf: 3,
    broker: { 'replica.socket.timeout.ms': 1000 },
    protocol: behavioursOf(mode),
  }).start();
  const p = s.partitionAwayFromController();
  const [a, b, c] = s.replicasOf(p);
  const firstSends = s.startSends(3, { partition: p });
  s.world.runUntil(() => s.log(c, p).length === 3, { maxEvents: 1_000_000 });
  s.cut(a, c);
  s.world.runUntil(() => firstSends.done(), { maxEvents: 1_000_000 });
  const first = s.acked(firstSends.results).sort((x, y) => x - y);
  s.run(1000);
  const isrBefore = s.isr(p);
  // B misses m4..m6 for a moment, then gets them in one response.
  s.cut(a, b);
  const sends = s.startSends(3, { partition: p });
  s.run(200);
  s.healLink(a, b);
  s.world.runUntil(() => sends.done(), { maxEvents: 1_000_000 });
  const acked = sends.results
    .filter((r) => r.outcome.type === 'ok')
    .map((r) => r.value)
    .sort((x, y) => x - y);
  const bState = { hw: s.partition(b, p).highWatermark, leo: s.partition(b, p).logEndOffset };
  s.crash(a, 'process');
  s.world.net.setLinkLatency(s.cluster.nodeOf(b), s.cluster.nodeOf(c), { kind: 'constant', ms: 200 });
  // B dies as soon as it has admitted C to the ISR (or after 30 s).
  const from = s.events.length;
  const admitted = (): boolean =>
    s.events
      .slice(from)
      .some((e) => e.kind === 'isr-change' && e.broker === b && e.partition === p && e.isr.includes(c));
  const deadline = s.world.now + 30_000;
  s.world.runUntil((w) => admitted() || w.now >= deadline, { maxEvents: 5_000_000 });
  const cWhenAdmitted = s.log(c, p);
  s.crash(b, 'process').run(10_000);
  const leader = s.leader(p);
  // A and B come back and follow; new writes follow.
  s.world.net.setLinkLatency(s.cluster.nodeOf(b), s.cluster.nodeOf(c), null);
  s.heal().restart(a).run(1000);
  s.restart(b).run(15_000);
  const later = s.acked(s.produce(4, { partition: p }));
  const reader = s.finalReads([p]);
  return {
    s,
    p,
    a,
    b,
    c,
    first,
    acked,
    later,
    isrBefore,
    bState,
    admitted: admitted(),
    cWhenAdmitted,
    leader,
    read: reader.values(p),
    verdict: s.verdict(),
  };
}

describe('bug 8: joining the ISR too early (KAFKA-7128)', () => {
  it('kafka-7128: C joins the ISR at the old high watermark, is elected, and the acknowledged m4..m6 are lost', () => {
    const r = replay('kafka-7128');
    expect(r.isrBefore).toEqual([r.a, r.b]);
    expect(r.acked).toHaveLength(3);
    expect(r.bState).toEqual({ hw: 3, leo: 6 });
    expect(r.admitted).toBe(true);
    expect(r.cWhenAdmitted).toEqual(r.first);
    expect(r.leader).toBe(r.c);
    expect(r.read).toEqual([...r.first, ...r.later]);
    const completeness = r.verdict.violations.filter((v) => v.invariant === 'LeaderCompleteness');
    expect(completeness.map((v) => [v.brokers, v.detail.missing, v.detail.value, v.causedBy])).toEqual([
      [[r.c], 3, r.acked[0], null],
    ]);
    expect(exampleValues(anomaly(r.verdict.queue, 'lost-write'))).toEqual(r.acked);
    expect(exampleValues(anomaly(r.verdict.durability, 'acked-write-lost'))).toEqual(r.acked);
    expect(anomaly(r.verdict.queue, 'inconsistent-offsets')?.count).toBe(3);
  });

  it("modern: C joins only once it has reached offset 6 (the start of B's epoch); nothing is lost", () => {
    const r = replay('modern');
    expect(r.bState).toEqual({ hw: 3, leo: 6 });
    expect(r.admitted).toBe(true);
    expect(r.cWhenAdmitted).toEqual([...r.first, ...r.acked]);
    expect(r.leader).toBe(r.c);
    expect(r.read).toEqual([...r.first, ...r.acked, ...r.later]);
    expect(r.verdict.anomalies).toEqual({});
    expect(describeViolations(r.verdict.violations)).toEqual([]);
    expect(describeViolations(r.verdict.atRest)).toEqual([]);
  });
});
