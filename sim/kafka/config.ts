// Broker, producer and consumer settings, named by Kafka's own configuration keys (KafkaConfig,
// ProducerConfig, ConsumerConfig), with their modern defaults.
import { ConfigError } from '../world/errors.ts';
import type { KraftConfig, MetadataMode } from './kraft/config.ts';
import { KRAFT_DEFAULTS, validateKraft } from './kraft/config.ts';
import type { OffsetResetStrategy } from './clients/subscription-state.ts';
import type { KafkaBehaviours } from './protocol.ts';
import { NEWEST_RELEASE, releaseOf } from './releases.ts';
import type { InternalTopicsConfig } from './topics.ts';
import { CONSUMER_OFFSETS_TOPIC, INTERNAL_TOPICS_DEFAULTS, TRANSACTION_STATE_TOPIC } from './topics.ts';

export interface BrokerConfig {
  'replica.lag.time.max.ms': number;
  'replica.fetch.wait.max.ms': number;
  'replica.fetch.backoff.ms': number;
  'replica.socket.timeout.ms': number;
  'replica.high.watermark.checkpoint.interval.ms': number;
  'min.insync.replicas': number;
  'unclean.leader.election.enable': boolean;
  /** Records between fsyncs of a partition log; Infinity is Kafka's default (never: rely on replication). */
  'flush.messages': number;
  'zookeeper.session.timeout.ms': number;
  'controller.socket.timeout.ms': number;
  /** A broker asked to stop first has the controller move its leaderships away (KafkaServer.controlledShutdown). */
  'controlled.shutdown.enable': boolean;
  /** ZooKeeper mode: ControlledShutdown requests a broker sends before it stops anyway. */
  'controlled.shutdown.max.retries': number;
  /** ZooKeeper mode: the wait between two of them. */
  'controlled.shutdown.retry.backoff.ms': number;
  'auto.leader.rebalance.enable': boolean;
  'leader.imbalance.check.interval.seconds': number;
  'broker.rack': string | null;
}

export const BROKER_DEFAULTS: BrokerConfig = {
  'replica.lag.time.max.ms': 30000,
  'replica.fetch.wait.max.ms': 500,
  'replica.fetch.backoff.ms': 1000,
  'replica.socket.timeout.ms': 30000,
  'replica.high.watermark.checkpoint.interval.ms': 5000,
  'min.insync.replicas': 1,
  'unclean.leader.election.enable': false,
  'flush.messages': Infinity,
  'zookeeper.session.timeout.ms': 18000,
  'controller.socket.timeout.ms': 30000,
  // The same in every release kafkasim models (KafkaConfig: 0.8.2's props defaults, ServerConfigs in 3.9).
  'controlled.shutdown.enable': true,
  'controlled.shutdown.max.retries': 3,
  'controlled.shutdown.retry.backoff.ms': 5000,
  'auto.leader.rebalance.enable': true,
  'leader.imbalance.check.interval.seconds': 300,
  'broker.rack': null,
};

export interface ProducerConfig {
  acks: 0 | 1 | 'all';
  'request.timeout.ms': number;
  'delivery.timeout.ms': number;
  retries: number;
  'retry.backoff.ms': number;
  'max.in.flight.requests.per.connection': number;
  'enable.idempotence': boolean;
  'metadata.max.age.ms': number;
}

export const PRODUCER_DEFAULTS: ProducerConfig = {
  acks: 'all',
  'request.timeout.ms': 30000,
  'delivery.timeout.ms': 120000,
  retries: 2147483647,
  'retry.backoff.ms': 100,
  'max.in.flight.requests.per.connection': 5,
  'enable.idempotence': true,
  'metadata.max.age.ms': 300000,
};

export interface ConsumerConfig {
  'fetch.max.wait.ms': number;
  'request.timeout.ms': number;
  'retry.backoff.ms': number;
  'client.rack': string | null;
  'max.poll.records': number;
  /** Where a position the log does not hold goes: earliest, latest, or none (the poll raises). */
  'auto.offset.reset': OffsetResetStrategy;
}

export const CONSUMER_DEFAULTS: ConsumerConfig = {
  'fetch.max.wait.ms': 500,
  'request.timeout.ms': 30000,
  'retry.backoff.ms': 100,
  'client.rack': null,
  'max.poll.records': 500,
  'auto.offset.reset': 'latest',
};

export interface ClusterConfig {
  brokers: number;
  partitions: number;
  replicationFactor: number;
  /** Rack of each broker (by id), or empty for no racks. */
  racks: string[];
  broker: BrokerConfig;
  /** The Kafka release simulated (releases.ts): its version. */
  kafka: string;
  /** Its replication behaviours, with any --protocol override applied. */
  protocol: KafkaBehaviours;
  /** Where metadata lives: ZooKeeper (the default) or a KRaft controller quorum. */
  metadata: MetadataMode;
  /** KRaft settings (used in KRaft mode only). */
  kraft: KraftConfig;
  /** Kafka's internal topics and their settings (topics.ts); none exist unless enabled. */
  internalTopics: InternalTopicsConfig;
}

export function clusterConfig(
  partial: Partial<Omit<ClusterConfig, 'broker' | 'kraft' | 'internalTopics'>> & {
    broker?: Partial<BrokerConfig>;
    kraft?: Partial<KraftConfig>;
    internalTopics?: Partial<InternalTopicsConfig>;
  } = {},
): ClusterConfig {
  const c: ClusterConfig = {
    brokers: partial.brokers ?? 3,
    partitions: partial.partitions ?? 1,
    replicationFactor: partial.replicationFactor ?? 3,
    racks: partial.racks ?? [],
    broker: { ...BROKER_DEFAULTS, ...(partial.broker ?? {}) },
    kafka: partial.kafka ?? NEWEST_RELEASE,
    protocol: partial.protocol ?? releaseOf(partial.kafka ?? NEWEST_RELEASE).behaviours,
    metadata: partial.metadata ?? 'zk',
    kraft: { ...KRAFT_DEFAULTS, ...(partial.kraft ?? {}) },
    internalTopics: { ...INTERNAL_TOPICS_DEFAULTS, ...(partial.internalTopics ?? {}) },
  };
  validateCluster(c);
  return c;
}

function positiveInt(name: string, v: number, max = 1000): void {
  if (!Number.isInteger(v) || v < 1 || v > max)
    throw new ConfigError(`${name} must be an integer from 1 to ${max}, got ${v}`);
}

export function validateCluster(c: ClusterConfig): void {
  positiveInt('brokers', c.brokers, 64);
  positiveInt('partitions', c.partitions, 1024);
  positiveInt('replication factor', c.replicationFactor, 64);
  if (c.replicationFactor > c.brokers) {
    throw new ConfigError(`replication factor ${c.replicationFactor} exceeds the number of brokers ${c.brokers}`);
  }
  const minIsr = c.broker['min.insync.replicas'];
  positiveInt('min.insync.replicas', minIsr, 64);
  if (minIsr > c.replicationFactor) {
    throw new ConfigError(
      `min.insync.replicas ${minIsr} exceeds the replication factor ${c.replicationFactor}: every acks=all write ` +
        `would fail`,
    );
  }
  if (c.racks.length !== 0 && c.racks.length !== c.brokers) {
    throw new ConfigError(`racks: expected one rack per broker (${c.brokers}), got ${c.racks.length}`);
  }
  for (const key of [
    'replica.lag.time.max.ms',
    'replica.fetch.wait.max.ms',
    'zookeeper.session.timeout.ms',
    'replica.socket.timeout.ms',
  ] as const) {
    const v = c.broker[key];
    if (!Number.isFinite(v) || v <= 0) throw new ConfigError(`${key} must be a positive number of ms, got ${v}`);
  }
  if (c.metadata !== 'zk' && c.metadata !== 'kraft')
    throw new ConfigError(`metadata must be zk or kraft, got ${String(c.metadata)}`);
  if (c.metadata === 'kraft') validateKraft(c.kraft);
  validateInternalTopics(c);
}

/**
 * The enabled internal topics' settings. Kafka refuses to create an internal topic with fewer live brokers than
 * its replication factor (AutoTopicCreationManager answers COORDINATOR_NOT_AVAILABLE until there are enough);
 * kafkasim refuses such a configuration outright.
 */
function validateInternalTopics(c: ClusterConfig): void {
  const t = c.internalTopics;
  for (const topic of t.enabled) {
    if (topic !== TRANSACTION_STATE_TOPIC && topic !== CONSUMER_OFFSETS_TOPIC)
      throw new ConfigError(`internal topics: unknown topic ${String(topic)}`);
  }
  const check = (prefix: string, partitions: number, rf: number): void => {
    positiveInt(`${prefix}.num.partitions`, partitions, 1024);
    positiveInt(`${prefix}.replication.factor`, rf, 64);
    if (rf > c.brokers)
      throw new ConfigError(`${prefix}.replication.factor ${rf} exceeds the number of brokers ${c.brokers}`);
  };
  if (t.enabled.includes(TRANSACTION_STATE_TOPIC)) {
    // Transactions came with the idempotent producer (KIP-98, 0.11.0): an older release has no such topic.
    if (!releaseOf(c.kafka).idempotentProducer)
      throw new ConfigError(`Kafka ${c.kafka} has no transactions (KIP-98, 0.11.0): no ${TRANSACTION_STATE_TOPIC}`);
    const rf = t['transaction.state.log.replication.factor'];
    check('transaction.state.log', t['transaction.state.log.num.partitions'], rf);
    positiveInt('transaction.state.log.min.isr', t['transaction.state.log.min.isr'], rf);
  }
  if (t.enabled.includes(CONSUMER_OFFSETS_TOPIC))
    check('offsets.topic', t['offsets.topic.num.partitions'], t['offsets.topic.replication.factor']);
}
