// What schedules need to know about a cluster: how many brokers and partitions, and the replica
// assignment. Generating and validating a schedule works from this alone; applying reads it off the cluster.
import type { KafkaCluster } from '../sim/kafka/cluster.ts';

export type ClusterShape = {
  brokers: number;
  partitions: number;
  /** Replicas per partition; a schedule generated without knowing it assumes every broker. */
  replicationFactor: number;
  /** KRaft controllers (ctl1..ctlN), when the cluster has them. */
  controllers?: number;
};

export function shapeOf(cluster: KafkaCluster): ClusterShape {
  const c = cluster.config;
  const shape: ClusterShape = { brokers: c.brokers, partitions: c.partitions, replicationFactor: c.replicationFactor };
  if (c.metadata === 'kraft') shape.controllers = c.kraft['controller.quorum.voters'];
  return shape;
}

/**
 * The brokers holding a replica of `partition`, in assignment order, as the cluster's metadata says now (a
 * reassignment moves them; before any, the controller's own rule).
 */
export function replicasOf(cluster: KafkaCluster, partition: number): number[] {
  return cluster.currentReplicas(partition);
}
