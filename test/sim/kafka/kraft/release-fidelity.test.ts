// KRaft-mode behaviours that differ between Kafka releases (issue 17), each replayed step by step on the
// releases that had it, old and new: the leader epoch on an ISR shrink (KAFKA-15021), the last ISR member of
// a partition that loses its leader (with and without KIP-966's eligible leader replicas), who may join the
// ISR (KIP-841) and with which broker epoch (KIP-903, against KAFKA-14139's replaced disk). The controller's
// AlterPartition checks and the leader's handling of each answer have their unit tests in
// alter-partition.test.ts. Each test's title names the Kafka class and method it follows.
import { describe, expect, it } from 'vitest';
import { controllerNode } from '../../../../sim/kafka/kraft/config.ts';
import type { PartitionChangeRecord } from '../../../../sim/kafka/kraft/records.ts';
import type { FetchRequest } from '../../../../sim/kafka/messages.ts';
import type { KafkaBehaviours } from '../../../../sim/kafka/protocol.ts';
import { releaseOf } from '../../../../sim/kafka/releases.ts';
import type { ScenarioOptions } from '../../../helpers/scenario.ts';
import { KraftScenario } from '../../../helpers/kraft-scenario.ts';

const behaviours = (version: string, overrides: Partial<KafkaBehaviours> = {}): KafkaBehaviours => ({
  ...releaseOf(version).behaviours,
  ...overrides,
});

function kraft(version: string, o: Omit<ScenarioOptions, 'metadata'> = {}): KraftScenario {
  return new KraftScenario({
    ...o,
    protocol: behaviours(version, o.protocol),
    // A fetch lost to a cut link is sent again after 1 s, not Kafka's 30 s.
    broker: { 'replica.socket.timeout.ms': 1000, ...(o.broker ?? {}) },
    // The whole metadata log kept, so that changeRecords finds every record written: KIP-835's no-ops fill
    // kafkasim's scaled-down retention within seconds, and the log before a snapshot is deleted past it.
    kraft: { 'metadata.max.retention.bytes': 1 << 30, ...(o.kraft ?? {}) },
  }).start();
}

const nodeOf = (s: KraftScenario, b: number): string => s.cluster.nodeOf(b);
const others = (s: KraftScenario, a: number): [number, number] => {
  const [b, c] = [0, 1, 2].filter((x) => x !== a);
  return [b, c];
};

/** The active controller's committed state of partition 0. */
function committed(s: KraftScenario) {
  const p = s.controller(s.activeController()).committed.partitions.get(0);
  if (p === undefined) throw new Error('no partition 0');
  return p;
}

/** The committed partition records of the active controller's log, oldest first. */
function changeRecords(s: KraftScenario): PartitionChangeRecord[] {
  return s
    .controller(s.activeController())
    .raft.log.entries.map((e) => e.record)
    .filter((r): r is PartitionChangeRecord => r.type === 'PartitionChangeRecord');
}

describe('KAFKA-15021: the leader epoch on an ISR shrink', () => {
  for (const version of ['3.5', '3.7']) {
    const method = version === '3.5' ? 'triggerLeaderEpochBumpIfNeeded' : 'triggerLeaderEpochBumpForIsrShrinkIfNeeded';
    it(
      `PartitionChangeBuilder.${method} on ${version}: the leader's own AlterPartition shrink ` +
        (version === '3.5'
          ? 'bumps the leader epoch; the leader ignores the answer in the new epoch ' +
            '(Partition.handleAlterPartitionUpdate) and takes it from the metadata log (Partition.makeLeader)'
          : 'bumps only the partition epoch') +
        '; an expansion never bumps it',
      () => {
        const s = kraft(version);
        s.produce(3);
        const a = s.leader();
        const [b, c] = others(s, a);
        const epoch = s.partition(a).leaderEpoch;
        const partitionEpoch = s.partition(a).partitionEpoch;
        s.world.net.cutBoth(nodeOf(s, a), nodeOf(s, b));
        // KAFKA-7152: a follower at the leader's log end offset is never out of sync; a write moves the end.
        s.produce(1);
        s.run(15_000);
        expect(s.isr()).toEqual([a, c].sort());
        const shrink = changeRecords(s).findLast((r) => r.reason === 'AlterPartition');
        expect(shrink?.isr).toEqual([a, c].sort());
        const afterShrink = s.partition(a).leaderEpoch;
        if (version === '3.5') {
          // The record names the leader it keeps: that is the bump (PartitionRegistration.merge).
          expect(shrink?.leader).toBe(a);
          expect(afterShrink).toBe(epoch + 1);
          const becameLeader = s.events.filter((e) => e.kind === 'become-leader' && e.broker === a);
          expect(becameLeader.at(-1)).toMatchObject({ leaderEpoch: epoch + 1, isr: [a, c].sort() });
          // Followers are fenced by the new epoch until the metadata log tells them of it.
          expect(s.partition(c).leaderEpoch).toBe(epoch + 1);
        } else {
          expect(shrink?.leader).toBeUndefined();
          expect(afterShrink).toBe(epoch);
        }
        expect(s.partition(a).partitionEpoch).toBe(partitionEpoch + 1);
        // Back in the ISR: the expansion bumps the partition epoch only, in every release.
        s.world.net.heal();
        s.run(15_000);
        expect(s.isr()).toEqual([0, 1, 2]);
        const expansion = changeRecords(s).findLast((r) => r.reason === 'AlterPartition');
        expect(expansion?.isr).toEqual([0, 1, 2]);
        expect(expansion?.leader).toBeUndefined();
        expect(s.partition(a).leaderEpoch).toBe(afterShrink);
        expect(s.partition(a).partitionEpoch).toBe(partitionEpoch + 2);
        expect(s.acked(s.produce(3))).toHaveLength(3);
        expect(s.monitor.violations).toEqual([]);
        expect(s.raft.violations).toEqual([]);
      },
    );
  }

  for (const version of ['3.5', '3.7']) {
    it(
      `ReplicationControlManager.handleBrokerFenced on ${version}: a fenced follower leaves the ISR ` +
        (version === '3.5' ? 'in a new leader epoch' : 'in the same leader epoch') +
        '; a fenced leader is replaced in a new one (PartitionRegistration.merge)',
      () => {
        const s = kraft(version);
        s.produce(3);
        const a = s.leader();
        const [b, c] = others(s, a);
        const epoch = committed(s).leaderEpoch;
        s.cutFromQuorum(b).run(10_000);
        const shrink = changeRecords(s).findLast((r) => r.reason === `broker failure [${b}]`);
        expect(shrink?.isr).toEqual([a, c].sort());
        expect(shrink?.leader).toBe(version === '3.5' ? a : undefined);
        expect(committed(s).leader).toBe(a);
        expect(committed(s).leaderEpoch).toBe(version === '3.5' ? epoch + 1 : epoch);
        expect(s.partition(a).leaderEpoch).toBe(committed(s).leaderEpoch);
        // A leader change bumps the leader epoch whatever the release.
        const before = committed(s).leaderEpoch;
        s.crash(a).run(10_000);
        expect(committed(s).leader).toBe(c);
        expect(committed(s).leaderEpoch).toBe(before + 1);
        expect(s.monitor.violations).toEqual([]);
      },
    );
  }
});

describe('The last ISR member of a partition that loses its leader', () => {
  for (const version of ['4.0', '4.1']) {
    it(
      `PartitionChangeBuilder.build on ${version} (eligible leader replicas ${version === '4.0' ? 'off' : 'on'}):` +
        ' every replica crashes at once and the controller fences them one after another ' +
        '(maybeFenceOneStaleBroker): ' +
        (version === '4.0'
          ? 'the ISR keeps its last member ("We don\'t want to shrink the ISR to size 0")'
          : 'the ISR empties into the ELR, the last leader kept as the last known one'),
      () => {
        const s = kraft(version);
        const acked = s.acked(s.produce(5));
        s.run(1000);
        const a = s.leader();
        expect(committed(s).isr).toEqual([0, 1, 2]);
        for (const b of [0, 1, 2]) s.crash(b, 'process');
        s.run(10_000);
        // Fenced in id order: 0 leaves first, then 1, and 2 is the last ISR member, leading by then.
        const fences = changeRecords(s).filter((r) => r.reason.startsWith('broker failure'));
        expect(fences.map((r) => r.reason)).toEqual(['broker failure [0]', 'broker failure [1]', 'broker failure [2]']);
        const p = committed(s);
        expect(p.leader).toBe(-1);
        if (version === '4.0') {
          expect(fences.map((r) => r.isr)).toEqual([[1, 2], [2], undefined]);
          expect(p.isr).toEqual([2]);
          expect(p.elr).toEqual([]);
        } else {
          // Below min ISR (2) the members dropped stay eligible; the ISR may be empty.
          expect(fences.map((r) => r.isr)).toEqual([[1, 2], [2], []]);
          expect(p.isr).toEqual([]);
          expect(p.elr).toEqual([1, 2]);
          expect(p.lastKnownElr).toEqual([2]);
        }
        // Back up (from an unclean shutdown, so out of the ELR on 4.1): the last leader (2) leads again, as
        // the last ISR member on 4.0 and the last known leader on 4.1; nothing acknowledged is lost.
        for (const b of [0, 1, 2]) s.restart(b);
        s.run(20_000);
        expect(s.leader()).toBe(2);
        expect(s.log(2)).toEqual(expect.arrayContaining(acked));
        expect(a).toBeGreaterThanOrEqual(0);
        expect(s.monitor.unexplained()).toEqual([]);
      },
    );
  }
});

describe('KIP-841: fenced brokers cannot join the ISR (KRaft)', () => {
  for (const kip841 of [false, true]) {
    it(
      `Partition.isReplicaIsrEligible and ReplicationControlManager.validateAlterPartitionData ` +
        (kip841
          ? 'on 3.7: the leader proposes no fenced follower, however caught up'
          : 'without it (3.0-3.2: -kip841, and -kip903, whose epoch check needs an unfenced broker too): a ' +
            'fenced follower that fetches is proposed and written into the ISR'),
      () => {
        // 3.7: no leader-epoch bump on the controller's ISR shrink (KAFKA-15021), which would also keep the
        // fenced follower, unaware of the new epoch, from fetching.
        const s = kraft('3.7', { protocol: { kip841, kip903: kip841 } });
        s.produce(3);
        const a = s.leader();
        const [b, c] = others(s, a);
        // B fenced (no heartbeats), still fetching from A and caught up.
        s.cutFromQuorum(b).run(10_000);
        expect(s.controller(s.activeController()).committed.brokers.get(b)?.fenced).toBe(true);
        s.produce(3);
        s.run(10_000);
        if (kip841) {
          expect(committed(s).isr).toEqual([a, c].sort());
          expect(changeRecords(s).some((r) => r.reason === 'AlterPartition' && r.isr?.includes(b))).toBe(false);
        } else {
          expect(committed(s).isr).toEqual([0, 1, 2]);
        }
        // Unfenced, it joins (again) in both.
        s.world.net.heal();
        s.run(10_000);
        expect(s.controller(s.activeController()).committed.brokers.get(b)?.fenced).toBe(false);
        expect(committed(s).isr).toEqual([0, 1, 2]);
        expect(s.monitor.violations).toEqual([]);
      },
    );
  }
});

/**
 * KAFKA-14139's sequence in KRaft: A leads, B has fallen out of the ISR and catches up; A sends
 * AlterPartition to add it; B has a hard failure; the controller fences B (no partition change: B is not
 * in the ISR) and fails before A's AlterPartition reaches it; B comes back with an empty disk, and the new
 * controller sees its registration before A's AlterPartition, sent again, arrives.
 */
function kafka14139(version: '3.4' | '3.5') {
  const s = kraft(version);
  const node = (b: number): string => nodeOf(s, b);
  const acked = s.acked(s.produce(5));
  s.run(1000);
  const a = s.leader();
  const [b, c] = others(s, a);
  // B falls out of the ISR: cut off from the leader while records are acknowledged.
  s.world.net.cutBoth(node(a), node(b));
  acked.push(...s.acked(s.produce(5)));
  s.run(15_000);
  expect(s.isr()).toEqual([a, c].sort());
  // B's heartbeats stop: its session runs out 6 s later; it is up and fetching all along.
  s.cutFromQuorum(b);
  s.run(3000);
  // B catches up; A proposes it back into the ISR. Its AlterPartition is slow to reach the active controller.
  const ctl1 = s.activeController();
  const oldEpoch = s.controller(ctl1).committed.brokers.get(b)?.epoch ?? -1;
  const slow = { loss: 0, duplicate: 0, delay: { kind: 'constant' as const, ms: 4000 } };
  s.world.net.setPacketFaults(slow, node(a), controllerNode(ctl1));
  s.world.net.healLink(node(a), node(b));
  s.world.net.healLink(node(b), node(a));
  s.world.runUntil(() => s.partition(a).pendingIsr?.includes(b) === true, { maxEvents: 1_000_000 });
  const proposedAt = s.world.now;
  const sentEpoch = s.partition(a).followerBrokerEpoch(b);
  // Before it arrives, the controller fences B...
  s.world.runUntil(() => s.controller(ctl1).committed.brokers.get(b)?.fenced === true, { maxEvents: 1_000_000 });
  expect(s.world.now).toBeLessThan(proposedAt + 4000);
  // ... and fails. B's disk fails too: it comes back empty, cut off from A (its log stays empty).
  s.crashController(ctl1);
  s.crash(b);
  const disk = s.world.node(node(b)).disk;
  for (const f of disk.list()) disk.delete(f);
  s.world.net.cutBoth(node(a), node(b));
  for (const ctl of s.cluster.controllerNodes()) {
    s.world.net.healLink(node(b), ctl);
    s.world.net.healLink(ctl, node(b));
    // A reaches no controller until the new one has B's new registration.
    if (ctl !== controllerNode(ctl1)) s.world.net.cutBoth(node(a), ctl);
  }
  s.restart(b);
  const reregistered = (): boolean => {
    const active = s.activeController();
    const registration = active < 0 ? undefined : s.controller(active).committed.brokers.get(b);
    return registration !== undefined && !registration.fenced && registration.epoch !== oldEpoch;
  };
  s.world.runUntil(reregistered, { maxEvents: 1_000_000 });
  const newEpoch = s.controller(s.activeController()).committed.brokers.get(b)?.epoch;
  for (const ctl of s.cluster.controllerNodes()) {
    s.world.net.healLink(node(a), ctl);
    s.world.net.healLink(ctl, node(a));
  }
  s.run(5000);
  return { s, a, b, c, acked, ctl1, oldEpoch, newEpoch, sentEpoch };
}

describe('KIP-903: broker epochs in Fetch and AlterPartition (KAFKA-14139)', () => {
  for (const version of ['3.4', '3.5'] as const) {
    it(
      `Partition.addBrokerEpochToIsr and ReplicationControlManager.ineligibleReplicasForIsr on ${version}: ` +
        "KAFKA-14139's replaced disk " +
        (version === '3.4'
          ? 'rejoins the ISR empty through an AlterPartition sent before it failed; elected, it loses what ' +
            'was acknowledged'
          : 'is refused (INELIGIBLE_REPLICA: the AlterPartition carries its old broker epoch) and the leader goes ' +
            'back to its committed ISR (Partition.handleAlterPartitionError)'),
      () => {
        const { s, a, b, c, acked, oldEpoch, newEpoch, sentEpoch } = kafka14139(version);
        expect(newEpoch).not.toBe(oldEpoch);
        expect(s.log(b)).toEqual([]);
        const refused = s.world.trace
          .entries()
          .filter((e) => e.node === nodeOf(s, a) && e.kind === 'isr-update-failed' && e.detail.includes('INELIGIBLE'));
        if (version === '3.4') {
          // The request named B alone, no epoch: the controller sees an unfenced B and writes it in.
          expect(sentEpoch).toBe(-1);
          expect(committed(s).isr).toEqual([0, 1, 2]);
          expect(s.partition(a).isr).toEqual([0, 1, 2]);
          expect(refused).toEqual([]);
        } else {
          expect(sentEpoch).toBe(oldEpoch);
          expect(committed(s).isr).toEqual([a, c].sort());
          expect(s.partition(a).isr).toEqual([a, c].sort());
          expect(s.partition(a).pendingIsr).toBeNull();
          expect(refused.length).toBeGreaterThan(0);
        }
        // The leader and the other in-sync replica fail: B is the only ISR member left, on 3.4.
        s.crash(a, 'process').crash(c, 'process').run(10_000);
        if (version === '3.4') {
          expect(s.leader()).toBe(b);
          expect(s.elections().at(-1)).toMatchObject({ leader: b, unclean: false });
          expect(s.log(b)).toEqual([]);
          // A clean election of a leader without the committed records. (The monitor puts it down to B's crash,
          // as it cannot tell a replaced disk from a power loss that took everything unflushed.)
          const completeness = s.monitor.violations.filter((v) => v.invariant === 'LeaderCompleteness');
          expect(completeness.length).toBeGreaterThan(0);
          expect(completeness.every((v) => v.causedBy?.kind === 'crash' && v.causedBy.broker === b)).toBe(true);
        } else {
          // Nobody may lead: offline until A or C is back, with everything acknowledged.
          expect(committed(s).leader).toBe(-1);
          s.restart(a).restart(c).run(15_000);
          expect(s.leader()).not.toBe(b);
          expect(s.log(s.leader())).toEqual(expect.arrayContaining(acked));
          expect(s.monitor.unexplained()).toEqual([]);
        }
      },
    );
  }

  for (const version of ['3.4', '3.5'] as const) {
    it(
      `Partition.isReplicaIsrEligible on ${version}: a Fetch of a follower's previous incarnation, late, ` +
        (version === '3.4'
          ? 'brings it back into the ISR'
          : 'carries its old broker epoch (ReplicaState.ReplicaEpoch): the leader does not propose it'),
      () => {
        const s = kraft(version);
        s.produce(5);
        s.run(1000);
        const a = s.leader();
        const [b, c] = others(s, a);
        const oldEpoch = s.controller(s.activeController()).committed.brokers.get(b)?.epoch ?? -1;
        // Followers' fetches carry their broker epoch from 3.5 on.
        expect(s.partition(a).followerBrokerEpoch(b)).toBe(version === '3.5' ? oldEpoch : -1);
        s.world.net.cutBoth(nodeOf(s, a), nodeOf(s, b));
        s.produce(5);
        s.run(15_000);
        expect(s.isr()).toEqual([a, c].sort());
        // B restarts (a new broker epoch) and stays behind: A never hears from it.
        s.crash(b).restart(b).run(10_000);
        const registration = s.controller(s.activeController()).committed.brokers.get(b);
        expect(registration?.fenced).toBe(false);
        expect(registration?.epoch).not.toBe(oldEpoch);
        // A Fetch B's old incarnation sent, caught up to the leader, arrives now.
        s.world.net.healLink(nodeOf(s, b), nodeOf(s, a));
        const stale: FetchRequest = {
          type: 'Fetch',
          correlationId: 1_000_000,
          replicaId: b,
          maxWaitMs: 0,
          rackId: null,
          partitions: [
            { partition: 0, fetchOffset: s.partition(a).logEndOffset, currentLeaderEpoch: s.partition(a).leaderEpoch },
          ],
          ...(version === '3.5' ? { replicaEpoch: oldEpoch } : {}),
        };
        s.world.net.send(nodeOf(s, b), nodeOf(s, a), stale);
        s.run(50);
        if (version === '3.4') {
          expect(s.partition(a).maximalIsr()).toContain(b);
        } else {
          expect(s.partition(a).pendingIsr).toBeNull();
          expect(s.partition(a).maximalIsr()).toEqual([a, c].sort());
        }
      },
    );
  }
});
