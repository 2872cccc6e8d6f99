// Topics an operator creates mid-run (the create-topic fault): the controllers write the topic and its partitions,
// the brokers named create their replicas, and a controller killed part-way leaves the rest to its successor. In
// ZooKeeper mode that successor finds partitions with no state znode (NewPartition) and brings them online on
// failover (KafkaController.onControllerFailover, PartitionStateMachine.startup); in KRaft mode the topic's records
// are one atomic batch, and the admin retries on the next active controller.
import { describe, expect, it } from 'vitest';
import { checkCreatedTopicsAtRest, createdPartitionProblem } from '../../../checkers/invariants/created-topics.ts';
import { createTopicKind } from '../../../nemesis/kinds/create-topic.ts';
import { MetadataImage } from '../../../sim/kafka/kraft/image.ts';
import { createTopicRecords } from '../../../sim/kafka/kraft/replication-control.ts';
import { probeCountsSince, probeMark, probeRecord } from '../../../sim/kafka/probes.ts';
import { createdTopicName, partitionId, partitionName, topicPartitionOf } from '../../../sim/kafka/topics.ts';
import { KraftScenario } from '../../helpers/kraft-scenario.ts';
import { Scenario } from '../../helpers/scenario.ts';
import { Random } from '../../../sim/world/random.ts';

const TOPIC = createdTopicName(7);
const ASSIGNMENT = [
  [0, 1, 2],
  [1, 2, 0],
];

function scenario(metadata: 'zk' | 'kraft'): Scenario {
  return metadata === 'kraft'
    ? new KraftScenario({ seed: 3 })
    : new Scenario({ seed: 3, broker: { 'min.insync.replicas': 2 } });
}

/** What the created topic looks like at rest: the metadata's view and each running broker's replicas. */
function atRest(s: Scenario) {
  const running = s.cluster.brokerIds.filter((b) => s.world.node(s.cluster.nodeOf(b)).status === 'running');
  return s.cluster.createdPartitions().map(({ partition, replicas, leader }) => {
    const hosts = running.filter((b) => s.cluster.broker(b)?.partitions.get(partition) !== undefined);
    const leading = hosts.filter((b) => s.cluster.broker(b)?.partitions.get(partition)?.role === 'leader');
    return { name: partitionName(partition), replicas, leader, hosts, leading, running };
  });
}

describe('created topic ids', () => {
  it('take a range each after the internal topics and round trip', () => {
    expect(partitionId(createdTopicName(0), 0)).toBe(300_000);
    expect(partitionId(TOPIC, 1)).toBe(1_000_001);
    expect(topicPartitionOf(1_000_001)).toEqual({ topic: 'churn-7', index: 1 });
    expect(partitionName(1_000_001)).toBe('churn-7-1');
    expect(() => createdTopicName(1000)).toThrow(RangeError);
    expect(() => topicPartitionOf(300_000 + 1000 * 100_000)).toThrow(RangeError);
  });
});

describe.each(['zk', 'kraft'] as const)('create-topic (%s)', (metadata) => {
  it('brings every partition online on the brokers named, leader the first live replica', () => {
    const s = scenario(metadata).start();
    const mark = probeMark();
    const probeHits = () => probeRecord(probeCountsSince(mark));
    let accepted = '';
    s.cluster.createTopic(TOPIC, ASSIGNMENT, (how) => (accepted = how));
    s.run(10_000);
    expect(accepted).not.toBe('');
    expect(probeHits()[metadata === 'zk' ? 'zkTopicCreated' : 'kraftTopicCreated']).toBeGreaterThan(0);
    const rest = atRest(s);
    expect(rest.map((p) => [p.name, p.leader, p.hosts, p.leading])).toEqual([
      ['churn-7-0', 0, [0, 1, 2], [0]],
      ['churn-7-1', 1, [0, 1, 2], [1]],
    ]);
    expect(checkCreatedTopicsAtRest(rest).valid).toBe(true);
    expect(s.monitor.violations).toEqual([]);
  });

  it('finishes a creation whose controller was killed at once, without restarting it', () => {
    const s = scenario(metadata).start();
    const mark = probeMark();
    const probeHits = () => probeRecord(probeCountsSince(mark));
    const killed = s.cluster.activeControllerNode() as string;
    s.cluster.createTopic(TOPIC, ASSIGNMENT);
    // After the admin's submission (queued first at the same time), before the controller acts on it.
    s.world.schedule(0, () => s.world.crash(killed, 'process'));
    s.run(30_000);
    expect(s.world.node(killed).status).toBe('down');
    if (metadata === 'zk') expect(probeHits().zkNewPartitionOnFailover).toBeGreaterThan(0);
    const rest = atRest(s);
    expect(rest).toHaveLength(2);
    expect(rest.map(createdPartitionProblem)).toEqual([null, null]);
    expect(rest.every((p) => p.leader !== null && p.leader >= 0)).toBe(true);
    expect(s.monitor.violations).toEqual([]);
  });
});

describe('CreateTopics with a manual assignment (ReplicationControlManager.createTopic)', () => {
  function image(fenced: number[] = []): MetadataImage {
    const img = new MetadataImage();
    for (const id of [0, 1, 2]) {
      img.apply({
        type: 'RegisterBrokerRecord',
        brokerId: id,
        brokerEpoch: 10 + id,
        incarnationId: id,
        fenced: true,
        rack: null,
        cleanShutdown: true,
      });
      if (!fenced.includes(id)) img.apply({ type: 'UnfenceBrokerRecord', id, epoch: 10 + id });
    }
    return img;
  }

  it('writes the topic and its partitions, ISR the active replicas, leader the first of them', () => {
    const { error, records } = createTopicRecords(image([0]), TOPIC, ASSIGNMENT);
    expect(error).toBe('NONE');
    expect(records.map((r) => (r.type === 'PartitionRecord' ? [r.partitionId, r.leader, r.isr] : r.type))).toEqual([
      'TopicRecord',
      [1_000_000, 1, [1, 2]],
      [1_000_001, 1, [1, 2]],
    ]);
  });

  it('refuses an existing topic, unknown or repeated brokers, mixed replication factors, all-fenced replicas', () => {
    const img = image();
    for (const r of createTopicRecords(img, TOPIC, ASSIGNMENT).records) img.apply(r);
    expect(createTopicRecords(img, TOPIC, ASSIGNMENT).error).toBe('TOPIC_ALREADY_EXISTS');
    const other = createdTopicName(8);
    expect(createTopicRecords(img, other, [[0, 5]]).error).toBe('INVALID_REPLICA_ASSIGNMENT');
    expect(createTopicRecords(img, other, [[0, 0]]).error).toBe('INVALID_REPLICA_ASSIGNMENT');
    expect(createTopicRecords(img, other, [[0, 1], [2]]).error).toBe('INVALID_REPLICA_ASSIGNMENT');
    expect(createTopicRecords(image([1, 2]), other, [[1, 2]]).error).toBe('INVALID_REPLICA_ASSIGNMENT');
  });
});

describe('created-topic-offline-at-rest', () => {
  const whole = {
    name: 'churn-7-0',
    replicas: [0, 1, 2],
    leader: 0,
    hosts: [0, 1, 2],
    leading: [0],
    running: [0, 1, 2],
  };

  it('names a partition never online, one without a leader, a leader that does not lead, a missing replica', () => {
    expect(createdPartitionProblem(whole)).toBeNull();
    expect(createdPartitionProblem({ ...whole, leader: null })).toContain('no partition state');
    expect(createdPartitionProblem({ ...whole, leader: -1 })).toContain('no leader');
    expect(createdPartitionProblem({ ...whole, leading: [] })).toContain('does not lead');
    expect(createdPartitionProblem({ ...whole, hosts: [0, 1] })).toContain('[2] host no replica');
    // Every replica's broker down: nothing can lead it, and nothing is wrong with the controllers.
    expect(createdPartitionProblem({ ...whole, leader: -1, hosts: [], leading: [], running: [] })).toBeNull();
    const result = checkCreatedTopicsAtRest([whole, { ...whole, name: 'churn-7-1', leader: -1 }]);
    expect(result.valid).toBe(false);
    expect(result.anomalies[0]).toMatchObject({ name: 'created-topic-offline-at-rest', count: 1 });
  });
});

describe('the create-topic fault', () => {
  const shape = { brokers: 3, partitions: 3, replicationFactor: 3 };

  it('draws 1 to 4 partitions of distinct brokers, one replication factor, and parses what it draws', () => {
    const random = Random.root(5);
    for (let i = 0; i < 50; i++) {
      const params = createTopicKind.generate(random, shape, 0.5);
      expect(params.assignment.length).toBeGreaterThanOrEqual(1);
      expect(params.assignment.length).toBeLessThanOrEqual(4);
      for (const r of params.assignment) expect(new Set(r).size).toBe(3);
      expect(createTopicKind.parse(JSON.parse(JSON.stringify(params)), 'op', shape)).toEqual(params);
    }
  });

  it('refuses a bad assignment with a message naming it', () => {
    const bad = { topic: 1, assignment: [[0, 1], [2]], killControllerAfterMs: null };
    expect(() => createTopicKind.parse(bad, 'op 3', shape)).toThrow(/assignment.*one length/);
    expect(() => createTopicKind.parse({ ...bad, assignment: [[0, 7]] }, 'op 3', shape)).toThrow(/assignment/);
    expect(() => createTopicKind.parse({ ...bad, topic: 1000 }, 'op 3', shape)).toThrow(/topic/);
  });
});
