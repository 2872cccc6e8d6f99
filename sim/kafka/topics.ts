// The cluster's topics: the data topic and, when a run enables them, Kafka's internal topics
// (`__transaction_state`, `__consumer_offsets`) with their Kafka settings (TransactionLog / TransactionConfig,
// GroupMetadataManager / OffsetConfig). Global partition ids are sim/events/topics.ts's; this adds what the
// simulator needs of each topic: its partition count, replication factor, min ISR and replica assignment, and
// the coordinators' key hashing (TransactionStateManager.partitionFor, GroupMetadataManager.partitionFor).
import type { InternalTopic, TopicName } from '../events/topics.ts';
import {
  CONSUMER_OFFSETS_TOPIC,
  DATA_TOPIC,
  partitionId,
  TRANSACTION_STATE_TOPIC,
  topicPartitionOf,
} from '../events/topics.ts';
import type { ClusterConfig } from './config.ts';
import { assignReplicas } from './zk-layout.ts';

export {
  CONSUMER_OFFSETS_TOPIC,
  createdTopicName,
  DATA_TOPIC,
  isCreatedTopic,
  isDataPartition,
  MAX_CREATED_TOPICS,
  MAX_TOPIC_PARTITIONS,
  partitionId,
  partitionName,
  TRANSACTION_STATE_TOPIC,
  topicPartitionOf,
} from '../events/topics.ts';
export type { CreatedTopic, InternalTopic, TopicName, TopicPartition } from '../events/topics.ts';

/**
 * The internal topics' settings, by Kafka's keys, with Kafka 3.9's defaults (TransactionLogConfig,
 * GroupCoordinatorConfig). `enabled` is kafkasim's: which internal topics exist in this run. None by default,
 * so that every run without coordinators keeps its history; Kafka creates them on the first FindCoordinator
 * (AutoTopicCreationManager), kafkasim's controllers create the enabled ones with the data topic at cluster
 * start.
 */
export interface InternalTopicsConfig {
  enabled: InternalTopic[];
  'transaction.state.log.num.partitions': number;
  'transaction.state.log.replication.factor': number;
  /** The topic's min.insync.replicas (TransactionLog's topic config); Kafka's default 2. */
  'transaction.state.log.min.isr': number;
  'offsets.topic.num.partitions': number;
  /** `__consumer_offsets` keeps the broker's min.insync.replicas, as Kafka (OffsetConfig sets none). */
  'offsets.topic.replication.factor': number;
}

export const INTERNAL_TOPICS_DEFAULTS: InternalTopicsConfig = {
  enabled: [],
  'transaction.state.log.num.partitions': 50,
  'transaction.state.log.replication.factor': 3,
  'transaction.state.log.min.isr': 2,
  'offsets.topic.num.partitions': 50,
  'offsets.topic.replication.factor': 3,
};

/** One topic as the controllers create it and the brokers host it. */
export interface TopicSpec {
  topic: TopicName;
  partitions: number;
  replicationFactor: number;
  /** The topic's effective min.insync.replicas (the broker's unless the topic sets its own). */
  minInsyncReplicas: number;
  /**
   * The topic's effective unclean.leader.election.enable: the broker's (its LogConfig default) unless the topic
   * sets its own. Kafka creates `__transaction_state` with it false whatever the broker says
   * (TransactionStateManager.transactionTopicConfigs, the same from 0.11.0 to 3.9, sent as the topic's configs by
   * AutoTopicCreationManager); `__consumer_offsets` sets none (GroupCoordinator.offsetsTopicConfigs, 0.11.0-3.9,
   * and 3.9's GroupCoordinatorService.groupMetadataTopicConfigs: compaction, segment size and compression only).
   */
  uncleanLeaderElectionEnable: boolean;
}

/** Every topic of a run: the data topic first, then the enabled internal topics in id order. */
export function topicsOf(c: ClusterConfig): TopicSpec[] {
  const t = c.internalTopics;
  const out: TopicSpec[] = [
    {
      topic: DATA_TOPIC,
      partitions: c.partitions,
      replicationFactor: c.replicationFactor,
      minInsyncReplicas: c.broker['min.insync.replicas'],
      uncleanLeaderElectionEnable: c.broker['unclean.leader.election.enable'],
    },
  ];
  if (t.enabled.includes(TRANSACTION_STATE_TOPIC)) {
    out.push({
      topic: TRANSACTION_STATE_TOPIC,
      partitions: t['transaction.state.log.num.partitions'],
      replicationFactor: t['transaction.state.log.replication.factor'],
      minInsyncReplicas: t['transaction.state.log.min.isr'],
      uncleanLeaderElectionEnable: false,
    });
  }
  if (t.enabled.includes(CONSUMER_OFFSETS_TOPIC)) {
    out.push({
      topic: CONSUMER_OFFSETS_TOPIC,
      partitions: t['offsets.topic.num.partitions'],
      replicationFactor: t['offsets.topic.replication.factor'],
      minInsyncReplicas: c.broker['min.insync.replicas'],
      uncleanLeaderElectionEnable: c.broker['unclean.leader.election.enable'],
    });
  }
  return out;
}

/** A topic of the run, or undefined if the run does not have it. */
export function topicSpec(c: ClusterConfig, topic: TopicName): TopicSpec | undefined {
  return topicsOf(c).find((s) => s.topic === topic);
}

/** The global ids of a topic's partitions, in index order. */
export function partitionIdsOf(spec: TopicSpec): number[] {
  return Array.from({ length: spec.partitions }, (_, k) => partitionId(spec.topic, k));
}

/** Every partition of the run, topic by topic. */
export function allPartitionIds(c: ClusterConfig): number[] {
  return topicsOf(c).flatMap(partitionIdsOf);
}

/**
 * A topic's replica assignment by global id, in index order: Kafka's rule (zk-layout.ts's assignReplicas) on the
 * topic's own indices, as AdminUtils.assignReplicasToBrokers places each topic on its own (without its random
 * start broker: the simulation's placement is fixed).
 */
export function assignmentOf(c: ClusterConfig, spec: TopicSpec): [number, number[]][] {
  const replicas = assignReplicas(spec.partitions, spec.replicationFactor, c.brokers, c.racks);
  return replicas.map((r, k) => [partitionId(spec.topic, k), r]);
}

/** A partition's min.insync.replicas as Kafka counts it: its topic's, at most its replication factor. */
export function effectiveMinIsrOf(c: ClusterConfig, id: number): number {
  const spec = topicSpec(c, topicPartitionOf(id).topic);
  if (spec === undefined) return Math.min(c.broker['min.insync.replicas'], c.replicationFactor);
  return Math.min(spec.minInsyncReplicas, spec.replicationFactor);
}

/**
 * Whether a partition's topic allows unclean leader election: its topic's unclean.leader.election.enable, the
 * broker's for a topic that sets none (a topic the create-topic nemesis makes). Kafka's controllers read it per
 * topic: ZooKeeper mode from the broker's config overlaid with /config/topics/<topic> (LogConfig.fromProps(
 * config.originals, topic config) in 0.11.0's OfflinePartitionLeaderSelector and 1.0's
 * KafkaController.removeReplicaFromIsr; zkClient.getLogConfigs(topics, config.originals) in 1.1-3.9's
 * PartitionStateMachine), KRaft from ConfigurationControlManager.uncleanLeaderElectionEnabledForTopic (3.9). A
 * run's topic configs never change, so kafkasim reads them from the cluster config rather than from a znode or
 * a ConfigRecord.
 */
export function uncleanLeaderElectionEnabledForTopic(c: ClusterConfig, topic: TopicName): boolean {
  const spec = topicSpec(c, topic);
  return spec === undefined ? c.broker['unclean.leader.election.enable'] : spec.uncleanLeaderElectionEnable;
}

/** uncleanLeaderElectionEnabledForTopic of the topic of the partition with global id `id`. */
export function uncleanLeaderElectionEnabledFor(c: ClusterConfig, id: number): boolean {
  return uncleanLeaderElectionEnabledForTopic(c, topicPartitionOf(id).topic);
}

/** Java's String.hashCode: s[0]*31^(n-1) + ... + s[n-1] over UTF-16 code units, in 32-bit arithmetic. */
export function javaStringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/**
 * The index of the internal partition owning a key: Utils.abs(key.hashCode) % numPartitions
 * (TransactionStateManager.partitionFor, GroupMetadataManager.partitionFor, 3.9). Utils.abs maps
 * Integer.MIN_VALUE to 0.
 */
export function partitionFor(key: string, numPartitions: number): number {
  const h = javaStringHashCode(key);
  return (h === -2147483648 ? 0 : Math.abs(h)) % numPartitions;
}

/** The coordinator key types of FindCoordinator (Kafka's CoordinatorType) and the topic each lives on. */
export type CoordinatorType = 'GROUP' | 'TRANSACTION';

export function coordinatorTopic(type: CoordinatorType): InternalTopic {
  return type === 'GROUP' ? CONSUMER_OFFSETS_TOPIC : TRANSACTION_STATE_TOPIC;
}

/** The global id of the partition whose leader coordinates `key`, or undefined if the run lacks the topic. */
export function coordinatorPartition(c: ClusterConfig, type: CoordinatorType, key: string): number | undefined {
  const spec = topicSpec(c, coordinatorTopic(type));
  return spec === undefined ? undefined : partitionId(spec.topic, partitionFor(key, spec.partitions));
}
