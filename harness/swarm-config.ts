// Swarm testing of configurations (TigerBeetle's VOPR swarms its cluster, not only its faults): with
// --swarm-config each seed draws the cluster's size and replication, the durability settings (acks,
// idempotence, in-flight requests, min ISR, unclean election, flush.messages), the failure detectors'
// timeouts, preferred-leader rebalancing, the workload's clients and rate, the network's latency profile and
// whether same-time events are shuffled. Anything the user gave explicitly is kept; only the rest is drawn. The
// draw depends on the seed alone (its own stream, drawn in a fixed order whatever was given), and the drawn values
// are recorded in the repro file, so a replay never draws again.
import type { BrokerConfig, ProducerConfig } from '../sim/kafka/config.ts';
import { Random, type Seed } from '../sim/world/index.ts';
import { NEWEST_RELEASE, releaseOf } from '../sim/kafka/releases.ts';
import type { NetworkProfile, RunOptions } from './options.ts';

export interface DrawnConfig {
  brokers: number;
  replicationFactor: number;
  minIsr: number;
  acks: 0 | 1 | 'all';
  unclean: boolean;
  flushMessages: number | 'never';
  broker: Partial<BrokerConfig>;
  producer: Partial<ProducerConfig>;
  producers: number;
  consumers: number;
  rate: number;
  network: NetworkProfile;
  shuffleSameTime: boolean;
}

/** The configuration a seed draws (everything, before the user's explicit options are laid over it). */
export function drawConfig(seed: Seed): DrawnConfig {
  const r = Random.root(seed).fork('swarm-config');
  const brokers = r.int(3, 7);
  const replicationFactor = r.int(2, Math.min(brokers, 5));
  const minIsr = r.int(1, replicationFactor);
  const acks = r.pick<0 | 1 | 'all'>(['all', 'all', 'all', 1, 1, 0]);
  const unclean = r.chance(0.25);
  const flushMessages = r.chance(0.7) ? 'never' : r.pick([1, 10, 100, 1000]);
  const broker: Partial<BrokerConfig> = {
    'replica.lag.time.max.ms': r.pick([2000, 5000, 10000, 30000]),
    'zookeeper.session.timeout.ms': r.pick([4000, 6000, 18000]),
    'auto.leader.rebalance.enable': r.chance(0.8),
    'leader.imbalance.check.interval.seconds': r.pick([5, 30, 300]),
  };
  // Kafka refuses enable.idempotence=true with acks other than all (ProducerConfig.postProcessAndValidate...).
  const idempotence = r.chance(0.7);
  const inFlight = r.pick([1, 2, 5]);
  const producer: Partial<ProducerConfig> = {
    'enable.idempotence': acks === 'all' && idempotence,
    'max.in.flight.requests.per.connection': inFlight,
  };
  const producers = r.int(1, 5);
  const consumers = r.int(1, 3);
  const rate = r.pick([5, 20, 50, 100]);
  // Drawn last, so that every setting above is what the seed drew before these existed.
  const network = r.pick<NetworkProfile>(['lan', 'lan', 'jittery', 'wan']);
  const shuffleSameTime = r.chance(0.5);
  return {
    brokers,
    replicationFactor,
    minIsr,
    acks,
    unclean,
    flushMessages,
    broker,
    producer,
    producers,
    consumers,
    rate,
    network,
    shuffleSameTime,
  };
}

/**
 * The options with every setting the user left unset drawn from the seed (when swarmConfig is on); the
 * result names every drawn value explicitly, so applying it again changes nothing.
 */
export function withSwarmConfig(options: RunOptions): RunOptions {
  if (options.swarmConfig !== true) return options;
  const d = drawConfig(options.seed);
  const out: RunOptions = { ...options };
  out.brokers ??= d.brokers;
  // Replication cannot exceed the brokers there are, nor min ISR the replication (when those were given).
  out.replicationFactor ??= Math.min(d.replicationFactor, out.brokers);
  out.minIsr ??= Math.min(d.minIsr, out.replicationFactor);
  // A transactional producer is idempotent with acks=all (Kafka refuses it otherwise): the txn workload takes
  // neither drawn value, and the draw goes on as for the queue workload, so every other setting is the same.
  const txn = options.workloadKind === 'txn';
  out.acks ??= txn ? 'all' : d.acks;
  out.unclean ??= d.unclean;
  out.flushMessages ??= d.flushMessages;
  out.network ??= d.network;
  out.shuffleSameTime ??= d.shuffleSameTime;
  out.broker = { ...d.broker, ...options.broker };
  const givenProducer = options.workload?.producer ?? {};
  const producer = { ...d.producer, ...givenProducer };
  const release = releaseOf(options.kafka ?? NEWEST_RELEASE);
  if (txn && givenProducer['enable.idempotence'] === undefined) producer['enable.idempotence'] = true;
  else if (givenProducer['enable.idempotence'] === undefined) {
    // Only where the release has an idempotent producer and the acks drawn or given allow it.
    producer['enable.idempotence'] = producer['enable.idempotence'] === true && out.acks === 'all';
    if (!release.idempotentProducer) producer['enable.idempotence'] = false;
  }
  // Before KAFKA-5494 (1.0.0) an idempotent producer keeps one request in flight, and refuses more.
  if (
    producer['enable.idempotence'] === true &&
    !release.behaviours.kafka5494 &&
    givenProducer['max.in.flight.requests.per.connection'] === undefined
  )
    producer['max.in.flight.requests.per.connection'] = 1;
  out.workload = {
    producers: d.producers,
    consumers: d.consumers,
    rate: d.rate,
    ...options.workload,
    producer,
  };
  return out;
}

/** One line for the run to print: what the seed drew. */
export function describeSwarmConfig(options: RunOptions): string {
  const o = withSwarmConfig(options);
  const p = o.workload?.producer ?? {};
  return (
    `swarm-config: ${o.brokers} brokers, RF ${o.replicationFactor}, min ISR ${o.minIsr}, acks=${String(o.acks)}, ` +
    `unclean=${String(o.unclean)}, flush.messages=${String(o.flushMessages)}, ` +
    `idempotence=${String(p['enable.idempotence'])}, ` +
    `max.in.flight=${String(p['max.in.flight.requests.per.connection'])}, ` +
    `replica.lag.time.max.ms=${String(o.broker?.['replica.lag.time.max.ms'])}, ` +
    `${String(o.workload?.producers)} producers, ${String(o.workload?.consumers)} consumers, ` +
    `${String(o.workload?.rate)} sends/s, network ${String(o.network)}` +
    (o.shuffleSameTime === true ? ', same-time events shuffled' : '')
  );
}
