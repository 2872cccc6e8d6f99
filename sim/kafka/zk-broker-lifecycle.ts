// A broker's side of ZooKeeper mode, as kraft/broker-lifecycle.ts is its side of KRaft mode: the
// ZooKeeper session and the registration under /brokers/ids (Kafka's KafkaServer.startup:
// KafkaZkClient.createTopLevelPaths and registerBroker, whose CheckedEphemeral.create answers the czxid, the
// broker epoch, at once; KafkaController's RegisterBrokerAndReelect after a session expiry), the controller
// election through /controller (KafkaController.elect, its ControllerChangeHandler, triggerControllerMove
// and onControllerResignation), and the leader's ISR changes: before KIP-497 (2.7) its own ZooKeeper writes
// (ZkPartitionStateStore / ZkIsrManager with ReplicationUtils.updateLeaderAndIsr and
// checkLeaderAndIsrZkData, then the /isr_change_notification of ReplicaManager.maybePropagateIsrChanges),
// from 2.7 AlterIsr to the controller (alter-isr-manager.ts).
import type { NodeContext } from '../world/node.ts';
import type { NodeId } from '../world/network.ts';
import type { ClusterConfig } from './config.ts';
import { AlterIsrManager } from './alter-isr-manager.ts';
import { Controller } from './controller.ts';
import type { ZkControllerHost } from './controller.ts';
import { eligibleAfter } from './election.ts';
import type { LeaderAndIsrResponse } from './messages.ts';
import { uncleanLeaderElectionEnabledFor } from './topics.ts';
import type { AdminState } from './admin.ts';
import type { ObserverHub } from './observer.ts';
import type { Partition } from './partition.ts';
import type { RequestChannel } from './request-channel.ts';
import {
  BROKER_IDS,
  brokerPath,
  CONTROLLER,
  encodeState,
  ISR_CHANGE_NOTIFICATION,
  partitionStatePath,
  ZK_NODE,
} from './zk-layout.ts';
import { ZkClient } from './zookeeper/index.ts';

const PERSISTENT_PATHS = ['/brokers', BROKER_IDS, '/brokers/topics', ISR_CHANGE_NOTIFICATION];

/** How soon a broker looks at /controller again when ZooKeeper could not answer. */
const CONTROLLER_CHECK_RETRY_MS = 1000;

export interface ZkBrokerHost {
  readonly id: number;
  readonly ctx: NodeContext;
  readonly config: ClusterConfig;
  readonly observe: ObserverHub;
  /** What the operator has done (a reassignment submitted), shared by the cluster's brokers. */
  readonly admin: AdminState;
  /** The broker's request channel, which its controller's LeaderAndIsr requests go through. */
  readonly channel: RequestChannel;
  readonly rack: string | null;
  readonly cleanStart: boolean;
  /** The highest controller epoch the broker has seen: each ISR write carries it. */
  controllerEpoch(): number;
  /** The controller the broker's metadata cache names, or -1: AlterIsr goes there. */
  controllerId(): number;
  /** Registered: the broker starts serving requests (Kafka's RUNNING state). */
  onRegistered(): void;
  /** The session and its registration are gone (the broker keeps serving; it registers again). */
  onSessionExpired(): void;
  /** This broker created /controller: it is the controller its metadata names. */
  onElected(): void;
  /** This broker's controller is active with `epoch`. */
  onControllerActivated(epoch: number): void;
}

export class ZkBrokerLifecycle {
  readonly zk: ZkClient;
  /** The controller, while this broker holds /controller. */
  controller: Controller | null = null;
  /**
   * The czxid of this incarnation's latest registration (KIP-380's broker epoch) as the broker knows it: -1
   * before the first; after a session expiry, the old one until the new registration answers.
   */
  brokerEpoch = -1;
  private registered = false;
  private controllerCheckPending = false;
  /** KIP-497 (2.7+): the leader's ISR changes go to the controller. */
  private readonly alterIsr: AlterIsrManager | null;

  constructor(private readonly host: ZkBrokerHost) {
    this.alterIsr = host.config.protocol.kip497
      ? new AlterIsrManager({
          id: host.id,
          ctx: host.ctx,
          config: host.config,
          channel: host.channel,
          controllerId: () => host.controllerId(),
          brokerEpoch: () => this.brokerEpoch,
        })
      : null;
    this.zk = new ZkClient(
      host.ctx,
      ZK_NODE,
      { sessionTimeoutMs: host.config.broker['zookeeper.session.timeout.ms'] },
      {
        onConnected: () => this.onSession(),
        onSessionExpired: () => this.onSessionExpired(),
        onWatch: (e) => this.controller?.onWatch(e) ?? this.onWatch(e),
      },
    );
  }

  private get id(): number {
    return this.host.id;
  }

  private get ctx(): NodeContext {
    return this.host.ctx;
  }

  start(): void {
    this.zk.connect();
  }

  /** A clean shutdown: closing the session deletes the registration (and /controller, if ours) at once. */
  stop(): void {
    this.alterIsr?.stop();
    this.zk.close();
  }

  /** The broker's metadata cache names another controller. */
  controllerChanged(): void {
    this.alterIsr?.controllerChanged();
  }

  /** The node's messages from ZooKeeper go here. */
  handleMessage(from: NodeId, msg: unknown): void {
    this.zk.handleMessage(from, msg);
  }

  // ---- session and registration ----

  private onSession(): void {
    // Kafka creates its persistent paths at startup (KafkaZkClient.createTopLevelPaths); NODEEXISTS is fine.
    for (const path of PERSISTENT_PATHS) this.zk.create(path, '', {}, () => {});
    this.register();
  }

  /**
   * Registers /brokers/ids/<id> as KafkaZkClient.registerBroker does (CheckedEphemeral.create): a multi
   * creating the node and setting its data, whose setData answer carries the czxid, our broker epoch (KIP-380).
   * If the node still belongs to our previous incarnation's session (a quick restart after a crash), Kafka
   * refuses to start until that session expires; we retry until then, and process no request before we are
   * first registered. A lost answer is found out as getAfterNodeExists does: the node is ours.
   */
  private register(): void {
    const sessionAtStart = this.zk.sessionId;
    const registration = JSON.stringify({ rack: this.host.rack, clean_shutdown: this.host.cleanStart });
    const path = brokerPath(this.id);
    const ops = [
      { type: 'create' as const, path, data: '', ephemeral: true },
      { type: 'setData' as const, path, data: registration, version: 0 },
    ];
    this.zk.multi(ops, (err, results) => {
      if (this.zk.sessionId !== sessionAtStart) return;
      const set = results?.[1];
      if (err === null && set?.type === 'setData') return this.registeredNow(set.stat.czxid);
      this.zk.exists(path, false, (e2, stat) => {
        if (e2 === null && stat !== null && stat.ephemeralOwner === this.zk.sessionId) {
          return this.registeredNow(stat.czxid);
        }
        this.ctx.trace('register', `/brokers/ids/${this.id} exists for another session; retrying`);
        this.ctx.setTimer(1000, () => {
          if (!this.registered && this.zk.sessionId === sessionAtStart) this.register();
        });
      });
    });
  }

  private registeredNow(czxid: number): void {
    this.registered = true;
    this.brokerEpoch = czxid;
    this.host.onRegistered();
    this.elect();
  }

  /**
   * The session is gone, and with it the registration: the broker carries on serving (Kafka's KafkaServer
   * does not stop its request handlers) and registers again with its next session, keeping its old broker
   * epoch until that registration answers.
   */
  private onSessionExpired(): void {
    this.registered = false;
    this.host.onSessionExpired();
    this.resignController();
  }

  // ---- controller election ----

  private elect(): void {
    this.zk.create(CONTROLLER, JSON.stringify({ brokerid: this.id }), { ephemeral: true }, (err) => {
      if (err === null) return this.startController();
      // Someone else is controller (or ZooKeeper is unreachable): watch for the node to go away.
      this.checkControllerNode(false);
    });
  }

  private startController(): void {
    this.host.onElected();
    const ctx = this.ctx;
    const controllerHost: ZkControllerHost = {
      id: this.id,
      config: this.host.config,
      admin: this.host.admin,
      zk: this.zk,
      now: () => ctx.now(),
      trace: (kind, detail) => ctx.trace(kind, detail),
      setTimer: (ms, fn) => ctx.setTimer(ms, fn),
      sendRequest: (to, request, timeoutMs, resolve) => {
        this.host.channel.send<LeaderAndIsrResponse>(to, request, timeoutMs, resolve);
      },
      send: (to, request) => ctx.send(to, request),
      onActivated: (epoch) => this.host.onControllerActivated(epoch),
      onResigned: () => this.controllerResigned(),
    };
    this.controller = new Controller(controllerHost, this.host.observe);
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
      if (err === 'NONODE') return this.elect();
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

  private resignController(): void {
    if (this.controller !== null) {
      this.controller.stop();
      this.controller = null;
    }
  }

  /** Kafka's ControllerChangeHandler: /controller gone (or changed and gone by now) means an election. */
  private onWatch(e: { path: string; type: string }): void {
    if (e.path === CONTROLLER && e.type === 'NodeDeleted') this.elect();
    else if (e.path === CONTROLLER) {
      this.zk.exists(CONTROLLER, true, (err, stat) => {
        if (err === null && stat === null) this.elect();
      });
    }
  }

  /** Called by the controller when it loses its ZooKeeper standing. */
  private controllerResigned(): void {
    this.controller = null;
    this.checkControllerNode(true);
  }

  // ---- ISR changes ----

  /** The leader's ISR change: AlterIsr to the controller (KIP-497, 2.7+), or its own ZooKeeper write. */
  alterPartition(p: Partition, isr: number[], change: 'shrink' | 'expand'): void {
    if (this.alterIsr !== null) this.alterIsr.submit(p, isr, change);
    else this.writeIsr(p, isr, change);
  }

  /**
   * Before KIP-497 the leader writes the new ISR itself, conditional on the partition epoch (zkVersion):
   * Partition.expandIsr/shrinkIsr, which held the partition's lock until ZooKeeper answered.
   */
  private writeIsr(p: Partition, isr: number[], change: 'shrink' | 'expand'): void {
    const leaderEpoch = p.leaderEpoch;
    const c = this.host.config;
    // The partition's own election rules (its topic's unclean.leader.election.enable; eligibleAfter reads only
    // KIP-966's switch and the min ISR).
    const policy = {
      elr: c.protocol.elr,
      unclean: uncleanLeaderElectionEnabledFor(c, p.id),
      minIsr: c.broker['min.insync.replicas'],
    };
    const elr = eligibleAfter(p.isr, isr, p.elr, policy);
    const data = encodeState({
      leader: this.id,
      leader_epoch: leaderEpoch,
      isr,
      controller_epoch: this.host.controllerEpoch(),
      eligible_leader_replicas: elr,
    });
    const proposedAt = p.partitionEpoch;
    const written = (version: number): void => {
      p.isrChanged(isr, elr, version, change, proposedAt);
      const notification = JSON.stringify({ partitions: [p.id] });
      this.zk.create(`${ISR_CHANGE_NOTIFICATION}/isr_change_`, notification, { sequential: true }, () => {});
    };
    this.zk.setData(partitionStatePath(p.id), data, proposedAt, (err, stat) => {
      if (p.leaderEpoch !== leaderEpoch || p.role !== 'leader') return;
      if (err === 'CONNECTIONLOSS') return this.confirmIsrWrite(p, leaderEpoch, isr, data, written);
      if (err !== null || stat === undefined) {
        // BADVERSION: our cached zkVersion is stale; wait for the controller's LeaderAndIsr. Else retry later.
        this.ctx.trace('isr-update-failed', `partition ${p.id}: ${err}`);
        p.isrChangeFailed(isr);
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
  private confirmIsrWrite(
    p: Partition,
    leaderEpoch: number,
    isr: number[],
    data: string,
    written: (version: number) => void,
  ): void {
    this.zk.getData(partitionStatePath(p.id), false, (err, current, stat) => {
      if (p.leaderEpoch !== leaderEpoch || p.role !== 'leader' || p.pendingIsr !== isr) return;
      if (err === 'CONNECTIONLOSS') return this.confirmIsrWrite(p, leaderEpoch, isr, data, written);
      if (err === null && current === data && stat !== undefined && stat.version > p.partitionEpoch) {
        return written(stat.version);
      }
      // Not ours: unchanged (retried later, as any failed change) or changed by the controller (its
      // LeaderAndIsr follows).
      this.ctx.trace('isr-update-failed', `partition ${p.id}: ${err ?? 'not written'}`);
      p.isrChangeFailed(isr);
    });
  }
}
