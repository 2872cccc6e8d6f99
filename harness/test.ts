// A test as plain data, as a Jepsen test map is: the cluster (metadata mode, sizes, every Kafka setting by
// Kafka's own keys, the protocol behaviours), the workload with its clients' settings, the nemesis (a
// schedule, or the fault kinds to generate one from), how long it runs, and the checkers that judge it.
// testOf builds one from run options through the options schema (options.ts); runTest runs it.
import type { Checker } from '../checkers/checker.ts';
import type { FaultKind, KillModes, Schedule } from '../nemesis/index.ts';
import type { BrokerConfig, ClusterConfig, ConsumerConfig, ProducerConfig } from '../sim/kafka/config.ts';
import { clusterConfig } from '../sim/kafka/config.ts';
import type { InternalTopicsConfig } from '../sim/kafka/topics.ts';
import { CONSUMER_OFFSETS_TOPIC, TRANSACTION_STATE_TOPIC } from '../sim/kafka/topics.ts';
import type { IsolationLevel } from '../sim/kafka/messages.ts';
import { requireGroups } from '../sim/kafka/group/group-behaviours.ts';
import type { KraftConfig } from '../sim/kafka/kraft/config.ts';
import { parseOverrides, type KafkaBehaviours } from '../sim/kafka/protocol.ts';
import { resolveProducerConfig } from '../sim/kafka/clients/producer-config.ts';
import { withSwarmConfig } from './swarm-config.ts';
import { RELEASES, releaseOf, releasesWith, type KafkaRelease } from '../sim/kafka/releases.ts';
import { ConfigError, parseSeed, type FileSystem, type Seed } from '../sim/world/index.ts';
import { QUEUE_WORKLOAD_DEFAULTS, queueWorkloadOptions, type QueueWorkloadOptions } from '../workloads/queue/index.ts';
import { standardCheckers, txnCheckers } from './checkers.ts';
import { UsageError } from './errors.ts';
import {
  applyKnobs,
  checkOptions,
  knobsOf,
  RUN_DEFAULTS,
  type NetworkProfile,
  type RunOptions,
  type TestDraft,
  type WorkloadKind,
} from './options.ts';

/** The faults of a test: a schedule as given, or the kinds (or swarm) a schedule is generated from. */
export type NemesisPlan =
  { schedule: Schedule } | { kinds: FaultKind[] | 'swarm'; intensity: number | undefined; killModes: KillModes };

export interface Test {
  seed: Seed;
  cluster: ClusterConfig;
  /** The --protocol overrides applied over the release's behaviours (for reports). */
  protocolOverrides: string[];
  workload: QueueWorkloadOptions;
  nemesis: NemesisPlan;
  /** Length of the main phase (workload and faults), in simulated seconds; the final phase comes after. */
  timeSeconds: number;
  /** How long to wait for a controller and a leader for every partition before the workload starts. */
  readyTimeoutMs: number;
  checkers: Checker[];
  /** End the run at the first violation a monitor finds, instead of recording it and going on. */
  stopOnViolation: boolean;
  /** Every loss is a finding, as Jepsen judges, even one the configuration allows. */
  strict: boolean;
  /** The network's latency profile (options.ts NETWORK_PROFILES). */
  network: NetworkProfile;
  /** Same-time events in a seeded random order. */
  shuffleSameTime: boolean;
  /** The nodes' file system: journaled (ext4, XFS) or POSIX's promise only. */
  fileSystem: FileSystem;
  /** queue, or txn: Jepsen's transactional workload (workloads/txn), judged by Jepsen's Kafka checker. */
  workloadKind: WorkloadKind;
  /** The txn workload's consumers' isolation.level (the queue workload's is in workload.consumer). */
  isolation: IsolationLevel;
}

/** The test that run options describe: defaults filled in, every value checked (ConfigError, one line). */
export function testOf(options: RunOptions): Test {
  const { seed, ...given } = withSwarmConfig(options);
  const knobs = knobsOf(checkOptions(given, 'options'));
  const draft: TestDraft = {
    brokers: RUN_DEFAULTS.brokers,
    partitions: RUN_DEFAULTS.partitions,
    replicationFactor: RUN_DEFAULTS.replicationFactor,
    kafka: RUN_DEFAULTS.kafka,
    metadata: undefined,
    protocol: RUN_DEFAULTS.protocol,
    broker: {},
    producer: {},
    workload: {},
    timeSeconds: RUN_DEFAULTS.timeSeconds,
    nemesis: RUN_DEFAULTS.nemesis,
    intensity: undefined,
    killModes: RUN_DEFAULTS.killModes,
    schedule: undefined,
    readyTimeoutMs: RUN_DEFAULTS.readyTimeoutMs,
    stopOnViolation: false,
    strict: false,
    network: RUN_DEFAULTS.network,
    shuffleSameTime: false,
    fileSystem: RUN_DEFAULTS.fileSystem,
    workloadKind: RUN_DEFAULTS.workloadKind,
    isolation: RUN_DEFAULTS.isolation,
  };
  applyKnobs(knobs, draft);
  if (draft.schedule !== undefined) checkScheduleWithin(draft.schedule, draft.timeSeconds);
  const release = releaseOf(draft.kafka);
  const metadata = draft.metadata ?? release.metadataModes[0];
  if (!release.metadataModes.includes(metadata)) {
    const mode = metadata === 'zk' ? 'ZooKeeper' : 'KRaft';
    throw new UsageError(
      `Kafka ${release.version} has no ${mode} mode (it runs on ${releasesWith(metadata).join(', ')})`,
    );
  }
  const { names, changes } = parseOverrides(draft.protocol);
  const protocol = { ...release.behaviours, ...changes };
  const txn = draft.workloadKind === 'txn';
  if (txn) requireTxnWorkload(release, draft);
  // The release's defaults under the run's settings and the user's, as the release's KafkaProducer takes them.
  // A transactional producer is idempotent with acks=all whatever the release's defaults (KafkaProducer's
  // configureTransactionState and ProducerConfig.postProcessAndValidateIdempotenceConfigs, 0.11.0 on).
  const producer = producerSettings(
    release,
    protocol,
    txn ? { ...draft.producer, acks: 'all', 'enable.idempotence': true } : draft.producer,
  );
  const cluster = clusterConfig({
    brokers: draft.brokers,
    partitions: draft.partitions,
    replicationFactor: draft.replicationFactor,
    kafka: release.version,
    protocol,
    metadata,
    broker: { ...release.broker, ...draft.broker },
    internalTopics: txn ? txnTopics(draft) : groupTopics(draft),
  });
  const consumer =
    draft.isolation === undefined || txn
      ? draft.workload.consumer
      : { ...draft.workload.consumer, 'isolation.level': draft.isolation };
  const workload = queueWorkloadOptions({
    ...draft.workload,
    ...(consumer === undefined ? {} : { consumer }),
    partitions: draft.partitions,
    producer,
  });
  // Fetch v4's isolation level came with transactions (KIP-98, 0.11.0): an older consumer has none to set.
  if (workload.consumer['isolation.level'] === 'read_committed' && !release.idempotentProducer)
    throw new UsageError(`Kafka ${release.version}'s consumer has no isolation.level (${withTransactions()})`);
  const isolation = draft.isolation ?? draft.workload.consumer?.['isolation.level'] ?? 'read_committed';
  return {
    seed: parseSeed(seed),
    cluster,
    protocolOverrides: names,
    workload,
    nemesis:
      draft.schedule !== undefined
        ? { schedule: draft.schedule }
        : { kinds: draft.nemesis, intensity: draft.intensity, killModes: draft.killModes },
    timeSeconds: draft.timeSeconds,
    readyTimeoutMs: draft.readyTimeoutMs,
    checkers: txn
      ? txnCheckers(cluster.metadata, isolation, draft.strict, draft.workload.consumerMode ?? 'assign')
      : standardCheckers(cluster.metadata, livenessBoundOf(workload)),
    stopOnViolation: draft.stopOnViolation,
    strict: draft.strict,
    network: draft.network,
    shuffleSameTime: draft.shuffleSameTime,
    fileSystem: draft.fileSystem,
    workloadKind: draft.workloadKind,
    isolation,
  };
}

/** The releases that have transactions and read_committed (KIP-98), said for a usage error. */
function withTransactions(): string {
  const releases = RELEASES.filter((r) => r.idempotentProducer).map((r) => r.version);
  return `KIP-98, 0.11.0: releases with transactions are ${releases.join(', ')}`;
}

/**
 * What the txn workload needs: a release with transactions; a producer Kafka lets be transactional (a
 * transactional.id without idempotence, or idempotence with acks other than all, is a ConfigException:
 * ProducerConfig.postProcessAndValidateIdempotenceConfigs, 3.9.0).
 */
function requireTxnWorkload(release: KafkaRelease, draft: TestDraft): void {
  if (!release.idempotentProducer)
    throw new UsageError(`--workload txn: Kafka ${release.version} has no transactions (${withTransactions()})`);
  const acks = draft.producer.acks;
  if (acks !== undefined && acks !== 'all')
    throw new UsageError(`--workload txn: a transactional producer needs acks=all, got acks=${String(acks)}`);
  if (draft.producer['enable.idempotence'] === false)
    throw new UsageError('--workload txn: a transactional producer needs enable.idempotence=true');
}

/** A txn run's internal topics: __transaction_state, and __consumer_offsets too when its consumers subscribe. */
function txnTopics(draft: TestDraft): Partial<InternalTopicsConfig> {
  const group = groupTopics(draft);
  const txn = transactionTopics(draft);
  if (group === undefined) return txn;
  return { ...txn, ...group, enabled: [...(txn.enabled ?? []), ...(group.enabled ?? [])] };
}

/**
 * The transaction coordinator's log: __transaction_state with few partitions (Kafka's 50 would add 150 idle
 * replicas to every run), Kafka's replication factor 3 and min ISR 2 where there are brokers for them.
 */
function transactionTopics(draft: TestDraft): Partial<InternalTopicsConfig> {
  const rf = Math.min(3, draft.brokers);
  return {
    enabled: [TRANSACTION_STATE_TOPIC],
    'transaction.state.log.num.partitions': TRANSACTION_STATE_PARTITIONS,
    'transaction.state.log.replication.factor': rf,
    'transaction.state.log.min.isr': Math.min(2, rf),
  };
}

/** __transaction_state's partitions in txn runs. */
export const TRANSACTION_STATE_PARTITIONS = 3;

/**
 * Subscribing consumers need the group coordinator's log: __consumer_offsets, with few partitions (Kafka's 50
 * would add 150 replicas of idle partitions to every run) and Kafka's replication factor 3 where there are brokers
 * for it. Assign mode creates no internal topic, as before.
 */
function groupTopics(draft: TestDraft): Partial<InternalTopicsConfig> | undefined {
  if (draft.workload.consumerMode !== 'subscribe') return undefined;
  requireGroups(draft.kafka);
  return {
    enabled: [CONSUMER_OFFSETS_TOPIC],
    'offsets.topic.num.partitions': GROUP_OFFSETS_PARTITIONS,
    'offsets.topic.replication.factor': Math.min(3, draft.brokers),
  };
}

/** __consumer_offsets' partitions in subscribe mode. */
export const GROUP_OFFSETS_PARTITIONS = 3;

/**
 * How long after the heal every partition has to take an acks=all write: the final phase's whole wait for
 * recovery (its settle period and recovery limit), during which the probes go on. Null for a workload without
 * producers, which sends no probes. (min.insync.replicas above the replication factor, which would refuse every
 * acks=all send, is refused before a run.)
 */
function livenessBoundOf(workload: QueueWorkloadOptions): number | null {
  if (workload.producers === 0 || !workload.livenessProbe) return null;
  return workload.finalSettleMs + workload.finalRecoveryLimitMs;
}

/** resolveProducerConfig on the workload's producer defaults; what Kafka would refuse is a usage error. */
function producerSettings(
  release: KafkaRelease,
  behaviours: KafkaBehaviours,
  given: Partial<ProducerConfig>,
): ProducerConfig {
  try {
    return resolveProducerConfig(QUEUE_WORKLOAD_DEFAULTS.producer, { ...release, behaviours }, given);
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(e.message);
    throw e;
  }
}

/**
 * A scheduled fault must fall inside the main phase: one timed after it would strike during the final
 * reads, once every fault is healed (or never, if the run is over), which no schedule means to do.
 * Generated schedules and shrunk ones always end by then.
 */
function checkScheduleWithin(schedule: Schedule, timeSeconds: number): void {
  const endMs = timeSeconds * 1000;
  const i = schedule.ops.findIndex((op) => op.at > endMs);
  if (i >= 0) {
    throw new UsageError(
      `schedule.ops[${i}] at ${schedule.ops[i].at} ms is past the end of the run (${timeSeconds} s: ${endMs} ms)`,
    );
  }
}

/** The configuration as plain JSON data, under Kafka's key names (result.json, reports). */
export interface RunConfig {
  seed: Seed;
  timeSeconds: number;
  brokers: number;
  partitions: number;
  'replication.factor': number;
  /** The Kafka release simulated. */
  kafka: string;
  metadata: 'zk' | 'kraft';
  /** The release's replication behaviours with the --protocol overrides applied, and the overrides. */
  protocol: { overrides: string[]; behaviours: KafkaBehaviours };
  broker: PlainConfig<BrokerConfig>;
  producer: ProducerConfig;
  consumer: ConsumerConfig;
  workload: Omit<QueueWorkloadOptions, 'producer' | 'consumer' | 'partitions' | 'consumerMode'> & {
    consumerMode?: QueueWorkloadOptions['consumerMode'];
  };
  nemesis: { kinds: FaultKind[] | 'swarm' | 'schedule'; intensity: number | null; killModes: KillModes | null };
  checkers: string[];
  stopOnViolation: boolean;
  /** --strict: every loss a finding. */
  strict: boolean;
  network: NetworkProfile;
  shuffleSameTime: boolean;
  fileSystem: FileSystem;
  /** Present in KRaft mode only: the metadata mode and the quorum's settings, by Kafka's keys. */
  kraft?: { metadata: 'kraft' } & KraftConfig;
  /** Present for the txn workload only (a queue run's configuration reads as before): its consumers' isolation. */
  txn?: { workload: 'txn'; 'isolation.level': IsolationLevel };
}

/** Infinity (flush.messages: never) is not JSON; it is written as the string "Infinity". */
type PlainConfig<T> = { [K in keyof T]: T[K] extends number ? number | 'Infinity' : T[K] };

/** The test's configuration; `intensity` is the one the nemesis used (swarm draws its own). */
export function configOf(test: Test, intensity: number | undefined): RunConfig {
  const { producer, consumer, partitions: _partitions, consumerMode, ...rest } = test.workload;
  // Assign mode is left out, so that every configuration written before subscribe mode reads the same.
  const workload = consumerMode === 'assign' ? rest : { ...rest, consumerMode };
  const broker = {} as Record<string, unknown>;
  for (const [key, value] of Object.entries(test.cluster.broker))
    broker[key] = typeof value === 'number' && !Number.isFinite(value) ? 'Infinity' : value;
  const kinds =
    'schedule' in test.nemesis
      ? 'schedule'
      : Array.isArray(test.nemesis.kinds)
        ? [...test.nemesis.kinds]
        : test.nemesis.kinds;
  return {
    seed: test.seed,
    timeSeconds: test.timeSeconds,
    brokers: test.cluster.brokers,
    partitions: test.cluster.partitions,
    'replication.factor': test.cluster.replicationFactor,
    kafka: test.cluster.kafka,
    metadata: test.cluster.metadata,
    protocol: { overrides: test.protocolOverrides, behaviours: { ...test.cluster.protocol } },
    broker: broker as PlainConfig<BrokerConfig>,
    producer: { ...producer },
    consumer: { ...consumer },
    workload,
    nemesis: {
      kinds,
      intensity: intensity ?? null,
      killModes: 'schedule' in test.nemesis ? null : test.nemesis.killModes,
    },
    checkers: test.checkers.map((c) => c.name),
    stopOnViolation: test.stopOnViolation,
    strict: test.strict,
    network: test.network,
    shuffleSameTime: test.shuffleSameTime,
    fileSystem: test.fileSystem,
    ...(test.cluster.metadata === 'kraft' ? { kraft: { metadata: 'kraft' as const, ...test.cluster.kraft } } : {}),
    ...(test.workloadKind === 'txn' ? { txn: { workload: 'txn' as const, 'isolation.level': test.isolation } } : {}),
  };
}
