// The producer's settings as a Kafka release's KafkaProducer resolves them, and the behaviours (protocol.ts) its
// idempotent half follows (transaction-manager.ts, producer.ts). One place for what differs between releases:
// - 0.11.0 (KIP-98): idempotence takes acks=all and retries MAX_INT unless set otherwise (then it refuses to
//   start), and one request in flight per connection (KafkaProducer.configureAcks, configureRetries,
//   configureInflightRequests).
// - 1.0.0 (KAFKA-5494): up to five requests in flight with idempotence.
// - 3.2.0 (KAFKA-13673): idempotence on by default (KIP-679, effective from 3.0.1: KAFKA-13598) is switched off
//   quietly by a conflicting acks, retries or max.in.flight.requests.per.connection; only an explicit
//   enable.idempotence=true still refuses them (ProducerConfig.postProcessAndValidateIdempotenceConfigs). In
//   kafkasim idempotence is on by default from 3.4 only, so both rules hold wherever it is.
import { ConfigError } from '../../world/errors.ts';
import type { ProducerConfig } from '../config.ts';
import type { KafkaBehaviours } from '../protocol.ts';

/** The behaviours the producer's idempotence follows. */
export type ProducerBehaviours = Pick<KafkaBehaviours, 'kafka5494' | 'kafka5793' | 'kip360' | 'kip588' | 'kafka12152'>;

/** MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION_FOR_IDEMPOTENCE (KAFKA-5494). */
const MAX_IN_FLIGHT_FOR_IDEMPOTENCE = 5;
const MAX_RETRIES = 2147483647;

/** What a release contributes: its behaviours, its producer defaults and whether it has idempotence at all. */
export interface ProducerRelease {
  version: string;
  behaviours: ProducerBehaviours;
  producer: Partial<ProducerConfig>;
  idempotentProducer: boolean;
}

/**
 * The settings a producer of `release` runs with: `base` (kafkasim's defaults) under the release's defaults
 * under `given`, the settings the user set, as KafkaProducer resolves them. A combination Kafka refuses
 * (ConfigException) is a ConfigError.
 */
export function resolveProducerConfig(
  base: ProducerConfig,
  release: ProducerRelease,
  given: Partial<ProducerConfig>,
): ProducerConfig {
  const merged: ProducerConfig = { ...base, ...release.producer, ...given };
  if (!merged['enable.idempotence']) return merged;
  if (!release.idempotentProducer) {
    throw new ConfigError(`Kafka ${release.version} has no idempotent producer (KIP-98, 0.11.0)`);
  }
  const maxInFlight = merged['max.in.flight.requests.per.connection'];
  const limit = release.behaviours.kafka5494 ? MAX_IN_FLIGHT_FOR_IDEMPOTENCE : 1;
  if (given['enable.idempotence'] !== true) {
    // KAFKA-13673: idempotence by default gives way to settings that conflict with it.
    const conflicts = merged.retries === 0 || merged.acks !== 'all' || maxInFlight > limit;
    return conflicts ? { ...merged, 'enable.idempotence': false } : merged;
  }
  const refuse = (what: string): never => {
    throw new ConfigError(`Kafka ${release.version}'s idempotent producer needs ${what}`);
  };
  if (given.retries === 0) refuse('retries other than 0');
  if (given.acks !== undefined && given.acks !== 'all') refuse('acks=all');
  const givenInFlight = given['max.in.flight.requests.per.connection'];
  if (givenInFlight !== undefined && givenInFlight > limit) {
    refuse(`max.in.flight.requests.per.connection at most ${limit}`);
  }
  return {
    ...merged,
    acks: 'all',
    retries: given.retries ?? MAX_RETRIES,
    // 0.11.0 overrode the default (5) to 1; from 1.0.0 the default stands.
    'max.in.flight.requests.per.connection': Math.min(maxInFlight, limit),
  };
}

/**
 * The requests the producer keeps in flight per partition: with idempotence before KAFKA-5494 one, whatever the
 * setting says (the value resolveProducerConfig gives; a producer built without it gets the same).
 */
export function maxInFlightOf(config: ProducerConfig, b: ProducerBehaviours): number {
  const n = config['max.in.flight.requests.per.connection'];
  return config['enable.idempotence'] && !b.kafka5494 ? 1 : n;
}
