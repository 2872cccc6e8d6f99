// What an operator would see of the cluster at each moment, rebuilt by replaying the replication
// events in order: each partition's leader (as the controller decided it, and whether that broker is
// actually up), ISR, each replica's log end offset and role, the leader's high watermark, which brokers
// are up and which believe they are the active controller.
import type { ReplicationEvent } from '../sim/events/index.ts';

export interface PartitionState {
  /** The leader the controller (or, at startup, LeaderAndIsr) named; -1 when the controller has none. */
  leader: number;
  leaderEpoch: number;
  /** The leader named above has stopped (crashed or shut down) and no new leader has been named since. */
  leaderDown: boolean;
  /** Whether the partition has ever had a leader (startup is not an outage). */
  everLed: boolean;
  isr: readonly number[];
  /** The leader's high watermark. */
  highWatermark: number;
  /** Log end offset by broker id (undefined: that broker never had the partition). */
  logEndOffset: number[];
  /** Whether each broker follows this partition now (after become-follower, until it leads or stops). */
  following: boolean[];
  /** Each broker's last reported high watermark, to pick up the new leader's when leadership moves. */
  brokerHighWatermark: number[];
}

const DOWN_STATES = new Set(['crashed', 'shutdown']);

export class ClusterView {
  readonly partitions: PartitionState[];
  /** Broker ids that are down (crashed or shut down). */
  readonly down = new Set<number>();
  /** Broker ids that believe they are the active controller. */
  readonly controllers = new Set<number>();

  constructor(partitions: number) {
    this.partitions = Array.from({ length: partitions }, () => ({
      leader: -1,
      leaderEpoch: -1,
      leaderDown: false,
      everLed: false,
      isr: [],
      highWatermark: 0,
      logEndOffset: [],
      following: [],
      brokerHighWatermark: [],
    }));
  }

  /** The broker serving the partition now, or -1 when it has no live leader. */
  liveLeader(p: number): number {
    const s = this.partitions[p];
    return s.leader < 0 || s.leaderDown ? -1 : s.leader;
  }

  /** Whether the partition counts as offline: it had a leader once and has no live leader now. */
  offline(p: number): boolean {
    return this.partitions[p].everLed && this.liveLeader(p) < 0;
  }

  /**
   * Applies one event. Returns the partition it changed, 'all' when a broker's state changed (which can
   * touch every partition), or undefined.
   */
  apply(e: ReplicationEvent): number | 'all' | undefined {
    switch (e.kind) {
      case 'broker-state':
        if (DOWN_STATES.has(e.state)) {
          this.down.add(e.broker);
          this.controllers.delete(e.broker);
          for (const s of this.partitions) {
            if (s.leader === e.broker) s.leaderDown = true;
            s.following[e.broker] = false;
          }
        } else if (e.state === 'starting' || e.state === 'running') {
          this.down.delete(e.broker);
        }
        return 'all';
      case 'controller':
        if (e.active) this.controllers.add(e.broker);
        else this.controllers.delete(e.broker);
        return undefined;
      case 'broker-controller-epoch':
      case 'txn-transition':
        return undefined;
      default:
        break;
    }
    if (e.partition < 0 || e.partition >= this.partitions.length) return undefined;
    const s = this.partitions[e.partition];
    switch (e.kind) {
      case 'become-leader':
        if (e.leaderEpoch < s.leaderEpoch) return undefined; // a stale LeaderAndIsr
        this.setLeader(s, e.broker, e.leaderEpoch);
        s.isr = e.isr;
        s.following[e.broker] = false;
        return e.partition;
      case 'election':
        this.setLeader(s, e.leader, e.leaderEpoch);
        s.isr = e.isr;
        return e.partition;
      case 'controller-isr':
        if (e.leaderEpoch < s.leaderEpoch) return undefined;
        this.setLeader(s, e.leader, e.leaderEpoch);
        s.isr = e.isr;
        return e.partition;
      case 'offline':
        s.leader = -1;
        s.leaderEpoch = Math.max(s.leaderEpoch, e.leaderEpoch);
        s.leaderDown = false;
        return e.partition;
      case 'isr-change':
        if (e.broker === s.leader) s.isr = e.isr;
        return e.partition;
      case 'become-follower':
        s.following[e.broker] = true;
        return e.partition;
      case 'log-end-offset':
        s.logEndOffset[e.broker] = e.logEndOffset;
        return e.partition;
      case 'truncate':
        s.logEndOffset[e.broker] = e.toOffset;
        return e.partition;
      case 'append':
        s.logEndOffset[e.broker] = Math.max(s.logEndOffset[e.broker] ?? 0, e.baseOffset + e.values.length);
        return e.partition;
      case 'high-watermark':
        s.brokerHighWatermark[e.broker] = e.highWatermark;
        if (e.broker === s.leader) s.highWatermark = e.highWatermark;
        return e.partition;
      default:
        return undefined;
    }
  }

  private setLeader(s: PartitionState, leader: number, epoch: number): void {
    if (leader !== s.leader && leader >= 0) s.highWatermark = s.brokerHighWatermark[leader] ?? s.highWatermark;
    s.leader = leader;
    s.leaderEpoch = epoch;
    s.leaderDown = leader >= 0 && this.down.has(leader);
    if (leader >= 0) s.everLed = true;
  }

  /** Largest number of records a running follower is behind its partition's live leader. */
  lag(p: number): number {
    const s = this.partitions[p];
    const leader = this.liveLeader(p);
    if (leader < 0) return 0;
    const leaderLeo = s.logEndOffset[leader] ?? 0;
    let lag = 0;
    for (let b = 0; b < s.following.length; b++) {
      if (!s.following[b] || b === leader || this.down.has(b)) continue;
      lag = Math.max(lag, leaderLeo - (s.logEndOffset[b] ?? 0));
    }
    return lag;
  }
}
