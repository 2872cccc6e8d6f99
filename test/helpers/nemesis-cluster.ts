// A small Kafka cluster with a steady acks=all producer and a nemesis recorder, for the nemesis tests.
import type { BrokerConfig } from '../../sim/kafka/config.ts';
import { clusterConfig } from '../../sim/kafka/config.ts';
import type { KafkaBehaviours } from '../../sim/kafka/protocol.ts';
import { NEWEST_BEHAVIOURS } from './behaviours.ts';
import { KafkaCluster } from '../../sim/kafka/cluster.ts';
import type { ReplicationEvent } from '../../sim/events/index.ts';
import type { NemesisRecord } from '../../nemesis/apply.ts';
import type { Value } from '../../workloads/history/format.ts';

export interface NemesisOp {
  f: string;
  value: Value;
  time: number;
}

export interface TestCluster {
  cluster: KafkaCluster;
  events: ReplicationEvent[];
  ops: NemesisOp[];
  record: NemesisRecord;
  /** Values acknowledged to the producer, in order. */
  acked: number[];
  /** Starts sending one value every `everyMs` from `fromMs` until `untilMs`. */
  produce(fromMs: number, untilMs: number, everyMs?: number): void;
  /** The record of one nemesis op (the first with this f and id). */
  op(f: string, id: number): { [key: string]: Value };
}

export const TEST_BROKER: Partial<BrokerConfig> = {
  'min.insync.replicas': 2,
  'zookeeper.session.timeout.ms': 6000,
  'replica.lag.time.max.ms': 10000,
};

export function testCluster(
  seed: number,
  broker: Partial<BrokerConfig> = {},
  brokers = 3,
  protocol: Partial<KafkaBehaviours> = {},
): TestCluster {
  const cluster = new KafkaCluster({
    seed,
    config: clusterConfig({
      brokers,
      partitions: 1,
      replicationFactor: 3,
      broker: { ...TEST_BROKER, ...broker },
      protocol: { ...NEWEST_BEHAVIOURS, ...protocol },
    }),
  });
  const events = cluster.record();
  const ops: NemesisOp[] = [];
  const acked: number[] = [];
  cluster.addClient('c0', { producer: { acks: 'all', 'request.timeout.ms': 5000, 'delivery.timeout.ms': 20000 } });
  cluster.start();
  cluster.world.start('c0');
  let next = 0;
  return {
    cluster,
    events,
    ops,
    acked,
    record: (op) => ops.push(op),
    produce(fromMs, untilMs, everyMs = 50) {
      const send = (): void => {
        const value = next++;
        cluster.client('c0')?.producer.send(0, value, (o) => {
          if (o.type === 'ok') acked.push(value);
        });
        if (cluster.world.now + everyMs <= untilMs) cluster.world.schedule(everyMs, send);
      };
      cluster.world.at(fromMs, send);
    },
    op(f, id) {
      const found = ops.find(
        (o) =>
          o.f === f && typeof o.value === 'object' && o.value !== null && !Array.isArray(o.value) && o.value.id === id,
      );
      if (found === undefined)
        throw new Error(`no nemesis op ${f} for fault ${id}; have ${ops.map((o) => o.f).join(', ')}`);
      return found.value as { [key: string]: Value };
    },
  };
}
