// A broker's side of KRaft mode (Kafka's BrokerLifecycleManager, MetadataLoader and AlterPartitionManager
// in one): it follows the committed metadata log as an observer of the quorum, registers and heartbeats
// every broker.heartbeat.interval.ms to the active controller, and sends AlterPartition for the ISR
// changes its partitions propose. The broker's metadata log lives in memory here (Kafka keeps a copy on
// disk): after a restart it is fetched again from offset 0, and nothing is published until it has
// caught up to the high watermark, so a restarted broker never replays old leadership.
import type { NodeContext, Timer } from '../../world/node.ts';
import type { ClusterConfig } from '../config.ts';
import type { PartitionState } from '../messages.ts';
import type { Partition } from '../partition.ts';
import { controllerNode, voterIds } from './config.ts';
import type {
  AlterPartitionRequest,
  AlterPartitionResponse,
  BrokerHeartbeatRequest,
  BrokerHeartbeatResponse,
  BrokerRegistrationRequest,
  BrokerRegistrationResponse,
} from './controller-messages.ts';
import { MetadataImage } from './image.ts';
import type { RaftHub } from './observer.ts';
import type { MetadataFetchRequest, MetadataFetchResponse } from './raft-messages.ts';
import type { RaftEntry } from './records.ts';
import { digestOf } from './records.ts';
import type { KraftMessage } from './rpc.ts';
import { isKraftMessage, KraftChannel } from './rpc.ts';

const BACKOFF_MS = 100;

export interface KraftBrokerHost {
  readonly id: number;
  readonly ctx: NodeContext;
  readonly config: ClusterConfig;
  readonly rack: string | null;
  readonly cleanStart: boolean;
  /** First unfenced: the broker starts serving requests (Kafka's RUNNING state). */
  onUnfenced(): void;
  /** New committed metadata: the partitions that changed, the live brokers, the active controller. */
  publish(states: PartitionState[], liveBrokers: { id: number; rack: string | null }[], controllerId: number): void;
}

export class KraftBrokerLifecycle {
  private readonly channel: KraftChannel;
  private readonly voters: number[];
  /** The committed metadata records fetched so far, and the image they add up to. */
  private readonly entries: RaftEntry[] = [];
  readonly image = new MetadataImage();
  private leaderId = -1;
  private leaderEpoch = -1;
  private nextVoter = 0;
  private caughtUp = false;
  brokerEpoch = -1;
  fenced = true;
  private registering = false;
  private unfencedOnce = false;
  private heartbeatTimer: Timer | null = null;
  private stopped = false;
  /** Partitions whose RECOVERED AlterPartition is in flight (KIP-704). */
  private readonly recovering = new Set<number>();

  constructor(
    private readonly host: KraftBrokerHost,
    private readonly raftHub: RaftHub,
    private readonly partitionOf: (id: number) => Partition | undefined,
  ) {
    this.channel = new KraftChannel(host.ctx);
    this.voters = voterIds(host.config.kraft['controller.quorum.voters']);
    if (raftHub.active) raftHub.emit({ kind: 'metadata-reset', time: host.ctx.now(), broker: host.id });
  }

  private get ctx(): NodeContext {
    return this.host.ctx;
  }

  private get kraft() {
    return this.host.config.kraft;
  }

  private get requestTimeoutMs(): number {
    return Math.min(2000, this.kraft['controller.quorum.fetch.timeout.ms'] / 2);
  }

  start(): void {
    this.fetch();
  }

  stop(): void {
    this.stopped = true;
    this.heartbeatTimer?.cancel();
  }

  /** The node messages from controllers go here; true if it was one. */
  handleMessage(from: string, msg: unknown): boolean {
    if (!this.voters.some((v) => controllerNode(v) === from) || !isKraftMessage(msg)) return false;
    this.channel.complete(msg as KraftMessage);
    return true;
  }

  private controllerNodeNow(): string {
    if (this.leaderId >= 0) return controllerNode(this.leaderId);
    return controllerNode(this.voters[this.nextVoter++ % this.voters.length]);
  }

  private later(fn: () => void, ms = BACKOFF_MS): void {
    this.ctx.setTimer(ms, () => {
      if (!this.stopped) fn();
    });
  }

  // ---- following the metadata log ----

  private fetch(): void {
    if (this.stopped) return;
    const last = this.entries.length === 0 ? 0 : this.entries[this.entries.length - 1].epoch;
    const maxWaitMs = Math.min(500, this.kraft['controller.quorum.fetch.timeout.ms'] / 4);
    this.channel.send<MetadataFetchRequest, MetadataFetchResponse>(
      this.controllerNodeNow(),
      { type: 'MetadataFetch', replicaId: this.host.id, currentLeaderEpoch: this.leaderId >= 0 ? this.leaderEpoch : -1, fetchOffset: this.entries.length, lastFetchedEpoch: last, maxWaitMs },
      this.requestTimeoutMs + maxWaitMs,
      (res) => {
        if (this.stopped) return;
        if (res === null) {
          this.leaderId = -1;
          return this.later(() => this.fetch());
        }
        if (res.error !== 'NONE') {
          if (res.leaderId >= 0 && res.leaderEpoch >= this.leaderEpoch) {
            this.leaderId = res.leaderId;
            this.leaderEpoch = res.leaderEpoch;
          } else {
            this.leaderId = -1;
          }
          return this.later(() => this.fetch());
        }
        this.leaderId = res.leaderId;
        this.leaderEpoch = res.leaderEpoch;
        this.onEntries(res.entries, res.highWatermark);
        if (this.brokerEpoch < 0 && !this.registering) this.register();
        this.fetch();
      },
    );
  }

  private onEntries(entries: RaftEntry[], highWatermark: number): void {
    const changed = new Set<number>();
    const before = this.entries.length;
    for (const e of entries) {
      if (e.offset !== this.entries.length) continue;
      this.entries.push(e);
      const p = this.image.apply(e.record);
      if (p >= 0) changed.add(p);
      if (this.raftHub.active) this.raftHub.emit({ kind: 'metadata-applied', time: this.ctx.now(), broker: this.host.id, offset: e.offset, digest: digestOf(e) });
    }
    // Past our own registration: tell the controller at once, so it can unfence us.
    if (this.brokerEpoch >= 0 && this.fenced && before <= this.brokerEpoch && this.entries.length > this.brokerEpoch && this.caughtUp) this.heartbeat();
    if (!this.caughtUp) {
      if (this.entries.length < highWatermark) return;
      // Caught up: publish the whole image once.
      this.caughtUp = true;
      for (const p of this.image.partitions.keys()) changed.add(p);
      if (this.brokerEpoch >= 0) this.heartbeat();
    } else if (entries.length === 0) {
      return;
    }
    const states = [...changed].sort((a, b) => a - b).map((p) => this.image.partitionState(p)).filter((s): s is PartitionState => s !== undefined);
    this.host.publish(states, this.image.liveBrokers(), this.image.raftLeader);
    for (const p of changed) this.maybeReportRecovered(p);
  }

  /** The applied offset: how far this broker has followed the metadata log. */
  get metadataOffset(): number {
    return this.entries.length;
  }

  // ---- registration and heartbeats ----

  private register(): void {
    if (this.stopped || this.leaderId < 0) {
      this.registering = false;
      return;
    }
    this.registering = true;
    this.channel.send<BrokerRegistrationRequest, BrokerRegistrationResponse>(
      controllerNode(this.leaderId),
      { type: 'BrokerRegistration', brokerId: this.host.id, incarnationId: this.ctx.incarnation, rack: this.host.rack, cleanShutdown: this.host.cleanStart },
      this.requestTimeoutMs,
      (res) => {
        if (this.stopped) return;
        if (res === null || res.error !== 'NONE') {
          if (res?.error === 'DUPLICATE_BROKER_REGISTRATION') this.ctx.trace('register', `broker ${this.host.id}: the previous registration's session has not expired; retrying`);
          return this.later(() => this.register(), res?.error === 'DUPLICATE_BROKER_REGISTRATION' ? 1000 : BACKOFF_MS);
        }
        this.registering = false;
        this.brokerEpoch = res.brokerEpoch;
        this.heartbeat();
      },
    );
  }

  private heartbeat(): void {
    this.heartbeatTimer?.cancel();
    if (this.stopped || this.brokerEpoch < 0) return;
    const interval = this.kraft['broker.heartbeat.interval.ms'];
    this.heartbeatTimer = this.ctx.setTimer(interval, () => this.heartbeat());
    if (this.leaderId < 0) return;
    const epoch = this.brokerEpoch;
    this.channel.send<BrokerHeartbeatRequest, BrokerHeartbeatResponse>(
      controllerNode(this.leaderId),
      { type: 'BrokerHeartbeat', brokerId: this.host.id, brokerEpoch: epoch, currentMetadataOffset: this.entries.length },
      interval,
      (res) => {
        if (this.stopped || res === null || epoch !== this.brokerEpoch) return;
        if (res.error === 'STALE_BROKER_EPOCH') {
          // The controller does not know this registration (any more): register again.
          this.brokerEpoch = -1;
          this.heartbeatTimer?.cancel();
          if (!this.registering) this.register();
          return;
        }
        if (res.error !== 'NONE') return;
        this.fenced = res.isFenced;
        if (!res.isFenced && !this.unfencedOnce) {
          this.unfencedOnce = true;
          this.host.onUnfenced();
        }
      },
    );
  }

  // ---- AlterPartition ----

  /** KRaft's ISR change: AlterPartition to the active controller, fenced by the partition epoch. */
  alterPartition(p: Partition, isr: number[], change: 'shrink' | 'expand'): void {
    const state = this.image.partitions.get(p.id);
    if (state?.leaderRecoveryState === 'RECOVERING') {
      // KIP-704: nobody joins the ISR until the leader has reported its recovery done.
      p.pendingIsr = null;
      this.maybeReportRecovered(p.id);
      return;
    }
    this.send(p, isr, () => p.pendingIsr === isr, (res) => p.isrChanged(res.isr, res.elr, res.partitionEpoch, change));
  }

  private maybeReportRecovered(partition: number): void {
    const state = this.image.partitions.get(partition);
    const p = this.partitionOf(partition);
    if (state === undefined || p === undefined || state.leaderRecoveryState !== 'RECOVERING' || state.leader !== this.host.id) return;
    if (p.role !== 'leader' || p.leaderEpoch !== state.leaderEpoch || this.recovering.has(partition)) return;
    // Recovery itself is instant here (no transactions to rebuild): report RECOVERED with the ISR as it is.
    this.recovering.add(partition);
    const wanted = (): boolean => this.image.partitions.get(partition)?.leaderRecoveryState === 'RECOVERING';
    this.send(p, [...p.isr], wanted, (res) => {
      p.partitionEpoch = Math.max(p.partitionEpoch, res.partitionEpoch);
    }, () => this.recovering.delete(partition));
  }

  /**
   * Sends one AlterPartition and sees it through, as Kafka's AlterPartitionManager does: a lost request
   * or a controller that is not active is retried after a backoff while the change is still wanted; the
   * leader keeps its maximal ISR (pending members count for the high watermark) all along. A stale
   * partition epoch or leader epoch is left for the metadata log to resolve (the next partition record
   * resets the pending change); a refused member (INELIGIBLE_REPLICA) drops the change at once.
   */
  private send(p: Partition, isr: number[], wanted: () => boolean, onDone: (res: AlterPartitionResponse) => void, always: () => void = () => {}): void {
    const leaderEpoch = p.leaderEpoch;
    const partitionEpoch = p.partitionEpoch;
    const stillWanted = (): boolean => !this.stopped && p.role === 'leader' && p.leaderEpoch === leaderEpoch && p.partitionEpoch === partitionEpoch && wanted();
    const retry = (): void =>
      this.later(() => {
        if (stillWanted()) attempt();
        else always();
      });
    const attempt = (): void => {
      if (this.leaderId < 0 || this.brokerEpoch < 0) return retry();
      this.channel.send<AlterPartitionRequest, AlterPartitionResponse>(
        controllerNode(this.leaderId),
        { type: 'AlterPartition', brokerId: this.host.id, brokerEpoch: this.brokerEpoch, partition: p.id, leaderEpoch, partitionEpoch, newIsr: isr, leaderRecoveryState: 'RECOVERED' },
        this.requestTimeoutMs,
        (res) => {
          if (this.stopped || p.leaderEpoch !== leaderEpoch || p.role !== 'leader') return always();
          if (res !== null && res.error === 'NONE') {
            always();
            if (res.partitionEpoch > p.partitionEpoch) onDone(res);
            else if (p.pendingIsr === isr) p.pendingIsr = null;
            return;
          }
          const error = res === null ? 'timed out' : res.error;
          this.ctx.trace('isr-update-failed', `partition ${p.id}: ${error}`);
          if (res === null || error === 'NOT_CONTROLLER' || error === 'STALE_BROKER_EPOCH') return retry();
          always();
          if (error === 'INELIGIBLE_REPLICA' || error === 'INVALID_REQUEST') {
            // The controller refused this change outright: propose afresh on the next ISR check.
            if (p.pendingIsr === isr) p.pendingIsr = null;
          }
        },
      );
    };
    attempt();
  }
}
