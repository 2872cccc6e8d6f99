// A broker's side of KRaft mode (Kafka's BrokerLifecycleManager, metadata publisher and
// AlterPartitionManager in one): it hands the committed metadata its MetadataFollower applies on to the
// broker, registers and heartbeats every broker.heartbeat.interval.ms to the active controller, and sends
// AlterPartition for the ISR changes its partitions propose.
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
import type { MetadataImage } from './image.ts';
import { MetadataFollower } from './metadata-follower.ts';
import type { RaftHub } from './observer.ts';
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
  readonly metadata: MetadataFollower;
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
    raftHub: RaftHub,
    private readonly partitionOf: (id: number) => Partition | undefined,
  ) {
    this.channel = new KraftChannel(host.ctx);
    this.voters = voterIds(host.config.kraft['controller.quorum.voters']);
    this.metadata = new MetadataFollower(host.ctx, host.id, host.config.kraft, this.voters, this.channel, raftHub, {
      onFetched: () => {
        if (this.brokerEpoch < 0 && !this.registering) this.register();
      },
      onPublish: (changed, before, justCaughtUp) => this.onPublish(changed, before, justCaughtUp),
    });
  }

  /** The committed metadata applied so far. */
  get image(): MetadataImage {
    return this.metadata.image;
  }

  private get leaderId(): number {
    return this.metadata.leaderId;
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
    this.metadata.start();
  }

  /** A clean shutdown. */
  stop(): void {
    this.stopped = true;
    this.heartbeatTimer?.cancel();
    this.metadata.stop();
  }

  /** The node messages from controllers go here; true if it was one. */
  handleMessage(from: string, msg: unknown): boolean {
    if (!this.voters.some((v) => controllerNode(v) === from) || !isKraftMessage(msg)) return false;
    this.channel.complete(msg as KraftMessage);
    return true;
  }

  private later(fn: () => void, ms = BACKOFF_MS): void {
    this.ctx.setTimer(ms, () => {
      if (!this.stopped) fn();
    });
  }

  // ---- handing committed metadata on ----

  private onPublish(changed: number[], before: number, justCaughtUp: boolean): void {
    // Caught up, or past our own registration: tell the controller at once, so it can unfence us.
    const pastRegistration = this.fenced && before <= this.brokerEpoch && this.metadata.offset > this.brokerEpoch;
    if (this.brokerEpoch >= 0 && (justCaughtUp || pastRegistration)) this.heartbeat();
    this.publish(changed);
  }

  /**
   * Hands the image's state of `partitions` to the broker. A role change that fails on a disk error halts
   * the broker (its log directory failed); started again, it applies the image afresh.
   */
  private publish(partitions: number[]): void {
    const sorted = [...new Set(partitions)].sort((a, b) => a - b);
    const states = sorted.map((p) => this.image.partitionState(p)).filter((s): s is PartitionState => s !== undefined);
    this.host.publish(states, this.image.liveBrokers(), this.image.raftLeader);
    for (const p of sorted) this.maybeReportRecovered(p);
  }

  /** The applied offset: how far this broker has followed the metadata log. */
  get metadataOffset(): number {
    return this.metadata.offset;
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
      {
        type: 'BrokerRegistration',
        brokerId: this.host.id,
        incarnationId: this.ctx.incarnation,
        rack: this.host.rack,
        cleanShutdown: this.host.cleanStart,
      },
      this.requestTimeoutMs,
      (res) => {
        if (this.stopped) return;
        if (res === null || res.error !== 'NONE') {
          if (res?.error === 'DUPLICATE_BROKER_REGISTRATION')
            this.ctx.trace(
              'register',
              `broker ${this.host.id}: the previous registration's session has not expired; retrying`,
            );
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
      {
        type: 'BrokerHeartbeat',
        brokerId: this.host.id,
        brokerEpoch: epoch,
        currentMetadataOffset: this.metadata.offset,
      },
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
    this.send(
      p,
      isr,
      () => p.pendingIsr === isr,
      (res) => p.isrChanged(res.isr, res.elr, res.partitionEpoch, change),
    );
  }

  private maybeReportRecovered(partition: number): void {
    const state = this.image.partitions.get(partition);
    const p = this.partitionOf(partition);
    if (
      state === undefined ||
      p === undefined ||
      state.leaderRecoveryState !== 'RECOVERING' ||
      state.leader !== this.host.id
    )
      return;
    if (p.role !== 'leader' || p.leaderEpoch !== state.leaderEpoch || this.recovering.has(partition)) return;
    // Recovery itself is instant here (no transactions to rebuild): report RECOVERED with the ISR as it is.
    this.recovering.add(partition);
    const wanted = (): boolean => this.image.partitions.get(partition)?.leaderRecoveryState === 'RECOVERING';
    this.send(
      p,
      [...p.isr],
      wanted,
      (res) => {
        p.partitionEpoch = Math.max(p.partitionEpoch, res.partitionEpoch);
      },
      () => this.recovering.delete(partition),
    );
  }

  /**
   * Sends one AlterPartition and sees it through, as Kafka's AlterPartitionManager does: a lost request
   * or a controller that is not active is retried after a backoff while the change is still wanted; the
   * leader keeps its maximal ISR (pending members count for the high watermark) all along. A stale
   * partition epoch or leader epoch is left for the metadata log to resolve (the next partition record
   * resets the pending change); a refused member (INELIGIBLE_REPLICA) drops the change at once.
   */
  private send(
    p: Partition,
    isr: number[],
    wanted: () => boolean,
    onDone: (res: AlterPartitionResponse) => void,
    always: () => void = () => {},
  ): void {
    const leaderEpoch = p.leaderEpoch;
    const partitionEpoch = p.partitionEpoch;
    const stillWanted = (): boolean =>
      !this.stopped &&
      p.role === 'leader' &&
      p.leaderEpoch === leaderEpoch &&
      p.partitionEpoch === partitionEpoch &&
      wanted();
    const retry = (): void =>
      this.later(() => {
        if (stillWanted()) attempt();
        else always();
      });
    const attempt = (): void => {
      if (this.leaderId < 0 || this.brokerEpoch < 0) return retry();
      this.channel.send<AlterPartitionRequest, AlterPartitionResponse>(
        controllerNode(this.leaderId),
        {
          type: 'AlterPartition',
          brokerId: this.host.id,
          brokerEpoch: this.brokerEpoch,
          partition: p.id,
          leaderEpoch,
          partitionEpoch,
          newIsr: isr,
          leaderRecoveryState: 'RECOVERED',
        },
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
