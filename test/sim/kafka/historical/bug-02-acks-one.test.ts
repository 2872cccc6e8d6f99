// Bug 2: acks=1 loses writes on failover. The leader acknowledges a record as soon as it has appended
// it; if it dies before any follower fetched it, a follower still in the ISR is elected cleanly without
// it, and the old leader truncates it when it returns. A configuration, not a protocol mode: acks=all
// with min.insync.replicas 2 only acknowledges what the ISR holds.
import { describe, expect, it } from 'vitest';
import type { ProducerConfig } from '../../../../sim/kafka/config.ts';
import { HistoricalScenario } from '../../../helpers/historical.ts';
import { anomaly, describeViolations, exampleValues } from '../../../helpers/historical-verdict.ts';

function replay(acks: ProducerConfig['acks']) {
  const s = new HistoricalScenario({ brokers: 4, partitions: 4, rf: 3, producer: { acks } }).start();
  const p = s.partitionAwayFromController();
  const [l, f1, f2] = s.replicasOf(p);
  const first = s.acked(s.produce(3, { partition: p, producer: { acks } }));
  s.run(1000);
  // The followers stop hearing from L for a moment (well within replica.lag.time.max.ms).
  s.cut(l, f1).cut(l, f2);
  const sends = s.startSends(3, { partition: p, producer: { acks } });
  s.run(1000);
  const ackedBeforeCrash = sends.results.filter((r) => r.outcome.type === 'ok').map((r) => r.value);
  s.crash(l, 'process').heal().run(10_000);
  const election = s.elections(p).at(-1);
  s.world.runUntil(() => sends.done(), { maxEvents: 5_000_000 });
  const pending = sends.results
    .filter((r) => r.outcome.type === 'ok')
    .map((r) => r.value)
    .sort((a, b) => a - b);
  const later = s.acked(s.produce(4, { partition: p, producer: { acks } }));
  const reader = s.finalReads([p]);
  return { s, p, l, first, ackedBeforeCrash, pending, later, election, read: reader.values(p), verdict: s.verdict() };
}

describe('bug 2: acks=1 loses writes on failover', () => {
  it('acks=1: the leader acknowledged m4..m6 alone and died; the clean election loses them (lost-write)', () => {
    const r = replay(1);
    expect(r.ackedBeforeCrash).toHaveLength(3);
    expect(r.election?.unclean).toBe(false);
    expect(r.election?.previousLeader).toBe(r.l);
    expect(r.read).toEqual([...r.first, ...r.later]);
    expect(exampleValues(anomaly(r.verdict.queue, 'lost-write'))).toEqual(r.ackedBeforeCrash);
    expect(anomaly(r.verdict.queue, 'inconsistent-offsets')?.examples.map((e) => e.detail?.offset)).toEqual([3, 4, 5]);
    // acks=1 promised no durability: the durability checker does not hold these sends to it, and no
    // replication invariant is broken (the new leader holds everything acknowledged with acks=all).
    expect(r.verdict.anomalies['acked-write-lost']).toBeUndefined();
    expect(describeViolations(r.verdict.violations)).toEqual([]);
  });

  it(
    'acks=all, min.insync.replicas 2: nothing is acknowledged before the ISR has it; the retries land on the new ' +
      'leader',
    () => {
      const r = replay('all');
      expect(r.ackedBeforeCrash).toEqual([]);
      expect(r.pending).toHaveLength(3);
      expect(r.read).toEqual([...r.first, ...r.pending, ...r.later]);
      expect(r.verdict.anomalies).toEqual({});
      expect(describeViolations(r.verdict.violations)).toEqual([]);
      expect(describeViolations(r.verdict.atRest)).toEqual([]);
    },
  );
});
