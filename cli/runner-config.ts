// A run's options, their defaults, and the full configuration they resolve to: the cluster's, the
// clients' and the workload's, as plain data under Kafka's own key names (for reports and replays).
import type { FaultKind, Schedule } from '../nemesis/index.ts';
import type { BrokerConfig, ClusterConfig, ConsumerConfig, ProducerConfig } from '../sim/kafka/config.ts';
import { clusterConfig } from '../sim/kafka/config.ts';
import type { KraftConfig, MetadataMode } from '../sim/kafka/kraft/config.ts';
import { parseProtocol, type ProtocolFixes } from '../sim/kafka/protocol.ts';
import { ConfigError, parseSeed, type Seed } from '../sim/world/index.ts';
import { queueWorkloadOptions, type QueueWorkloadOptions, type QueueWorkloadOverrides } from '../workloads/queue/index.ts';

/** Everything a run needs besides the seed; every field has a default (RUN_DEFAULTS). */
export interface RunKnobs {
  brokers: number;
  partitions: number;
  replicationFactor: number;
  /** min.insync.replicas */
  minIsr: number;
  acks: 0 | 1 | 'all';
  /** unclean.leader.election.enable */
  unclean: boolean;
  /** "modern" or a comma list of historical modes (see sim/kafka/protocol.ts). */
  protocol: string;
  /** Length of the main phase (workload and faults), in simulated seconds; the final phase comes after. */
  timeSeconds: number;
  /** Fault kinds to generate a schedule from, or 'swarm' to let the seed choose them. Ignored with `schedule`. */
  nemesis: FaultKind[] | 'swarm';
  /** How hard generated faults hit, 0..1 (swarm chooses its own). */
  intensity: number | undefined;
  /** An explicit fault schedule, used as given. */
  schedule: Schedule | undefined;
  /** Other broker settings, by Kafka's keys; they override the run's defaults. */
  broker: Partial<BrokerConfig>;
  workload: QueueWorkloadOverrides;
  /** How long to wait for a controller and a leader for every partition before the workload starts. */
  readyTimeoutMs: number;
  /** Where metadata lives: ZooKeeper, or a KRaft controller quorum (Kafka's defaults for its settings). */
  metadata: MetadataMode;
}

/**
 * Defaults for a one-minute run. zookeeper.session.timeout.ms 6000 and replica.lag.time.max.ms 10000 are
 * Kafka's defaults before 2.5 (18000 and 30000 since): with the modern values a fault must last half a
 * minute before the ISR shrinks, so in a 60 s run most faults would end before they bite.
 */
export const RUN_DEFAULTS: RunKnobs = {
  brokers: 3,
  partitions: 3,
  replicationFactor: 3,
  minIsr: 2,
  acks: 'all',
  unclean: false,
  protocol: 'modern',
  timeSeconds: 60,
  nemesis: [],
  intensity: undefined,
  schedule: undefined,
  broker: {
    'zookeeper.session.timeout.ms': 6000,
    'replica.lag.time.max.ms': 10000,
  },
  workload: { rate: 20 },
  readyTimeoutMs: 30000,
  metadata: 'zk',
};

export interface ResolvedRun {
  seed: Seed;
  knobs: RunKnobs;
  cluster: ClusterConfig;
  protocolModes: string[];
  workload: QueueWorkloadOptions;
}

export function resolveRun(seed: Seed, overrides: Partial<RunKnobs>): ResolvedRun {
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) as Partial<RunKnobs>;
  const knobs: RunKnobs = {
    ...RUN_DEFAULTS,
    ...defined,
    broker: { ...RUN_DEFAULTS.broker, ...(overrides.broker ?? {}) },
    workload: { ...RUN_DEFAULTS.workload, ...(overrides.workload ?? {}) },
  };
  if (!(knobs.timeSeconds > 0 && Number.isFinite(knobs.timeSeconds))) throw new ConfigError(`time must be a positive number of seconds, got ${knobs.timeSeconds}`);
  if (knobs.intensity !== undefined && !(knobs.intensity >= 0 && knobs.intensity <= 1)) throw new ConfigError(`intensity must be from 0 to 1, got ${knobs.intensity}`);
  const { modes, fixes } = parseProtocol(knobs.protocol);
  const cluster = clusterConfig({
    brokers: knobs.brokers,
    partitions: knobs.partitions,
    replicationFactor: knobs.replicationFactor,
    protocol: fixes,
    metadata: knobs.metadata,
    broker: { ...knobs.broker, 'min.insync.replicas': knobs.minIsr, 'unclean.leader.election.enable': knobs.unclean },
  });
  const workload = queueWorkloadOptions({
    ...knobs.workload,
    partitions: knobs.partitions,
    producer: { ...(knobs.workload.producer ?? {}), acks: knobs.acks },
  });
  return { seed: parseSeed(seed), knobs, cluster, protocolModes: modes, workload };
}

/** The configuration as plain JSON data, under Kafka's key names. */
export interface RunConfig {
  seed: Seed;
  timeSeconds: number;
  brokers: number;
  partitions: number;
  'replication.factor': number;
  protocol: { modes: string[]; fixes: ProtocolFixes };
  broker: PlainConfig<BrokerConfig>;
  producer: ProducerConfig;
  consumer: ConsumerConfig;
  workload: Omit<QueueWorkloadOptions, 'producer' | 'consumer' | 'partitions'>;
  nemesis: { kinds: FaultKind[] | 'swarm' | 'schedule'; intensity: number | null };
  /** Present in KRaft mode only: the metadata mode and the quorum's settings, by Kafka's keys. */
  kraft?: { metadata: 'kraft' } & KraftConfig;
}

/** Infinity (flush.messages: never) is not JSON; it is written as the string "Infinity". */
type PlainConfig<T> = { [K in keyof T]: T[K] extends number ? number | 'Infinity' : T[K] };

export function runConfig(run: ResolvedRun, nemesisKinds: FaultKind[] | 'swarm' | 'schedule', intensity: number | undefined): RunConfig {
  const { producer, consumer, partitions: _partitions, ...workload } = run.workload;
  const broker = {} as Record<string, unknown>;
  for (const [key, value] of Object.entries(run.cluster.broker)) broker[key] = typeof value === 'number' && !Number.isFinite(value) ? 'Infinity' : value;
  return {
    seed: run.seed,
    timeSeconds: run.knobs.timeSeconds,
    brokers: run.cluster.brokers,
    partitions: run.cluster.partitions,
    'replication.factor': run.cluster.replicationFactor,
    protocol: { modes: run.protocolModes, fixes: { ...run.cluster.protocol } },
    broker: broker as PlainConfig<BrokerConfig>,
    producer: { ...producer },
    consumer: { ...consumer },
    workload,
    nemesis: { kinds: Array.isArray(nemesisKinds) ? [...nemesisKinds] : nemesisKinds, intensity: intensity ?? null },
    ...(run.cluster.metadata === 'kraft' ? { kraft: { metadata: 'kraft' as const, ...run.cluster.kraft } } : {}),
  };
}
