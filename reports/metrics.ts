// Pure functions from a run's replication events to what a report draws: each partition's leaders, ISR
// size, high watermark and replicas' log end offsets over time with its elections, and Kafka's own
// health metrics as operators know them. Also offlineMs, the availability figure compare reports.
import { ClusterView } from './cluster-view.ts';
import type { ReplicationEvent } from '../sim/events/index.ts';
import { HealthCollector } from './health-collector.ts';
import type { Collector, HealthMetrics, PartitionTimeline } from './metric-types.ts';
import { TimelineCollector } from './timeline-collector.ts';

export type { ElectionMark, HealthMetrics, LeaderSpan, PartitionTimeline } from './metric-types.ts';

/** One pass over the events, feeding every collector (the view is applied once per event). */
function replay(events: readonly ReplicationEvent[], view: ClusterView, collectors: Collector[]): void {
  for (const e of events) {
    const changed = view.apply(e);
    for (const c of collectors) c.onEvent(e, changed);
  }
}

export function partitionTimelines(
  events: readonly ReplicationEvent[],
  partitions: number,
  endMs: number,
): PartitionTimeline[] {
  const view = new ClusterView(partitions);
  const timelines = new TimelineCollector(view, partitions, endMs);
  replay(events, view, [timelines]);
  return timelines.result();
}

export function healthMetrics(
  events: readonly ReplicationEvent[],
  partitions: number,
  replicationFactor: number,
  endMs: number,
): HealthMetrics {
  const view = new ClusterView(partitions);
  const health = new HealthCollector(view, partitions, replicationFactor, endMs);
  replay(events, view, [health]);
  return health.result();
}

/**
 * Both in one pass over the events: health over all `partitions`, timelines for the first `drawn`.
 * What a run report needs, at the cost of one replay instead of two.
 */
export function replicationMetrics(
  events: readonly ReplicationEvent[],
  partitions: number,
  drawn: number,
  replicationFactor: number,
  endMs: number,
): { timelines: PartitionTimeline[]; health: HealthMetrics } {
  const view = new ClusterView(partitions);
  const timelines = new TimelineCollector(view, Math.min(drawn, partitions), endMs);
  const health = new HealthCollector(view, partitions, replicationFactor, endMs);
  replay(events, view, [timelines, health]);
  return { timelines: timelines.result(), health: health.result() };
}

/**
 * Partition-milliseconds without a live leader up to `endMs`: from the moment a partition's leader
 * stopped (or the controller took its leader away) until a new leader was named, summed over
 * partitions. The time before a partition's first leader (cluster startup) does not count.
 */
export function offlineMs(events: readonly ReplicationEvent[], partitions: number, endMs: number): number {
  const view = new ClusterView(partitions);
  const since = new Array<number>(partitions).fill(-1);
  let total = 0;
  const update = (p: number, time: number): void => {
    const off = view.offline(p);
    if (off && since[p] < 0) since[p] = time;
    else if (!off && since[p] >= 0) {
      total += time - since[p];
      since[p] = -1;
    }
  };
  for (const e of events) {
    if (e.time > endMs) break;
    const changed = view.apply(e);
    if (changed === 'all') for (let p = 0; p < partitions; p++) update(p, e.time);
    else if (changed !== undefined) update(changed, e.time);
  }
  for (const s of since) if (s >= 0) total += endMs - s;
  return Math.round(total * 1000) / 1000;
}
