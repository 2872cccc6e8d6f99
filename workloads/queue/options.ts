// The queue workload's knobs, their defaults, and the checks that keep a typo from becoming a silent
// nonsense run. Client settings use Kafka's own configuration keys.
import { ConfigError } from '../../sim/world/index.ts';
import type { ConsumerConfig, ProducerConfig } from '../../sim/kafka/config.ts';
import { CONSUMER_DEFAULTS, PRODUCER_DEFAULTS } from '../../sim/kafka/config.ts';

export type ConsumerMode = 'assign' | 'subscribe';

export interface QueueWorkloadOptions {
  /** Partitions of the topic; each one is a key of the history. */
  partitions: number;
  /** Producer client nodes, each with one KafkaProducer. */
  producers: number;
  /**
   * Sends each producer keeps open at once, each op of a Jepsen process of its own on the producer's node, so that
   * the producer pipelines them as an application that does not wait on each send makes Kafka's do. 0 (the
   * default): the producer's max.in.flight.requests.per.connection. 1: one send at a time, as Jepsen's clients.
   */
  sendsInFlight: number;
  /** Consumer processes, each on its own client node. */
  consumers: number;
  /**
   * How consumers get their partitions. assign (the default): each picks its own (KafkaConsumer.assign), now and
   * then anew. subscribe: they subscribe as one consumer group (group.id kafkasim) and the group coordinator on
   * __consumer_offsets shares the partitions out; positions start at the committed offsets, committed
   * automatically (enable.auto.commit).
   */
  consumerMode: ConsumerMode;
  /** Sends per simulated second, over all producers together. */
  rate: number;
  /** How long one poll may wait for records (Consumer.poll's timeout). */
  pollTimeoutMs: number;
  /** Chance that a client's next op is a crash (its node is killed and restarted) instead of a send or poll. */
  crashProbability: number;
  /** Chance that a consumer's next op is a new assignment. */
  reassignProbability: number;
  /** Chance that an assignment takes every partition rather than a random non-empty subset. */
  assignAllProbability: number;
  /** Wait between healing every fault and the final reads, so leaders are re-elected and ISRs recover. */
  finalSettleMs: number;
  /**
   * After the settle period, how much longer to wait for the cluster to recover (the caller's readiness
   * test: e.g. no offline or under-replicated partition) before reading anyway. A follower whose fetch
   * was dropped by a partition waits out replica.socket.timeout.ms (30 s) before it fetches again.
   */
  finalRecoveryLimitMs: number;
  /** Time the final reads may take before each consumer gives up on reaching the partitions' ends. */
  finalReadLimitMs: number;
  /**
   * After the heal, an acks=all probe send to every partition until each is acknowledged (or the recovery limit
   * passes), before the final reads: the history then shows whether the healed cluster took writes again.
   */
  livenessProbe: boolean;
  /** Wait between attempts to learn the partitions' end offsets in the final phase. */
  endOffsetsRetryMs: number;
  producer: ProducerConfig;
  consumer: ConsumerConfig;
}

/**
 * Short client timeouts, as Jepsen's Kafka client sets them: with Kafka's defaults (request.timeout.ms
 * 30 s, delivery.timeout.ms 120 s) one blocked send would hold a process for the whole of a minute-long
 * run, and a consumer fetching from a vanished leader would wait half a minute to notice.
 */
export const WORKLOAD_PRODUCER: Partial<ProducerConfig> = {
  'request.timeout.ms': 3000,
  'delivery.timeout.ms': 10000,
};
export const WORKLOAD_CONSUMER: Partial<ConsumerConfig> = {
  'request.timeout.ms': 5000,
  // The workload reads each partition from its start: a position the log does not hold goes there too.
  'auto.offset.reset': 'earliest',
};

/**
 * Subscribing consumers' group settings: the smallest session the broker takes (group.min.session.timeout.ms,
 * 6 s) with heartbeats three times in it, so that a crashed consumer's partitions move within seconds of a
 * one-minute run rather than after the 45 s of 3.x's default session; and max.poll.interval.ms (the rebalance
 * timeout) of 10 s, which the workload's 250 ms polls never approach, so that a JoinGroup lost in a network
 * partition waits 15 s (rebalance timeout + 5 s) rather than Kafka's 305 s.
 */
export const WORKLOAD_GROUP = {
  'session.timeout.ms': 6000,
  'heartbeat.interval.ms': 2000,
  'max.poll.interval.ms': 10_000,
};

export const QUEUE_WORKLOAD_DEFAULTS: QueueWorkloadOptions = {
  partitions: 3,
  producers: 3,
  sendsInFlight: 0,
  consumers: 2,
  consumerMode: 'assign',
  rate: 20,
  pollTimeoutMs: 250,
  crashProbability: 0.005,
  reassignProbability: 0.01,
  assignAllProbability: 0.5,
  finalSettleMs: 10000,
  finalRecoveryLimitMs: 60000,
  finalReadLimitMs: 20000,
  livenessProbe: true,
  endOffsetsRetryMs: 250,
  producer: { ...PRODUCER_DEFAULTS, ...WORKLOAD_PRODUCER },
  consumer: { ...CONSUMER_DEFAULTS, ...WORKLOAD_CONSUMER },
};

export type QueueWorkloadOverrides = Partial<Omit<QueueWorkloadOptions, 'producer' | 'consumer'>> & {
  producer?: Partial<ProducerConfig>;
  consumer?: Partial<ConsumerConfig>;
};

/** Defaults under the overrides, validated. */
export function queueWorkloadOptions(overrides: QueueWorkloadOverrides = {}): QueueWorkloadOptions {
  const d = QUEUE_WORKLOAD_DEFAULTS;
  const options: QueueWorkloadOptions = {
    ...d,
    ...definedOnly(overrides),
    producer: { ...d.producer, ...(overrides.producer ?? {}) },
    consumer: { ...d.consumer, ...(overrides.consumer ?? {}) },
  };
  validate(options);
  return options;
}

/** Drops keys whose value is undefined, so `{ rate: undefined }` keeps the default instead of erasing it. */
function definedOnly<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(o) as (keyof T)[]) if (o[key] !== undefined) out[key] = o[key];
  return out;
}

function validate(o: QueueWorkloadOptions): void {
  integerIn('partitions', o.partitions, 1, 1024);
  integerIn('producers', o.producers, 0, 256);
  integerIn('sendsInFlight', o.sendsInFlight, 0, MAX_SENDS_IN_FLIGHT);
  integerIn('consumers', o.consumers, 0, 256);
  if (o.consumerMode !== 'assign' && o.consumerMode !== 'subscribe') {
    throw new ConfigError(`consumerMode must be assign or subscribe, got ${String(o.consumerMode)}`);
  }
  if (o.producers > 0 && !(o.rate > 0 && Number.isFinite(o.rate)))
    throw new ConfigError(`rate must be a positive number of sends per second, got ${o.rate}`);
  for (const key of ['crashProbability', 'reassignProbability', 'assignAllProbability'] as const) {
    const p = o[key];
    if (!(p >= 0 && p <= 1)) throw new ConfigError(`${key} must be a probability from 0 to 1, got ${p}`);
  }
  for (const key of [
    'pollTimeoutMs',
    'finalSettleMs',
    'finalRecoveryLimitMs',
    'finalReadLimitMs',
    'endOffsetsRetryMs',
  ] as const) {
    const ms = o[key];
    if (!(ms >= 0 && Number.isFinite(ms)))
      throw new ConfigError(`${key} must be a non-negative number of ms, got ${ms}`);
  }
  if (o.pollTimeoutMs < 1) throw new ConfigError(`pollTimeoutMs must be at least 1 ms, got ${o.pollTimeoutMs}`);
}

/** At most this many processes per producer node: a larger in-flight limit is never full at the workload's rates. */
const MAX_SENDS_IN_FLIGHT = 64;

/** The processes each producer node runs: sendsInFlight, or the producer's in-flight limit when that is 0. */
export function sendsInFlightOf(o: QueueWorkloadOptions): number {
  if (o.sendsInFlight > 0) return o.sendsInFlight;
  return Math.min(MAX_SENDS_IN_FLIGHT, Math.max(1, o.producer['max.in.flight.requests.per.connection']));
}

function integerIn(name: string, v: number, min: number, max: number): void {
  if (!Number.isInteger(v) || v < min || v > max)
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got ${v}`);
}
