// The internal topics foundation: global partition ids, the internal topics' creation and replication in both
// metadata modes, the coordinators' leadership hooks (RequestHandlerHelper.onLeadershipChange), FindCoordinator
// (KafkaApis.getCoordinator) and the coordinator append path (ReplicaManager.appendRecords, origin COORDINATOR).
import { describe, expect, it } from 'vitest';
import type { FindCoordinatorResponse } from '../../../sim/kafka/coordinator-messages.ts';
import type { Coordinator, CoordinatorDeps, CoordinatorFactory } from '../../../sim/kafka/coordinator/index.ts';
import type { CoordinatorRecord } from '../../../sim/kafka/records.ts';
import type { KafkaError } from '../../../sim/kafka/messages.ts';
import { clusterConfig } from '../../../sim/kafka/config.ts';
import {
  CONSUMER_OFFSETS_TOPIC,
  type InternalTopic,
  isDataPartition,
  javaStringHashCode,
  partitionFor,
  partitionId,
  partitionName,
  TRANSACTION_STATE_TOPIC,
  topicPartitionOf,
} from '../../../sim/kafka/topics.ts';
import { partitionStatePath, ZK_NODE } from '../../../sim/kafka/zk-layout.ts';
import type { ZkServer } from '../../../sim/kafka/zookeeper/server.ts';
import { KraftScenario } from '../../helpers/kraft-scenario.ts';
import { Scenario, type ScenarioOptions } from '../../helpers/scenario.ts';

const TXN = (k: number): number => partitionId(TRANSACTION_STATE_TOPIC, k);
const OFFSETS = (k: number): number => partitionId(CONSUMER_OFFSETS_TOPIC, k);

const INTERNAL: ScenarioOptions['internalTopics'] = {
  enabled: [TRANSACTION_STATE_TOPIC, CONSUMER_OFFSETS_TOPIC],
  'transaction.state.log.num.partitions': 3,
  'offsets.topic.num.partitions': 2,
};

/**
 * A coordinator that records the leadership changes it is told of, and keeps each broker's coordinator deps so
 * that a test can append as that broker's coordinator would.
 */
function probe(): { factory: CoordinatorFactory; log: string[]; deps: Map<number, CoordinatorDeps> } {
  const log: string[] = [];
  const deps = new Map<number, CoordinatorDeps>();
  const factory: CoordinatorFactory = (d): Coordinator => {
    deps.set(d.brokerId, d);
    return {
      topic: TRANSACTION_STATE_TOPIC,
      onElection: (p, epoch) => log.push(`${d.brokerId} elected ${partitionName(p)} epoch ${epoch}`),
      onResignation: (p) => log.push(`${d.brokerId} resigned ${partitionName(p)}`),
      handle: () => false,
    };
  };
  return { factory, log, deps };
}

/** Appends as broker `b`'s coordinator and collects the answers. */
function append(
  pr: ReturnType<typeof probe>,
  b: number,
  partition: number,
  payloads: CoordinatorRecord[],
  answers: [KafkaError, number][],
): void {
  const rm = pr.deps.get(b)?.replicaManager;
  if (rm === undefined) throw new Error(`broker ${b} has no coordinator`);
  rm.appendCoordinatorRecords(partition, payloads, 30_000, (e, o) => void answers.push([e, o]));
}

describe('global partition ids (sim/events/topics.ts)', () => {
  it('round trips every topic and keeps the data topic at 0..n-1', () => {
    expect(partitionId('test', 0)).toBe(0);
    expect(partitionId('test', 7)).toBe(7);
    for (const topic of ['test', TRANSACTION_STATE_TOPIC, CONSUMER_OFFSETS_TOPIC] as const) {
      for (const index of [0, 1, 49, 1023])
        expect(topicPartitionOf(partitionId(topic, index))).toEqual({ topic, index });
    }
    expect(isDataPartition(5)).toBe(true);
    expect(isDataPartition(TXN(0))).toBe(false);
    expect(isDataPartition(OFFSETS(3))).toBe(false);
    expect(partitionName(TXN(4))).toBe('__transaction_state-4');
    expect(() => topicPartitionOf(-1)).toThrow();
    expect(() => partitionId(TRANSACTION_STATE_TOPIC, 100_000)).toThrow();
  });

  it('refuses __transaction_state on a release without transactions, and a replication factor over the brokers', () => {
    const txn = { enabled: [TRANSACTION_STATE_TOPIC as InternalTopic] };
    expect(() => clusterConfig({ kafka: '0.10.2', internalTopics: txn })).toThrow(/no transactions/);
    expect(() => clusterConfig({ kafka: '0.11.0', internalTopics: txn })).not.toThrow();
    expect(() =>
      clusterConfig({ brokers: 2, replicationFactor: 2, internalTopics: { enabled: [CONSUMER_OFFSETS_TOPIC] } }),
    ).toThrow(/offsets.topic.replication.factor 3 exceeds the number of brokers 2/);
  });

  it('ZooKeeper paths name the topic and the index', () => {
    expect(partitionStatePath(2)).toBe('/brokers/topics/test/partitions/2/state');
    expect(partitionStatePath(TXN(1))).toBe('/brokers/topics/__transaction_state/partitions/1/state');
  });

  it('partitionFor is Utils.abs(String.hashCode) % n as TransactionStateManager.partitionFor', () => {
    // Values of Java's String.hashCode (printed by a JVM).
    expect(javaStringHashCode('')).toBe(0);
    expect(javaStringHashCode('hello')).toBe(99162322);
    expect(javaStringHashCode('Aa')).toBe(javaStringHashCode('BB'));
    expect(javaStringHashCode('txn-producer-1')).toBe(149494777);
    expect(javaStringHashCode('Hello World')).toBe(-862545276);
    // Its hash is Integer.MIN_VALUE, which Utils.abs maps to 0.
    expect(javaStringHashCode('polygenelubricants')).toBe(-2147483648);
    expect(partitionFor('polygenelubricants', 50)).toBe(0);
    expect(partitionFor('txn-producer-1', 50)).toBe(27);
    expect(partitionFor('Hello World', 50)).toBe(26);
  });
});

describe.each(['zk', 'kraft'] as const)('internal topics in %s mode', (metadata) => {
  const build = (o: ScenarioOptions = {}): Scenario =>
    metadata === 'kraft'
      ? new KraftScenario({ internalTopics: INTERNAL, ...o })
      : new Scenario({ internalTopics: INTERNAL, ...o });

  it('creates them at cluster start: every partition gets a leader and all three replicas in sync', () => {
    const s = build().start();
    for (const p of [0, TXN(0), TXN(1), TXN(2), OFFSETS(0), OFFSETS(1)]) {
      expect(s.leader(p)).toBeGreaterThanOrEqual(0);
      s.run(1000);
      expect(s.isr(p)).toEqual([0, 1, 2]);
    }
    // Kafka's rule on each topic's own indices: index k's first replica on broker k mod 3.
    expect(s.leader(TXN(1))).toBe(1);
    expect(s.leader(OFFSETS(1))).toBe(1);
    expect(s.cluster.broker(0)?.partitions.get(TXN(3))).toBeUndefined();
    if (metadata === 'zk') {
      const zk = s.world.node(ZK_NODE).program as ZkServer;
      expect(zk.get('/brokers/topics/__transaction_state/partitions/2/state')).not.toBeNull();
      expect(zk.get('/brokers/topics/__consumer_offsets/partitions/1/state')).not.toBeNull();
    }
    expect(s.monitor.violations).toEqual([]);
  });

  it('a coordinator append is answered once the high watermark passes it, and replicates', () => {
    const pr = probe();
    const s = build({ coordinators: [pr.factory] }).start();
    const leader = s.leader(TXN(0));
    const answers: [KafkaError, number][] = [];
    const payloads = [
      { key: 'a', value: { state: 'Ongoing' } },
      { key: 'b', value: null },
    ];
    append(pr, leader, TXN(0), payloads, answers);
    expect(answers).toEqual([]);
    s.run(2000);
    expect(answers).toEqual([['NONE', 0]]);
    for (const b of [0, 1, 2]) {
      const log = s.partition(b, TXN(0)).log.all();
      expect(log.flatMap((batch) => batch.payloads ?? [])).toEqual(payloads);
      // Values count offsets and are never a workload's (those are positive).
      expect(log.flatMap((batch) => batch.values).every((v) => v < 0)).toBe(true);
    }
    // A follower refuses: NOT_LEADER_OR_FOLLOWER.
    const follower = [0, 1, 2].find((b) => b !== leader) as number;
    append(pr, follower, TXN(0), payloads, answers);
    expect(answers[1]).toEqual(['NOT_LEADER_OR_FOLLOWER', -1]);
    expect(s.monitor.violations).toEqual([]);
  });

  it('transaction.state.log.min.isr refuses an append with NOT_ENOUGH_REPLICAS once the ISR shrinks below it', () => {
    const pr = probe();
    // The data topic's min.insync.replicas is 1 here: only the internal topic's own setting (2) refuses.
    const s = build({ coordinators: [pr.factory], broker: { 'min.insync.replicas': 1 } }).start();
    const leader = s.leader(TXN(0));
    for (const b of [0, 1, 2]) if (b !== leader) s.crash(b);
    // replica.lag.time.max.ms (10 s here) passes: the leader shrinks the ISR to itself.
    s.run(20_000);
    expect(s.isr(TXN(0))).toEqual([leader]);
    const answers: [KafkaError, number][] = [];
    append(pr, leader, TXN(0), [{ key: 'a', value: null }], answers);
    expect(answers).toEqual([['NOT_ENOUGH_REPLICAS', -1]]);
    expect(s.monitor.violations).toEqual([]);
  });

  it('a coordinator append times out with REQUEST_TIMED_OUT when the followers stop fetching', () => {
    const pr = probe();
    const s = build({ coordinators: [pr.factory] }).start();
    s.run(1000);
    const leader = s.leader(TXN(0));
    const answers: [KafkaError, number][] = [];
    for (const b of [0, 1, 2]) if (b !== leader) s.crash(b);
    const rm = pr.deps.get(leader)?.replicaManager;
    rm?.appendCoordinatorRecords(TXN(0), [{ key: 'a', value: null }], 3000, (e, o) => void answers.push([e, o]));
    s.run(2900);
    expect(answers).toEqual([]);
    s.run(200);
    expect(answers).toEqual([['REQUEST_TIMED_OUT', -1]]);
  });

  it('tells a coordinator of each election and resignation of its partitions', () => {
    const pr = probe();
    const log = pr.log;
    const s = build({ coordinators: [pr.factory] }).start();
    s.run(1000);
    expect(log.filter((l) => l.includes('elected')).sort()).toEqual([
      '0 elected __transaction_state-0 epoch 0',
      '1 elected __transaction_state-1 epoch 0',
      '2 elected __transaction_state-2 epoch 0',
    ]);
    log.length = 0;
    // A controlled shutdown moves broker 1's leadership away: it resigns and another broker is elected.
    s.stop(1);
    s.run(5000);
    expect(log).toContain('1 resigned __transaction_state-1');
    const newLeader = s.leader(TXN(1));
    expect(newLeader).not.toBe(1);
    expect(log.some((l) => l.startsWith(`${newLeader} elected __transaction_state-1 epoch`))).toBe(true);
    expect(log.every((l) => l.includes('__transaction_state'))).toBe(true);
  });

  it('FindCoordinator answers the leader of the key partition, or COORDINATOR_NOT_AVAILABLE', () => {
    const s = build({ internalTopics: { ...INTERNAL, enabled: [TRANSACTION_STATE_TOPIC] } }).start();
    s.run(1000);
    s.cluster.addClient('finder', {});
    s.world.start('finder');
    const answers: (FindCoordinatorResponse | null)[] = [];
    const ask = (keyType: 'GROUP' | 'TRANSACTION', key: string): void => {
      const request = { type: 'FindCoordinator' as const, keyType, key };
      s.cluster.client('finder')?.channel.send<FindCoordinatorResponse>('b0', request, 5000, (r) => {
        answers.push(r);
      });
    };
    ask('TRANSACTION', 'txn-producer-1');
    ask('GROUP', 'group-1');
    s.run(100);
    const expected = s.leader(TXN(partitionFor('txn-producer-1', 3)));
    expect(answers.map((a) => [a?.error, a?.nodeId])).toEqual([
      ['NONE', expected],
      // No __consumer_offsets in this run.
      ['COORDINATOR_NOT_AVAILABLE', -1],
    ]);
  });
});
