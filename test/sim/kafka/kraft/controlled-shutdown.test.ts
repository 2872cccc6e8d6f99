// Controlled shutdown in KRaft mode, step by step: the broker asked to stop heartbeats WantShutDown
// (BrokerLifecycleManager.beginControlledShutdown); the active controller marks it in controlled shutdown, moves
// its leaderships and ISR memberships away (ReplicationControlManager.handleBrokerInControlledShutdown) and answers
// ShouldShutDown once it leads nothing and every active broker has those records
// (BrokerHeartbeatManager.calculateNextBrokerState); meanwhile nobody proposes it for an ISR (KIP-841:
// Partition.isReplicaIsrEligible, ReplicationControlManager.ineligibleReplicasForIsr). Each test's title names the
// Kafka class and method it follows, and the release whose behaviour it shows.
import { describe, expect, it } from 'vitest';
import { KRAFT_CONTROLLED_SHUTDOWN_TIMEOUT_MS } from '../../../../sim/kafka/broker.ts';
import type { FetchRequest } from '../../../../sim/kafka/messages.ts';
import type { KafkaBehaviours } from '../../../../sim/kafka/protocol.ts';
import { releaseOf } from '../../../../sim/kafka/releases.ts';
import type { MetadataRecord } from '../../../../sim/kafka/kraft/records.ts';
import { KraftScenario } from '../../../helpers/kraft-scenario.ts';

function kraft(version: string, overrides: Partial<KafkaBehaviours> = {}): KraftScenario {
  return new KraftScenario({ partitions: 3, protocol: { ...releaseOf(version).behaviours, ...overrides } }).start();
}

/** The active controller's committed records, with the time the test saw them committed. */
function records(s: KraftScenario): MetadataRecord[] {
  return s.controller(s.activeController()).raft.log.entries.map((e) => e.record);
}

describe('controlled shutdown (KRaft)', () => {
  it(
    'BrokerLifecycleManager.beginControlledShutdown, ReplicationControlManager.handleBrokerInControlledShutdown and ' +
      'BrokerHeartbeatManager.calculateNextBrokerState (3.9): marked in controlled shutdown, its leadership and ISR ' +
      'memberships moved, ShouldShutDown once the others have the records; no acks=all write is lost',
    () => {
      const s = kraft('3.9');
      const stopping = 1;
      expect(s.leader(1)).toBe(stopping);
      const from = s.world.now;
      let exitedAt = -1;
      s.world.at(from + 100, () => s.world.terminate(s.cluster.nodeOf(stopping), () => (exitedAt = s.world.now)));
      const acked = s.acked(s.produce(40, { partition: 1, everyMs: 10 }));
      expect(acked.length).toBe(40);
      s.world.runUntil(() => exitedAt >= 0, { maxEvents: 1_000_000 });
      const log = records(s);
      const marked = log.findIndex((r) => r.type === 'BrokerRegistrationChangeRecord' && r.brokerId === stopping);
      expect(marked).toBeGreaterThan(0);
      const moved = log.filter(
        (r) => r.type === 'PartitionChangeRecord' && r.reason === `enterControlledShutdown[${stopping}]`,
      );
      // Out of the ISR of all three partitions, and partition 1 led by the next replica (replicas [1, 2, 0]).
      expect(moved.map((r) => r.type === 'PartitionChangeRecord' && [r.partitionId, r.leader ?? null])).toEqual([
        [0, null],
        [1, 2],
        [2, null],
      ]);
      // Then fenced as it shuts down (SHUTDOWN_NOW), after the others applied those records.
      const fence = log.findIndex((r) => r.type === 'FenceBrokerRecord' && r.id === stopping);
      expect(fence).toBeGreaterThan(marked);
      const image = s.controller(s.activeController()).committed;
      expect(image.brokers.get(stopping)?.fenced).toBe(true);
      for (const p of image.partitions.values()) {
        expect(p.leader).not.toBe(stopping);
        expect(p.isr).not.toContain(stopping);
      }
      const elections = s.elections(1).filter((e) => e.time >= from);
      expect(elections.map((e) => [e.leader, e.unclean, e.time < exitedAt])).toEqual([[2, false, true]]);
      s.restart(stopping).run(15_000);
      expect(s.isr(1)).toEqual([0, 1, 2]);
      expect(s.log(s.leader(1), 1)).toEqual(expect.arrayContaining(acked));
      expect(s.monitor.violations).toEqual([]);
      expect(s.raft.violations).toEqual([]);
    },
  );

  it(
    'BrokerHeartbeatManager.calculateNextBrokerState (3.9): a broker that leads nothing is granted an immediate ' +
      'shutdown (UNFENCED to SHUTDOWN_NOW), without waiting for the other brokers',
    () => {
      const s = new KraftScenario({ partitions: 1 }).start();
      expect(s.leader(0)).toBe(0);
      const took = s.stop(2);
      // The first heartbeat (sent at once) is answered ShouldShutDown once its fence record commits.
      expect(took).toBeGreaterThan(0);
      expect(took).toBeLessThan(100);
      expect(records(s).some((r) => r.type === 'BrokerRegistrationChangeRecord')).toBe(false);
    },
  );

  it(
    'BrokerServer.shutdown (3.9): a broker that cannot reach the controller waits 5 minutes for ' +
      'controlledShutdownFuture, then stops anyway',
    () => {
      const s = kraft('3.9');
      s.cutFromQuorum(1);
      const took = s.stop(1, 2 * KRAFT_CONTROLLED_SHUTDOWN_TIMEOUT_MS);
      expect(took).toBe(KRAFT_CONTROLLED_SHUTDOWN_TIMEOUT_MS);
    },
  );

  for (const kip841 of [true, false]) {
    const shows = kip841
      ? '(3.4, KIP-841): a caught-up follower in controlled shutdown is not proposed for the ISR'
      : 'without KIP-841 (-kip841): a caught-up follower in controlled shutdown is proposed for the ISR again';
    it(`Partition.isReplicaIsrEligible ${shows}`, () => {
      const s = kraft('3.4', kip841 ? {} : { kip841: false });
      const leader = s.leader(0);
      const stopping = 1;
      // Broker 3 stays out of reach of the quorum, so broker 1's controlled shutdown waits for it.
      s.cutFromQuorum(2).run(100);
      s.world.terminate(s.cluster.nodeOf(stopping));
      s.world.runUntil(() => !s.partition(leader).isr.includes(stopping), { maxEvents: 1_000_000 });
      expect(s.cluster.broker(stopping)).not.toBeNull();
      const registration = s.controller(s.activeController()).committed.brokers.get(stopping);
      expect(registration?.inControlledShutdown).toBe(kip841);
      // A Fetch of broker 1 at the leader's log end arrives (one in flight as it began to stop).
      const fetch: FetchRequest = {
        type: 'Fetch',
        correlationId: 1_000_000,
        replicaId: stopping,
        maxWaitMs: 0,
        rackId: null,
        partitions: [{ partition: 0, fetchOffset: s.partition(leader).logEndOffset, currentLeaderEpoch: -1 }],
        replicaEpoch: registration?.epoch ?? -1,
      };
      s.world.net.send(s.cluster.nodeOf(stopping), s.cluster.nodeOf(leader), fetch);
      s.run(20);
      expect(s.partition(leader).maximalIsr().includes(stopping)).toBe(!kip841);
    });
  }
});
