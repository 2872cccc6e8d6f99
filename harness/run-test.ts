// One test, start to finish: a Kafka cluster on a simulated world, the queue workload, the nemesis, the
// monitors online, the final phase (heal everything, wait for recovery, read every partition from the
// start); then every checker judges the history and the facts. Deterministic: the seed decides everything
// in the world; wall time is read here only to report it, outside the world and never fed back into it.
import { NETWORK_PROFILES } from './options.ts';
import type { RunFacts } from '../checkers/checker.ts';
import { createdPartitionProblem } from '../checkers/invariants/created-topics.ts';
import { applySchedule, faultState, healAll, isQuiet, type NemesisRecord, type Schedule } from '../nemesis/index.ts';
import { keptForKraftView } from '../reports/kraft-view.ts';
import type { BrokerCrash, GroupStableEvent, RaftEvent, ReplicationEvent } from '../sim/events/index.ts';
import { isDataPartition } from '../sim/events/topics.ts';
import { KafkaCluster } from '../sim/kafka/cluster.ts';
import { probeCountsSince, probeMark } from '../sim/kafka/probes.ts';
import { canonicalJson, Hasher } from '../sim/world/index.ts';
import { isClientProcess, NEMESIS_PROCESS, type History } from '../workloads/history/format.ts';
import { feedJsonlLine } from '../workloads/history/jsonl.ts';
import { HistoryRecorder } from '../workloads/history-recorder.ts';
import { QueueWorkload, type QueueWorkloadStats } from '../workloads/queue/index.ts';
import { TxnPhases } from '../workloads/txn/phases.ts';
import { TxnWatch } from './txn-facts.ts';
import {
  CrashWatch,
  durabilityFacts,
  finalLogs,
  lossPolicyOf,
  replicaAssignment,
  replicasAtRest,
  votersAtRest,
  createdTopicsAtRest,
  watchControllerCrashes,
} from './facts.ts';
import { judge, type RunResult } from './judge.ts';
import { OnlineMonitors, StopRun, type StoppedAt } from './monitors.ts';
import { chooseSchedule } from './nemesis.ts';
import { configOf, type RunConfig, type Test } from './test.ts';

/** Ways for tests and tools to look at the cluster as the run goes (they must not change the world). */
export interface RunHooks {
  /** Called once the cluster is built, before it starts (tests attach extra observers here). */
  onCluster?: (cluster: KafkaCluster) => void;
  /** Called once faults are healed and the final-reads marker recorded. */
  onFinalPhase?: (cluster: KafkaCluster) => void;
  /** Called when the run is over, before judging (the cluster as the run left it). */
  onEnd?: (cluster: KafkaCluster) => void;
}

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

/** Everything a run leaves: the history, what the cluster reported, the facts, and the judged result. */
export interface TestRun {
  test: Test;
  history: History;
  schedule: Schedule;
  swarmDescription?: string;
  /** The cluster's replication events, in the order it emitted them (reports draw them). */
  replicationEvents: ReplicationEvent[];
  /** Broker crashes as the world saw them (a crashed broker cannot report its own death as an event). */
  brokerCrashes: BrokerCrash[];
  /** KRaft mode: the Raft events the report's quorum view draws, and the voters' crashes (empty in ZooKeeper mode). */
  raftEvents: RaftEvent[];
  controllerCrashes: { voter: number; time: number }[];
  /** Subscribe mode: each group generation that reached Stable, as its coordinator reported it (reports). */
  groupEvents: GroupStableEvent[];
  facts: RunFacts;
  stats: RunStats;
  /** Over the history's JSON lines and the schedule: replaying the seed must reproduce it. */
  historyHash: string;
  config: RunConfig;
  /** Set when --stop-on-violation ended the run early. */
  stoppedAt?: StoppedAt;
  result: RunResult;
  /** Coverage probes (sim/kafka/probes.ts): hits in this run, one number per declared probe, in order. */
  probes: number[];
}

/** Time after the final reads' deadline before the run stops regardless. */
const FINAL_SLACK_MS = 1000;

export function runTest(test: Test, hooks: RunHooks = {}): TestRun {
  const started = performance.now();
  const probesFrom = probeMark();
  const cluster = new KafkaCluster({
    seed: test.seed,
    config: test.cluster,
    latency: NETWORK_PROFILES[test.network],
    shuffleSameTime: test.shuffleSameTime,
    fileSystem: test.fileSystem,
  });
  const world = cluster.world;
  // The data topic's events only: internal topics' records are no workload's values (the invariants, which watch
  // every partition, observe the cluster themselves).
  const replicationEvents: ReplicationEvent[] = [];
  const groupEvents: GroupStableEvent[] = [];
  cluster.observe((e) => {
    if (e.kind === 'group-stable') groupEvents.push(e);
    else if (!('partition' in e) || isDataPartition(e.partition)) replicationEvents.push(e);
  });
  const raftEvents: RaftEvent[] = [];
  if (cluster.voterIds.length > 0) cluster.observeRaft((e) => keptForKraftView(e) && raftEvents.push(e));
  const controllerCrashes = watchControllerCrashes(cluster);
  const monitors = new OnlineMonitors(cluster, test.checkers);
  hooks.onCluster?.(cluster);
  const crashWatch = new CrashWatch(cluster);
  const txnWatch = test.workloadKind === 'txn' ? new TxnWatch(cluster) : null;
  const recorder = new HistoryRecorder(() => world.now);
  const recordNemesis: NemesisRecord = (op) =>
    recorder.record({ process: NEMESIS_PROCESS, type: 'info', f: op.f, value: op.value }, op.time);

  const timeMs = test.timeSeconds * 1000;
  const chosen = chooseSchedule(world.stream('nemesis'), {
    plan: test.nemesis,
    timeMs,
    brokers: test.cluster.brokers,
    partitions: test.cluster.partitions,
    replicationFactor: test.cluster.replicationFactor,
    metadata: test.cluster.metadata,
  });
  const workload = workloadOf(test, cluster, recorder);
  if (test.stopOnViolation) monitors.stopAtFirstFinding();

  let readyMs = -1;
  let healed = false;
  let healedAt = -1;
  let recoveredAt = -1;
  let stoppedAt: StoppedAt | undefined;
  try {
    cluster.start();
    readyMs = waitUntilReady(cluster, test.readyTimeoutMs);
    // The main phase lasts timeMs from the moment the cluster is ready; schedule times are absolute world
    // ms and generated ones end by timeMs, so every scheduled fault falls inside the main phase.
    const mainEnd = world.now + timeMs;
    workload.start();
    applySchedule(cluster, chosen.schedule, recordNemesis);
    world.runUntil(mainEnd);

    healedAt = world.now;
    workload.beginFinalPhase(
      () => healAll(cluster, recordNemesis),
      () => {
        if (recoveredAt < 0 && fullyReplicated(cluster)) recoveredAt = world.now;
        // Transactions: read once no data partition holds an open transaction, so that the final reads reach
        // every committed one (a commit is answered before its markers are written).
        return recoveredAt >= 0 && (test.workloadKind !== 'txn' || stable(cluster));
      },
    );
    healed = isQuiet(faultState(cluster));
    hooks.onFinalPhase?.(cluster);
    world.runUntil((w) => workload.finished || w.now >= workload.finalReadsDeadline + FINAL_SLACK_MS);
  } catch (e) {
    if (!(e instanceof StopRun)) throw e;
    stoppedAt = e.at;
  }
  hooks.onEnd?.(cluster);
  const probes = probeCountsSince(probesFrom);

  const history = recorder.history;
  const workloadStats = workload.stats();
  const policy = lossPolicyOf(test.cluster, test.workload.producer, test.strict);
  const facts: RunFacts = {
    history,
    durability: {
      ...durabilityFacts(
        replicationEvents,
        crashWatch.crashes,
        replicaAssignment(cluster, replicationEvents),
        crashWatch.losses,
      ),
      finalLogs: finalLogs(cluster),
      loss: crashWatch.lossFacts(policy),
      ...(txnWatch === null ? {} : { txn: txnWatch.facts(policy) }),
    },
    replicasAtRest: replicasAtRest(cluster),
    votersAtRest: votersAtRest(cluster),
    createdTopicsAtRest: createdTopicsAtRest(cluster),
    recoveries: crashWatch.recoveries,
    endMs: world.now,
  };
  const stats: RunStats = {
    ops: history.filter((op) => op.type === 'invoke' && isClientProcess(op.process)).length,
    acked: workloadStats.acked,
    events: world.events,
    simSeconds: world.now / 1000,
    readyMs,
    healed,
    recoveryMs: recoveredAt < 0 ? -1 : recoveredAt - healedAt,
    workload: workloadStats,
  };
  const historyHash = historyHashOf(history, chosen.schedule);
  const config = configOf(test, chosen.intensity);
  const collected = {
    history,
    replicationEvents,
    brokerCrashes: crashWatch.crashes,
    stats,
    historyHash,
    config,
    swarmDescription: chosen.swarmDescription,
  };
  const result = judge(test, collected, facts, monitors.results(), stoppedAt, performance.now() - started);
  const run: TestRun = {
    test,
    history,
    schedule: chosen.schedule,
    replicationEvents,
    brokerCrashes: crashWatch.crashes,
    raftEvents,
    controllerCrashes,
    groupEvents,
    facts,
    stats,
    historyHash,
    config,
    result,
    probes,
  };
  if (chosen.swarmDescription !== undefined) run.swarmDescription = chosen.swarmDescription;
  if (stoppedAt !== undefined) run.stoppedAt = stoppedAt;
  return run;
}

/** What a run's workload does for it: the queue workload, or the txn workload's phases (same shape). */
type RunWorkload = Pick<QueueWorkload, 'start' | 'beginFinalPhase' | 'finished' | 'finalReadsDeadline' | 'stats'>;

function workloadOf(test: Test, cluster: KafkaCluster, recorder: HistoryRecorder): RunWorkload {
  if (test.workloadKind === 'queue') return new QueueWorkload(cluster, recorder, test.workload);
  // Jepsen's clients: one per producer the queue workload would have; keys are the data partitions. A crashed
  // producer's open transaction blocks read_committed consumers until the coordinator aborts it, so the timeout
  // is short enough for the final phase to outwait it (bench/txn.ts measured it under crashes).
  return new TxnPhases(cluster, recorder, cluster.world.stream('txn-workload'), {
    clients: test.workload.producers,
    keys: test.cluster.partitions,
    isolation: test.isolation,
    transactionTimeoutMs: TXN_TIMEOUT_MS,
    consumerMode: test.workload.consumerMode,
    crashProbability: test.workload.crashProbability,
  });
}

/** transaction.timeout.ms of the txn workload's producers. */
const TXN_TIMEOUT_MS = 10_000;

/** Every data partition's leader has its last stable offset at its high watermark: no transaction is open. */
function stable(cluster: KafkaCluster): boolean {
  for (let p = 0; p < cluster.config.partitions; p++) {
    const state = cluster.broker(cluster.leaderOf(p))?.partitions.get(p);
    if (state === undefined || state.lastStableOffset < state.highWatermark) return false;
  }
  return true;
}

/** Runs until there is an active controller and every partition has a leader; -1 if `timeoutMs` passes first. */
function waitUntilReady(cluster: KafkaCluster, timeoutMs: number): number {
  const partitions = Array.from({ length: cluster.config.partitions }, (_, p) => p);
  const ready = (): boolean =>
    cluster.activeControllerNode() !== null && partitions.every((p) => cluster.leaderOf(p) >= 0);
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
    if (state === undefined || state.role !== 'leader' || state.isr.length < cluster.config.replicationFactor)
      return false;
    // Everything the leader holds is committed, so the final reads can reach all of it.
    if (state.highWatermark < state.logEndOffset) return false;
  }
  // Topics created during the run are whole too (a request the controller lost is sent again after
  // controller.socket.timeout.ms), so that created-topic-offline-at-rest judges a settled cluster.
  return createdTopicsAtRest(cluster).every((p) => createdPartitionProblem(p) === null);
}

/** The hash of the history as history.jsonl holds it, then of the schedule; fed line by line, not built whole. */
function historyHashOf(history: History, schedule: unknown): string {
  const h = new Hasher();
  for (const op of history) feedJsonlLine(op, h);
  return h.endPart().update(canonicalJson(schedule)).digest();
}
