// A Kafka broker as a program of the simulated world (Kafka's KafkaServer in ZooKeeper mode and
// BrokerServer in KRaft mode, their startup and shutdown, controlled shutdown first when asked to stop: SIGTERM,
// onTerminate): it composes the request handling (KafkaApis), the replicas
// (ReplicaManager), the metadata cache and one metadata path: ZooKeeper (zk-broker-lifecycle.ts) or the
// KRaft metadata log (kraft/broker-lifecycle.ts). Its memory is these objects; its disk holds the
// partition logs, leader-epoch caches, the high-watermark checkpoint and the clean-shutdown marker.
import type { BrokerState } from '../events/index.ts';
import { DiskError } from '../world/errors.ts';
import type { NodeContext, Program } from '../world/node.ts';
import type { NodeId } from '../world/network.ts';
import type { ClusterConfig } from './config.ts';
import type { Controller } from './controller.ts';
import { KafkaApis } from './kafka-apis.ts';
import { zkControlledShutdown } from './controlled-shutdown.ts';
import type {
  AlterIsrRequest,
  AlterIsrResponse,
  ControlledShutdownRequest,
  ControlledShutdownResponse,
  KafkaMessage,
} from './messages.ts';
import { isKafkaMessage } from './messages.ts';
import { MetadataCache } from './metadata-cache.ts';
import type { ObserverHub } from './observer.ts';
import type { Partition } from './partition.ts';
import { ReplicaManager } from './replica-manager.ts';
import { RequestChannel } from './request-channel.ts';
import { ZkBrokerLifecycle } from './zk-broker-lifecycle.ts';
import { CLEAN_SHUTDOWN_MARKER, ZK_NODE } from './zk-layout.ts';
import { KraftBrokerLifecycle } from './kraft/broker-lifecycle.ts';
import { AdminState } from './admin.ts';
import type { Coordinator, CoordinatorFactory } from './coordinator/index.ts';
import { createCoordinators } from './coordinator/index.ts';
import type { RaftHub } from './kraft/observer.ts';

/** BrokerServer.shutdown's wait for the controller's approval of a controlled shutdown (KafkaBroker.shutdown()). */
export const KRAFT_CONTROLLED_SHUTDOWN_TIMEOUT_MS = 5 * 60_000;

export class Broker implements Program {
  private readonly channel: RequestChannel;
  private readonly metadataCache = new MetadataCache();
  private readonly replicaManager: ReplicaManager;
  private readonly apis: KafkaApis;
  /** ZooKeeper mode: session, registration, controller election and ISR writes (null in KRaft mode). */
  readonly zk: ZkBrokerLifecycle | null;
  /** KRaft mode: registration, heartbeats, the metadata log and AlterPartition (null in ZooKeeper mode). */
  readonly kraft: KraftBrokerLifecycle | null;
  /** False after a crash: this broker may have lost unflushed records (KIP-966 keeps it from leading blindly). */
  private readonly cleanStart: boolean;
  private readonly rack: string | null;
  /** First registered (ZooKeeper) or unfenced (KRaft): before that Kafka processes no request. */
  private registered = false;
  /** Asked to stop (SIGTERM): shutting down, its controlled shutdown first. */
  private terminating = false;
  /** The coordinators of the enabled internal topics (coordinator/index.ts). */
  readonly coordinators: Coordinator[];
  private nextProducerId = 0;

  constructor(
    readonly id: number,
    private readonly ctx: NodeContext,
    private readonly config: ClusterConfig,
    private readonly observe: ObserverHub,
    raftHub: RaftHub,
    private readonly admin: AdminState = new AdminState(),
    coordinatorFactories: readonly CoordinatorFactory[] = [],
  ) {
    // The order of what follows (disk reads, events, sends, timers) is part of every run's history: another
    // order, however equivalent for Kafka, gives other runs for the same seeds.
    this.channel = new RequestChannel(ctx);
    this.rack = config.racks.length > 0 ? config.racks[id] : config.broker['broker.rack'];
    this.replicaManager = new ReplicaManager({
      brokerId: id,
      ctx,
      config,
      observe,
      channel: this.channel,
      metadataCache: this.metadataCache,
      rack: this.rack,
      alterPartition: (p, isr, change) => this.alterPartition(p, isr, change),
      ...(config.metadata === 'kraft'
        ? {
            replicaEpoch: () => this.kraft?.replicaEpoch() ?? -1,
            isReplicaIsrEligible: (follower, epoch) => this.kraft?.isReplicaIsrEligible(follower, epoch) ?? false,
          }
        : {}),
    });
    // Whether the last run ended cleanly: the marker is consumed at startup, written at clean shutdown.
    this.cleanStart = ctx.disk.exists(CLEAN_SHUTDOWN_MARKER) || ctx.incarnation === 1;
    ctx.disk.delete(CLEAN_SHUTDOWN_MARKER);
    this.emitState('starting');
    this.replicaManager.loadPartitions();
    const kraft = config.metadata === 'kraft';
    this.zk = kraft ? null : this.zkLifecycle();
    this.kraft = kraft ? this.kraftLifecycle(raftHub) : null;
    this.coordinators = createCoordinators(
      config,
      {
        brokerId: id,
        ctx,
        config,
        observe,
        replicaManager: this.replicaManager,
        metadataCache: this.metadataCache,
        channel: this.channel,
        generateProducerId: this.generateProducerId,
      },
      coordinatorFactories,
    );
    for (const c of this.coordinators) this.replicaManager.addLeadershipListener(c);
    this.apis = new KafkaApis({
      brokerId: id,
      ctx,
      config,
      coordinators: this.coordinators,
      observe,
      replicaManager: this.replicaManager,
      metadataCache: this.metadataCache,
      // Before KIP-380 (2.2) control requests carried no broker epoch to check.
      brokerEpoch: () => (config.protocol.kip380 ? (this.zk?.brokerEpoch ?? -1) : -1),
      acceptNewerBrokerEpoch: config.protocol.kafka9839,
      alterIsr: (from, req) => this.handleAlterIsr(from, req),
      controlledShutdown: (from, req) => this.handleControlledShutdown(from, req),
      generateProducerId: this.generateProducerId,
    });
    if (this.kraft === null) this.zk?.start();
    else this.kraft.start();
    this.replicaManager.startup();
  }

  /**
   * The broker's ProducerIdManager: ids unique across brokers and restarts, broker id and incarnation in the high
   * digits (Kafka allocates blocks from ZooKeeper or the controller; kafkasim needs only uniqueness).
   */
  private readonly generateProducerId = (): number =>
    (this.id + 1) * 1_000_000_000 + this.ctx.incarnation * 1_000_000 + this.nextProducerId++;

  /** Whether it serves requests: registered (ZooKeeper) or unfenced (KRaft) at least once, as BrokerState RUNNING. */
  get serving(): boolean {
    return this.registered && !this.terminating;
  }

  /** The partitions this broker hosts, by id. */
  get partitions(): Map<number, Partition> {
    return this.replicaManager.partitions;
  }

  /** ZooKeeper mode: this broker's controller, while it holds /controller. */
  get controller(): Controller | null {
    return this.zk?.controller ?? null;
  }

  /** Highest controller epoch seen in a request: older controllers are zombies (STALE_CONTROLLER_EPOCH). */
  get controllerEpochSeen(): number {
    return this.replicaManager.controllerEpoch;
  }

  private emitState(state: BrokerState): void {
    if (this.observe.active) this.observe.emit({ kind: 'broker-state', time: this.ctx.now(), broker: this.id, state });
  }

  private zkLifecycle(): ZkBrokerLifecycle {
    return new ZkBrokerLifecycle({
      id: this.id,
      ctx: this.ctx,
      config: this.config,
      observe: this.observe,
      admin: this.admin,
      channel: this.channel,
      rack: this.rack,
      cleanStart: this.cleanStart,
      controllerEpoch: () => this.replicaManager.controllerEpoch,
      controllerId: () => this.metadataCache.controllerId,
      onRegistered: () => {
        this.registered = true;
        this.emitState('running');
      },
      // Kafka's request handlers carry on through a session expiry: only startup waits for registration.
      onSessionExpired: () => this.emitState('zk-session-expired'),
      onElected: () => {
        this.metadataCache.controllerId = this.id;
        this.zk?.controllerChanged();
      },
      onControllerActivated: (epoch) => {
        this.replicaManager.controllerEpoch = Math.max(this.replicaManager.controllerEpoch, epoch);
      },
    });
  }

  private kraftLifecycle(raftHub: RaftHub): KraftBrokerLifecycle {
    return new KraftBrokerLifecycle(
      {
        id: this.id,
        ctx: this.ctx,
        config: this.config,
        rack: this.rack,
        cleanStart: this.cleanStart,
        onUnfenced: () => {
          this.registered = true;
          this.emitState('running');
        },
        publish: (states, liveBrokers, controllerId) => {
          this.replicaManager.applyDelta(states, liveBrokers, controllerId);
        },
      },
      raftHub,
      (p) => this.replicaManager.partitions.get(p),
    );
  }

  /** KafkaApis.handleAlterIsrRequest: this broker's controller takes it, or it answers NOT_CONTROLLER. */
  private handleAlterIsr(from: NodeId, req: AlterIsrRequest): void {
    const respond = (res: Omit<AlterIsrResponse, 'type' | 'correlationId'>): void =>
      this.ctx.send(from, { type: 'AlterIsrResponse', correlationId: req.correlationId, ...res });
    const controller = this.zk?.controller ?? null;
    if (controller === null) return respond({ error: 'NOT_CONTROLLER', partitions: [] });
    controller.alterIsr(req, respond);
  }

  /** KafkaApis.handleControlledShutdownRequest: this broker's controller takes it, or it answers NOT_CONTROLLER. */
  private handleControlledShutdown(from: NodeId, req: ControlledShutdownRequest): void {
    const respond = (error: ControlledShutdownResponse['error'], remainingPartitions: number[]): void =>
      this.ctx.send(from, {
        type: 'ControlledShutdownResponse',
        correlationId: req.correlationId,
        error,
        remainingPartitions,
      });
    const controller = this.zk?.controller ?? null;
    if (controller === null) return respond('NOT_CONTROLLER', []);
    controller.controlledShutdown(req.brokerId, req.brokerEpoch, respond);
  }

  /** A leader's ISR change: ZooKeeper mode's (its own write or AlterIsr), or AlterPartition in KRaft. */
  private alterPartition(p: Partition, isr: number[], change: 'shrink' | 'expand'): void {
    if (this.kraft !== null) return this.kraft.alterPartition(p, isr, change);
    this.zk?.alterPartition(p, isr, change);
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (this.kraft !== null && this.kraft.handleMessage(from, msg)) return;
    if (from === ZK_NODE) {
      this.zk?.handleMessage(from, msg);
      return;
    }
    if (!isKafkaMessage(msg)) return;
    const m = msg as KafkaMessage;
    // Before registration Kafka does not process requests (responses to our own requests still count).
    if (!this.registered && !m.type.endsWith('Response')) return;
    const controllerBefore = this.metadataCache.controllerId;
    if (!this.apis.handle(from, m)) this.channel.complete(m);
    if (this.metadataCache.controllerId !== controllerBefore) this.zk?.controllerChanged();
  }

  /**
   * SIGTERM (KafkaServer.shutdown, BrokerServer.shutdown): with controlled.shutdown.enable, a controlled shutdown
   * first. In ZooKeeper mode, once registered (startupComplete), ControlledShutdown requests to the controller until
   * one succeeds or the attempts run out (controlled-shutdown.ts); in KRaft mode the broker stops fetching what it
   * no longer replicates in sync (ReplicaManager.beginControlledShutdown) and heartbeats WantShutDown until the
   * controller answers ShouldShutDown, for at most 5 minutes (controlledShutdownFuture.get). Then the rest of the
   * shutdown (onShutdown).
   */
  onTerminate(): void {
    if (this.terminating) return;
    this.terminating = true;
    const exit = (): void => this.ctx.exit();
    if (!this.config.broker['controlled.shutdown.enable']) return exit();
    this.emitState('controlled-shutdown');
    if (this.kraft !== null) {
      this.replicaManager.beginControlledShutdown();
      const timeout = this.ctx.setTimer(KRAFT_CONTROLLED_SHUTDOWN_TIMEOUT_MS, () => {
        this.ctx.trace('controlled-shutdown', 'timed out waiting for the controller to approve controlled shutdown');
        exit();
      });
      this.kraft.beginControlledShutdown(() => {
        timeout.cancel();
        exit();
      });
      return;
    }
    if (this.zk === null || !this.registered) return exit();
    const zk = this.zk;
    zkControlledShutdown(
      {
        id: this.id,
        ctx: this.ctx,
        config: this.config,
        channel: this.channel,
        metadataCache: this.metadataCache,
        zk: zk.zk,
        brokerEpoch: () => zk.brokerEpoch,
      },
      (succeeded) => {
        if (!succeeded) this.ctx.trace('controlled-shutdown', 'all attempts failed: proceeding to an unclean shutdown');
        exit();
      },
    );
  }

  /**
   * The end of a shutdown, after any controlled shutdown: flush every log, checkpoint the high watermarks and write
   * the clean-shutdown marker (LogManager.shutdown), stop the fetchers, leave ZooKeeper or the quorum.
   */
  onShutdown(): void {
    const flushed = this.replicaManager.flushLogs();
    this.replicaManager.checkpointHighWatermarks();
    try {
      // A log that failed to flush leaves no marker (LogManager.shutdown's waitForAllToComplete).
      if (flushed) this.ctx.disk.writeAtomic(CLEAN_SHUTDOWN_MARKER, '');
    } catch (e) {
      // LogManager.shutdown (3.9) swallows a failed write of the marker (CoreUtils.swallow): the next start
      // then finds no marker and recovers its logs as after a crash.
      if (!(e instanceof DiskError)) throw e;
      this.ctx.trace('clean-shutdown', `marker not written: ${e.message}`);
    }
    this.replicaManager.shutdown();
    this.kraft?.stop();
    this.zk?.stop();
    this.emitState('shutdown');
  }
}

export function brokerProgram(
  id: number,
  config: ClusterConfig,
  observe: ObserverHub,
  raftHub: RaftHub,
  admin: AdminState = new AdminState(),
  coordinators: readonly CoordinatorFactory[] = [],
) {
  return (ctx: NodeContext): Broker => new Broker(id, ctx, config, observe, raftHub, admin, coordinators);
}
