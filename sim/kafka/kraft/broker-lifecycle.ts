// A broker's side of KRaft mode (Kafka's BrokerLifecycleManager, metadata publisher and
// AlterPartitionManager in one): it hands the committed metadata its MetadataFollower applies on to the
// broker, registers and heartbeats every broker.heartbeat.interval.ms to the active controller, and sends
// AlterPartition for the ISR changes its partitions propose (with KIP-903's broker epochs,
// Partition.addBrokerEpochToIsr), handling each answer as Partition.handleAlterPartitionError does. It also
// answers Partition.isReplicaIsrEligible from its metadata (KRaftMetadataCache: KIP-841, KIP-903), and runs the
// broker's controlled shutdown (beginControlledShutdown: heartbeats with WantShutDown until ShouldShutDown).
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
import { handleAlterPartitionResult } from '../alter-isr-manager.ts';
import { P, probe } from '../probes.ts';

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
  /** PENDING_CONTROLLED_SHUTDOWN: called once the controller answers ShouldShutDown. */
  private controlledShutdownDone: (() => void) | null = null;
  private gotControlledShutdownResponse = false;

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
    const wantShutDown = this.controlledShutdownDone !== null;
    this.channel.send<BrokerHeartbeatRequest, BrokerHeartbeatResponse>(
      controllerNode(this.leaderId),
      {
        type: 'BrokerHeartbeat',
        brokerId: this.host.id,
        brokerEpoch: epoch,
        currentMetadataOffset: this.metadata.offset,
        ...(wantShutDown ? { wantShutDown } : {}),
      },
      interval,
      (res) => {
        if (this.stopped || res === null || epoch !== this.brokerEpoch) return;
        if (wantShutDown && res.error === 'NONE') return this.onControlledShutdownResponse(res);
        if (res.error === 'STALE_BROKER_EPOCH' && this.controlledShutdownDone === null) {
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

  // ---- controlled shutdown ----

  /**
   * BrokerLifecycleManager.beginControlledShutdown: a broker that is RUNNING (unfenced once) enters
   * PENDING_CONTROLLED_SHUTDOWN and heartbeats at once with WantShutDown; one that is not skips it ("Skipping
   * controlled shutdown because we are in state ..."). `done` runs when the controller answers ShouldShutDown
   * (the controlledShutdownFuture completes), or at once when skipped.
   */
  beginControlledShutdown(done: () => void): void {
    if (this.controlledShutdownDone !== null) return;
    if (!this.unfencedOnce || this.brokerEpoch < 0) return done();
    this.controlledShutdownDone = done;
    this.ctx.trace('controlled-shutdown', `broker ${this.host.id}: WantShutDown`);
    this.heartbeat();
  }

  /**
   * BrokerHeartbeatResponseEvent in PENDING_CONTROLLED_SHUTDOWN: ShouldShutDown ends it (beginShutdown: no more
   * heartbeats); otherwise the next heartbeat goes after 50 ms the first time ("schedule our next heartbeat a
   * little bit sooner"), then every broker.heartbeat.interval.ms.
   */
  private onControlledShutdownResponse(res: BrokerHeartbeatResponse): void {
    const done = this.controlledShutdownDone;
    if (done === null) return;
    if (res.shouldShutDown) {
      this.heartbeatTimer?.cancel();
      this.controlledShutdownDone = null;
      this.ctx.trace('controlled-shutdown', `broker ${this.host.id}: ShouldShutDown`);
      return done();
    }
    if (!this.gotControlledShutdownResponse) {
      this.heartbeatTimer?.cancel();
      this.heartbeatTimer = this.ctx.setTimer(50, () => this.heartbeat());
    }
    this.gotControlledShutdownResponse = true;
  }

  // ---- Fetch and ISR eligibility (KIP-841, KIP-903) ----

  /** The broker epoch this broker's fetches carry (KIP-903's ReplicaState.ReplicaEpoch), -1 before 3.5. */
  replicaEpoch(): number {
    return this.host.config.protocol.kip903 ? this.brokerEpoch : -1;
  }

  /**
   * Partition.isReplicaIsrEligible with the KRaft metadata cache: a follower joins the ISR only if it is neither
   * fenced nor in controlled shutdown (KIP-841: isBrokerFenced, isBrokerShuttingDown) and, with KIP-903, if the
   * broker epoch of its last Fetch is the one its registration has here (isBrokerEpochIsrEligible; -1 skips that).
   */
  isReplicaIsrEligible(follower: number, fetchEpoch: number | undefined): boolean {
    const protocol = this.host.config.protocol;
    const b = this.image.brokers.get(follower);
    if (protocol.kip841 && b !== undefined && (b.fenced || b.inControlledShutdown)) return false;
    if (!protocol.kip903) return true;
    const cached = b === undefined || b.fenced ? undefined : b.epoch;
    return fetchEpoch !== undefined && cached !== undefined && (fetchEpoch === -1 || fetchEpoch === cached);
  }

  // ---- AlterPartition ----

  /**
   * KRaft's ISR change: AlterPartition to the active controller, fenced by the partition epoch, with the
   * members' broker epochs from KIP-903 (Partition.addBrokerEpochToIsr: this broker's own, a follower's from
   * its last Fetch, -1 when unknown), fixed when proposed: a resend carries the same ones.
   */
  alterPartition(p: Partition, isr: number[], change: 'shrink' | 'expand'): void {
    const state = this.image.partitions.get(p.id);
    if (state?.leaderRecoveryState === 'RECOVERING') {
      // KIP-704: nobody joins the ISR until the leader has reported its recovery done.
      p.pendingIsr = null;
      this.maybeReportRecovered(p.id);
      return;
    }
    const epochs = this.host.config.protocol.kip903
      ? isr.map((id) => ({
          brokerId: id,
          brokerEpoch: id === this.host.id ? this.brokerEpoch : p.followerBrokerEpoch(id),
        }))
      : undefined;
    this.send(
      p,
      isr,
      epochs,
      () => p.pendingIsr === isr,
      // The answer is taken only while the partition epoch is still the one sent (send's stillWanted).
      (res) => handleAlterPartitionResult(p, isr, change, res, p.partitionEpoch),
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
      undefined,
      wanted,
      (res) => {
        if (res.error === 'NONE' && res.leaderEpoch === p.leaderEpoch) {
          probe(P.kraftLeaderRecovered);
          p.partitionEpoch = Math.max(p.partitionEpoch, res.partitionEpoch);
        }
        return false;
      },
      () => this.recovering.delete(partition),
    );
  }

  /**
   * Sends one AlterPartition and sees it through, as Kafka's AlterPartitionManager and
   * BrokerToControllerChannelManager do: a lost request, NOT_CONTROLLER or STALE_BROKER_EPOCH is sent again
   * after a backoff while the change is still wanted (the leader keeps its maximal ISR all along); a
   * partition's answer goes to `onAnswer` (Partition.handleAlterPartitionUpdate / handleAlterPartitionError,
   * alter-isr-manager.ts), which says whether to send it again.
   */
  private send(
    p: Partition,
    isr: number[],
    newIsrWithEpochs: AlterPartitionRequest['newIsrWithEpochs'],
    wanted: () => boolean,
    onAnswer: (res: AlterPartitionResponse) => boolean,
    always: () => void = () => {},
  ): void {
    const leaderEpoch = p.leaderEpoch;
    const partitionEpoch = p.partitionEpoch;
    p.reportIsrProposed(isr);
    // "partitionState was updated through leader election or some other mechanism": the change is gone.
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
          ...(newIsrWithEpochs === undefined ? {} : { newIsrWithEpochs }),
          leaderRecoveryState: 'RECOVERED',
        },
        this.requestTimeoutMs,
        (res) => {
          if (res === null || res.error === 'NOT_CONTROLLER' || res.error === 'STALE_BROKER_EPOCH') {
            this.ctx.trace('isr-update-failed', `partition ${p.id}: ${res === null ? 'timed out' : res.error}`);
            return retry();
          }
          if (!stillWanted()) return always();
          if (res.error !== 'NONE') this.ctx.trace('isr-update-failed', `partition ${p.id}: ${res.error}`);
          if (onAnswer(res)) return retry();
          always();
        },
      );
    };
    attempt();
  }
}
