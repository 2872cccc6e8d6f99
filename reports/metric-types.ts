// The shapes of what the metrics compute (partition timelines, health metrics) and of the collectors
// that compute them while the replication events are replayed.
import type { ReplicationEvent } from '../sim/events/index.ts';
import type { Point } from './events.ts';

/** A stretch of time during which one broker (or, with -1, none) led the partition. */
export interface LeaderSpan {
  start: number;
  end: number;
  leader: number;
  leaderEpoch: number;
}

export interface ElectionMark {
  time: number;
  leader: number;
  previousLeader: number;
  leaderEpoch: number;
  unclean: boolean;
  /** KIP-966's last-known-leader recovery (unclean too, drawn and counted apart). */
  lastKnownLeader?: boolean;
  reason: string;
  isr: number[];
}

export interface PartitionTimeline {
  partition: number;
  leaders: LeaderSpan[];
  isrSize: Point[];
  highWatermark: Point[];
  logEndOffsets: { broker: number; points: Point[] }[];
  elections: ElectionMark[];
}

export interface HealthMetrics {
  /** Width of the buckets the per-second rates are counted in. */
  bucketMs: number;
  /** Partitions whose live leader has fewer in-sync replicas than the replication factor. */
  underReplicatedPartitions: Point[];
  /** The controller's count: partitions it has no leader for. */
  offlinePartitionsCount: Point[];
  /** Partitions with no live leader, including while the controller has not yet noticed the leader died. */
  partitionsWithoutLiveLeader: Point[];
  /** ISR shrinks and expansions written by leaders, per second, by bucket start. */
  isrShrinksPerSec: Point[];
  isrExpandsPerSec: Point[];
  /** Largest number of records any running follower is behind its leader. */
  maxLag: Point[];
  /** Brokers that believe they are the active controller (more than one: a zombie controller). */
  activeControllerCount: Point[];
  /** Partition-milliseconds without a live leader, as offlineMs computes it (integrated here in the same pass). */
  offlineMs: number;
}

/** Points kept per drawn series; long runs are thinned keeping each bucket's extremes. */
export const MAX_POINTS = 1500;

/** Something that watches the replay: called after each event is applied to the shared view. */
export interface Collector {
  onEvent(e: ReplicationEvent, changed: number | 'all' | undefined): void;
}
