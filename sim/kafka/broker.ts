// A Kafka broker in ZooKeeper mode: registers in ZooKeeper, may become the controller, follows the
// controller's LeaderAndIsr, leads and follows partitions, answers clients. Its memory is this object;
// its disk holds the partition logs, leader-epoch caches and the high-watermark checkpoint.
import type { NodeContext, Program, Timer } from '../world/node.ts';
import type { NodeId } from '../world/network.ts';
import type { ClusterConfig } from './config.ts';
import { logDirFailed } from './log-dir-failure.ts';
import { Controller } from './controller.ts';
import { eligibleAfter } from './election.ts';
import type { ZkControllerHost } from './controller.ts';
import { ReplicaFetcher } from './fetcher.ts';
import type {
  FetchPartitionData,
  FetchRequest,
  KafkaError,
  KafkaMessage,
  LeaderAndIsrRequest,
  LeaderAndIsrResponse,
  ListOffsetsRequest,
  OffsetsForLeaderEpochRequest,
  PartitionState,
  ProduceRequest,
  UpdateMetadataRequest,
} from './messages.ts';
import { CONSUMER_REPLICA_ID, isKafkaMessage, NO_EPOCH } from './messages.ts';
import type { ObserverHub } from './observer.ts';
import { Partition } from './partition.ts';
import { RequestChannel } from './request-channel.ts';
import {
  BROKER_IDS,
  CLEAN_SHUTDOWN_MARKER,
  brokerNode,
  brokerPath,
  CONTROLLER,
  encodeState,
  ISR_CHANGE_NOTIFICATION,
  partitionStatePath,
  ZK_NODE,
} from './zk-layout.ts';
import { ZkClient } from './zookeeper/index.ts';
import { KraftBrokerLifecycle } from './kraft/broker-lifecycle.ts';
import { RaftHub } from './kraft/observer.ts';

const HW_CHECKPOINT = 'replication-offset-checkpoint';
const PERSISTENT_PATHS = ['/brokers', BROKER_IDS, '/brokers/topics', ISR_CHANGE_NOTIFICATION];

interface DelayedProduce {
  from: NodeId;
  correlationId: number;
  partition: number;
  baseOffset: number;
  requiredOffset: number;
  timer: Timer | null;
  value: number;
}

interface DelayedFetch {
  from: NodeId;
  request: FetchRequest;
  timer: Timer | null;
}

/** Keeps the items `keep` accepts, in order, without allocating a new array (purgatories churn). */
function retain<T>(items: T[], keep: (item: T) => boolean): void {
  let j = 0;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (keep(item)) items[j++] = item;
  }
  items.length = j;
}

/** How soon a broker looks at /controller again when ZooKeeper could not answer. */
const CONTROLLER_CHECK_RETRY_MS = 1000;
export class Broker implements Program {
  readonly channel: RequestChannel;
  readonly zk: ZkClient;
  /** KRaft mode: registration, heartbeats, the metadata log and AlterPartition (null in ZooKeeper mode). */
  readonly kraft: KraftBrokerLifecycle | null;
  readonly partitions = new Map<number, Partition>();
  private readonly fetchers = new Map<number, ReplicaFetcher>();
  private readonly delayedProduces: DelayedProduce[] = [];
  private readonly delayedFetches: DelayedFetch[] = [];
  /** Highest controller epoch seen in a request: older controllers are zombies (STALE_CONTROLLER_EPOCH). */
  controllerEpochSeen = -1;
  controller: Controller | null = null;
  /** The metadata cache, from LeaderAndIsr and UpdateMetadata. */
  metadata = new Map<number, PartitionState>();
  liveBrokers: { id: number; rack: string | null }[] = [];
  activeControllerId = -1;
  private readonly checkpointedHw: Map<number, number>;
  private nextProducerId = 0;
  registered = false;
  /** False after a crash: this broker may have lost unflushed records (KIP-966 keeps it from leading blindly). */
  readonly cleanStart: boolean;

  constructor(
    readonly id: number,
    readonly ctx: NodeContext,
    readonly config: ClusterConfig,
    private readonly observe: ObserverHub,
    raftHub: RaftHub = new RaftHub(),
  ) {
    this.channel = new RequestChannel(ctx);
    this.checkpointedHw = readHwCheckpoint(ctx.disk.read(HW_CHECKPOINT));
    // Whether the last run ended cleanly: the marker is consumed at startup, written at clean shutdown.
    this.cleanStart = ctx.disk.exists(CLEAN_SHUTDOWN_MARKER) || ctx.incarnation === 1;
    ctx.disk.delete(CLEAN_SHUTDOWN_MARKER);
    if (this.observe.active) this.observe.emit({ kind: 'broker-state', time: ctx.now(), broker: id, state: 'starting' });
    // Logs are loaded (and recovered) at startup, as Kafka's LogManager does.
    for (const file of ctx.disk.list('log-')) {
      const p = Number(file.slice(4));
      if (!Number.isInteger(p)) continue;
      try {
        this.partitionOf(p);
      } catch (e) {
        logDirFailed(this.ctx, `loading partition ${p}`, e);
        break;
      }
    }
    this.zk = new ZkClient(ctx, ZK_NODE, { sessionTimeoutMs: config.broker['zookeeper.session.timeout.ms'] }, {
      onConnected: () => this.onZkSession(),
      onSessionExpired: () => this.onZkSessionExpired(),
      onWatch: (e) => this.controller?.onWatch(e) ?? this.onWatch(e),
    });
    this.kraft = config.metadata === 'kraft' ? this.kraftLifecycle(raftHub) : null;
    if (this.kraft === null) this.zk.connect();
    else this.kraft.start();
    const interval = config.broker['replica.high.watermark.checkpoint.interval.ms'];
    const checkpoint = (): void => {
      this.checkpointHighWatermarks();
      ctx.setTimer(interval, checkpoint);
    };
    ctx.setTimer(interval, checkpoint);
    const lagCheck = config.broker['replica.lag.time.max.ms'] / 2;
    const shrink = (): void => {
      for (const p of this.partitions.values()) p.maybeShrinkIsr();
      ctx.setTimer(lagCheck, shrink);
    };
    ctx.setTimer(lagCheck, shrink);
  }

  get rack(): string | null {
    return this.config.racks.length > 0 ? this.config.racks[this.id] : this.config.broker['broker.rack'];
  }

  // ---- ZooKeeper session, registration, controller election ----

  private onZkSession(): void {
    // Kafka creates its persistent paths at startup (KafkaZkClient.createTopLevelPaths); NODEEXISTS is fine.
    for (const path of PERSISTENT_PATHS) this.zk.create(path, '', {}, () => {});
    this.register();
  }

  /**
   * Registers /brokers/ids/<id>. If the node still belongs to our previous incarnation's session (a quick
   * restart after a crash), Kafka refuses to start until that session expires; we retry until then, and
   * process no request before we are registered.
   */
  private register(): void {
    const sessionAtStart = this.zk.sessionId;
    this.zk.create(brokerPath(this.id), JSON.stringify({ rack: this.rack, clean_shutdown: this.cleanStart }), { ephemeral: true }, (err) => {
      if (this.zk.sessionId !== sessionAtStart) return;
      if (err === null) return this.registeredNow();
      this.zk.exists(brokerPath(this.id), false, (e2, stat) => {
        if (e2 === null && stat !== null && stat.ephemeralOwner === this.zk.sessionId) return this.registeredNow();
        this.ctx.trace('register', `/brokers/ids/${this.id} exists for another session; retrying`);
        this.ctx.setTimer(1000, () => {
          if (!this.registered && this.zk.sessionId === sessionAtStart) this.register();
        });
      });
    });
  }

  private registeredNow(): void {
    this.registered = true;
    // KIP-380: our broker epoch is the registration's czxid; control requests for an older one are stale.
    this.zk.exists(brokerPath(this.id), false, (err, stat) => {
      if (err === null && stat !== null && stat !== undefined && stat.ephemeralOwner === this.zk.sessionId) this.brokerEpoch = stat.czxid;
    });
    if (this.observe.active) this.observe.emit({ kind: 'broker-state', time: this.ctx.now(), broker: this.id, state: 'running' });
    this.tryToBecomeController();
  }

  private onZkSessionExpired(): void {
    this.registered = false;
    if (this.observe.active) this.observe.emit({ kind: 'broker-state', time: this.ctx.now(), broker: this.id, state: 'zk-session-expired' });
    this.resignController();
  }

  private tryToBecomeController(): void {
    this.zk.create(CONTROLLER, JSON.stringify({ brokerid: this.id }), { ephemeral: true }, (err) => {
      if (err === null) return this.startController();
      // Someone else is controller (or ZooKeeper is unreachable): watch for the node to go away.
      this.checkControllerNode(false);
    });
  }

  private startController(): void {
    this.activeControllerId = this.id;
    const host: ZkControllerHost = {
      id: this.id,
      config: this.config,
      zk: this.zk,
      now: () => this.ctx.now(),
      trace: (kind, detail) => this.ctx.trace(kind, detail),
      setTimer: (ms, fn) => this.ctx.setTimer(ms, fn),
      sendRequest: (to, request, timeoutMs, resolve) => {
        this.channel.send<LeaderAndIsrResponse>(to, request, timeoutMs, resolve);
      },
      send: (to, request) => this.ctx.send(to, request),
      onActivated: (epoch) => {
        this.controllerEpochSeen = Math.max(this.controllerEpochSeen, epoch);
      },
      onResigned: () => this.controllerResigned(),
    };
    this.controller = new Controller(host, this.observe);
    this.controller.start();
  }

  /**
   * Looks at /controller and watches it. Absent: run for controller. Still ours after this broker's
   * controller gave up (a ZooKeeper error it could not handle): delete it, as Kafka's controller move
   * does, so that an election runs instead of the cluster keeping a controller that no longer acts.
   * Unreachable: look again shortly (ZooKeeper's client keeps the session across a connection loss).
   */
  private checkControllerNode(moveIfOurs: boolean): void {
    this.zk.getData(CONTROLLER, true, (err, data, stat) => {
      if (this.controller !== null) return;
      if (err === 'NONODE') return this.tryToBecomeController();
      if (err !== null || data === undefined || stat === undefined) return this.checkControllerNodeLater(moveIfOurs);
      const owner = (JSON.parse(data) as { brokerid: number }).brokerid;
      if (owner !== this.id) return;
      if (!moveIfOurs && stat.ephemeralOwner === this.zk.sessionId) {
        // Our create went through but its answer was lost (CONNECTIONLOSS): the node is ours, so we are the
        // controller, as Kafka's checkControllerAndEpoch concludes. Left alone, nobody ever was again.
        return this.startController();
      }
      if (moveIfOurs) {
        this.zk.delete(CONTROLLER, stat.version, (e2) => {
          // A lost answer: look again, so that the node does not outlive the controller that gave up.
          if (e2 === 'CONNECTIONLOSS') this.checkControllerNodeLater(true);
        });
      }
    });
  }

  private checkControllerNodeLater(moveIfOurs: boolean): void {
    if (this.controllerCheckPending) return;
    this.controllerCheckPending = true;
    this.ctx.setTimer(CONTROLLER_CHECK_RETRY_MS, () => {
      this.controllerCheckPending = false;
      if (this.controller === null) this.checkControllerNode(moveIfOurs);
    });
  }

  private controllerCheckPending = false;

  private resignController(): void {
    if (this.controller !== null) {
      this.controller.stop();
      this.controller = null;
    }
  }

  private onWatch(e: { path: string; type: string }): void {
    if (e.path === CONTROLLER && e.type === 'NodeDeleted') this.tryToBecomeController();
    else if (e.path === CONTROLLER) {
      this.zk.exists(CONTROLLER, true, (err, stat) => {
        if (err === null && stat === null) this.tryToBecomeController();
      });
    }
  }

  /** Called by the controller when it loses its ZooKeeper standing. */
  private controllerResigned(): void {
    this.controller = null;
    this.checkControllerNode(true);
  }

  // ---- message dispatch ----

  onMessage(from: NodeId, msg: unknown): void {
    if (this.kraft !== null && this.kraft.handleMessage(from, msg)) return;
    if (from === ZK_NODE) {
      this.zk.handleMessage(from, msg);
      return;
    }
    if (!isKafkaMessage(msg)) return;
    const m = msg as KafkaMessage;
    // Before registration Kafka does not process requests (responses to our own requests still count).
    if (!this.registered && !m.type.endsWith('Response')) return;
    switch (m.type) {
      case 'Produce':
        return this.handleProduce(from, m);
      case 'Fetch':
        return this.handleFetch(from, m);
      case 'OffsetsForLeaderEpoch':
        return this.handleOffsetsForLeaderEpoch(from, m);
      case 'LeaderAndIsr':
        return this.handleLeaderAndIsr(from, m);
      case 'UpdateMetadata':
        return this.handleUpdateMetadata(m);
      case 'Metadata':
        this.ctx.send(from, {
          type: 'MetadataResponse',
          correlationId: m.correlationId,
          brokers: this.liveBrokers,
          controllerId: this.activeControllerId,
          partitions: [...this.metadata.values()].sort((a, b) => a.partition - b.partition),
        });
        return;
      case 'ListOffsets':
        return this.handleListOffsets(from, m);
      case 'InitProducerId':
        // Producer ids unique across brokers and restarts: broker id and incarnation in the high digits.
        this.ctx.send(from, {
          type: 'InitProducerIdResponse',
          correlationId: m.correlationId,
          error: 'NONE',
          producerId: (this.id + 1) * 1_000_000_000 + this.ctx.incarnation * 1_000_000 + this.nextProducerId++,
        });
        return;
      default:
        this.channel.complete(m);
    }
  }

  // ---- controller requests ----

  private handleLeaderAndIsr(from: NodeId, req: LeaderAndIsrRequest): void {
    if (this.staleBrokerEpoch(req)) {
      this.ctx.trace('fenced', `LeaderAndIsr from controller ${req.controllerId} for broker epoch ${req.brokerEpoch} < ${this.brokerEpoch}`);
      this.ctx.send(from, { type: 'LeaderAndIsrResponse', correlationId: req.correlationId, error: 'STALE_BROKER_EPOCH' });
      return;
    }
    if (req.controllerEpoch < this.controllerEpochSeen) {
      this.ctx.trace('fenced', `LeaderAndIsr from controller ${req.controllerId} epoch ${req.controllerEpoch} < ${this.controllerEpochSeen}`);
      this.ctx.send(from, { type: 'LeaderAndIsrResponse', correlationId: req.correlationId, error: 'STALE_CONTROLLER_EPOCH' });
      return;
    }
    this.controllerEpochSeen = req.controllerEpoch;
    this.activeControllerId = req.controllerId;
    this.liveBrokers = req.liveBrokers;
    for (const state of req.partitionStates) {
      this.metadata.set(state.partition, state);
      if (!state.replicas.includes(this.id)) continue;
      try {
        this.applyPartitionState(state);
      } catch (e) {
        return logDirFailed(this.ctx, `partition ${state.partition} becoming ${state.leader === this.id ? 'leader' : 'follower'}`, e);
      }
    }
    this.ctx.send(from, { type: 'LeaderAndIsrResponse', correlationId: req.correlationId, error: 'NONE' });
  }

  private applyPartitionState(state: PartitionState): void {
    const p = this.partitionOf(state.partition);
    const newEpoch = state.leaderEpoch > p.leaderEpoch;
    if (!newEpoch) {
      // Same epoch: only a newer partition epoch (an ISR change) is news.
      if (state.leaderEpoch === p.leaderEpoch && state.partitionEpoch > p.partitionEpoch && p.role !== 'none') p.applyState(state);
      return;
    }
    if (state.leader === this.id) {
      this.removeFromFetcher(p.id);
      p.makeLeader(state);
      return;
    }
    const previousLeader = p.leader;
    const wasFollower = p.role === 'follower';
    p.makeFollower(state);
    this.completeDelayedProduces(p.id);
    if (state.leader < 0) {
      this.removeFromFetcher(p.id);
      return;
    }
    if (!this.config.protocol.kafka7164 && wasFollower && previousLeader === state.leader && this.fetcherFor(state.leader).has(p.id)) {
      // KAFKA-7164: "no change in leader" — the fetcher carries on with the new epoch and no truncation.
      this.fetcherFor(state.leader).updateEpoch(p.id, state.leaderEpoch);
      return;
    }
    this.removeFromFetcher(p.id);
    if (!this.config.protocol.kip101) {
      // Before KIP-101 a new follower truncated to its high watermark, then fetched.
      p.truncateTo(p.highWatermark, 'high-watermark');
      this.fetcherFor(state.leader).add(p, state.leaderEpoch, false);
    } else {
      this.fetcherFor(state.leader).add(p, state.leaderEpoch, true);
    }
  }

  // ---- KRaft mode: the metadata log instead of ZooKeeper and LeaderAndIsr ----

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
          if (this.observe.active) this.observe.emit({ kind: 'broker-state', time: this.ctx.now(), broker: this.id, state: 'running' });
        },
        publish: (states, liveBrokers, controllerId) => this.applyMetadataRecords(states, liveBrokers, controllerId),
      },
      raftHub,
      (p) => this.partitions.get(p),
    );
  }

  /**
   * Committed partition records, as the broker's metadata publisher hands them over: the same role
   * changes LeaderAndIsr makes in ZooKeeper mode, and a leader adopts a newer ISR of its own epoch.
   * A role change a disk error stops halts the broker.
   */
  private applyMetadataRecords(states: PartitionState[], liveBrokers: { id: number; rack: string | null }[], controllerId: number): void {
    this.liveBrokers = liveBrokers;
    this.activeControllerId = controllerId;
    for (const state of states) {
      this.metadata.set(state.partition, state);
      if (!state.replicas.includes(this.id)) continue;
      try {
        this.applyPartitionState(state);
      } catch (e) {
        logDirFailed(this.ctx, `partition ${state.partition} becoming ${state.leader === this.id ? 'leader' : 'follower'}`, e);
        return;
      }
      const p = this.partitions.get(state.partition);
      if (p !== undefined && p.role === 'leader') p.maybeIncrementHighWatermark();
    }
  }

  /**
   * KIP-380: a control request addressed to an earlier registration of this broker (sent by a controller
   * that has not seen us restart: a zombie, or one about to learn of the bounce) is refused, since a
   * restarted broker no longer knows the controller epoch that would fence it.
   */
  private staleBrokerEpoch(req: { brokerEpoch?: number }): boolean {
    return req.brokerEpoch !== undefined && req.brokerEpoch >= 0 && this.brokerEpoch >= 0 && req.brokerEpoch < this.brokerEpoch;
  }

  /** This incarnation's registration czxid (KIP-380's broker epoch), once known; -1 before. */
  private brokerEpoch = -1;

  private handleUpdateMetadata(req: UpdateMetadataRequest): void {
    if (this.staleBrokerEpoch(req) || req.controllerEpoch < this.controllerEpochSeen) return;
    this.controllerEpochSeen = req.controllerEpoch;
    this.activeControllerId = req.controllerId;
    this.liveBrokers = req.liveBrokers;
    for (const s of req.partitionStates) {
      this.metadata.set(s.partition, s);
      const p = this.partitions.get(s.partition);
      // A leader adopts the controller's view of its ISR when it is newer (e.g. a dead replica removed).
      if (p !== undefined && p.role === 'leader' && s.leader === this.id && s.leaderEpoch === p.leaderEpoch && s.partitionEpoch > p.partitionEpoch) {
        p.applyState(s);
        p.maybeIncrementHighWatermark();
      }
    }
  }

  // ---- partitions and fetchers ----

  partitionOf(id: number): Partition {
    let p = this.partitions.get(id);
    if (p === undefined) {
      p = new Partition(
        id,
        {
          brokerId: this.id,
          disk: this.ctx.disk,
          config: this.config.broker,
          protocol: this.config.protocol,
          now: () => this.ctx.now(),
          observe: this.observe,
          proposeIsr: (part, isr, change) => this.proposeIsr(part, isr, change),
          onHighWatermark: (part) => this.onHighWatermark(part),
          onAppend: (part) => this.completeDelayedFetches(part.id),
        },
        this.checkpointedHw.get(id) ?? 0,
      );
      // What survived on disk: watchers learn what a crash took (the unsynced tail) only from this.
      if (this.observe.active) this.observe.emit({ kind: 'truncate', time: this.ctx.now(), broker: this.id, partition: id, toOffset: p.logEndOffset, fromLogEndOffset: p.logEndOffset, reason: 'recovery', removed: [] });
      this.partitions.set(id, p);
    }
    return p;
  }

  private fetcherFor(leader: number): ReplicaFetcher {
    let f = this.fetchers.get(leader);
    if (f === undefined) {
      f = new ReplicaFetcher(leader, {
        brokerId: this.id,
        config: this.config.broker,
        protocol: this.config.protocol,
        channel: this.channel,
        nodeOf: brokerNode,
        setTimer: (ms, fn) => this.ctx.setTimer(ms, fn),
        onStorageError: (partition, e) => logDirFailed(this.ctx, `partition ${partition} fetching`, e),
        onFenced: (partition, error) => {
          if (this.observe.active) this.observe.emit({ kind: 'fenced', time: this.ctx.now(), broker: this.id, partition, error, detail: `fetch from leader ${leader}` });
        },
      });
      this.fetchers.set(leader, f);
    }
    return f;
  }

  private removeFromFetcher(partition: number): void {
    for (const f of this.fetchers.values()) f.remove(partition);
  }

  /** ZooKeeper mode: the leader writes the new ISR itself, conditional on the partition epoch (zkVersion). */
  private proposeIsr(p: Partition, isr: number[], change: 'shrink' | 'expand'): void {
    if (this.kraft !== null) return this.kraft.alterPartition(p, isr, change);
    const leaderEpoch = p.leaderEpoch;
    const b = this.config.broker;
    const policy = { kip966: this.config.protocol.kip966, unclean: b['unclean.leader.election.enable'], minIsr: b['min.insync.replicas'] };
    const elr = eligibleAfter(p.isr, isr, p.elr, policy);
    const state = { leader: this.id, leader_epoch: leaderEpoch, isr, controller_epoch: this.controllerEpochSeen, eligible_leader_replicas: elr };
    const data = encodeState(state);
    const written = (version: number): void => {
      p.isrChanged(isr, elr, version, change);
      this.zk.create(`${ISR_CHANGE_NOTIFICATION}/isr_change_`, JSON.stringify({ partitions: [p.id] }), { sequential: true }, () => {});
    };
    this.zk.setData(partitionStatePath(p.id), data, p.partitionEpoch, (err, stat) => {
      if (p.leaderEpoch !== leaderEpoch || p.role !== 'leader') return;
      if (err === 'CONNECTIONLOSS') return this.confirmIsrWrite(p, leaderEpoch, isr, data, written);
      if (err !== null || stat === undefined) {
        // BADVERSION: our cached zkVersion is stale; wait for the controller's LeaderAndIsr. Else retry later.
        this.ctx.trace('isr-update-failed', `partition ${p.id}: ${err}`);
        p.pendingIsr = null;
        return;
      }
      written(stat.version);
    });
  }

  /**
   * An ISR write whose answer was lost may have landed. Kafka's ZooKeeperClient retries it, and on
   * BADVERSION checkLeaderAndIsrZkData asks whether the node now holds exactly the state we wrote. Until
   * that is known the change stays pending, so the high watermark keeps counting the maximal ISR. (Taking
   * it as failed left a leader acknowledging with a smaller ISR than ZooKeeper's, from which the next
   * controller then elected a replica without those records.)
   */
  private confirmIsrWrite(p: Partition, leaderEpoch: number, isr: number[], data: string, written: (version: number) => void): void {
    this.zk.getData(partitionStatePath(p.id), false, (err, current, stat) => {
      if (p.leaderEpoch !== leaderEpoch || p.role !== 'leader' || p.pendingIsr !== isr) return;
      if (err === 'CONNECTIONLOSS') return this.confirmIsrWrite(p, leaderEpoch, isr, data, written);
      if (err === null && current === data && stat !== undefined && stat.version > p.partitionEpoch) return written(stat.version);
      // Not ours: unchanged (retried later, as any failed change) or changed by the controller (its
      // LeaderAndIsr follows).
      this.ctx.trace('isr-update-failed', `partition ${p.id}: ${err ?? 'not written'}`);
      p.pendingIsr = null;
    });
  }

  // ---- produce ----

  private handleProduce(from: NodeId, req: ProduceRequest): void {
    const p = this.partitions.get(req.partition);
    if (p === undefined) return this.replyProduce(from, req, 'NOT_LEADER_OR_FOLLOWER', -1);
    let result;
    try {
      result = p.appendAsLeader(req.producerId, req.baseSequence, req.values, req.acks);
    } catch (e) {
      return logDirFailed(this.ctx, `partition ${req.partition} appending`, e);
    }
    if (result.error !== 'NONE') return this.replyProduce(from, req, result.error, -1);
    if (req.acks !== -1) {
      if (this.observe.active) this.observe.emit({ kind: 'acked', time: this.ctx.now(), broker: this.id, partition: p.id, offset: result.baseOffset, value: req.values[0], acks: req.acks });
      return this.replyProduce(from, req, 'NONE', result.baseOffset);
    }
    const d: DelayedProduce = {
      from,
      correlationId: req.correlationId,
      partition: p.id,
      baseOffset: result.baseOffset,
      requiredOffset: result.requiredOffset,
      value: req.values[0],
      timer: null,
    };
    d.timer = this.ctx.setTimerWith(req.timeoutMs, this.expireProduce, d);
    if (!this.tryCompleteProduce(d)) this.delayedProduces.push(d);
  }

  private replyProduce(from: NodeId, req: ProduceRequest, error: KafkaError, baseOffset: number): void {
    if (req.acks !== 0) this.ctx.send(from, { type: 'ProduceResponse', correlationId: req.correlationId, partition: req.partition, error, baseOffset });
  }

  private readonly expireProduce = (d: DelayedProduce): void => {
    retain(this.delayedProduces, (x) => x !== d);
    this.ctx.send(d.from, { type: 'ProduceResponse', correlationId: d.correlationId, partition: d.partition, error: 'REQUEST_TIMED_OUT', baseOffset: -1 });
  };

  private tryCompleteProduce(d: DelayedProduce): boolean {
    const p = this.partitions.get(d.partition);
    const outcome = p === undefined ? 'NOT_LEADER_OR_FOLLOWER' : p.checkEnoughReplicasReachOffset(d.requiredOffset);
    if (outcome === null) return false;
    d.timer?.cancel();
    if (outcome === 'NONE') {
      if (this.observe.active) this.observe.emit({ kind: 'acked', time: this.ctx.now(), broker: this.id, partition: d.partition, offset: d.baseOffset, value: d.value, acks: -1 });
    }
    this.ctx.send(d.from, { type: 'ProduceResponse', correlationId: d.correlationId, partition: d.partition, error: outcome, baseOffset: outcome === 'NONE' ? d.baseOffset : -1 });
    return true;
  }

  private onHighWatermark(p: Partition): void {
    if (this.delayedProduces.length > 0) this.completeDelayedProduces(p.id);
    this.completeDelayedFetches(p.id);
  }

  /**
   * Answers the waiting produces of a partition that can answer, keeping the others in order; for a
   * replica no longer leading, every one answers NOT_LEADER_OR_FOLLOWER.
   */
  private completeDelayedProduces(partition: number): void {
    retain(this.delayedProduces, (d) => d.partition !== partition || !this.tryCompleteProduce(d));
  }

  // ---- fetch ----

  private fencingError(p: Partition | undefined, currentLeaderEpoch: number, mustLead: boolean): KafkaError {
    if (p === undefined || p.role === 'none') return 'NOT_LEADER_OR_FOLLOWER';
    if (mustLead && p.role !== 'leader') return 'NOT_LEADER_OR_FOLLOWER';
    if (currentLeaderEpoch !== NO_EPOCH) {
      if (currentLeaderEpoch < p.leaderEpoch) return 'FENCED_LEADER_EPOCH';
      if (currentLeaderEpoch > p.leaderEpoch) return 'UNKNOWN_LEADER_EPOCH';
    }
    return 'NONE';
  }

  private handleFetch(from: NodeId, req: FetchRequest, delayed = false): void {
    const fromFollower = req.replicaId !== CONSUMER_REPLICA_ID;
    // KIP-392: a consumer in the same rack may read from a follower.
    const mustLead = fromFollower || req.rackId === null || req.rackId !== this.rack;
    if (!delayed) {
      // First record the follower's position and see whether there is anything to answer: most fetches
      // find nothing and wait in the purgatory, so the response is built only once it is due.
      let answerNow = req.maxWaitMs <= 0;
      const parts = req.partitions;
      for (let i = 0; i < parts.length; i++) {
        const fp = parts[i];
        const p = this.partitions.get(fp.partition);
        if (p === undefined || this.fencingError(p, fp.currentLeaderEpoch, mustLead) !== 'NONE' || fp.fetchOffset > p.logEndOffset || fp.fetchOffset < p.log.logStartOffset) {
          answerNow = true;
          continue;
        }
        if (fromFollower) p.updateFollowerFetchState(req.replicaId, fp.fetchOffset);
        if (p.hasDataToRead(fp.fetchOffset, fromFollower ? p.logEndOffset : p.highWatermark)) answerNow = true;
      }
      if (!answerNow) {
        const d: DelayedFetch = { from, request: req, timer: null };
        d.timer = this.ctx.setTimerWith(req.maxWaitMs, this.expireFetch, d);
        this.delayedFetches.push(d);
        return;
      }
    }
    const parts = req.partitions;
    const data = new Array<FetchPartitionData>(parts.length);
    for (let i = 0; i < parts.length; i++) {
      const fp = parts[i];
      const p = this.partitions.get(fp.partition);
      const error = this.fencingError(p, fp.currentLeaderEpoch, mustLead);
      if (error !== 'NONE' || p === undefined) {
        data[i] = { partition: fp.partition, error, highWatermark: -1, logStartOffset: -1, logEndOffset: -1, batches: [], leaderEpoch: p?.leaderEpoch ?? -1 };
      } else if (fp.fetchOffset > p.logEndOffset || fp.fetchOffset < p.log.logStartOffset) {
        data[i] = { partition: fp.partition, error: 'OFFSET_OUT_OF_RANGE', highWatermark: p.highWatermark, logStartOffset: p.log.logStartOffset, logEndOffset: p.logEndOffset, batches: [], leaderEpoch: p.leaderEpoch };
      } else {
        const upTo = fromFollower ? p.logEndOffset : p.highWatermark;
        data[i] = { partition: fp.partition, error: 'NONE', highWatermark: p.highWatermark, logStartOffset: p.log.logStartOffset, logEndOffset: p.logEndOffset, batches: p.read(fp.fetchOffset, upTo), leaderEpoch: p.leaderEpoch };
      }
    }
    this.ctx.send(from, { type: 'FetchResponse', correlationId: req.correlationId, partitions: data });
  }

  private readonly expireFetch = (d: DelayedFetch): void => {
    retain(this.delayedFetches, (x) => x !== d);
    this.handleFetch(d.from, d.request, true);
  };

  private completeDelayedFetches(partition: number): void {
    if (this.delayedFetches.length === 0) return;
    // Answering a delayed fetch never delays another, so each can be answered as it is taken out.
    retain(this.delayedFetches, (d) => {
      const parts = d.request.partitions;
      for (let i = 0; i < parts.length; i++) {
        if (parts[i].partition === partition) {
          d.timer?.cancel();
          this.handleFetch(d.from, d.request, true);
          return false;
        }
      }
      return true;
    });
  }

  private handleOffsetsForLeaderEpoch(from: NodeId, req: OffsetsForLeaderEpochRequest): void {
    const partitions = req.partitions.map((r) => {
      const p = this.partitions.get(r.partition);
      const error = this.fencingError(p, r.currentLeaderEpoch, true);
      if (error !== 'NONE' || p === undefined) return { partition: r.partition, error, leaderEpoch: -1, endOffset: -1 };
      const [leaderEpoch, endOffset] = p.endOffsetForEpoch(r.leaderEpoch);
      return { partition: r.partition, error: 'NONE' as KafkaError, leaderEpoch, endOffset };
    });
    this.ctx.send(from, { type: 'OffsetsForLeaderEpochResponse', correlationId: req.correlationId, partitions });
  }

  private handleListOffsets(from: NodeId, req: ListOffsetsRequest): void {
    const p = this.partitions.get(req.partition);
    const error = this.fencingError(p, req.currentLeaderEpoch, true);
    if (error !== 'NONE' || p === undefined) {
      this.ctx.send(from, { type: 'ListOffsetsResponse', correlationId: req.correlationId, partition: req.partition, error, offset: -1, leaderEpoch: -1 });
      return;
    }
    const offset = req.timestamp === -2 ? p.log.logStartOffset : p.highWatermark;
    this.ctx.send(from, { type: 'ListOffsetsResponse', correlationId: req.correlationId, partition: req.partition, error: 'NONE', offset, leaderEpoch: p.leaderEpoch });
  }

  // ---- disk ----

  checkpointHighWatermarks(): void {
    const lines = [...this.partitions.values()].map((p) => `${p.id} ${p.highWatermark}`);
    try {
      this.ctx.disk.writeAtomic(HW_CHECKPOINT, lines.join('\n'));
    } catch (e) {
      logDirFailed(this.ctx, 'checkpointing high watermarks', e);
    }
  }


  /** A clean shutdown: flush every log and checkpoint the high watermarks (Kafka's controlled shutdown). */
  onShutdown(): void {
    for (const p of this.partitions.values()) p.log.flush();
    this.checkpointHighWatermarks();
    this.ctx.disk.writeAtomic(CLEAN_SHUTDOWN_MARKER, '');
    for (const f of this.fetchers.values()) f.stop();
    this.kraft?.stop();
    this.zk.close();
    if (this.observe.active) this.observe.emit({ kind: 'broker-state', time: this.ctx.now(), broker: this.id, state: 'shutdown' });
  }
}

function readHwCheckpoint(text: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const line of text.split('\n')) {
    const [p, hw] = line.split(' ').map(Number);
    if (Number.isInteger(p) && Number.isInteger(hw)) out.set(p, hw);
  }
  return out;
}

export function brokerProgram(id: number, config: ClusterConfig, observe: ObserverHub, onStart?: (b: Broker) => void, raftHub?: RaftHub) {
  return (ctx: NodeContext): Broker => {
    const b = new Broker(id, ctx, config, observe, raftHub);
    onStart?.(b);
    return b;
  };
}
