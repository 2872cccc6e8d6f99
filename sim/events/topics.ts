// Global partition ids: every partition of every topic is one number, so that events, messages and logs keep
// their `partition: number`. The data topic (`test`) keeps ids 0..n-1, so every existing run, message and
// pinned hash stays the same; Kafka's internal topics get ids in reserved ranges far above any data topic
// (ClusterConfig caps the data topic at 1024 partitions). Plain data and pure functions: imports nothing, so
// checkers and reports can tell workload partitions from internal ones without importing the simulator.

export const DATA_TOPIC = 'test';
/** The transaction coordinators' log (Kafka's Topic.TRANSACTION_STATE_TOPIC_NAME). */
export const TRANSACTION_STATE_TOPIC = '__transaction_state';
/** The group coordinators' log (Kafka's Topic.GROUP_METADATA_TOPIC_NAME). */
export const CONSUMER_OFFSETS_TOPIC = '__consumer_offsets';

export type InternalTopic = typeof TRANSACTION_STATE_TOPIC | typeof CONSUMER_OFFSETS_TOPIC;
export type TopicName = typeof DATA_TOPIC | InternalTopic;

/** The most partitions a topic may have: the width of each reserved range. */
export const MAX_TOPIC_PARTITIONS = 100_000;

/** The first global id of each topic's range. */
const BASE: Record<TopicName, number> = {
  [DATA_TOPIC]: 0,
  [TRANSACTION_STATE_TOPIC]: MAX_TOPIC_PARTITIONS,
  [CONSUMER_OFFSETS_TOPIC]: 2 * MAX_TOPIC_PARTITIONS,
};
const BY_RANGE: TopicName[] = [DATA_TOPIC, TRANSACTION_STATE_TOPIC, CONSUMER_OFFSETS_TOPIC];

export interface TopicPartition {
  topic: TopicName;
  /** The partition's index within its topic (Kafka's TopicPartition.partition). */
  index: number;
}

/** The global id of partition `index` of `topic`. */
export function partitionId(topic: TopicName, index: number): number {
  if (!Number.isInteger(index) || index < 0 || index >= MAX_TOPIC_PARTITIONS)
    throw new RangeError(`partition index ${index} of ${topic} out of range`);
  return BASE[topic] + index;
}

/** The topic and index of a global partition id. */
export function topicPartitionOf(id: number): TopicPartition {
  const topic = BY_RANGE[Math.floor(id / MAX_TOPIC_PARTITIONS)];
  if (topic === undefined || !Number.isInteger(id) || id < 0) throw new RangeError(`no topic holds partition ${id}`);
  return { topic, index: id - BASE[topic] };
}

/** Whether a global id is a partition of the data topic: workload values live there and nowhere else. */
export function isDataPartition(id: number): boolean {
  return id >= 0 && id < MAX_TOPIC_PARTITIONS;
}

/** A partition's name as Kafka's logs print it (TopicPartition.toString): `test-0`, `__transaction_state-3`. */
export function partitionName(id: number): string {
  const { topic, index } = topicPartitionOf(id);
  return `${topic}-${index}`;
}
