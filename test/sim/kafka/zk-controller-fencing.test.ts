// ZooKeeper mode: a controller that is no longer the newest one (a zombie) must change nothing. Two fences, each
// met here on a running cluster with a stand-in for the other controller: ZooKeeper refuses the zombie's writes,
// which are conditional on /controller_epoch's zkVersion, and brokers refuse its requests, which carry an older
// controller epoch than one they have seen.
import { describe, expect, it } from 'vitest';
import type { LeaderAndIsrRequest, LeaderAndIsrResponse, PartitionState } from '../../../sim/kafka/messages.ts';
import { CONTROLLER_EPOCH, decodeState, partitionStatePath, ZK_NODE } from '../../../sim/kafka/zk-layout.ts';
import type { ZkErrorCode, ZkStat } from '../../../sim/kafka/zookeeper/index.ts';
import { ZkClient, zkServerOf } from '../../../sim/kafka/zookeeper/index.ts';
import type { NodeContext } from '../../../sim/world/index.ts';
import { Scenario } from '../../helpers/scenario.ts';

/** A ZooKeeper-mode cluster of 3 brokers that has taken 3 writes on partition 0 (RF 3). */
function runningCluster(): Scenario {
  const s = new Scenario().start();
  expect(s.acked(s.produce(3))).toHaveLength(3);
  return s.run(1000);
}

/** The active controller's broker id and controller epoch. */
function activeController(s: Scenario): { id: number; epoch: number } {
  const b = s.cluster.activeController();
  if (b === null) throw new Error('no active controller');
  return { id: b.id, epoch: b.controller?.epoch ?? -1 };
}

describe('KafkaZkClient: controller writes are conditional on /controller_epoch (KAFKA-6082)', () => {
  // Kafka 3.9.0 KafkaZkClient.updateLeaderAndIsr writes through retryRequestsUntilConnected with the controller's
  // epochZkVersion, which wraps each request (wrapRequestWithControllerEpochCheck) in a MultiRequest led by
  // CheckOp(ControllerEpochZNode.path, that version): once another controller has bumped /controller_epoch the
  // write fails (BADVERSION, thrown as ControllerMovedException), and KafkaController.process resigns on it
  // (maybeResign).
  it('a write by a controller whose epoch was superseded fails; it resigns and a newer controller takes over', () => {
    const s = runningCluster();
    const zombie = activeController(s);
    // Another controller (here the test's own ZooKeeper session) bumps /controller_epoch as KafkaController's
    // registerControllerAndIncrementControllerEpoch does; the zombie has not heard of it.
    let rival: ZkClient | null = null;
    s.world.addNode('rival', (ctx: NodeContext) => {
      const c = new ZkClient(
        ctx,
        ZK_NODE,
        { sessionTimeoutMs: 6000 },
        { onConnected() {}, onSessionExpired() {}, onWatch() {} },
      );
      rival = c;
      c.connect();
      return { onMessage: (from, msg) => void c.handleMessage(from, msg) };
    });
    s.world.start('rival');
    s.run(100);
    const client = rival as unknown as ZkClient;
    let bumped: [ZkErrorCode | null, ZkStat?] | null = null;
    client.getData(CONTROLLER_EPOCH, false, (err, data, stat) => {
      expect([err, Number(data)]).toEqual([null, zombie.epoch]);
      client.setData(CONTROLLER_EPOCH, String(zombie.epoch + 1), stat?.version ?? -1, (e2, s2) => (bumped = [e2, s2]));
    });
    s.world.runUntil(() => bumped !== null, { maxEvents: 100_000 });
    expect((bumped as unknown as [ZkErrorCode | null])[0]).toBeNull();
    // A broker fails: the zombie must elect a leader or shrink an ISR, so it writes partition 0's state.
    const failed = [0, 1, 2].find((b) => b !== zombie.id) as number;
    s.crash(failed).run(15_000);
    // Its write was refused: it resigned, and the controller elected since holds a newer epoch than the rival's.
    const now = activeController(s);
    expect(now.epoch).toBe(zombie.epoch + 2);
    const state = zkServerOf(s.world.node(ZK_NODE).program).get(partitionStatePath(0));
    expect(decodeState(state?.data ?? '{}').controller_epoch).toBe(zombie.epoch + 2);
    for (const b of [0, 1, 2].filter((x) => x !== failed)) {
      expect(s.cluster.broker(b)?.controllerEpochSeen).toBe(zombie.epoch + 2);
    }
    expect(s.monitor.violations).toEqual([]);
  });
});

describe('ReplicaManager.becomeLeaderOrFollower: a stale controller epoch is refused, from any controller', () => {
  // Kafka 3.9.0 ReplicaManager.becomeLeaderOrFollower: "if (leaderAndIsrRequest.controllerEpoch < controllerEpoch)"
  // the request is answered STALE_CONTROLLER_EPOCH and changes nothing, whichever controller sent it.
  it('a LeaderAndIsr from the previous controller, after a newer one has spoken, changes nothing', () => {
    const s = runningCluster();
    const old = activeController(s);
    s.crash(old.id).run(15_000);
    const successor = activeController(s);
    expect(successor.epoch).toBeGreaterThan(old.epoch);
    // A broker that has heard from the successor, and the partition as it has it.
    const target = [0, 1, 2].find((b) => b !== old.id && b !== successor.id) as number;
    expect(s.cluster.broker(target)?.controllerEpochSeen).toBe(successor.epoch);
    const before = s.partition(target);
    const was = { role: before.role, leader: before.leader, leaderEpoch: before.leaderEpoch, isr: [...before.isr] };
    // The old controller's LeaderAndIsr (a zombie's, or one held up in the network): itself leader in a new epoch.
    const bogus: PartitionState = {
      partition: 0,
      leader: old.id,
      leaderEpoch: was.leaderEpoch + 1,
      isr: [old.id, target].sort((a, b) => a - b),
      partitionEpoch: before.partitionEpoch + 1,
      replicas: [...before.replicas],
      elr: [],
    };
    let answer: LeaderAndIsrResponse | null = null;
    s.world.addNode('zombie', (ctx: NodeContext) => {
      ctx.send(s.cluster.nodeOf(target), {
        type: 'LeaderAndIsr',
        correlationId: 1,
        controllerId: old.id,
        controllerEpoch: old.epoch,
        brokerEpoch: s.cluster.broker(target)?.zk?.brokerEpoch ?? -1,
        partitionStates: [bogus],
        liveBrokers: [0, 1, 2].map((id) => ({ id, rack: null })),
      } satisfies LeaderAndIsrRequest);
      return { onMessage: (_from, msg) => void (answer = msg as LeaderAndIsrResponse) };
    });
    s.world.start('zombie');
    s.world.runUntil(() => answer !== null, { maxEvents: 100_000 });
    expect((answer as unknown as LeaderAndIsrResponse).error).toBe('STALE_CONTROLLER_EPOCH');
    const after = s.partition(target);
    expect({ role: after.role, leader: after.leader, leaderEpoch: after.leaderEpoch, isr: after.isr }).toEqual(was);
    expect(s.cluster.broker(target)?.controllerEpochSeen).toBe(successor.epoch);
    // The cluster goes on under the successor.
    expect(s.acked(s.produce(3))).toHaveLength(3);
    expect(s.monitor.violations).toEqual([]);
  });
});
