// The object-valued run options (broker settings, the workload with its producer and consumer settings)
// as a repro file or an API caller gives them. Every key must be one the simulator reads, every value of
// its type, so that a typo ("min.insync.replica") or a string where a number belongs is refused instead of
// silently running a different test. Kafka's settings are integers (Kafka declares them INT or LONG); the
// durations among them must be at least 1, since a simulated timer of 0 ms can re-arm without the
// simulated clock ever moving on. Ranges that depend on other options (min.insync.replicas against the
// replication factor, the workload's rates) are checked where the test is assembled (test.ts).
import {
  BROKER_DEFAULTS,
  CONSUMER_DEFAULTS,
  PRODUCER_DEFAULTS,
  type BrokerConfig,
  type ConsumerConfig,
  type ProducerConfig,
} from '../sim/kafka/config.ts';
import { QUEUE_WORKLOAD_DEFAULTS, type QueueWorkloadOverrides } from '../workloads/queue/index.ts';
import { UsageError } from './errors.ts';

/** Kafka settings that count something and may be 0 (every other integer setting is at least 1). */
const MAY_BE_ZERO: ReadonlySet<string> = new Set(['retries', 'controlled.shutdown.max.retries']);

/** Sends per simulated second: bench/report.ts runs 6,000; a thousand times more is a typo. */
const MAX_RATE = 100_000;
/** The workload's waits: a simulated day. */
const MAX_WAIT_MS = 86_400_000;

/** Largest value of a Kafka LONG setting that a double holds exactly. */
const MAX_SETTING = Number.MAX_SAFE_INTEGER;

function plainObject(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new UsageError(`${where} must be an object, got ${JSON.stringify(value)}`);
  return value as Record<string, unknown>;
}

function knownKey(key: string, defaults: object, where: string, what: string): void {
  if (!Object.hasOwn(defaults, key))
    throw new UsageError(`${where}: unknown ${what} "${key}" (one of ${Object.keys(defaults).join(', ')})`);
}

/** One Kafka setting's value, of the type its default has. */
function kafkaValue(key: string, value: unknown, fallback: unknown, where: string): unknown {
  const at = `${where}["${key}"]`;
  if (key === 'acks') {
    if (value !== 0 && value !== 1 && value !== 'all')
      throw new UsageError(`${at} must be 0, 1 or "all", got ${JSON.stringify(value)}`);
  } else if (key === 'auto.offset.reset') {
    if (value !== 'earliest' && value !== 'latest' && value !== 'none')
      throw new UsageError(`${at} must be "earliest", "latest" or "none", got ${JSON.stringify(value)}`);
  } else if (key === 'isolation.level') {
    if (value !== 'read_uncommitted' && value !== 'read_committed')
      throw new UsageError(`${at} must be "read_uncommitted" or "read_committed", got ${JSON.stringify(value)}`);
  } else if (typeof fallback === 'boolean') {
    if (typeof value !== 'boolean') throw new UsageError(`${at} must be true or false, got ${JSON.stringify(value)}`);
  } else if (fallback === null) {
    if (value !== null && typeof value !== 'string')
      throw new UsageError(`${at} must be a rack name or null, got ${JSON.stringify(value)}`);
  } else {
    const min = MAY_BE_ZERO.has(key) ? 0 : 1;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > MAX_SETTING)
      throw new UsageError(`${at} must be an integer of at least ${min}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function kafkaSettings<T extends object>(value: unknown, where: string, defaults: T, what: string): Partial<T> {
  const given = plainObject(value, where);
  for (const [key, v] of Object.entries(given)) {
    knownKey(key, defaults, where, what);
    kafkaValue(key, v, (defaults as Record<string, unknown>)[key], where);
  }
  return given as Partial<T>;
}

/** Broker settings by Kafka's keys (KafkaConfig), as sim/kafka reads them. */
export function checkBrokerSettings(value: unknown, where: string): Partial<BrokerConfig> {
  return kafkaSettings(value, where, BROKER_DEFAULTS, 'broker setting');
}

/**
 * The queue workload's knobs and its clients' settings. The topic's partitions come from the partitions
 * option, so the workload does not take them.
 */
export function checkWorkloadSettings(value: unknown, where: string): QueueWorkloadOverrides {
  const given = plainObject(value, where);
  const { partitions: _partitions, producer: _producer, consumer: _consumer, ...knobs } = QUEUE_WORKLOAD_DEFAULTS;
  for (const [key, v] of Object.entries(given)) {
    if (key === 'producer')
      kafkaSettings<ProducerConfig>(v, `${where}.producer`, PRODUCER_DEFAULTS, 'producer setting');
    else if (key === 'consumer')
      kafkaSettings<ConsumerConfig>(v, `${where}.consumer`, CONSUMER_DEFAULTS, 'consumer setting');
    else {
      knownKey(key, { ...knobs, producer: {}, consumer: {} }, where, 'workload option');
      // The lower ends (a rate above 0, probabilities from 0 to 1) are the workload's own checks
      // (queueWorkloadOptions); the upper ends here keep a run from taking days of wall time.
      const max = key === 'rate' ? MAX_RATE : key.endsWith('Ms') ? MAX_WAIT_MS : Infinity;
      if (typeof v !== 'number' || !Number.isFinite(v) || v > max)
        throw new UsageError(
          `${where}.${key} must be a number${max === Infinity ? '' : ` of at most ${max}`}, got ${JSON.stringify(v)}`,
        );
    }
  }
  return given as QueueWorkloadOverrides;
}
