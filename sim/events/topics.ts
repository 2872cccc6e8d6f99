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
/**
 * A topic an operator creates while the cluster runs (the `create-topic` fault: metadata churn). Nothing writes to
 * it; it exists so that controllers create, and brokers host, partitions mid-run.
 */
export type CreatedTopic = `churn-${number}`;
export type TopicName = typeof DATA_TOPIC | InternalTopic | CreatedTopic;

/** The most partitions a topic may have: the width of each reserved range. */
export const MAX_TOPIC_PARTITIONS = 100_000;

/** The ranges of the fixed topics, in id order; created topics take the ranges after them, one each. */
const BY_RANGE: TopicName[] = [DATA_TOPIC, TRANSACTION_STATE_TOPIC, CONSUMER_OFFSETS_TOPIC];
/** How many topics an operator may create in one run (the ids stay below 2^31, Kafka's int32 partition field). */
export const MAX_CREATED_TOPICS = 1000;

/** The name of the `n`th topic created during a run. */
export function createdTopicName(n: number): CreatedTopic {
  if (!Number.isInteger(n) || n < 0 || n >= MAX_CREATED_TOPICS) throw new RangeError(`created topic ${n} out of range`);
  return `churn-${n}`;
}

/** Whether a topic is one an operator created during the run. */
export function isCreatedTopic(topic: string): topic is CreatedTopic {
  const n = Number(topic.slice('churn-'.length));
  return (
    topic.startsWith('churn-') && Number.isInteger(n) && n >= 0 && n < MAX_CREATED_TOPICS && `churn-${n}` === topic
  );
}

/** Which range a topic's ids take. */
function rangeOf(topic: TopicName): number {
  const fixed = BY_RANGE.indexOf(topic);
  if (fixed >= 0) return fixed;
  if (!isCreatedTopic(topic)) throw new RangeError(`no such topic: ${topic}`);
  return BY_RANGE.length + Number(topic.slice('churn-'.length));
}

export interface TopicPartition {
  topic: TopicName;
  /** The partition's index within its topic (Kafka's TopicPartition.partition). */
  index: number;
}

/** The global id of partition `index` of `topic`. */
export function partitionId(topic: TopicName, index: number): number {
  if (!Number.isInteger(index) || index < 0 || index >= MAX_TOPIC_PARTITIONS)
    throw new RangeError(`partition index ${index} of ${topic} out of range`);
  return rangeOf(topic) * MAX_TOPIC_PARTITIONS + index;
}

/** The topic and index of a global partition id. */
export function topicPartitionOf(id: number): TopicPartition {
  const range = Math.floor(id / MAX_TOPIC_PARTITIONS);
  if (!Number.isInteger(id) || id < 0 || range >= BY_RANGE.length + MAX_CREATED_TOPICS)
    throw new RangeError(`no topic holds partition ${id}`);
  const topic = BY_RANGE[range] ?? createdTopicName(range - BY_RANGE.length);
  return { topic, index: id - range * MAX_TOPIC_PARTITIONS };
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
