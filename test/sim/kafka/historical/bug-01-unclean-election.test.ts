// Bug 1 (Jepsen 2013, "Call me maybe: Kafka"): unclean election loses acknowledged writes. With acks=all
// but min.insync.replicas 1, the leader L is cut off from its followers on the data path only, keeping
// its ZooKeeper session, while writes go on: the ISR shrinks to L alone (the writes leave the followers
// behind; since KAFKA-7152 a follower at the leader's log end offset never leaves it), and L acknowledges
// them alone. Then L is isolated
// fully: an out-of-sync follower is elected (unclean). When the network heals L truncates to the new
// leader: the writes it acknowledged alone are gone. Fixed in practice by min.insync.replicas ≥ 2 and
// unclean.leader.election.enable=false (the default since 0.11). A configuration, not a protocol mode.
import { describe, expect, it } from 'vitest';
import type { BrokerConfig } from '../../../../sim/kafka/config.ts';
import { HistoricalScenario } from '../../../helpers/historical.ts';
import { anomaly, describeViolations, exampleValues } from '../../../helpers/historical-verdict.ts';

function replay(broker: Partial<BrokerConfig>) {
  const s = new HistoricalScenario({ brokers: 4, partitions: 4, rf: 3, broker }).start();
  const p = s.partitionAwayFromController();
  const [l, f1, f2] = s.replicasOf(p);
  const first = s.acked(s.produce(3, { partition: p }));
  s.run(1000);
  s.cut(l, f1).cut(l, f2);
  // The writes wait for the followers until replica.lag.time.max.ms (10 s) drops them from the ISR.
  const alone = s.produce(5, {
    partition: p,
    producer: { 'delivery.timeout.ms': 25_000, 'request.timeout.ms': 20_000 },
  });
  const isrAlone = s.isr(p);
  // L is isolated fully (ZooKeeper, controller, clients): its session expires.
  s.world.net.isolate(s.cluster.nodeOf(l));
  s.run(10_000);
  const election = s.elections(p).at(-1);
  const leaderWhileIsolated = s.controllerLeader(p);
  const later = leaderWhileIsolated >= 0 && leaderWhileIsolated !== l ? s.acked(s.produce(5, { partition: p })) : [];
  s.heal().run(15_000);
  const more = s.acked(s.produce(3, { partition: p }));
  const reader = s.finalReads([p]);
  return {
    s,
    p,
    l,
    first,
    isrAlone,
    alone,
    ackedAlone: s.acked(alone),
    election,
    leaderWhileIsolated,
    later,
    more,
    read: reader.values(p),
    verdict: s.verdict(),
  };
}

describe('bug 1: unclean election loses acknowledged writes (Jepsen 2013)', () => {
  it(
    'min.insync.replicas 1 and unclean election: the writes L acknowledged alone are lost (lost-write, ' +
      'acked-write-lost)',
    () => {
      const r = replay({ 'min.insync.replicas': 1, 'unclean.leader.election.enable': true });
      expect(r.isrAlone).toEqual([r.l]);
      expect(r.ackedAlone).toHaveLength(5);
      expect(r.election?.unclean).toBe(true);
      expect(r.election?.previousLeader).toBe(r.l);
      expect(r.read).toEqual([...r.first, ...r.later, ...r.more]);
      expect(exampleValues(anomaly(r.verdict.queue, 'lost-write'))).toEqual(r.ackedAlone);
      const lost = anomaly(r.verdict.durability, 'acked-write-lost');
      expect(exampleValues(lost)).toEqual(r.ackedAlone);
      // The durability checker blames the unclean election; the invariant monitor does too.
      expect(lost?.examples[0].detail?.blamed).toMatchObject({
        broker: r.l,
        cause: { kind: 'unclean-election', leader: r.leaderWhileIsolated },
      });
      const completeness = r.verdict.violations.filter((v) => v.invariant === 'LeaderCompleteness');
      expect(completeness.map((v) => [v.brokers, v.detail.missing, v.causedBy?.kind])).toEqual([
        [[r.leaderWhileIsolated], 5, 'unclean-election'],
      ]);
      expect(r.verdict.violations.filter((v) => v.causedBy === null)).toEqual([]);
    },
  );

  it(
    'min.insync.replicas 2, unclean election off: L refuses the writes it cannot replicate; nothing acknowledged ' +
      'is lost',
    () => {
      const r = replay({ 'min.insync.replicas': 2, 'unclean.leader.election.enable': false });
      expect(r.isrAlone).toEqual([r.l]);
      expect(r.ackedAlone).toEqual([]);
      expect(r.alone.every((a) => a.outcome.type !== 'ok')).toBe(true);
      expect(r.election?.unclean).toBe(false);
      expect(r.read).toEqual([...r.first, ...r.later, ...r.more]);
      expect(r.verdict.anomalies).toEqual({});
      expect(describeViolations(r.verdict.violations)).toEqual([]);
      expect(describeViolations(r.verdict.atRest)).toEqual([]);
    },
  );

  it(
    'min.insync.replicas 1 but unclean election off: the partition waits offline for L; nothing acknowledged is ' +
      'lost',
    () => {
      const r = replay({ 'min.insync.replicas': 1, 'unclean.leader.election.enable': false });
      expect(r.ackedAlone).toHaveLength(5);
      expect(r.leaderWhileIsolated).toBe(-1);
      expect(r.read).toEqual([...r.first, ...r.ackedAlone, ...r.more]);
      expect(r.verdict.anomalies).toEqual({});
      expect(describeViolations(r.verdict.violations)).toEqual([]);
    },
  );
});
