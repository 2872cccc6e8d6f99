// Durability facts: truncation events blamed on the latest election or crash, and crash losses found by
// comparing a broker's log end offsets before a crash with what it recovered.
import { describe, expect, it } from 'vitest';
import { CrashWatch, durabilityFacts } from '../../harness/facts.ts';
import { KafkaCluster } from '../../sim/kafka/cluster.ts';
import { clusterConfig } from '../../sim/kafka/config.ts';
import type { ReplicationEvent } from '../../sim/events/index.ts';

const REPLICAS = [[0, 1, 2]];

function truncate(
  time: number,
  broker: number,
  toOffset: number,
  fromLogEndOffset: number,
  reason: 'leader-epoch' | 'high-watermark' | 'recovery' = 'leader-epoch',
): ReplicationEvent {
  return { kind: 'truncate', time, broker, partition: 0, toOffset, fromLogEndOffset, reason, removed: [] };
}

function election(time: number, leader: number, unclean: boolean): ReplicationEvent {
  return {
    kind: 'election',
    time,
    controller: 1,
    controllerEpoch: 1,
    partition: 0,
    leader,
    leaderEpoch: 2,
    isr: [leader],
    unclean,
    previousLeader: 0,
    reason: 'broker failure',
  };
}

describe('durabilityFacts', () => {
  it('turns truncations into facts blamed on the latest election before them', () => {
    const facts = durabilityFacts([election(100, 2, true), truncate(150, 0, 5, 9)], [], REPLICAS);
    expect(facts.truncations).toEqual([
      {
        time: 150,
        broker: 0,
        key: 0,
        fromOffset: 5,
        toOffset: 9,
        cause: {
          kind: 'unclean-election',
          leader: 2,
          leaderEpoch: 2,
          time: 100,
          note: 'leader-epoch truncation of 4 record(s) after broker failure',
        },
      },
    ]);
  });

  it('prefers a crash of a replica when it came after the election', () => {
    const facts = durabilityFacts(
      [election(100, 2, false), truncate(300, 1, 0, 3)],
      [{ broker: 2, time: 200 }],
      REPLICAS,
    );
    expect(facts.truncations[0].cause).toMatchObject({ kind: 'crash', broker: 2, time: 200 });
  });

  it('blames a crash that took the disk with it as a replaced disk, not as unflushed records', () => {
    // Seed 261 (zk 3.9 swarm): broker 2's disk failed at 8.182 s; the others truncated to it, back empty.
    const facts = durabilityFacts(
      [election(100, 2, false), truncate(300, 1, 0, 3)],
      [{ broker: 2, time: 200, diskReplaced: true }],
      REPLICAS,
    );
    expect(facts.truncations[0].cause).toMatchObject({ kind: 'disk-replaced', broker: 2, time: 200 });
  });

  it('ignores crashes of brokers without a replica of the partition, and empty truncations', () => {
    const facts = durabilityFacts(
      [truncate(300, 1, 3, 3), truncate(400, 1, 0, 3, 'high-watermark')],
      [{ broker: 5, time: 200 }],
      REPLICAS,
    );
    expect(facts.truncations).toHaveLength(1);
    expect(facts.truncations[0].cause).toMatchObject({ kind: 'hw-truncation', broker: 1, time: 400 });
  });

  it('blames a recovery truncation on the broker own crash, and merges crash losses in time order', () => {
    const loss = {
      time: 50,
      broker: 0,
      key: 0,
      fromOffset: 1,
      toOffset: 2,
      cause: { kind: 'crash' as const, broker: 0, time: 50 },
    };
    const facts = durabilityFacts([truncate(300, 1, 0, 3, 'recovery')], [{ broker: 1, time: 250 }], REPLICAS, [loss]);
    expect(facts.truncations.map((t) => t.time)).toEqual([50, 300]);
    expect(facts.truncations[1].cause).toMatchObject({ kind: 'crash', broker: 1, time: 250 });
  });

  it('falls back to divergence when nothing explains a truncation', () => {
    expect(durabilityFacts([truncate(10, 0, 0, 1)], [], REPLICAS).truncations[0].cause.kind).toBe('divergence');
  });
});

describe('CrashWatch', () => {
  it('notes a broker crash and the unflushed records it cost', () => {
    const cluster = new KafkaCluster({ seed: 9, config: clusterConfig({ partitions: 1 }) });
    const watch = new CrashWatch(cluster);
    const world = cluster.world;
    cluster.start();
    world.runUntil((w) => cluster.leaderOf(0) >= 0 || w.now > 10000);
    cluster.addClient('p', {});
    world.start('p');
    for (let v = 0; v < 5; v++) cluster.client('p')?.producer.send(0, v, () => {});
    world.runFor(2000);
    const leader = cluster.leaderOf(0);
    const before = cluster.broker(leader)?.partitions.get(0)?.logEndOffset ?? 0;
    expect(before).toBe(5);
    // flush.messages is never by default, so a crash that loses unsynced data loses the whole log.
    // Faults act inside events, as the nemesis's do: the watch looks after every event.
    const crashedAt = world.now + 10;
    world.schedule(10, () => world.crash(cluster.nodeOf(leader), 'lose-unsynced'));
    world.schedule(1000, () => world.start(cluster.nodeOf(leader)));
    world.runFor(1100);
    expect(watch.crashes).toEqual([{ broker: leader, time: crashedAt }]);
    const after = cluster.broker(leader)?.partitions.get(0)?.logEndOffset ?? 0;
    expect(after).toBeLessThan(before);
    expect(watch.losses).toEqual([
      {
        time: crashedAt,
        broker: leader,
        key: 0,
        fromOffset: after,
        toOffset: before,
        cause: {
          kind: 'crash',
          broker: leader,
          time: crashedAt,
          note: `records ${after}..${before - 1} were not flushed to disk`,
        },
      },
    ]);
  });
});
