// What an operator's script looks at between two steps of maintenance: every broker up and serving, and no
// partition under-replicated or offline (kafka-topics.sh --under-replicated-partitions and
// --unavailable-partitions both empty): each partition has a leader whose ISR holds all its replicas.
import type { KafkaCluster } from '../sim/kafka/cluster.ts';
import { replicasOf } from './shape.ts';

export function fullyReplicated(cluster: KafkaCluster): boolean {
  for (const id of cluster.brokerIds) if (cluster.broker(id)?.serving !== true) return false;
  for (let p = 0; p < cluster.config.partitions; p++) {
    const leader = cluster.leaderOf(p);
    const isr = leader < 0 ? undefined : cluster.broker(leader)?.partitions.get(p)?.isr;
    if (isr === undefined || replicasOf(cluster, p).some((r) => !isr.includes(r))) return false;
  }
  return true;
}
