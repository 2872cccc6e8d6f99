// The checkers a run gets unless a test names its own: Kafka's queue anomalies, durability of acknowledged
// writes, the replica invariants online, the Raft invariants online in KRaft mode, divergence at rest and
// the consumers' reads against the final log.
import type { Checker } from '../checkers/checker.ts';
import { checkDurability } from '../checkers/durability/index.ts';
import { lossExplainer } from '../checkers/durability/causes.ts';
import { checkDiskDurability } from '../checkers/invariants/disk.ts';
import { checkDivergenceAtRest } from '../checkers/invariants/at-rest.ts';
import { checkCreatedTopicsAtRest, CREATED_TOPIC_OFFLINE_AT_REST } from '../checkers/invariants/created-topics.ts';
import { InvariantMonitor } from '../checkers/invariants/index.ts';
import { RaftMonitor } from '../checkers/invariants/raft.ts';
import { checkLiveness } from '../checkers/liveness/index.ts';
import { checkMetadataAtRest } from '../checkers/invariants/raft-at-rest.ts';
import { checkFinalLogReads } from '../checkers/queue/final-log-reads.ts';
import { checkQueue } from '../checkers/queue/index.ts';
import { checkJepsenKafka } from '../checkers/jepsen-kafka/index.ts';
import { attributeTxnLosses } from '../checkers/durability/txn-losses.ts';
import type { MetadataMode } from '../sim/kafka/kraft/config.ts';
import type { ConsumerMode } from '../workloads/queue/options.ts';

export const QUEUE_CHECKER: Checker = {
  name: 'queue',
  kind: 'history',
  check: (f) => checkQueue(f.history, { loss: lossExplainer(f.durability.loss) }),
};

export const DISK_DURABILITY_CHECKER: Checker = {
  name: 'disk-durability',
  kind: 'history',
  check: (f) => checkDiskDurability(f.recoveries),
};

export const DURABILITY_CHECKER: Checker = {
  name: 'durability',
  kind: 'history',
  check: (f) => checkDurability(f.history, f.durability),
};

export const INVARIANTS_CHECKER: Checker = {
  name: 'invariants',
  kind: 'replication-monitor',
  start: (c) =>
    new InvariantMonitor(c.step, {
      minInsyncReplicas: c.minInsyncReplicas,
      replicationFactor: c.replicationFactor,
      effectiveMinIsrOf: c.effectiveMinIsrOf,
    }),
};

export const RAFT_CHECKER: Checker = {
  name: 'raft-invariants',
  kind: 'raft-monitor',
  start: (c) => new RaftMonitor(c.voters, c.step),
};

export const METADATA_AT_REST_CHECKER: Checker = {
  name: 'metadata-divergence-at-rest',
  kind: 'history',
  check: (f) => checkMetadataAtRest(f.votersAtRest),
};

export const DIVERGENCE_AT_REST_CHECKER: Checker = {
  name: 'divergence-at-rest',
  kind: 'history',
  check: (f) => checkDivergenceAtRest(f.replicasAtRest, f.endMs),
};

export const CREATED_TOPICS_AT_REST_CHECKER: Checker = {
  name: CREATED_TOPIC_OFFLINE_AT_REST,
  kind: 'history',
  check: (f) => checkCreatedTopicsAtRest(f.createdTopicsAtRest),
};

export const FINAL_LOG_READS_CHECKER: Checker = {
  name: 'final-log-reads',
  kind: 'history',
  check: (f) =>
    checkFinalLogReads(f.history, { loss: lossExplainer(f.durability.loss), replicasAtRest: f.replicasAtRest }),
};

/** Liveness after the final heal: every partition takes an acks=all write within `boundMs` of it. */
export function livenessChecker(boundMs: number): Checker {
  return { name: 'liveness', kind: 'history', check: (f) => checkLiveness(f.history, { boundMs }) };
}

/**
 * The standard checkers; `livenessBoundMs` adds the liveness checker (null for a workload that sends no probes).
 */
export function standardCheckers(metadata: MetadataMode, livenessBoundMs: number | null = null): Checker[] {
  return [
    QUEUE_CHECKER,
    DURABILITY_CHECKER,
    DISK_DURABILITY_CHECKER,
    INVARIANTS_CHECKER,
    ...(metadata === 'kraft' ? [RAFT_CHECKER, METADATA_AT_REST_CHECKER] : []),
    DIVERGENCE_AT_REST_CHECKER,
    CREATED_TOPICS_AT_REST_CHECKER,
    FINAL_LOG_READS_CHECKER,
    ...(livenessBoundMs === null ? [] : [livenessChecker(livenessBoundMs)]),
  ];
}

/**
 * Jepsen's Kafka checker (checkers/jepsen-kafka) with the anomaly kinds Jepsen allows for a test with ww edges whose
 * consumers assign or subscribe (Jepsen's :sub-via); read_uncommitted also allows the dirty reads Kafka promises it
 * (G1a, precommitted-read), and what a loss the configuration allows leaves behind is allowed
 * (checkers/durability/txn-losses.ts), unless `strict`, which judges as Jepsen does.
 */
export function jepsenKafkaChecker(
  isolation: 'read_committed' | 'read_uncommitted',
  strict: boolean,
  consumerMode: ConsumerMode = 'assign',
): Checker {
  // Jepsen's :sub-via: a subscribing consumer's partitions move at rebalances, so its allowed kinds differ.
  const subVia = consumerMode === 'subscribe' ? { subVia: ['subscribe'] as const } : {};
  const options = strict ? subVia : { isolation, ...subVia };
  return {
    name: 'jepsen-kafka',
    kind: 'history',
    check: (f) => attributeTxnLosses(checkJepsenKafka(f.history, options), f.history, f.durability),
  };
}

/**
 * The txn workload's checkers: Jepsen's Kafka checker on the history (its lost-write and unseen stand for the queue
 * and durability checkers, which read single sends), and every check of the replicas and the disks, as a queue run.
 */
export function txnCheckers(
  metadata: MetadataMode,
  isolation: 'read_committed' | 'read_uncommitted',
  strict: boolean,
  consumerMode: ConsumerMode = 'assign',
): Checker[] {
  return [
    jepsenKafkaChecker(isolation, strict, consumerMode),
    DISK_DURABILITY_CHECKER,
    INVARIANTS_CHECKER,
    ...(metadata === 'kraft' ? [RAFT_CHECKER, METADATA_AT_REST_CHECKER] : []),
    DIVERGENCE_AT_REST_CHECKER,
  ];
}
