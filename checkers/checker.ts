// A checker as a test names it (Jepsen's checker, composed into a test): either a pure function over the
// run's plain data — the history and the facts the harness gathered — or a monitor that reads the
// simulator's events as they happen and is asked for its result at the end. Both give a CheckResult.
// Nothing here imports the simulator: events come from sim/events, facts are plain data.
import type { CreatedPartitionAtRest } from './invariants/created-topics.ts';
import type { RaftEvent, ReplicationEvent } from '../sim/events/index.ts';
import type { History } from '../workloads/history/format.ts';
import type { DurabilityFacts } from './durability/facts.ts';
import type { LogRecovery } from './invariants/disk.ts';
import type { CheckResult } from './result.ts';

/** One running replica's log and high watermark when the run ended. */
import type { VoterAtRest } from './invariants/raft-at-rest.ts';

export interface ReplicaAtRest {
  broker: number;
  partition: number;
  highWatermark: number;
  /** Whether the replica led the partition at the end (leaders are compared first). */
  leader: boolean;
  batches: { baseOffset: number; values: number[]; epoch: number }[];
}

/** What a run leaves for checkers besides its events: the history and facts about the replicas. */
export interface RunFacts {
  history: History;
  durability: DurabilityFacts;
  replicasAtRest: ReplicaAtRest[];
  /** KRaft: each running voter's metadata log as the run left it (empty in ZooKeeper mode). */
  votersAtRest: VoterAtRest[];
  /** Every partition of the topics created during the run (the create-topic fault), as the run left them. */
  createdTopicsAtRest: CreatedPartitionAtRest[];
  /** Every partition log a broker recovered after a crash, with what it had written (disk durability). */
  recoveries: LogRecovery[];
  /** World time (ms) at which the run ended. */
  endMs: number;
}

/** A monitor fed events while the world runs. */
export interface EventMonitor<E> {
  observe(event: E): void;
  /** Violations so far that nothing explains: each is a finding. */
  findings(): number;
  result(): CheckResult;
}

/** What a monitor may ask of the run: the world event in progress (its step) and the quorum's voters. */
export interface MonitorContext {
  /** The number of the world event running now (1 for the first): one meaning of `step` everywhere. */
  step(): number;
  /** KRaft voter ids (empty in ZooKeeper mode). */
  voters: readonly number[];
  /** The configuration under test, as far as the invariants need it. */
  minInsyncReplicas: number;
  replicationFactor: number;
  /** A partition's effective min ISR where topics differ (internal topics); absent, the two above for all. */
  effectiveMinIsrOf?: (partition: number) => number;
}

export type Checker =
  | { name: string; kind: 'history'; check(facts: RunFacts): CheckResult }
  | { name: string; kind: 'replication-monitor'; start(context: MonitorContext): EventMonitor<ReplicationEvent> }
  | { name: string; kind: 'raft-monitor'; start(context: MonitorContext): EventMonitor<RaftEvent> };
