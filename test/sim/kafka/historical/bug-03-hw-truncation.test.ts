// Bug 3 (KIP-101 scenario 1, KAFKA-1211; fixed in 0.11): a follower that restarts truncates its log to
// its own high watermark, which lags the leader's by a fetch round trip, and so drops a committed
// record; the leader dies before the follower fetches it again, and the follower takes over without it.
//
// Two replicas as in the notes: B leads, A follows (a partition whose replicas exclude the controller,
// so cutting A from B leaves both talking to the controller). min.insync.replicas 2 makes A, shut down
// cleanly, an eligible leader replica (KIP-966 is on in this mode): the clean election that picks A is
// the one the notes describe, with no unclean election to blame.
import { describe, expect, it } from 'vitest';
import { behavioursOf } from '../../../helpers/behaviours.ts';
import { HistoricalScenario } from '../../../helpers/historical.ts';
import { anomaly, describeViolations, exampleValues } from '../../../helpers/historical-verdict.ts';

function replay(mode: string) {
  const s = new HistoricalScenario({ brokers: 3, partitions: 3, rf: 2, protocol: behavioursOf(mode) }).start();
  const p = s.partitionAwayFromController();
  const [b, a] = s.replicasOf(p);
  expect(s.leader(p)).toBe(b);
  const [m1] = s.acked(s.produce(1, { partition: p }));
  s.run(1000);
  // A fetches m2, then fetches at 2: B's high watermark becomes 2 and m2 is acknowledged, while A's
  // stays 1 until B answers that long-polled fetch.
  const [m2] = s.acked(s.produce(1, { partition: p }));
  const before = { hw: s.partition(a, p).highWatermark, leo: s.partition(a, p).logEndOffset };
  // A restarts (cleanly, checkpointing its high watermark 1); it cannot fetch from B again.
  s.cut(a, b).shutdown(a).run(1000);
  s.restart(a).run(12_000); // it registers once its old ZooKeeper session has expired
  const afterRestart = s.log(a, p);
  // B dies before A fetches m2 again: A is elected (the eligible leader replica).
  s.crash(b, 'process').run(10_000);
  const leader = s.leader(p);
  // B comes back and follows A; new writes follow.
  s.heal().restart(b).run(15_000);
  const [m3, m4] = s.acked(s.produce(2, { partition: p }));
  const reader = s.finalReads([p]);
  return { s, p, a, b, m1, m2, m3, m4, before, afterRestart, leader, read: reader.values(p), verdict: s.verdict() };
}

describe('bug 3: truncation to the local high watermark loses a committed record (KIP-101 scenario 1)', () => {
  it('pre-kip-101: A truncates m2 on restart, is elected, and m2 is lost (lost-write, LeaderCompleteness)', () => {
    const r = replay('pre-kip-101');
    expect(r.before).toEqual({ hw: 1, leo: 2 });
    expect(r.afterRestart).toEqual([r.m1]);
    expect(r.leader).toBe(r.a);
    // m3 took m2's offset on the new leader; reads went past it: the acknowledged m2 is gone everywhere.
    expect(r.read).toEqual([r.m1, r.m3, r.m4]);
    expect(r.s.log(r.b, r.p)).toEqual([r.m1, r.m3, r.m4]);
    expect(exampleValues(anomaly(r.verdict.queue, 'lost-write'))).toEqual([r.m2]);
    expect(exampleValues(anomaly(r.verdict.durability, 'acked-write-lost'))).toEqual([r.m2]);
    expect(anomaly(r.verdict.queue, 'inconsistent-offsets')?.examples[0].detail).toMatchObject({
      offset: 1,
      values: [r.m2, r.m3],
    });
    // Among the truncations that removed it, the durability checker names A's to its high watermark.
    const truncatedBy = anomaly(r.verdict.durability, 'acked-write-lost')?.examples[0].detail?.truncatedBy;
    expect(truncatedBy).toContainEqual(
      expect.objectContaining({
        broker: r.a,
        fromOffset: 1,
        cause: expect.objectContaining({ kind: 'hw-truncation' }),
      }),
    );
    // A leads without m2 twice: elected, then again when the controller takes B (back from an unclean
    // shutdown) out of the eligible leader replicas, a write that bumps the leader epoch as every ZooKeeper
    // controller's write does (ReplicaStateMachine.doRemoveReplicasFromIsr, LeaderAndIsr.newLeaderAndIsr).
    const completeness = r.verdict.violations.filter((v) => v.invariant === 'LeaderCompleteness');
    expect(completeness.map((v) => ({ brokers: v.brokers, value: v.detail.value, causedBy: v.causedBy }))).toEqual([
      { brokers: [r.a], value: r.m2, causedBy: null },
      { brokers: [r.a], value: r.m2, causedBy: null },
    ]);
  });

  it('modern: A keeps m2 (it truncates by leader epoch, which it cannot ask while cut off) and nothing is lost', () => {
    const r = replay('modern');
    expect(r.before).toEqual({ hw: 1, leo: 2 });
    expect(r.afterRestart).toEqual([r.m1, r.m2]);
    expect(r.leader).toBe(r.a);
    expect(r.read).toEqual([r.m1, r.m2, r.m3, r.m4]);
    expect(r.verdict.anomalies).toEqual({});
    expect(describeViolations(r.verdict.violations)).toEqual([]);
    expect(describeViolations(r.verdict.atRest)).toEqual([]);
  });
});
