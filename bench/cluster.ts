// The reference cluster: 5 brokers and ZooKeeper (or, in KRaft mode, 3 controllers), 8 partitions with RF 3, 1,000
// produce requests per
// simulated second for 60 simulated seconds (acks=all). Prints events per second and simulated seconds
// per wall second. Wall time is measured here, outside the world.
import { KafkaCluster } from '../sim/kafka/cluster.ts';
import { clusterConfig } from '../sim/kafka/config.ts';
import type { MetadataMode } from '../sim/kafka/kraft/config.ts';

export function benchCluster(
  seed: number,
  simSeconds = 60,
  ratePerSecond = 1000,
  metadata: MetadataMode = 'zk',
): { events: number; wallMs: number; acked: number; simSeconds: number } {
  const cluster = new KafkaCluster({
    seed,
    config: clusterConfig({
      brokers: 5,
      partitions: 8,
      replicationFactor: 3,
      broker: { 'min.insync.replicas': 2 },
      metadata,
    }),
  });
  cluster.start();
  const producers = 4;
  for (let i = 0; i < producers; i++) {
    cluster.addClient(`c${i}`, { producer: { acks: 'all' } });
    cluster.world.start(`c${i}`);
  }
  let acked = 0;
  let value = 0;
  const interval = 1000 / ratePerSecond;
  const startAt = 2000;
  const endAt = startAt + simSeconds * 1000;
  // One self-rescheduling driver rather than 60,000 pre-scheduled events.
  const tick = (): void => {
    const v = value++;
    cluster.client(`c${v % producers}`)?.producer.send(v % 8, v, (o) => o.type === 'ok' && acked++);
    if (cluster.world.now + interval < endAt) cluster.world.schedule(interval, tick);
  };
  cluster.world.at(startAt, tick);
  const t0 = performance.now();
  cluster.world.runUntil(startAt + simSeconds * 1000 + 5000);
  return {
    events: cluster.world.events,
    wallMs: performance.now() - t0,
    acked,
    simSeconds: (startAt + simSeconds * 1000 + 5000) / 1000,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // Warm-up long enough for the JIT to have optimised the hot paths, as in any worker after a few seeds.
  benchCluster(0, 30);
  benchCluster(0, 30, 1000, 'kraft');
  for (const [metadata, name] of [
    ['zk', 'ZooKeeper mode'],
    ['kraft', 'KRaft mode, 3 controllers'],
  ] as const)
    for (const seed of [1, 2, 3]) {
      const r = benchCluster(seed, 60, 1000, metadata);
      console.log(
        `cluster (${name}, 5 brokers, 8 partitions RF 3, 1000 produce/s, ${r.simSeconds} s simulated): ` +
          `${r.events} events in ${r.wallMs.toFixed(0)} ms = ${(r.events / r.wallMs / 1000).toFixed(2)} M events/s, ` +
          `${(r.simSeconds / (r.wallMs / 1000)).toFixed(1)} simulated s per wall s, ${r.acked} acked`,
      );
    }
}
