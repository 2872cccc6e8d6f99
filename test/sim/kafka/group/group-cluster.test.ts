// Consumer groups on a simulated cluster: the group coordinator on __consumer_offsets behind FindCoordinator,
// subscribing consumers, and faults: committed offsets survive the coordinator's broker crashing, a consumer
// paused past its session loses its partitions to the other, and the coordinator failing over in the middle of
// a rebalance leaves the group in one generation with every partition owned once.
import { describe, expect, it } from 'vitest';
import type { KafkaClient } from '../../../../sim/kafka/clients/client.ts';
import { CONSUMER_OFFSETS_TOPIC, partitionId } from '../../../../sim/kafka/topics.ts';
import { pollingMember } from '../../../helpers/group-member.ts';
import { Scenario } from '../../../helpers/scenario.ts';

const PARTITIONS = [0, 1, 2, 3];
const OFFSETS = partitionId(CONSUMER_OFFSETS_TOPIC, 0);
const GROUP = {
  'session.timeout.ms': 6000,
  'heartbeat.interval.ms': 2000,
  'max.poll.interval.ms': 10_000,
  'auto.commit.interval.ms': 1000,
};

function cluster(seed = 1): Scenario {
  return new Scenario({
    seed,
    partitions: 4,
    internalTopics: { enabled: [CONSUMER_OFFSETS_TOPIC], 'offsets.topic.num.partitions': 1 },
  }).start();
}

/** A subscribing consumer that polls for 200 ms at a time, for ever (while its node runs). */
function consumer(s: Scenario, id: string, strategy = ['range']): () => KafkaClient {
  return pollingMember(s, id, { ...GROUP, 'partition.assignment.strategy': strategy }, PARTITIONS);
}

function owned(...clients: (() => KafkaClient)[]): number[] {
  return clients.flatMap((c) => c().consumer.assignment()).sort((a, b) => a - b);
}

function committed(s: Scenario, client: () => KafkaClient): Map<number, number> {
  let out: Map<number, number> | null = null;
  client().consumer.coordinator?.fetchCommitted(PARTITIONS, (m) => {
    out = m === null ? null : new Map([...m].map(([p, o]) => [p, o.offset]));
  });
  s.run(500);
  expect(out).not.toBeNull();
  return out as unknown as Map<number, number>;
}

describe('consumer groups on a cluster', () => {
  it('shares the partitions out and keeps committed offsets through a coordinator crash', () => {
    const s = cluster();
    for (const p of PARTITIONS) s.produce(20, { partition: p });
    const a = consumer(s, 'a');
    const b = consumer(s, 'b');
    s.run(15_000);
    expect(owned(a, b)).toEqual(PARTITIONS);
    expect(a().consumer.coordinator?.generation).toBe(b().consumer.coordinator?.generation);
    const before = committed(s, a);
    expect([...before.values()]).toEqual([20, 20, 20, 20]);
    // commitSync: the positions, fenced by the member's generation.
    let sync: string | null = null;
    a().consumer.commitSync((error, offsets) => (sync = `${error} ${offsets.map((o) => o.offset).join(',')}`));
    s.run(100);
    expect(sync).toBe('NONE 20,20');
    const coordinator = s.leader(OFFSETS);
    s.crash(coordinator);
    s.run(20_000);
    expect(s.leader(OFFSETS)).not.toBe(coordinator);
    const after = committed(s, a);
    for (const p of PARTITIONS) expect(after.get(p)).toBeGreaterThanOrEqual(before.get(p) as number);
    expect(owned(a, b)).toEqual(PARTITIONS);
    // Every generation the coordinators stored passed GroupAssignmentExclusive online.
    expect(s.events.filter((e) => e.kind === 'group-stable').length).toBeGreaterThan(1);
    expect(s.monitor.violations).toEqual([]);
  });

  it('moves the partitions of a consumer paused past session.timeout.ms to the other', () => {
    const s = cluster(2);
    const a = consumer(s, 'a');
    const b = consumer(s, 'b');
    s.run(15_000);
    expect(b().consumer.assignment().length).toBe(2);
    s.world.pause('b');
    s.run(10_000);
    expect(a().consumer.assignment()).toEqual(PARTITIONS);
    // b still believes it owns its two, in an older generation: a zombie until it hears.
    expect(b().consumer.assignment().length).toBe(2);
    s.world.resume('b');
    s.run(15_000);
    expect(owned(a, b)).toEqual(PARTITIONS);
    expect(b().consumer.assignment().length).toBe(2);
  });

  for (const strategy of ['range', 'cooperative-sticky']) {
    it(`${strategy}: settles in one generation when the coordinator fails over in the middle of a rebalance`, () => {
      const s = cluster(3);
      const a = consumer(s, 'a', [strategy]);
      s.run(10_000);
      expect(a().consumer.assignment()).toEqual(PARTITIONS);
      const b = consumer(s, 'b', [strategy]);
      // b's JoinGroup puts the group in PreparingRebalance; the coordinator's broker dies before it completes.
      s.run(500);
      s.crash(s.leader(OFFSETS));
      s.run(30_000);
      expect(owned(a, b)).toEqual(PARTITIONS);
      expect(a().consumer.assignment().length).toBe(2);
      expect(a().consumer.coordinator?.generation).toBe(b().consumer.coordinator?.generation);
      expect(s.monitor.violations).toEqual([]);
    });
  }
});
