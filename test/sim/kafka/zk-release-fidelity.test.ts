// ZooKeeper-mode behaviours that differ between Kafka releases (issue 17), each replayed step by step on
// the releases that had it: who writes a leader's ISR change and what the leader counts while it is in
// flight (KIP-497's AlterIsr, 2.7), the controller's ISR shrink for a dead broker, the last ISR member of
// an offline partition (KAFKA-5642, 1.1), and when a broker knows its broker epoch (KIP-380, KAFKA-9839).
// Each test's title names the Kafka class and method it follows.
import { describe, expect, it } from 'vitest';
import { checkAlterIsr } from '../../../sim/kafka/controller.ts';
import type { KafkaBehaviours } from '../../../sim/kafka/protocol.ts';
import { releaseOf } from '../../../sim/kafka/releases.ts';
import { brokerPath, decodeState, partitionStatePath, ZK_NODE } from '../../../sim/kafka/zk-layout.ts';
import { zkServerOf } from '../../../sim/kafka/zookeeper/index.ts';
import type { ReplicationEvent } from '../../../sim/events/index.ts';
import { HistoricalScenario } from '../../helpers/historical.ts';
import type { ScenarioOptions } from '../../helpers/scenario.ts';

const behaviours = (version: string): KafkaBehaviours => releaseOf(version).behaviours;

function scenario(version: string, o: ScenarioOptions = {}): HistoricalScenario {
  return new HistoricalScenario({ brokers: 4, partitions: 4, rf: 3, ...o, protocol: behaviours(version) }).start();
}

function zk(s: HistoricalScenario) {
  return zkServerOf(s.world.node(ZK_NODE).program);
}

/** The partition state znode as ZooKeeper holds it, with its version (the partition epoch). */
function zkState(s: HistoricalScenario, p: number) {
  const node = zk(s).get(partitionStatePath(p));
  if (node === null) throw new Error(`no state for partition ${p}`);
  return { ...decodeState(node.data), version: node.stat.version };
}

function ofKind<K extends ReplicationEvent['kind']>(s: HistoricalScenario, kind: K, p: number) {
  return s.events.filter(
    (e): e is Extract<ReplicationEvent, { kind: K }> => e.kind === kind && 'partition' in e && e.partition === p,
  );
}

/**
 * Cuts `other` off the leader and writes while it is cut, so that it falls behind and leaves the ISR
 * (KAFKA-7152, 2.1+: a follower at the leader's log end offset is never out of sync, so an idle cut would not).
 */
function shrinkOut(s: HistoricalScenario, p: number, leader: number, other: number): void {
  s.cut(leader, other);
  s.startSends(2, { partition: p });
  s.run(15_000);
}

/** The partition and its replicas [leader, follower, other] on brokers other than the controller's. */
function awayFromController(s: HistoricalScenario) {
  const p = s.partitionAwayFromController();
  const [leader, follower, other] = s.replicasOf(p);
  expect(s.leader(p)).toBe(leader);
  return { p, leader, follower, other, controller: s.controllerId() };
}

describe('KIP-497: a leader ISR change in ZooKeeper mode', () => {
  for (const version of ['2.4', '2.7']) {
    it(
      `Partition.shrinkIsr on ${version}: ` +
        (version === '2.4'
          ? 'the leader writes ZooKeeper itself (ZkPartitionStateStore.shrinkIsr) and notifies the controller'
          : 'AlterIsr to the controller, whose KafkaController.processAlterIsr writes it, bumps no leader ' +
            'epoch and sends no LeaderAndIsr'),
      () => {
        const s = scenario(version);
        const { p, leader, other, controller } = awayFromController(s);
        s.produce(3, { partition: p });
        const epoch = s.partition(leader, p).leaderEpoch;
        shrinkOut(s, p, leader, other);
        expect(s.partition(leader, p).isr).not.toContain(other);
        const state = zkState(s, p);
        expect(state.isr).not.toContain(other);
        expect(state.leader_epoch).toBe(epoch);
        expect(s.partition(leader, p).leaderEpoch).toBe(epoch);
        expect(s.partition(leader, p).partitionEpoch).toBe(state.version);
        expect(ofKind(s, 'become-leader', p).map((e) => e.leaderEpoch)).toEqual([epoch]);
        const shrink = ofKind(s, 'isr-change', p).filter((e) => e.change === 'shrink');
        expect(shrink.map((e) => e.broker)).toEqual([leader]);
        // Who wrote it: the controller says so (AlterIsr), or the leader's notification went to ZooKeeper.
        const notifications = zk(s).get('/isr_change_notification')?.stat.cversion ?? 0;
        const byController = ofKind(s, 'controller-isr', p);
        if (version === '2.4') {
          expect(notifications).toBeGreaterThan(0);
          expect(byController).toEqual([]);
        } else {
          expect(notifications).toBe(0);
          expect(byController.map((e) => [e.controller, e.leaderEpoch, e.isr])).toEqual([
            [controller, epoch, state.isr],
          ]);
        }
        expect(s.monitor.violations).toEqual([]);
      },
    );
  }

  for (const version of ['2.4', '2.7']) {
    it(
      `Partition.maybeIncrementLeaderHW on ${version} while an expansion is in flight: ` +
        (version === '2.4'
          ? 'expandIsr holds leaderIsrUpdateLock through its ZooKeeper write, so the high watermark waits for it'
          : 'the maximal ISR (PendingExpandIsr) counts the new member, and the high watermark moves with it'),
      () => {
        const s = scenario(version);
        const { p, leader, other, controller } = awayFromController(s);
        s.produce(3, { partition: p });
        shrinkOut(s, p, leader, other);
        expect(s.partition(leader, p).isr).not.toContain(other);
        // The follower fetches again and the leader proposes it back; as it does, the leader loses ZooKeeper
        // and the controller for a while (less than a session), so the change stays in flight.
        let cutAt = -1;
        const unhook = s.world.onEvent(() => {
          if (cutAt >= 0 || s.partition(leader, p).pendingIsr?.includes(other) !== true) return;
          s.cutFromControl(leader, controller);
          cutAt = s.world.now;
        });
        s.healLink(leader, other);
        s.world.runUntil(() => cutAt >= 0, { maxEvents: 1_000_000 });
        unhook();
        expect(s.partition(leader, p).isr).not.toContain(other);
        const sends = s.startSends(1, { partition: p });
        s.run(2500);
        const written = s.partition(leader, p).highWatermark;
        // Three records before the cut and two while it lasted are committed.
        if (version === '2.4') {
          expect(sends.done()).toBe(false);
          expect(written).toBe(5);
        } else {
          expect(sends.results.map((r) => r.outcome.type)).toEqual(['ok']);
          expect(written).toBe(6);
          expect(s.partition(leader, p).maximalIsr()).toContain(other);
        }
        s.heal().run(40_000);
        expect(sends.results.map((r) => r.outcome.type)).toEqual(['ok']);
        expect(s.partition(leader, p).isr).toContain(other);
        expect(s.partition(leader, p).pendingIsr).toBeNull();
        expect(s.monitor.violations).toEqual([]);
      },
    );
  }

  for (const version of ['3.0', '3.5']) {
    it(
      `Partition.handleAlterIsrResponse on ${version}: ` +
        (version === '3.0'
          ? 'a committed shrink leaves the high watermark until the next fetch or append (before KAFKA-13091)'
          : 'the high watermark is recomputed as the shrink commits (KAFKA-13091, 3.1)'),
      () => {
        const s = new HistoricalScenario({
          brokers: 3,
          partitions: 3,
          rf: 2,
          broker: { 'min.insync.replicas': 1 },
          protocol: behaviours(version),
        }).start();
        const p = s.partitionAwayFromController();
        const [leader, follower] = s.replicasOf(p);
        s.produce(2, { partition: p });
        s.cut(leader, follower);
        const sends = s.startSends(1, { partition: p, producer: { 'delivery.timeout.ms': 120_000 } });
        s.run(20_000);
        expect(s.partition(leader, p).isr).toEqual([leader]);
        if (version === '3.0') {
          expect(sends.done()).toBe(false);
          expect(s.partition(leader, p).highWatermark).toBe(2);
          // The next append moves it.
          expect(s.acked(s.produce(1, { partition: p }))).toHaveLength(1);
        } else {
          expect(s.partition(leader, p).highWatermark).toBe(3);
        }
        s.run(1000);
        expect(sends.results.map((r) => r.outcome.type)).toEqual(['ok']);
        expect(s.monitor.violations).toEqual([]);
      },
    );
  }

  for (const version of ['2.7', '3.5']) {
    it(
      `KafkaController.${version === '2.7' ? 'processAlterIsr' : 'tryProcessAlterPartition'} on ${version}: an ` +
        'ISR with a broker whose registration is gone is ' +
        (version === '2.7'
          ? 'written'
          : 'refused with INELIGIBLE_REPLICA (KIP-841) and the leader goes back to its committed ISR ' +
            '(Partition.handleAlterPartitionError)'),
      () => {
        const s = scenario(version);
        const { p, leader, follower, other, controller } = awayFromController(s);
        s.produce(3, { partition: p });
        shrinkOut(s, p, leader, other);
        expect(s.partition(leader, p).isr).toEqual([leader, follower].sort((a, b) => a - b));
        // The other replica loses ZooKeeper past its session (it is no longer a live broker), then fetches
        // from the leader again and catches up.
        s.world.net.cutBoth(s.cluster.nodeOf(other), ZK_NODE);
        s.run(10_000);
        const ctl = s.cluster.broker(controller)?.controller?.describe();
        expect(ctl?.live).not.toContain(other);
        s.healLink(leader, other).run(10_000);
        expect(s.log(other, p)).toEqual(s.log(leader, p));
        if (version === '2.7') {
          expect(zkState(s, p).isr).toContain(other);
          expect(s.partition(leader, p).isr).toContain(other);
        } else {
          expect(zkState(s, p).isr).not.toContain(other);
          expect(s.partition(leader, p).isr).not.toContain(other);
          // Each try is refused and reset, so the leader tries again at the next fetch.
          s.world.runUntil(() => s.partition(leader, p).pendingIsr === null, { maxEvents: 100_000 });
          expect(s.partition(leader, p).pendingIsr).toBeNull();
        }
        expect(s.monitor.violations).toEqual([]);
      },
    );
  }

  it(
    'Partition.handleAlterIsrResponse gives up on INVALID_UPDATE_VERSION until the next LeaderAndIsr: the ' +
      "controller's write landed, its answer was lost, and the retried conditional write (KafkaZkClient." +
      'retryRequestsUntilConnected) found its own zkVersion gone',
    () => {
      const s = scenario('3.9');
      const { p, leader, follower, other, controller } = awayFromController(s);
      s.produce(3, { partition: p });
      shrinkOut(s, p, leader, other);
      const before = zkState(s, p).version;
      s.healLink(leader, other);
      s.world.runUntil(() => zkState(s, p).version > before, { maxEvents: 100_000 });
      // The write is in ZooKeeper; its answer to the controller is lost.
      s.world.net.cut(ZK_NODE, s.cluster.nodeOf(controller));
      s.run(300);
      s.world.net.healLink(ZK_NODE, s.cluster.nodeOf(controller));
      s.run(10_000);
      expect(zkState(s, p).isr).toContain(other);
      // The leader still counts the member it asked for (the maximal ISR), and asks nothing more.
      expect(s.partition(leader, p).isr).not.toContain(other);
      expect(s.partition(leader, p).pendingIsr).toContain(other);
      expect(s.acked(s.produce(2, { partition: p }))).toHaveLength(2);
      // A LeaderAndIsr (the follower dies: the controller takes it out, bumping the leader epoch) resets it.
      s.crash(follower).run(10_000);
      expect(s.partition(leader, p).pendingIsr).toBeNull();
      expect(s.partition(leader, p).isr).toEqual([leader, other].sort((a, b) => a - b));
      expect(s.monitor.violations).toEqual([]);
    },
  );
});

describe('KafkaController.processAlterIsr / tryProcessAlterPartition: the checks per release', () => {
  const current = {
    state: { leader: 1, leader_epoch: 5, isr: [1, 2], controller_epoch: 1, eligible_leader_replicas: [] },
    zkVersion: 7,
  };
  const live = (b: number): boolean => b !== 4;
  const cases: [string, { leaderEpoch: number; newIsr: number[]; partitionEpoch: number }, string, string][] = [
    ['an older leader epoch', { leaderEpoch: 4, newIsr: [1, 2, 3], partitionEpoch: 7 }, 'FENCED_LEADER_EPOCH', ''],
    ['a newer leader epoch', { leaderEpoch: 6, newIsr: [1, 2, 3], partitionEpoch: 7 }, 'write', 'NOT_CONTROLLER'],
    ['a newer partition epoch', { leaderEpoch: 5, newIsr: [1, 2, 3], partitionEpoch: 8 }, 'write', 'NOT_CONTROLLER'],
    ['the ISR it has, at an older version', { leaderEpoch: 5, newIsr: [1, 2], partitionEpoch: 6 }, 'current', ''],
    [
      'a change from an older version',
      { leaderEpoch: 5, newIsr: [1, 2, 3], partitionEpoch: 6 },
      'write',
      'INVALID_UPDATE_VERSION',
    ],
    [
      'a broker that is not live',
      { leaderEpoch: 5, newIsr: [1, 2, 4], partitionEpoch: 7 },
      'write',
      'INELIGIBLE_REPLICA',
    ],
    ['a good change', { leaderEpoch: 5, newIsr: [1, 2, 3], partitionEpoch: 7 }, 'write', ''],
  ];
  for (const [name, req, on27, on35] of cases) {
    const on35OrSame = on35 === '' ? on27 : on35;
    it(`${name}: 2.7 ${on27}, 3.5 ${on35OrSame}`, () => {
      expect(checkAlterIsr(current, 1, req, behaviours('2.7'), live)).toBe(on27);
      expect(checkAlterIsr(current, 1, req, behaviours('3.5'), live)).toBe(on35OrSame);
    });
  }

  it('answers UNKNOWN_TOPIC_OR_PARTITION for a partition it does not know', () => {
    const req = { leaderEpoch: 0, newIsr: [1], partitionEpoch: 0 };
    expect(checkAlterIsr(undefined, 1, req, behaviours('3.9'), live)).toBe('UNKNOWN_TOPIC_OR_PARTITION');
  });
});

describe("ReplicaStateMachine.doRemoveReplicasFromIsr: the controller's ISR shrink for a dead broker", () => {
  for (const version of ['0.10.2', '3.9']) {
    it(`bumps the leader epoch (LeaderAndIsr.newLeaderAndIsr) and tells the remaining replicas, on ${version}`, () => {
      const s = scenario(version);
      const { p, leader, follower, other } = awayFromController(s);
      s.produce(3, { partition: p });
      const epoch = s.partition(leader, p).leaderEpoch;
      s.crash(other).run(10_000);
      const shrink = ofKind(s, 'controller-isr', p);
      expect(shrink.map((e) => [e.leader, e.leaderEpoch, e.isr])).toEqual([
        [leader, epoch + 1, [leader, follower].sort((a, b) => a - b)],
      ]);
      expect(zkState(s, p).leader_epoch).toBe(epoch + 1);
      // The leader takes the new epoch as a leader does any LeaderAndIsr of a newer epoch (Partition.makeLeader).
      expect(s.partition(leader, p).role).toBe('leader');
      expect(s.partition(leader, p).leaderEpoch).toBe(epoch + 1);
      expect(ofKind(s, 'become-leader', p).map((e) => [e.broker, e.leaderEpoch])).toEqual([
        [leader, epoch],
        [leader, epoch + 1],
      ]);
      expect(s.partition(follower, p).leaderEpoch).toBe(epoch + 1);
      expect(s.acked(s.produce(2, { partition: p }))).toHaveLength(2);
      expect(s.monitor.violations).toEqual([]);
    });
  }
});

describe('the last ISR member of a partition going offline', () => {
  for (const version of ['0.10.2', '1.1']) {
    it(
      `on ${version} with unclean election enabled: ` +
        (version === '0.10.2'
          ? 'KafkaController.removeReplicaFromIsr empties the ISR, and the returning replica is elected uncleanly'
          : 'ReplicaStateMachine.doRemoveReplicasFromIsr keeps it (KAFKA-5642), and it is elected cleanly'),
      () => {
        const s = new HistoricalScenario({
          brokers: 3,
          partitions: 3,
          rf: 2,
          broker: { 'unclean.leader.election.enable': true, 'min.insync.replicas': 1 },
          protocol: behaviours(version),
        }).start();
        const p = s.partitionAwayFromController();
        const [leader, follower] = s.replicasOf(p);
        s.produce(3, { partition: p, producer: { acks: 1 } });
        s.run(1000);
        const epoch = zkState(s, p).leader_epoch;
        s.crash(follower).run(10_000);
        expect(zkState(s, p).isr).toEqual([leader]);
        s.crash(leader).run(10_000);
        const offline = zkState(s, p);
        expect(offline.leader).toBe(-1);
        expect(offline.isr).toEqual(version === '0.10.2' ? [] : [leader]);
        // One write, one bump, per replica taken out.
        expect(offline.leader_epoch).toBe(epoch + 2);
        s.restart(leader).run(10_000);
        const election = s.elections(p).at(-1);
        expect([election?.leader, election?.unclean]).toEqual([leader, version === '0.10.2']);
      },
    );
  }

  for (const version of ['0.10.2', '3.9']) {
    it(`on ${version}, every replica dead at once: the ISR keeps one of them, not the whole dead ISR`, () => {
      const s = new HistoricalScenario({ brokers: 4, partitions: 4, rf: 2, protocol: behaviours(version) }).start();
      const p = s.partitionAwayFromController();
      const [leader, follower] = s.replicasOf(p);
      s.produce(3, { partition: p });
      s.crash(leader).crash(follower).run(10_000);
      const offline = zkState(s, p);
      expect(offline.leader).toBe(-1);
      expect(offline.isr).toHaveLength(1);
      expect([leader, follower]).toContain(offline.isr[0]);
    });
  }
});

describe('KIP-380 broker epoch in ZooKeeper mode', () => {
  it('KafkaZkClient.registerBroker: a broker knows its broker epoch (the czxid) as its registration answers', () => {
    const s = new HistoricalScenario({ brokers: 3, partitions: 1, rf: 3, protocol: behaviours('2.4') });
    const seen: [number, number, number][] = [];
    s.cluster.observe((e) => {
      if (e.kind !== 'broker-state' || e.state !== 'running') return;
      const czxid = zk(s).get(brokerPath(e.broker))?.stat.czxid ?? -2;
      seen.push([e.broker, s.cluster.broker(e.broker)?.zk?.brokerEpoch ?? -1, czxid]);
    });
    s.start();
    expect(seen).toHaveLength(3);
    for (const [, epoch, czxid] of seen) expect(epoch).toBe(czxid);
  });

  for (const version of ['2.4', '2.7']) {
    it(
      `KafkaApis.isBrokerEpochStale on ${version}, after a session expiry, for a LeaderAndIsr that carries the ` +
        'new registration before the broker has its answer: ' +
        (version === '2.4'
          ? 'refused (IllegalStateException), so the broker misses its new leader epoch'
          : 'taken (KAFKA-9839, 2.5.1)'),
      () => {
        const s = scenario(version);
        const { p, leader, other } = awayFromController(s);
        s.produce(3, { partition: p });
        const node = s.cluster.nodeOf(other);
        const oldEpoch = s.cluster.broker(other)?.zk?.brokerEpoch ?? -1;
        // Its session expires: the controller takes it out of the ISR, bumping the leader epoch.
        s.world.net.cutBoth(node, ZK_NODE);
        s.run(10_000);
        const epoch = s.partition(leader, p).leaderEpoch;
        expect(s.partition(other, p).leaderEpoch).toBeLessThan(epoch);
        // Back: it registers again; ZooKeeper's answer is lost, the controller sees the registration.
        s.world.net.healLink(node, ZK_NODE);
        s.world.net.healLink(ZK_NODE, node);
        s.world.runUntil(() => (zk(s).get(brokerPath(other))?.stat.czxid ?? -1) > oldEpoch, {
          maxEvents: 1_000_000,
        });
        s.world.net.cut(ZK_NODE, node);
        s.run(1000);
        expect(s.cluster.broker(other)?.zk?.brokerEpoch).toBe(oldEpoch);
        s.world.net.healLink(ZK_NODE, node);
        s.run(15_000);
        expect(s.cluster.broker(other)?.zk?.brokerEpoch).toBeGreaterThan(oldEpoch);
        if (version === '2.4') {
          expect(s.partition(other, p).leaderEpoch).toBeLessThan(epoch);
          expect(s.partition(leader, p).isr).not.toContain(other);
        } else {
          expect(s.partition(other, p).leaderEpoch).toBe(epoch);
          expect(s.partition(leader, p).isr).toContain(other);
        }
        expect(s.monitor.violations).toEqual([]);
      },
    );
  }
});
