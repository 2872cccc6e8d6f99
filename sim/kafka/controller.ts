// The ZooKeeper-mode controller (KafkaController), living in whichever broker created /controller.
// It bumps /controller_epoch, watches broker registrations and ISR change notifications, elects leaders
// (clean from the live ISR, unclean from any live replica when unclean.leader.election.enable), writes
// partition state to ZooKeeper fenced by the controller epoch's zkVersion, and tells brokers with
// LeaderAndIsr and UpdateMetadata.
import type { Broker } from './broker.ts';
import type { LeaderAndIsrResponse, PartitionState } from './messages.ts';
import type { ReplicationObserver } from './observer.ts';
import {
  assignReplicas,
  BROKER_IDS,
  brokerNode,
  CONTROLLER_EPOCH,
  decodeState,
  encodeState,
  ISR_CHANGE_NOTIFICATION,
  partitionPath,
  partitionsPath,
  partitionStatePath,
  TOPIC_PATH,
  toPartitionState,
} from './zk-layout.ts';
import type { ZkPartitionState } from './zk-layout.ts';

interface ControllerPartition {
  replicas: number[];
  state: ZkPartitionState;
  zkVersion: number;
}

export class Controller {
  epoch = -1;
  private epochZkVersion = -1;
  private active = false;
  private live = new Set<number>();
  private racks = new Map<number, string | null>();
  private readonly partitions = new Map<number, ControllerPartition>();
  private rebalanceTimer: { cancel(): void } | null = null;

  constructor(
    private readonly broker: Broker,
    private readonly observe: ReplicationObserver,
  ) {}

  private get zk() {
    return this.broker.zk;
  }

  private get config() {
    return this.broker.config;
  }

  private now(): number {
    return this.broker.ctx.now();
  }

  get isActive(): boolean {
    return this.active;
  }

  start(): void {
    this.zk.getData(CONTROLLER_EPOCH, false, (err, data, stat) => {
      if (err === 'NONODE') {
        this.zk.create(CONTROLLER_EPOCH, '1', {}, (e2) => {
          if (e2 !== null) return this.resign(`create ${CONTROLLER_EPOCH}: ${e2}`);
          this.zk.getData(CONTROLLER_EPOCH, false, (e3, _d, s3) => {
            if (e3 !== null || s3 === undefined) return this.resign(`read ${CONTROLLER_EPOCH}: ${e3}`);
            this.becomeActive(1, s3.version);
          });
        });
        return;
      }
      if (err !== null || data === undefined || stat === undefined) return this.resign(`read ${CONTROLLER_EPOCH}: ${err}`);
      const next = Number(data) + 1;
      this.zk.setData(CONTROLLER_EPOCH, String(next), stat.version, (e2, s2) => {
        if (e2 !== null || s2 === undefined) return this.resign(`bump ${CONTROLLER_EPOCH}: ${e2}`);
        this.becomeActive(next, s2.version);
      });
    });
  }

  private becomeActive(epoch: number, zkVersion: number): void {
    this.epoch = epoch;
    this.epochZkVersion = zkVersion;
    this.active = true;
    this.broker.controllerEpochSeen = Math.max(this.broker.controllerEpochSeen, epoch);
    this.observe({ kind: 'controller', time: this.now(), broker: this.broker.id, controllerEpoch: epoch, active: true });
    this.broker.ctx.trace('controller', `broker ${this.broker.id} active with controller epoch ${epoch}`);
    this.zk.create(ISR_CHANGE_NOTIFICATION, '', {}, () => {
      this.readBrokers(() => this.loadOrCreateTopic(() => this.onControllerFailover()));
    });
    this.scheduleRebalance();
  }

  private resign(reason: string): void {
    if (!this.active && this.epoch < 0) this.broker.ctx.trace('controller', `could not become controller: ${reason}`);
    this.stop();
    this.broker.controllerResigned();
  }

  stop(): void {
    if (this.active) this.observe({ kind: 'controller', time: this.now(), broker: this.broker.id, controllerEpoch: this.epoch, active: false });
    this.active = false;
    this.rebalanceTimer?.cancel();
  }

  onWatch(e: { path: string; type: string }): boolean {
    if (!this.active) return false;
    if (e.path === BROKER_IDS) {
      this.readBrokers((added, removed) => this.onBrokerChange(added, removed));
      return true;
    }
    if (e.path === ISR_CHANGE_NOTIFICATION) {
      this.processIsrChangeNotifications();
      return true;
    }
    return false;
  }

  // ---- reading ZooKeeper ----

  private readBrokers(then: (added: number[], removed: number[]) => void): void {
    this.zk.getChildren(BROKER_IDS, true, (err, children) => {
      if (!this.active) return;
      if (err !== null || children === undefined) return this.resign(`read ${BROKER_IDS}: ${err}`);
      const ids = children.map(Number).filter((n) => Number.isInteger(n)).sort((a, b) => a - b);
      const added = ids.filter((i) => !this.live.has(i));
      const removed = [...this.live].filter((i) => !ids.includes(i)).sort((a, b) => a - b);
      this.live = new Set(ids);
      let pending = added.length;
      if (pending === 0) return then(added, removed);
      for (const id of added) {
        this.zk.getData(`${BROKER_IDS}/${id}`, false, (e2, data) => {
          this.racks.set(id, e2 === null && data !== undefined ? ((JSON.parse(data) as { rack: string | null }).rack ?? null) : null);
          if (--pending === 0) then(added, removed);
        });
      }
    });
  }

  private loadOrCreateTopic(then: () => void): void {
    this.zk.getData(TOPIC_PATH, false, (err, data) => {
      if (!this.active) return;
      if (err === 'NONODE') return this.createTopic(then);
      if (err !== null || data === undefined) return this.resign(`read ${TOPIC_PATH}: ${err}`);
      const assignment = (JSON.parse(data) as { partitions: number[][] }).partitions;
      let pending = assignment.length;
      assignment.forEach((replicas, p) => {
        this.zk.getData(partitionStatePath(p), false, (e2, d2, s2) => {
          if (e2 === null && d2 !== undefined && s2 !== undefined) {
            this.partitions.set(p, { replicas, state: decodeState(d2), zkVersion: s2.version });
          }
          if (--pending === 0) then();
        });
      });
    });
  }

  /** Topic creation: the assignment, then each partition's initial state (leader = first live replica). */
  private createTopic(then: () => void): void {
    const c = this.config;
    const assignment = assignReplicas(c.partitions, c.replicationFactor, c.brokers, c.racks);
    const ops = [
      { type: 'create' as const, path: '/brokers/topics', data: '' },
      { type: 'create' as const, path: TOPIC_PATH, data: JSON.stringify({ version: 1, partitions: assignment }) },
      { type: 'create' as const, path: partitionsPath, data: '' },
    ];
    this.zk.multi([ops[0]], () => {
      this.zk.multi(ops.slice(1), (err) => {
        if (err !== null && err !== 'NODEEXISTS') return this.resign(`create topic: ${err}`);
        let pending = assignment.length;
        assignment.forEach((replicas, p) => {
          const liveReplicas = replicas.filter((r) => this.live.has(r));
          const state: ZkPartitionState = { leader: liveReplicas[0] ?? -1, leader_epoch: 0, isr: liveReplicas, controller_epoch: this.epoch };
          this.zk.multi(
            [
              { type: 'check', path: CONTROLLER_EPOCH, version: this.epochZkVersion },
              { type: 'create', path: partitionPath(p), data: '' },
              { type: 'create', path: partitionStatePath(p), data: encodeState(state) },
            ],
            (e2) => {
              if (e2 === null) this.partitions.set(p, { replicas, state, zkVersion: 0 });
              if (--pending === 0) then();
            },
          );
        });
      });
    });
  }

  // ---- events ----

  private onControllerFailover(): void {
    // Partitions whose leader is gone are elected now; every replica learns the current state.
    const dead = [...this.partitions.entries()].filter(([, cp]) => !this.live.has(cp.state.leader) || cp.state.isr.some((r) => !this.live.has(r)));
    this.handleLiveChange(dead.map(([p]) => p), 'controller failover', () => {
      this.sendLeaderAndIsr([...this.partitions.keys()], [...this.live]);
      this.sendUpdateMetadata();
    });
  }

  private onBrokerChange(added: number[], removed: number[]): void {
    this.broker.ctx.trace('controller', `brokers added [${added}] removed [${removed}]`);
    const affected = [...this.partitions.entries()]
      .filter(([, cp]) => removed.some((r) => cp.replicas.includes(r)) || (cp.state.leader < 0 && added.some((a) => cp.replicas.includes(a))))
      .map(([p]) => p);
    this.handleLiveChange(affected, removed.length > 0 ? `broker failure [${removed}]` : `broker startup [${added}]`, (changed) => {
      // New brokers learn every partition they replicate; replicas of changed partitions learn the change.
      const forNew = [...this.partitions.entries()].filter(([, cp]) => added.some((a) => cp.replicas.includes(a))).map(([p]) => p);
      this.sendLeaderAndIsr([...new Set([...changed, ...forNew])].sort((a, b) => a - b), [...this.live]);
      this.sendUpdateMetadata();
    });
  }

  /**
   * For each partition: if its leader is dead, elect a new one (offline partition); otherwise drop dead
   * replicas from the ISR. Writes go to ZooKeeper fenced by the controller epoch.
   */
  private handleLiveChange(partitions: number[], reason: string, then: (changed: number[]) => void): void {
    const changed: number[] = [];
    let pending = partitions.length;
    if (pending === 0) return then(changed);
    const done = (): void => {
      if (--pending === 0) then(changed.sort((a, b) => a - b));
    };
    for (const p of partitions) {
      const cp = this.partitions.get(p) as ControllerPartition;
      const leaderAlive = this.live.has(cp.state.leader);
      if (leaderAlive) {
        const isr = cp.state.isr.filter((r) => this.live.has(r));
        if (isr.length === cp.state.isr.length) {
          done();
          continue;
        }
        // Kafka keeps at least the leader in the ISR.
        this.writeState(p, { ...cp.state, isr, controller_epoch: this.epoch }, (ok) => {
          if (ok) changed.push(p);
          done();
        });
        continue;
      }
      const election = this.electLeader(cp);
      if (election === null) {
        if (cp.state.leader >= 0) {
          // No eligible replica: the partition goes offline (leader -1), keeping its last ISR.
          this.writeState(p, { ...cp.state, leader: -1, leader_epoch: cp.state.leader_epoch + 1, controller_epoch: this.epoch }, (ok) => {
            if (ok) {
              changed.push(p);
              this.observe({ kind: 'offline', time: this.now(), controller: this.broker.id, partition: p, leaderEpoch: cp.state.leader_epoch, reason });
            }
            done();
          });
        } else done();
        continue;
      }
      const previousLeader = cp.state.leader;
      const state: ZkPartitionState = { leader: election.leader, leader_epoch: cp.state.leader_epoch + 1, isr: election.isr, controller_epoch: this.epoch };
      this.writeState(p, state, (ok) => {
        if (ok) {
          changed.push(p);
          this.observe({ kind: 'election', time: this.now(), controller: this.broker.id, controllerEpoch: this.epoch, partition: p, leader: election.leader, leaderEpoch: state.leader_epoch, isr: [...election.isr], unclean: election.unclean, previousLeader, reason });
        }
        done();
      });
    }
  }

  /** Clean: the first live ISR member in assignment order. Unclean (if enabled): the first live replica. */
  private electLeader(cp: ControllerPartition): { leader: number; isr: number[]; unclean: boolean } | null {
    const liveIsr = cp.replicas.filter((r) => cp.state.isr.includes(r) && this.live.has(r));
    if (liveIsr.length > 0) return { leader: liveIsr[0], isr: cp.state.isr.filter((r) => this.live.has(r)), unclean: false };
    if (!this.config.broker['unclean.leader.election.enable']) return null;
    const liveReplica = cp.replicas.find((r) => this.live.has(r));
    return liveReplica === undefined ? null : { leader: liveReplica, isr: [liveReplica], unclean: true };
  }

  /** Writes a partition state, fenced: the multi fails if another controller bumped /controller_epoch. */
  private writeState(p: number, state: ZkPartitionState, then: (ok: boolean) => void): void {
    const cp = this.partitions.get(p) as ControllerPartition;
    this.zk.multi(
      [
        { type: 'check', path: CONTROLLER_EPOCH, version: this.epochZkVersion },
        { type: 'setData', path: partitionStatePath(p), data: encodeState(state), version: cp.zkVersion },
      ],
      (err) => {
        if (!this.active) return then(false);
        if (err === null) {
          cp.state = state;
          cp.zkVersion += 1;
          return then(true);
        }
        if (err === 'BADVERSION') {
          // Either the leader changed the ISR meanwhile (re-read and retry) or we are a zombie controller.
          this.zk.getData(CONTROLLER_EPOCH, false, (e2, data) => {
            if (e2 !== null || Number(data) !== this.epoch) {
              this.broker.ctx.trace('controller', `fenced: controller epoch moved past ${this.epoch}`);
              this.resign('controller epoch moved');
              return then(false);
            }
            this.zk.getData(partitionStatePath(p), false, (e3, d3, s3) => {
              if (e3 !== null || d3 === undefined || s3 === undefined) return then(false);
              const fresh = decodeState(d3);
              cp.state = fresh;
              cp.zkVersion = s3.version;
              // Keep the leader's newer ISR, but apply our leader decision on top of it.
              const retry = state.leader === fresh.leader && state.leader_epoch === fresh.leader_epoch ? fresh : { ...state, leader_epoch: fresh.leader_epoch + 1 };
              this.writeState(p, retry, then);
            });
          });
          return;
        }
        then(false);
      },
    );
  }

  private processIsrChangeNotifications(): void {
    this.zk.getChildren(ISR_CHANGE_NOTIFICATION, true, (err, children) => {
      if (!this.active || err !== null || children === undefined || children.length === 0) return;
      let pending = this.partitions.size;
      for (const [p, cp] of this.partitions) {
        this.zk.getData(partitionStatePath(p), false, (e2, d2, s2) => {
          if (e2 === null && d2 !== undefined && s2 !== undefined && s2.version > cp.zkVersion) {
            cp.state = decodeState(d2);
            cp.zkVersion = s2.version;
          }
          if (--pending === 0) this.sendUpdateMetadata();
        });
      }
      for (const c of children) this.zk.delete(`${ISR_CHANGE_NOTIFICATION}/${c}`, -1, () => {});
    });
  }

  // ---- preferred leader election ----

  private scheduleRebalance(): void {
    if (!this.config.broker['auto.leader.rebalance.enable']) return;
    const interval = this.config.broker['leader.imbalance.check.interval.seconds'] * 1000;
    this.rebalanceTimer = this.broker.ctx.setTimer(interval, () => {
      if (!this.active) return;
      this.preferredLeaderElection();
      this.scheduleRebalance();
    });
  }

  /** Moves leadership back to the first replica of the assignment when it is alive and in the ISR. */
  preferredLeaderElection(): void {
    for (const [p, cp] of this.partitions) {
      const preferred = cp.replicas[0];
      if (cp.state.leader === preferred || !this.live.has(preferred) || !cp.state.isr.includes(preferred)) continue;
      const previousLeader = cp.state.leader;
      const state: ZkPartitionState = { ...cp.state, leader: preferred, leader_epoch: cp.state.leader_epoch + 1, controller_epoch: this.epoch };
      this.writeState(p, state, (ok) => {
        if (!ok) return;
        this.observe({ kind: 'election', time: this.now(), controller: this.broker.id, controllerEpoch: this.epoch, partition: p, leader: preferred, leaderEpoch: cp.state.leader_epoch, isr: [...cp.state.isr], unclean: false, previousLeader, reason: 'preferred replica' });
        this.sendLeaderAndIsr([p], [...this.live]);
        this.sendUpdateMetadata();
      });
    }
  }

  // ---- telling brokers ----

  private states(partitions: number[]): PartitionState[] {
    return partitions.map((p) => {
      const cp = this.partitions.get(p) as ControllerPartition;
      return toPartitionState(p, cp.state, cp.zkVersion, cp.replicas);
    });
  }

  private liveBrokerList(): { id: number; rack: string | null }[] {
    return [...this.live].sort((a, b) => a - b).map((id) => ({ id, rack: this.racks.get(id) ?? null }));
  }

  private sendLeaderAndIsr(partitions: number[], brokers: number[]): void {
    if (!this.active) return;
    for (const b of [...brokers].sort((x, y) => x - y)) {
      const states = this.states(partitions).filter((s) => s.replicas.includes(b));
      if (states.length === 0) continue;
      this.broker.channel.send<LeaderAndIsrResponse>(
        brokerNode(b),
        { type: 'LeaderAndIsr', controllerId: this.broker.id, controllerEpoch: this.epoch, partitionStates: states, liveBrokers: this.liveBrokerList() },
        this.config.broker['controller.socket.timeout.ms'],
        (response) => {
          // A lost LeaderAndIsr to a live broker is resent, as the controller's channel manager retries.
          if (response === null && this.active && this.live.has(b)) this.sendLeaderAndIsr(partitions, [b]);
        },
      );
    }
  }

  private sendUpdateMetadata(): void {
    if (!this.active) return;
    const all = this.states([...this.partitions.keys()].sort((a, b) => a - b));
    for (const b of [...this.live].sort((x, y) => x - y)) {
      this.broker.ctx.send(brokerNode(b), { type: 'UpdateMetadata', correlationId: 0, controllerId: this.broker.id, controllerEpoch: this.epoch, partitionStates: all, liveBrokers: this.liveBrokerList() });
    }
  }

  /** Plain-data view of the controller's partition states for invariants and reports. */
  describe(): { epoch: number; live: number[]; partitions: { partition: number; leader: number; leaderEpoch: number; isr: number[]; replicas: number[] }[] } {
    return {
      epoch: this.epoch,
      live: [...this.live].sort((a, b) => a - b),
      partitions: [...this.partitions.entries()].sort((a, b) => a[0] - b[0]).map(([p, cp]) => ({ partition: p, leader: cp.state.leader, leaderEpoch: cp.state.leader_epoch, isr: [...cp.state.isr], replicas: [...cp.replicas] })),
    };
  }
}
