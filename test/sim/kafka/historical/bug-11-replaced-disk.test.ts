// Bug 11 (KAFKA-14139, fixed by KIP-903 in KRaft 3.5, MV 3.5-IV1): a replaced disk rejoins the ISR. KRaft, one
// partition on A, B, C. B has fallen out of the ISR and catches up; A proposes it back (AlterPartition), but the
// request is slow to reach the active controller. Before it arrives, B has a hard failure: the controller fences
// B (nothing to change: B is not in the ISR), then fails itself. B's disk is replaced and B comes back empty,
// out of reach of A; the next controller sees B's new registration first, then A's AlterPartition, which names B
// and nothing else about it: B is unfenced, so before KIP-903 B joins the ISR with an empty log. A and C then
// fail: B, the one ISR member left, is elected and every acknowledged record is gone. With KIP-903 the request
// carries the broker epoch of B's previous registration and is refused (INELIGIBLE_REPLICA); the partition waits
// offline for A or C, and nothing is lost. (ZooKeeper mode never had the epoch check.)
import { describe, expect, it } from 'vitest';
import { controllerNode } from '../../../../sim/kafka/kraft/config.ts';
import type { KafkaBehaviours } from '../../../../sim/kafka/protocol.ts';
import { releaseOf } from '../../../../sim/kafka/releases.ts';
import { HistoricalScenario } from '../../../helpers/historical.ts';
import { anomaly, describeViolations, exampleValues } from '../../../helpers/historical-verdict.ts';
import { FAST_KRAFT } from '../../../helpers/kraft-scenario.ts';

type Variant = '3.4' | '3.5 -kip903' | '3.5';

function behaviours(variant: Variant): KafkaBehaviours {
  const [version, override] = variant.split(' ');
  return { ...releaseOf(version).behaviours, ...(override === '-kip903' ? { kip903: false } : {}) };
}

function replay(variant: Variant) {
  const s = new HistoricalScenario({
    metadata: 'kraft',
    kraft: FAST_KRAFT,
    protocol: behaviours(variant),
    // A fetch lost to a cut link is sent again after 1 s, not Kafka's 30 s.
    broker: { 'replica.socket.timeout.ms': 1000 },
  }).start();
  const world = s.world;
  const node = (b: number): string => s.cluster.nodeOf(b);
  const controllers = s.cluster.controllerNodes();
  const active = (): string => s.cluster.activeControllerNode() ?? '';
  const registration = (b: number) => {
    const ctl = s.cluster.voterIds.find((v) => controllerNode(v) === active());
    return ctl === undefined ? undefined : s.cluster.kraftController(ctl)?.committed.brokers.get(b);
  };
  const cutBoth = (x: string, y: string, heal = false): void => {
    if (heal) world.net.healLink(x, y);
    else world.net.cutBoth(x, y);
    if (heal) world.net.healLink(y, x);
  };
  const acked = s.acked(s.produce(5));
  s.run(1000);
  const a = s.leader();
  const [b, c] = [0, 1, 2].filter((x) => x !== a);
  // B falls out of the ISR: cut off from the leader while records are acknowledged.
  s.cut(a, b);
  acked.push(...s.acked(s.produce(5)));
  s.run(15_000);
  const isrWithoutB = s.isr();
  // B's heartbeats stop (its session runs out 6 s later); it is up and fetching all along.
  for (const ctl of controllers) cutBoth(node(b), ctl);
  s.run(3000);
  // B catches up; A proposes it back into the ISR, its AlterPartition 4 s slow to the active controller.
  const ctl1 = active();
  const oldEpoch = registration(b)?.epoch ?? -1;
  world.net.setPacketFaults({ loss: 0, duplicate: 0, delay: { kind: 'constant', ms: 4000 } }, node(a), ctl1);
  s.healLink(a, b);
  world.runUntil(() => s.partition(a).pendingIsr?.includes(b) === true, { maxEvents: 1_000_000 });
  const sentEpoch = s.partition(a).followerBrokerEpoch(b);
  // The controller fences B, then fails; B fails too, and comes back on a new disk, out of A's reach.
  world.runUntil(() => registration(b)?.fenced === true, { maxEvents: 1_000_000 });
  world.crash(ctl1);
  s.crash(b, 'process');
  s.replaceDisk(b);
  s.cut(a, b);
  for (const ctl of controllers) {
    cutBoth(node(b), ctl, true);
    // A reaches no controller until the next one has B's new registration.
    if (ctl !== ctl1) cutBoth(node(a), ctl);
  }
  s.restart(b);
  world.runUntil(() => registration(b)?.fenced === false && registration(b)?.epoch !== oldEpoch, {
    maxEvents: 1_000_000,
  });
  const newEpoch = registration(b)?.epoch ?? -1;
  for (const ctl of controllers) cutBoth(node(a), ctl, true);
  s.run(5000);
  const isrAfter = s.isr();
  const bLog = s.log(b);
  // A and C fail: B, if it is in the ISR, is the last member left.
  s.crash(a, 'process').crash(c, 'process').run(10_000);
  const leaderAfter = s.leader();
  // Sends go on (acknowledged or not: below min.insync.replicas they wait).
  s.startSends(3);
  s.run(10_000);
  world.start(ctl1);
  const reader = s.finalReads([0]);
  return {
    s,
    a,
    b,
    c,
    acked,
    isrWithoutB,
    oldEpoch,
    newEpoch,
    sentEpoch,
    isrAfter,
    bLog,
    leaderAfter,
    read: reader.values(0),
    verdict: s.verdict(),
  };
}

describe('bug 11: a replaced disk rejoins the ISR (KAFKA-14139, KIP-903)', () => {
  for (const variant of ['3.4', '3.5 -kip903'] as const) {
    it(
      `${variant}: Partition.isReplicaIsrEligible and ReplicationControlManager.validateAlterPartitionData take ` +
        "A's AlterPartition for B's new registration; B joins the ISR empty, is elected, and every acknowledged " +
        'record is lost',
      () => {
        const r = replay(variant);
        expect(r.isrWithoutB).toEqual([r.a, r.c].sort());
        expect(r.newEpoch).not.toBe(r.oldEpoch);
        // The request named B alone, with no broker epoch.
        expect(r.sentEpoch).toBe(-1);
        expect(r.isrAfter).toEqual([0, 1, 2]);
        expect(r.bLog).toEqual([]);
        // StrongIsr as B joins: nothing explains an empty replica let into the ISR (its crash does not).
        const joined = r.verdict.violations.filter((v) => v.invariant === 'StrongIsr' && v.causedBy === null);
        expect(joined.map((v) => [v.brokers, v.detail.offset, v.detail.memberValue])).toEqual([[[r.a, r.b], 0, null]]);
        expect(r.leaderAfter).toBe(r.b);
        const elected = r.s.elections().at(-1);
        expect(elected).toMatchObject({ leader: r.b, unclean: false });
        // A and C truncated to B: what the final reads find is what B took afterwards, none of the acknowledged.
        expect(r.read.filter((v) => r.acked.includes(v))).toEqual([]);
        expect(r.read.length).toBeGreaterThan(0);
        const lost = anomaly(r.verdict.durability, 'acked-write-lost');
        expect(lost?.count).toBe(r.acked.length);
        expect(exampleValues(lost)).toEqual(r.acked.slice(0, lost?.examples.length));
        // Blamed on B's clean election; B's own copy went with its disk.
        const detail = lost?.examples[0].detail as {
          blamed: { cause: { kind: string; leader?: number } };
          truncatedBy: { broker: number; cause: { kind: string } }[];
        };
        expect(detail.blamed.cause).toMatchObject({ kind: 'clean-election', leader: r.b });
        expect(detail.truncatedBy).toContainEqual(
          expect.objectContaining({ broker: r.b, cause: expect.objectContaining({ kind: 'disk-replaced' }) }),
        );
        expect(anomaly(r.verdict.queue, 'inconsistent-offsets')?.count).toBeGreaterThan(0);
      },
    );
  }

  it(
    '3.5: KIP-903 (Partition.addBrokerEpochToIsr, ReplicationControlManager.ineligibleReplicasForIsr) refuses the ' +
      "AlterPartition carrying B's old broker epoch; the partition waits offline for A or C, and nothing is lost",
    () => {
      const r = replay('3.5');
      expect(r.sentEpoch).toBe(r.oldEpoch);
      expect(r.isrAfter).toEqual([r.a, r.c].sort());
      expect(r.leaderAfter).toBe(-1);
      const refused = r.s.world.trace
        .entries()
        .filter((e) => e.kind === 'isr-update-failed' && e.detail.includes('INELIGIBLE_REPLICA'));
      expect(refused.length).toBeGreaterThan(0);
      expect(r.read).toEqual(expect.arrayContaining(r.acked));
      expect(r.verdict.anomalies).toEqual({});
      expect(describeViolations(r.verdict.violations.filter((v) => v.causedBy === null))).toEqual([]);
    },
  );
});
