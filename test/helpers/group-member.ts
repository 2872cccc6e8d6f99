// A subscribing consumer on a scenario's cluster that polls for 200 ms at a time, for ever (while its node runs).
import type { KafkaClient } from '../../sim/kafka/clients/client.ts';
import type { GroupConsumerConfig } from '../../sim/kafka/clients/consumer-coordinator.ts';
import type { Scenario } from './scenario.ts';

export function pollingMember(
  s: Scenario,
  id: string,
  group: Partial<GroupConsumerConfig>,
  partitions: number[],
): () => KafkaClient {
  s.cluster.addClient(id, { consumer: { 'auto.offset.reset': 'earliest' }, group });
  s.world.start(id);
  const client = () => s.cluster.client(id) as KafkaClient;
  client().subscribe(partitions);
  const loop = (): void => {
    const c = s.cluster.client(id);
    if (c === null) return;
    c.consumer.poll(200, () => s.world.schedule(0, loop));
  };
  loop();
  return client;
}
