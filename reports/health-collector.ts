// Collects Kafka's health metrics while the events are replayed: UnderReplicatedPartitions,
// OfflinePartitionsCount (and partitions without a live leader), ISR shrinks and expansions per second,
// MaxLag, ActiveControllerCount, and the partition time offline.
import type { ClusterView } from './cluster-view.ts';
import type { ReplicationEvent } from '../sim/events/index.ts';
import type { Point } from './events.ts';
import { MAX_POINTS, type Collector, type HealthMetrics } from './metric-types.ts';
import { bucketWidthMs, StepSeries, thinSteps } from './series.ts';

/**
 * Cluster-wide health metrics, kept incrementally: recounting every partition per event would cost
 * partitions × events.
 */
export class HealthCollector implements Collector {
  private readonly urp = new StepSeries();
  private readonly offline = new StepSeries();
  private readonly leaderless = new StepSeries();
  private readonly lagSeries = new StepSeries();
  private readonly controllers = new StepSeries();
  private readonly bucketMs: number;
  private readonly shrinks: number[];
  private readonly expands: number[];
  private readonly isUrp: boolean[];
  private readonly isOffline: boolean[];
  private readonly isLeaderless: boolean[];
  private readonly lag: number[];
  private urpCount = 0;
  private offlineCount = 0;
  private leaderlessCount = 0;
  private maxLag = 0;
  private offlineTotal = 0;
  private lastTime = 0;

  constructor(
    private readonly view: ClusterView,
    private readonly partitions: number,
    private readonly replicationFactor: number,
    private readonly endMs: number,
  ) {
    this.bucketMs = bucketWidthMs(endMs);
    const buckets = Math.max(1, Math.ceil(endMs / this.bucketMs));
    this.shrinks = new Array<number>(buckets).fill(0);
    this.expands = new Array<number>(buckets).fill(0);
    this.isUrp = new Array<boolean>(partitions).fill(false);
    this.isOffline = new Array<boolean>(partitions).fill(false);
    this.isLeaderless = new Array<boolean>(partitions).fill(false);
    this.lag = new Array<number>(partitions).fill(0);
  }

  onEvent(e: ReplicationEvent, changed: number | 'all' | undefined): void {
    // Offline time is integrated with the count as it stood before this event.
    if (e.time <= this.endMs) this.offlineTotal += this.leaderlessCount * (e.time - this.lastTime);
    this.lastTime = Math.min(e.time, this.endMs);
    if (e.kind === 'isr-change') {
      const b = Math.min(this.shrinks.length - 1, Math.max(0, Math.floor(e.time / this.bucketMs)));
      (e.change === 'shrink' ? this.shrinks : this.expands)[b]++;
    }
    if (changed === 'all') for (let p = 0; p < this.partitions; p++) this.update(p);
    else if (changed !== undefined) this.update(changed);
    else if (e.kind !== 'controller') return;
    this.urp.set(e.time, this.urpCount);
    this.offline.set(e.time, this.offlineCount);
    this.leaderless.set(e.time, this.leaderlessCount);
    this.lagSeries.set(e.time, this.maxLag);
    this.controllers.set(e.time, this.view.controllers.size);
  }

  private update(p: number): void {
    const view = this.view;
    const s = view.partitions[p];
    const live = view.liveLeader(p);
    const u = live >= 0 && s.isr.length < this.replicationFactor;
    const o = s.everLed && s.leader < 0;
    const l = view.offline(p);
    if (u !== this.isUrp[p]) this.urpCount += u ? 1 : -1;
    if (o !== this.isOffline[p]) this.offlineCount += o ? 1 : -1;
    if (l !== this.isLeaderless[p]) this.leaderlessCount += l ? 1 : -1;
    this.isUrp[p] = u;
    this.isOffline[p] = o;
    this.isLeaderless[p] = l;
    const before = this.lag[p];
    this.lag[p] = view.lag(p);
    if (this.lag[p] >= this.maxLag) this.maxLag = this.lag[p];
    else if (before === this.maxLag) this.maxLag = Math.max(...this.lag);
  }

  result(): HealthMetrics {
    const { bucketMs, endMs } = this;
    const perSecond = (counts: number[]): Point[] =>
      counts.map((n, i) => ({ time: i * bucketMs, value: n / (bucketMs / 1000) }));
    return {
      bucketMs,
      underReplicatedPartitions: thinSteps(this.urp.close(endMs), MAX_POINTS),
      offlinePartitionsCount: thinSteps(this.offline.close(endMs), MAX_POINTS),
      partitionsWithoutLiveLeader: thinSteps(this.leaderless.close(endMs), MAX_POINTS),
      isrShrinksPerSec: perSecond(this.shrinks),
      isrExpandsPerSec: perSecond(this.expands),
      maxLag: thinSteps(this.lagSeries.close(endMs), MAX_POINTS),
      activeControllerCount: thinSteps(this.controllers.close(endMs), MAX_POINTS),
      offlineMs: Math.round((this.offlineTotal + this.leaderlessCount * (endMs - this.lastTime)) * 1000) / 1000,
    };
  }
}
