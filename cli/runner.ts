// One test run, start to finish: a Kafka cluster on a simulated world, the queue workload, the nemesis
// schedule, the final phase; returns the history and everything the checkers and reports need.
// Deterministic: the seed decides everything, and no wall clock is read here (callers time the run).
import type { DurabilityFacts, FinalLog } from '../checkers/durability/index.ts';
import { applySchedule, faultState, healAll, isQuiet, type NemesisRecord, type Schedule } from '../nemesis/index.ts';
import { KafkaCluster } from '../sim/kafka/cluster.ts';
import type { BrokerCrash, ReplicationEvent } from '../sim/events/index.ts';
import { canonicalJson, Hasher, type Seed } from '../sim/world/index.ts';
import { isClientProcess, NEMESIS_PROCESS, type History } from '../workloads/history/format.ts';
import { feedJsonlLine } from '../workloads/history/jsonl.ts';
import { HistoryRecorder } from '../workloads/history-recorder.ts';
import { QueueWorkload, type QueueWorkloadStats } from '../workloads/queue/index.ts';
import { resolveRun, runConfig, type RunConfig, type RunKnobs } from './runner-config.ts';
import { CrashWatch, durabilityFacts, replicaAssignment } from './runner-facts.ts';
import { chooseSchedule } from './runner-nemesis.ts';

export { RUN_DEFAULTS, type RunConfig, type RunKnobs } from './runner-config.ts';

export type RunOptions = { seed: Seed } & Partial<RunKnobs> & {
  /** Called once faults are healed and the final-reads marker recorded (tests inspect the cluster here). */
  onFinalPhase?: (cluster: KafkaCluster) => void;
  /** Called once the cluster is built, before it starts (tests attach extra observers here). */
  onCluster?: (cluster: KafkaCluster) => void;
};

export interface RunStats {
  /** Ops invoked by client processes (sends, polls, assigns, seeks, crashes). */
  ops: number;
  /** Sends acknowledged. */
  acked: number;
  /** Events the world ran. */
  events: number;
  simSeconds: number;
  /** World time (ms) at which the cluster had a controller and every partition a leader, or -1 if never. */
  readyMs: number;
  /** Whether nothing was faulty any more once the final phase had healed everything. */
  healed: boolean;
  /**
   * Simulated ms from healing every fault to every partition having a leader with all replicas in its ISR
   * (as checked every 500 ms after the settle period), or -1 if that never happened before the final reads.
   */
  recoveryMs: number;
  workload: QueueWorkloadStats;
}

export interface RunOutput {
  history: History;
  schedule: Schedule;
  swarmDescription?: string;
  replicationEvents: ReplicationEvent[];
  durabilityFacts: DurabilityFacts;
  /** Broker crashes as the world saw them (a crashed broker cannot report its own death as an event). */
  brokerCrashes: BrokerCrash[];
  stats: RunStats;
  /** Over the history's JSON lines and the schedule: replaying the seed must reproduce it. */
  historyHash: string;
  config: RunConfig;
}

/** Time after the final reads' deadline before the run stops regardless. */
const FINAL_SLACK_MS = 1000;

export function runTest(options: RunOptions): RunOutput {
  const { seed, onFinalPhase, onCluster, ...overrides } = options;
  const run = resolveRun(seed, overrides);
  const cluster = new KafkaCluster({ seed: run.seed, config: run.cluster });
  const world = cluster.world;
  const replicationEvents = cluster.record();
  onCluster?.(cluster);
  const crashWatch = new CrashWatch(cluster);
  const recorder = new HistoryRecorder(() => world.now);
  const recordNemesis: NemesisRecord = (op) => recorder.record({ process: NEMESIS_PROCESS, type: 'info', f: op.f, value: op.value }, op.time);

  const timeMs = run.knobs.timeSeconds * 1000;
  const chosen = chooseSchedule(world.stream('nemesis'), {
    schedule: run.knobs.schedule,
    nemesis: run.knobs.nemesis,
    intensity: run.knobs.intensity,
    timeMs,
    brokers: run.cluster.brokers,
    partitions: run.cluster.partitions,
    replicationFactor: run.cluster.replicationFactor,
  });
  const workload = new QueueWorkload(cluster, recorder, run.workload);

  cluster.start();
  const readyMs = waitUntilReady(cluster, run.knobs.readyTimeoutMs);
  // The main phase lasts timeMs from the moment the cluster is ready; schedule times are absolute world
  // ms and generated ones end by timeMs, so every scheduled fault falls inside the main phase.
  const mainEnd = world.now + timeMs;
  workload.start();
  applySchedule(cluster, chosen.schedule, recordNemesis);
  world.runUntil(mainEnd);

  const healedAt = world.now;
  let recoveredAt = -1;
  workload.beginFinalPhase(
    () => healAll(cluster, recordNemesis),
    () => {
      if (recoveredAt < 0 && fullyReplicated(cluster)) recoveredAt = world.now;
      return recoveredAt >= 0;
    },
  );
  const healed = isQuiet(faultState(cluster));
  onFinalPhase?.(cluster);
  world.runUntil((w) => workload.finished || w.now >= workload.finalReadsDeadline + FINAL_SLACK_MS);

  const history = recorder.history;
  const workloadStats = workload.stats();
  const output: RunOutput = {
    history,
    schedule: chosen.schedule,
    replicationEvents,
    durabilityFacts: { ...durabilityFacts(replicationEvents, crashWatch.crashes, replicaAssignment(cluster), crashWatch.losses), finalLogs: finalLogs(cluster) },
    brokerCrashes: crashWatch.crashes,
    stats: {
      ops: history.filter((op) => op.type === 'invoke' && isClientProcess(op.process)).length,
      acked: workloadStats.acked,
      events: world.events,
      simSeconds: world.now / 1000,
      readyMs,
      healed,
      recoveryMs: recoveredAt < 0 ? -1 : recoveredAt - healedAt,
      workload: workloadStats,
    },
    historyHash: historyHashOf(history, chosen.schedule),
    config: runConfig(run, chosen.kinds, chosen.intensity),
  };
  if (chosen.swarmDescription !== undefined) output.swarmDescription = chosen.swarmDescription;
  return output;
}

/** Runs until there is an active controller and every partition has a leader; -1 if `timeoutMs` passes first. */
function waitUntilReady(cluster: KafkaCluster, timeoutMs: number): number {
  const partitions = Array.from({ length: cluster.config.partitions }, (_, p) => p);
  const ready = (): boolean => cluster.activeControllerNode() !== null && partitions.every((p) => cluster.leaderOf(p) >= 0);
  const deadline = cluster.world.now + timeoutMs;
  cluster.world.runUntil((w) => ready() || w.now >= deadline);
  return ready() ? cluster.world.now : -1;
}

/**
 * Every partition has a leader whose ISR holds every replica and whose high watermark has reached its log
 * end: no offline or under-replicated partition, and nothing the leader holds is still uncommitted.
 */
function fullyReplicated(cluster: KafkaCluster): boolean {
  for (let p = 0; p < cluster.config.partitions; p++) {
    const leader = cluster.leaderOf(p);
    if (leader < 0) return false;
    const state = cluster.broker(leader)?.partitions.get(p);
    if (state === undefined || state.role !== 'leader' || state.isr.length < cluster.config.replicationFactor) return false;
    // Everything the leader holds is committed, so the final reads can reach all of it.
    if (state.highWatermark < state.logEndOffset) return false;
  }
  return true;
}

/**
 * The logs the final reads could have reached: each partition's leader's, or with no leader every
 * replica's. The durability checker tells an unreadable acknowledged record from a lost one with them.
 */
function finalLogs(cluster: KafkaCluster): FinalLog[] {
  const logs: FinalLog[] = [];
  for (let p = 0; p < cluster.config.partitions; p++) {
    const leader = cluster.leaderOf(p);
    for (const id of leader >= 0 ? [leader] : cluster.brokerIds) {
      const state = cluster.broker(id)?.partitions.get(p);
      if (state === undefined) continue;
      const values: number[] = [];
      for (const batch of state.log.all()) for (const v of batch.values) values.push(v);
      logs.push({ broker: id, key: p, highWatermark: state.highWatermark, startOffset: state.log.logStartOffset, values });
    }
  }
  return logs;
}

/** The hash of the history as history.jsonl holds it, then of the schedule; fed line by line, not built whole. */
function historyHashOf(history: History, schedule: unknown): string {
  const h = new Hasher();
  for (const op of history) feedJsonlLine(op, h);
  return h.endPart().update(canonicalJson(schedule)).digest();
}
