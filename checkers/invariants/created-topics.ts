// Created topics at rest: when the run is over (faults healed, every broker running, the final reads done), every
// partition of a topic an operator created during the run (the create-topic fault) has a leader that leads it, and
// each of its assigned brokers hosts its replica. A creation the controllers half-finished (a controller killed
// between the topic znode and the partition states, a failover that forgets new partitions) leaves a partition
// with no leader or a replica nowhere; nothing writes to these topics, so only this check sees it.
import type { CheckResult } from '../result.ts';
import { MAX_EXAMPLES } from '../result.ts';

export const CREATED_TOPIC_OFFLINE_AT_REST = 'created-topic-offline-at-rest';

export const CREATED_TOPIC_OFFLINE_EXPLANATION =
  'After every fault was healed, a partition of a topic created during the run has no working leader, or a broker ' +
  'it is assigned to hosts no replica of it: the controllers never finished creating it.';

/** One partition of a created topic, as the metadata and the running brokers ended. */
export interface CreatedPartitionAtRest {
  /** Kafka's name of the partition (`churn-12-0`). */
  name: string;
  /** The replicas the metadata assigns it. */
  replicas: number[];
  /** The leader the metadata names (-1: none; null: the partition has no state yet, a NewPartition). */
  leader: number | null;
  /** The running brokers hosting a replica of it, and which of them acts as its leader. */
  hosts: number[];
  leading: number[];
  /** The brokers running at the end. */
  running: number[];
}

/** Why a created partition is not whole at rest, or null. */
export function createdPartitionProblem(p: CreatedPartitionAtRest): string | null {
  if (p.leader === null) return `${p.name} has no partition state (never brought online)`;
  const live = p.replicas.filter((r) => p.running.includes(r));
  if (live.length === 0) return null;
  if (p.leader < 0) return `${p.name} has no leader although replicas [${live}] run`;
  if (p.running.includes(p.leader) && !p.leading.includes(p.leader))
    return `${p.name}: the metadata names broker ${p.leader} leader, which does not lead it`;
  const missing = live.filter((r) => !p.hosts.includes(r));
  if (missing.length > 0) return `${p.name}: assigned brokers [${missing}] host no replica of it`;
  return null;
}

export function checkCreatedTopicsAtRest(partitions: readonly CreatedPartitionAtRest[]): CheckResult {
  const problems = partitions.map(createdPartitionProblem).filter((x): x is string => x !== null);
  return {
    checker: CREATED_TOPIC_OFFLINE_AT_REST,
    valid: problems.length === 0,
    anomalies:
      problems.length === 0
        ? []
        : [
            {
              name: CREATED_TOPIC_OFFLINE_AT_REST,
              count: problems.length,
              explanation: CREATED_TOPIC_OFFLINE_EXPLANATION,
              examples: problems.slice(0, MAX_EXAMPLES).map((description) => ({ description, ops: [] })),
            },
          ],
    stats: { createdPartitions: partitions.length },
  };
}
