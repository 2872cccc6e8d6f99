// KRaft settings, by Kafka's own keys, and the names of the controller nodes. A KRaft cluster runs a
// quorum of dedicated controllers (process.roles=controller) beside the brokers; Kafka lists them in
// controller.quorum.voters as id@host:port, here simply how many there are: node ids 3001.. on the
// simulated nodes ctl1.. (ids apart from the brokers', as Kafka requires node.id to be unique).
import { ConfigError } from '../../world/errors.ts';

export interface KraftConfig {
  /** Number of controller voters (Kafka: the size of controller.quorum.voters); 3 or 5 in practice. */
  'controller.quorum.voters': number;
  /** Base election timeout; every wait is randomised in [timeout, 2 * timeout). */
  'controller.quorum.election.timeout.ms': number;
  /** A follower that has not fetched from the leader for this long starts an election (with Pre-Vote). */
  'controller.quorum.fetch.timeout.ms': number;
  /** Longest random wait before a failed candidate tries again. */
  'controller.quorum.election.backoff.max.ms': number;
  'broker.heartbeat.interval.ms': number;
  /** An active controller fences a broker it has not heard from for this long. */
  'broker.session.timeout.ms': number;
  /** A controller snapshots its committed metadata once this many bytes of records arrived since its last snapshot. */
  'metadata.log.max.record.bytes.between.snapshots': number;
  /** ... or once this long has passed since its last snapshot and new records arrived. */
  'metadata.log.max.snapshot.interval.ms': number;
  /** Past this size the log before the latest snapshot is deleted: fetchers behind it get the snapshot (KIP-630). */
  'metadata.max.retention.bytes': number;
  /**
   * KIP-835 (3.3): the active controller appends a NoOpRecord this often; 0 writes none (KafkaConfig
   * .metadataMaxIdleIntervalNs; KRaftConfigs in 3.9). Only releases with KIP-835 (the `kip835` behaviour) write them.
   */
  'metadata.max.idle.interval.ms': number;
}

export const KRAFT_DEFAULTS: KraftConfig = {
  'controller.quorum.voters': 3,
  'controller.quorum.election.timeout.ms': 1000,
  'controller.quorum.fetch.timeout.ms': 2000,
  'controller.quorum.election.backoff.max.ms': 1000,
  'broker.heartbeat.interval.ms': 2000,
  'broker.session.timeout.ms': 9000,
  // Kafka's defaults are 20 MiB, 1 hour and 100 MiB, which a simulated minute never reaches; scaled down
  // so that every run takes snapshots, deletes old log and sends some fetcher a snapshot.
  'metadata.log.max.record.bytes.between.snapshots': 2048,
  'metadata.log.max.snapshot.interval.ms': 60_000,
  'metadata.max.retention.bytes': 4096,
  // Kafka's own default (KafkaConfig.Defaults.MetadataMaxIdleIntervalMs in 3.3, KRaftConfigs in 3.9).
  'metadata.max.idle.interval.ms': 500,
};

export type MetadataMode = 'zk' | 'kraft';

/** Kafka node ids of the controllers: 3001, 3002, ... */
export const CONTROLLER_ID_BASE = 3000;

export const controllerNode = (voterId: number): string => `ctl${voterId - CONTROLLER_ID_BASE}`;
export const CONTROLLER_NODE = /^ctl([1-9][0-9]*)$/;

export function voterIds(count: number): number[] {
  return Array.from({ length: count }, (_, i) => CONTROLLER_ID_BASE + 1 + i);
}

export function validateKraft(k: KraftConfig): void {
  const voters = k['controller.quorum.voters'];
  if (!Number.isInteger(voters) || voters < 1 || voters > 9)
    throw new ConfigError(`controller.quorum.voters must be 1 to 9 controllers, got ${voters}`);
  for (const key of [
    'controller.quorum.election.timeout.ms',
    'controller.quorum.fetch.timeout.ms',
    'broker.heartbeat.interval.ms',
    'broker.session.timeout.ms',
    'metadata.log.max.record.bytes.between.snapshots',
    'metadata.log.max.snapshot.interval.ms',
  ] as const) {
    const v = k[key];
    if (!Number.isFinite(v) || v <= 0)
      throw new ConfigError(`${key} must be a positive number${key.endsWith('.ms') ? ' of ms' : ''}, got ${v}`);
  }
  if (!(k['controller.quorum.election.backoff.max.ms'] >= 0))
    throw new ConfigError('controller.quorum.election.backoff.max.ms must not be negative');
  if (!(k['metadata.max.retention.bytes'] >= 0))
    throw new ConfigError('metadata.max.retention.bytes must not be negative');
  const idle = k['metadata.max.idle.interval.ms'];
  if (!Number.isFinite(idle) || idle < 0)
    throw new ConfigError(
      `metadata.max.idle.interval.ms must be 0 (no no-op records) or a positive number of ms, got ${idle}`,
    );
  if (k['broker.session.timeout.ms'] <= k['broker.heartbeat.interval.ms']) {
    throw new ConfigError(
      `broker.session.timeout.ms (${k['broker.session.timeout.ms']}) must exceed broker.heartbeat.interval.ms ` +
        `(${k['broker.heartbeat.interval.ms']})`,
    );
  }
}
