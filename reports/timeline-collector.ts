// Collects each partition's timeline while the events are replayed: which broker led when (and when
// none did), the ISR's size, the leader's high watermark, every replica's log end offset, the elections.
import type { ClusterView } from './cluster-view.ts';
import type { ReplicationEvent } from '../sim/events/index.ts';
import {
  MAX_POINTS,
  type Collector,
  type ElectionMark,
  type LeaderSpan,
  type PartitionTimeline,
} from './metric-types.ts';
import { StepSeries, thinSteps } from './series.ts';

/** Per partition (the first `partitions` of the view): leaders, ISR size, HW, LEOs and elections. */
export class TimelineCollector implements Collector {
  private readonly leaders: LeaderSpan[][];
  private readonly isr: StepSeries[];
  private readonly hw: StepSeries[];
  private readonly leo: Map<number, StepSeries>[];
  private readonly elections: ElectionMark[][];

  constructor(
    private readonly view: ClusterView,
    private readonly partitions: number,
    private readonly endMs: number,
  ) {
    this.leaders = Array.from({ length: partitions }, () => []);
    this.isr = Array.from({ length: partitions }, () => new StepSeries());
    this.hw = Array.from({ length: partitions }, () => new StepSeries());
    this.leo = Array.from({ length: partitions }, () => new Map());
    this.elections = Array.from({ length: partitions }, () => []);
  }

  onEvent(e: ReplicationEvent, changed: number | 'all' | undefined): void {
    if (e.kind === 'election' && e.partition >= 0 && e.partition < this.partitions) {
      this.elections[e.partition].push({
        time: e.time,
        leader: e.leader,
        previousLeader: e.previousLeader,
        leaderEpoch: e.leaderEpoch,
        unclean: e.unclean,
        ...(e.lastKnownLeader === true ? { lastKnownLeader: true } : {}),
        reason: e.reason,
        isr: [...e.isr],
      });
    }
    if (changed === 'all') {
      for (let p = 0; p < this.partitions; p++) this.observe(p, e.time);
      return;
    }
    if (changed === undefined || changed >= this.partitions) return;
    // The commonest events move one replica's log end offset or the high watermark: update just that.
    if (e.kind === 'append' || e.kind === 'log-end-offset' || e.kind === 'truncate')
      this.leoOf(changed, e.broker, e.time);
    else if (e.kind === 'high-watermark') {
      if (this.view.partitions[changed].everLed)
        this.hw[changed].set(e.time, this.view.partitions[changed].highWatermark);
    } else this.observe(changed, e.time);
  }

  private leoOf(p: number, broker: number, time: number): void {
    const value = this.view.partitions[p].logEndOffset[broker];
    if (value === undefined) return;
    let series = this.leo[p].get(broker);
    if (series === undefined) this.leo[p].set(broker, (series = new StepSeries()));
    series.set(time, value);
  }

  private observe(p: number, time: number): void {
    const s = this.view.partitions[p];
    const leader = this.view.liveLeader(p);
    const spans = this.leaders[p];
    const last = spans[spans.length - 1];
    if (
      s.everLed &&
      (last === undefined || last.leader !== leader || (leader >= 0 && last.leaderEpoch !== s.leaderEpoch))
    ) {
      if (last !== undefined) last.end = time;
      if (last !== undefined && last.start === time) spans.pop();
      spans.push({ start: time, end: this.endMs, leader, leaderEpoch: s.leaderEpoch });
    }
    if (s.everLed) {
      this.isr[p].set(time, leader < 0 ? 0 : s.isr.length);
      this.hw[p].set(time, s.highWatermark);
    }
    for (let b = 0; b < s.logEndOffset.length; b++) this.leoOf(p, b, time);
  }

  result(): PartitionTimeline[] {
    const end = this.endMs;
    return this.leaders.map((spans, p) => ({
      partition: p,
      leaders: spans,
      isrSize: thinSteps(this.isr[p].close(end), MAX_POINTS),
      highWatermark: thinSteps(this.hw[p].close(end), MAX_POINTS),
      logEndOffsets: [...this.leo[p].entries()]
        .sort(([a], [b]) => a - b)
        .map(([broker, series]) => ({ broker, points: thinSteps(series.close(end), MAX_POINTS) })),
      elections: this.elections[p],
    }));
  }
}
