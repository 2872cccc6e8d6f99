// The ZooKeeper-mode controller (Kafka's KafkaController), living in whichever broker created
// /controller: it bumps /controller_epoch (registerControllerAndIncrementControllerEpoch), runs one event
// at a time (ControllerEventManager), reads the cluster on failover (onControllerFailover), follows broker
// registrations (processBrokerChange: onBrokerStartup, onBrokerFailure) and ISR change notifications
// (processIsrChangeNotification), elects leaders with the shared rules (election.ts, in Kafka
// PartitionStateMachine's PartitionLeaderElectionAlgorithms), takes dead replicas out of ISRs
// (ReplicaStateMachine.doRemoveReplicasFromIsr; KafkaController.removeReplicaFromIsr before 1.1), moves
// leadership back to preferred replicas (checkAndTriggerAutoLeaderRebalance), answers leaders' AlterIsr
// (processAlterIsr in 2.7-3.1, processAlterPartition / tryProcessAlterPartition from 3.2) and brokers'
// ControlledShutdown (doControlledShutdown: shuttingDownBrokerIds, ControlledShutdownLeaderSelector), writes partition
// state fenced by the controller epoch's zkVersion, and tells brokers with LeaderAndIsr and UpdateMetadata
// (ControllerChannelManager). It sees its broker only through ZkControllerHost, as the KRaft controller
// sees its node through ActiveControllerHost.
import type { NodeId } from '../world/network.ts';
import type { Timer } from '../world/node.ts';
import type { ClusterConfig } from './config.ts';
import { decideLiveChange, eligibleAfter, preferredLeader } from './election.ts';
import type { ElectionPolicy, LiveChange, PartitionView } from './election.ts';
import type {
  AlterIsrPartitionResult,
  AlterIsrRequest,
  AlterIsrResponse,
  KafkaError,
  LeaderAndIsrRequest,
  LeaderAndIsrResponse,
  PartitionState,
  StopReplicaRequest,
  UpdateMetadataRequest,
} from './messages.ts';
import type { KafkaBehaviours } from './protocol.ts';
import type { AdminState } from './admin.ts';
import type { ObserverHub } from './observer.ts';
import {
  BROKER_IDS,
  brokerNode,
  CONTROLLER_EPOCH,
  decodeState,
  encodeState,
  ISR_CHANGE_NOTIFICATION,
  partitionPath,
  partitionsPathOf,
  partitionStatePath,
  REASSIGN_PARTITIONS,
  TOPIC,
  TOPIC_PATH,
  topicPath,
  TOPICS,
  toPartitionState,
} from './zk-layout.ts';
import type { ReplicaAssignment } from './zk-reassignment.ts';
import {
  completedState,
  decodeReassignments,
  decodeTopic,
  encodeTopic,
  isBeingReassigned,
  isReassignmentComplete,
  reassignTo,
  targetReplicas,
} from './zk-reassignment.ts';
import type { CreatedTopic, TopicName, TopicSpec } from './topics.ts';
import {
  assignmentOf,
  isCreatedTopic,
  isDataPartition,
  partitionId,
  partitionName,
  topicPartitionOf,
  topicsOf,
  uncleanLeaderElectionEnabledFor,
} from './topics.ts';
import type { ZkPartitionState } from './zk-layout.ts';
import type { ZkClient } from './zookeeper/index.ts';
import { P, probe } from './probes.ts';

/** What the controller needs of the broker it lives in. */
export interface ZkControllerHost {
  readonly id: number;
  readonly config: ClusterConfig;
  /** Whether an operator submitted a reassignment (from then on /admin/reassign_partitions is watched). */
  readonly admin: AdminState;
  /** The broker's ZooKeeper session: the controller's reads, and its writes fenced by /controller_epoch. */
  readonly zk: Pick<ZkClient, 'create' | 'delete' | 'exists' | 'getChildren' | 'getData' | 'multi' | 'setData'>;
  now(): number;
  trace(kind: string, detail: string): void;
  setTimer(ms: number, fn: () => void): Timer;
  /** LeaderAndIsr through the broker's request channel; `resolve` gets null if no answer comes in time. */
  sendRequest(
    to: NodeId,
    request: Omit<LeaderAndIsrRequest, 'correlationId'>,
    timeoutMs: number,
    resolve: (response: LeaderAndIsrResponse | null) => void,
  ): void;
  /** UpdateMetadata and StopReplica, whose answers nobody waits for. */
  send(to: NodeId, request: UpdateMetadataRequest | StopReplicaRequest): void;
  /** Active with this controller epoch: from now on the broker takes older controllers' requests as stale. */
  onActivated(epoch: number): void;
  /** Gave up (fenced, or a ZooKeeper error it could not handle): the broker looks at /controller again. */
  onResigned(): void;
}

interface ControllerPartition extends ReplicaAssignment {
  /** Every replica: during a reassignment (KIP-455), the target's and then the original ones it removes. */
  replicas: number[];
  state: ZkPartitionState;
  zkVersion: number;
  /** zxid of the state's last change when this controller loaded it (0 if this controller wrote it). */
  loadedMzxid: number;
}

/** The election rules' view of a partition state znode. */
function viewOf(s: ZkPartitionState, replicas: number[]): PartitionView {
  const lastKnownElr = s.last_known_elr ?? [];
  return { leader: s.leader, isr: s.isr, elr: s.eligible_leader_replicas, replicas, lastKnownElr };
}

/** What decides how the controller takes replicas out of an ISR. */
interface IsrRemovalRules {
  /** KIP-966's what-if: an offline partition keeps its whole ISR (and its eligible leader replicas). */
  elr: boolean;
  /** KAFKA-5642 (1.1): the last ISR member is always kept; before, only with unclean election disabled. */
  kafka5642: boolean;
  unclean: boolean;
}

/**
 * The partition state znode a live-broker change leaves, written by the controller of `epoch`. Replicas
 * leave an ISR as ReplicaStateMachine.doRemoveReplicasFromIsr takes them out, one write per replica (in
 * broker id order here; Kafka's follows a hash map's), each LeaderAndIsr.newLeaderAndIsr: leader epoch + 1.
 */
function stateAfter(
  current: ZkPartitionState,
  change: LiveChange,
  epoch: number,
  rules: IsrRemovalRules,
): ZkPartitionState {
  switch (change.kind) {
    case 'isr': {
      // The leader stays; each replica taken out bumps the leader epoch, which tells the leader by
      // LeaderAndIsr (a ZooKeeper-mode broker ignores one of its own epoch). KIP-966's what-if may change
      // only the eligible leader replicas: a controller write all the same, which bumps it as every one does
      // (else the leader, never told, would send AlterIsr with a stale zkVersion for ever).
      const removed = current.isr.filter((r) => !change.isr.includes(r)).length;
      return {
        ...current,
        leader_epoch: current.leader_epoch + Math.max(1, removed),
        isr: change.isr,
        controller_epoch: epoch,
        eligible_leader_replicas: change.elr,
      };
    }
    case 'offline':
      if (!rules.elr) return offlineState(current, epoch, rules);
      // Offline (leader -1), keeping its last ISR and (KIP-966) the leader it had when it first went leaderless.
      return {
        ...current,
        leader: -1,
        leader_epoch: current.leader < 0 ? current.leader_epoch : current.leader_epoch + 1,
        isr: change.isr,
        controller_epoch: epoch,
        eligible_leader_replicas: change.elr,
        last_known_elr: change.lastKnownElr,
      };
    case 'elected':
      return {
        leader: change.leader,
        leader_epoch: current.leader_epoch + 1,
        isr: change.isr,
        controller_epoch: epoch,
        eligible_leader_replicas: change.elr,
        last_known_elr: [],
      };
  }
}

/**
 * A partition no ISR member can lead any more (every one of them dead): with no election, Kafka's
 * OfflineReplica transition takes each dead member out of the ISR in turn, the leader's removal leaving it
 * leaderless. From 1.1 (KAFKA-5642, doRemoveReplicasFromIsr: "if (isr.size == 1) isr") the last member is
 * kept; before, KafkaController.removeReplicaFromIsr kept it only with unclean election disabled.
 */
function offlineState(current: ZkPartitionState, epoch: number, rules: IsrRemovalRules): ZkPartitionState {
  let leader = current.leader;
  let isr = [...current.isr];
  let bumps = 0;
  const keepLast = rules.kafka5642 || !rules.unclean;
  for (const r of [...current.isr].sort((a, b) => a - b)) {
    if (r === leader) leader = -1;
    isr = isr.length === 1 ? (keepLast ? isr : []) : isr.filter((m) => m !== r);
    bumps++;
  }
  // A leader outside its ISR cannot be; were it so, its going still bumps the epoch as before.
  if (leader >= 0) {
    leader = -1;
    bumps = Math.max(1, bumps);
  }
  return { ...current, leader, leader_epoch: current.leader_epoch + bumps, isr, controller_epoch: epoch };
}

/** What AlterIsr asks of one partition, and whether the controller writes it (KafkaController.processAlterIsr). */
export type AlterIsrCheck = 'write' | 'current' | KafkaError;

/**
 * The controller's checks of one partition of an AlterIsr, in Kafka's order: 2.7's processAlterIsr
 * (FENCED_LEADER_EPOCH, the idempotent equalsIgnoreZk answer, UNKNOWN_TOPIC_OR_PARTITION; a stale zkVersion
 * is left to the conditional ZooKeeper write, INVALID_UPDATE_VERSION), and 3.3's tryProcessAlterPartition:
 * NOT_CONTROLLER for a higher leader or partition epoch (KAFKA-14154), the partition epoch checked after the
 * idempotency check (KAFKA-14144), KIP-841's INELIGIBLE_REPLICA for a broker that is not live (liveBrokerIds:
 * registered and not in controlled shutdown).
 */
export function checkAlterIsr(
  current: { state: ZkPartitionState; zkVersion: number } | undefined,
  brokerId: number,
  req: { leaderEpoch: number; newIsr: number[]; partitionEpoch: number },
  behaviours: Pick<KafkaBehaviours, 'kafka14154' | 'kip841'>,
  isLive: (b: number) => boolean,
): AlterIsrCheck {
  if (current === undefined) return 'UNKNOWN_TOPIC_OR_PARTITION';
  const { state, zkVersion } = current;
  if (behaviours.kafka14154 && (req.partitionEpoch > zkVersion || req.leaderEpoch > state.leader_epoch)) {
    return 'NOT_CONTROLLER';
  }
  if (req.leaderEpoch < state.leader_epoch) return 'FENCED_LEADER_EPOCH';
  // LeaderAndIsr.equalsIgnoreZk / equalsAllowStalePartitionEpoch: the leader that sent it, its epoch and ISR.
  if (brokerId === state.leader && req.leaderEpoch === state.leader_epoch && req.newIsr.join() === state.isr.join()) {
    return 'current';
  }
  if (behaviours.kafka14154 && req.partitionEpoch < zkVersion) return 'INVALID_UPDATE_VERSION';
  if (behaviours.kip841 && req.newIsr.some((r) => !isLive(r))) return 'INELIGIBLE_REPLICA';
  return 'write';
}

/**
 * ReplicaStateMachine.doRemoveReplicasFromIsr for one replica that is not the leader (a broker in controlled
 * shutdown leaving the ISRs it follows in): out of the ISR unless it is the last member (KAFKA-5642; before,
 * KafkaController.removeReplicaFromIsr kept the last only with unclean election disabled), a new leader epoch.
 */
function withoutFollower(
  current: ZkPartitionState,
  replica: number,
  epoch: number,
  rules: IsrRemovalRules,
  policy: ElectionPolicy,
): ZkPartitionState {
  const keepLast = rules.kafka5642 || !rules.unclean;
  const isr = current.isr.length === 1 ? (keepLast ? current.isr : []) : current.isr.filter((r) => r !== replica);
  return {
    ...current,
    leader_epoch: current.leader_epoch + 1,
    isr,
    controller_epoch: epoch,
    eligible_leader_replicas: eligibleAfter(current.isr, isr, current.eligible_leader_replicas, policy),
  };
}

/** The probes of a live-broker change written to ZooKeeper. */
function probeLiveChange(change: LiveChange, previousIsr: readonly number[], justUnclean: boolean): void {
  if (justUnclean) probe(P.zkUncleanRestartExcluded);
  if (change.kind === 'offline') probe(P.zkPartitionOffline);
  else if (change.kind === 'elected') {
    if (change.lastKnownLeader) probe(P.zkElectionLastKnownLeader);
    else if (change.unclean) probe(P.zkElectionUnclean);
    else if (!previousIsr.includes(change.leader)) probe(P.zkElectionEligibleLeaderReplica);
  }
}

/** The probes of AlterIsr's checks of one partition (a stale zkVersion is also found by the write). */
function probeAlterIsrCheck(check: AlterIsrCheck): void {
  if (check === 'FENCED_LEADER_EPOCH') probe(P.zkAlterIsrFencedLeaderEpoch);
  else if (check === 'NOT_CONTROLLER') probe(P.zkAlterIsrNotController);
  else if (check === 'INVALID_UPDATE_VERSION') probe(P.zkAlterIsrInvalidVersion);
  else if (check === 'INELIGIBLE_REPLICA') probe(P.zkAlterIsrIneligibleReplica);
}

export class Controller {
  epoch = -1;
  private epochZkVersion = -1;
  private active = false;
  /** Registered brokers (ControllerContext.liveOrShuttingDownBrokerIds). */
  private live = new Set<number>();
  /**
   * ControllerContext.shuttingDownBrokerIds: brokers in controlled shutdown, registered but no longer live for
   * elections or the ISR (liveBrokerIds leaves them out) until their registration goes.
   */
  private readonly shuttingDown = new Set<number>();
  private racks = new Map<number, string | null>();
  /** Brokers whose current registration follows an unclean shutdown (KIP-966: they may have lost data). */
  private readonly uncleanRestarts = new Set<number>();
  /** The zxid that created each live broker's registration: which partition states predate it. */
  private readonly registeredAt = new Map<number, number>();
  private readonly partitions = new Map<number, ControllerPartition>();
  /** Partitions of created topics that no controller has brought online yet (NewPartition), with their replicas. */
  private readonly newPartitions = new Map<number, number[]>();
  private rebalanceTimer: { cancel(): void } | null = null;
  /**
   * Kafka's ControllerEventManager handles one event at a time on one thread, its ZooKeeper calls
   * blocking, so a broker change never sees a failover half done. Here ZooKeeper answers asynchronously:
   * later events wait until the running one calls its `done`. (Without this, a broker that re-registered
   * while a new controller's failover was still writing was taken as already known, and the partitions
   * the failover then took offline for want of it stayed offline.)
   */
  private eventRunning = false;
  private readonly events: ((done: () => void) => void)[] = [];

  constructor(
    private readonly host: ZkControllerHost,
    private readonly observe: ObserverHub,
  ) {}

  private get zk(): ZkControllerHost['zk'] {
    return this.host.zk;
  }

  private get config(): ClusterConfig {
    return this.host.config;
  }

  private now(): number {
    return this.host.now();
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
      if (err !== null || data === undefined || stat === undefined) {
        return this.resign(`read ${CONTROLLER_EPOCH}: ${err}`);
      }
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
    this.host.onActivated(epoch);
    if (this.observe.active) {
      const time = this.now();
      this.observe.emit({ kind: 'controller', time, broker: this.host.id, controllerEpoch: epoch, active: true });
    }
    this.host.trace('controller', `broker ${this.host.id} active with controller epoch ${epoch}`);
    this.enqueue((done) =>
      this.zk.create(ISR_CHANGE_NOTIFICATION, '', {}, () => {
        this.readBrokers(() => this.loadOrCreateTopics(() => this.onControllerFailover(done)));
      }),
    );
    // Sets the child watch on /isr_change_notification and drains what is already there.
    this.enqueue((done) => this.processIsrChangeNotifications(done));
    // initializePartitionReassignments (2.4+): those the topic znode says are running, then the operator's znode.
    this.enqueue((done) => this.resumeReassignments(done));
    if (this.host.admin.reassignmentsSubmitted) this.watchReassignments();
    this.scheduleRebalance();
  }

  private enqueue(event: (done: () => void) => void): void {
    this.events.push(event);
    if (!this.eventRunning) this.runNextEvent();
  }

  private runNextEvent(): void {
    const event = this.events.shift();
    // An inactive controller drops what is left: its successor reads everything afresh.
    if (event === undefined || !this.active) {
      this.eventRunning = false;
      return;
    }
    this.eventRunning = true;
    let finished = false;
    event(() => {
      if (finished) return;
      finished = true;
      this.runNextEvent();
    });
  }

  private resign(reason: string): void {
    if (!this.active && this.epoch < 0) this.host.trace('controller', `could not become controller: ${reason}`);
    this.stop();
    this.host.onResigned();
  }

  stop(): void {
    if (this.active && this.observe.active) {
      const time = this.now();
      this.observe.emit({ kind: 'controller', time, broker: this.host.id, controllerEpoch: this.epoch, active: false });
    }
    this.active = false;
    this.rebalanceTimer?.cancel();
  }

  onWatch(e: { path: string; type: string }): boolean {
    if (!this.active) return false;
    if (e.path === BROKER_IDS) {
      this.enqueue((done) =>
        this.readBrokers((added, removed, bounced) => {
          if (bounced.length === 0) return this.onBrokerChange(added, removed, done);
          // Kafka's bounced brokers: handled as a failure, then as a startup.
          for (const b of bounced) this.live.delete(b);
          this.onBrokerChange(
            [],
            [...removed, ...bounced].sort((a, b) => a - b),
            () => {
              for (const b of bounced) this.live.add(b);
              this.onBrokerChange(
                [...added, ...bounced].sort((a, b) => a - b),
                [],
                done,
              );
            },
          );
        }),
      );
      return true;
    }
    if (e.path === ISR_CHANGE_NOTIFICATION) {
      this.enqueue((done) => this.processIsrChangeNotifications(done));
      return true;
    }
    if (e.path === TOPICS && this.host.admin.topicsCreated) {
      this.enqueue((done) => this.processTopicChange(done));
      return true;
    }
    if (e.path === REASSIGN_PARTITIONS) {
      // PartitionReassignmentHandler.handleCreation: ZkPartitionReassignment.
      this.enqueue((done) => this.processZkPartitionReassignment(done));
      return true;
    }
    return false;
  }

  // ---- reading ZooKeeper ----

  /**
   * Reads /brokers/ids and every registration. `bounced` are brokers whose registration is newer than the
   * one this controller knew (czxid, Kafka's broker epoch): they restarted between two reads, so their
   * failure and their startup must both be handled although the list of ids did not change.
   */
  private readBrokers(then: (added: number[], removed: number[], bounced: number[]) => void): void {
    this.zk.getChildren(BROKER_IDS, true, (err, children) => {
      if (!this.active) return;
      if (err !== null || children === undefined) return this.resign(`read ${BROKER_IDS}: ${err}`);
      const ids = children
        .map(Number)
        .filter((n) => Number.isInteger(n))
        .sort((a, b) => a - b);
      const previous = this.live;
      const removed = [...previous].filter((i) => !ids.includes(i)).sort((a, b) => a - b);
      // The live set changes only once every registration is read, so that nothing elects with a broker
      // whose registration (clean shutdown or not, broker epoch) is not known yet.
      const live = new Set(ids);
      const added: number[] = [];
      const bounced: number[] = [];
      let pending = ids.length;
      if (pending === 0) {
        this.live = live;
        return then(added, removed, bounced);
      }
      const read = (id: number): void =>
        this.zk.getData(`${BROKER_IDS}/${id}`, false, (e2, data, stat) => {
          if (!this.active) return;
          // Retried, as Kafka's ZooKeeperClient does: a registration taken without its czxid gave the broker
          // epoch 0, and the broker then refused every LeaderAndIsr as stale (KIP-380).
          if (e2 === 'CONNECTIONLOSS') return read(id);
          if (e2 !== null && e2 !== 'NONODE') return this.resign(`read ${BROKER_IDS}/${id}: ${e2}`);
          if (e2 === 'NONODE') {
            // Gone between the two reads: a failure, which the next watch also reports.
            live.delete(id);
            if (previous.has(id)) removed.push(id);
          } else {
            const known = this.registeredAt.get(id);
            const czxid = stat?.czxid ?? 0;
            const fresh = known === undefined || czxid > known || !previous.has(id);
            if (!previous.has(id)) added.push(id);
            else if (known !== undefined && czxid > known) {
              probe(P.zkBouncedBroker);
              bounced.push(id);
            }
            this.registeredAt.set(id, czxid);
            if (fresh) {
              const info =
                e2 === null && data !== undefined
                  ? (JSON.parse(data) as { rack: string | null; clean_shutdown?: boolean })
                  : { rack: null };
              this.racks.set(id, info.rack ?? null);
              if (info.clean_shutdown === false) this.uncleanRestarts.add(id);
              else this.uncleanRestarts.delete(id);
            }
          }
          if (--pending === 0) {
            this.live = live;
            then(
              added,
              [...removed].sort((a, b) => a - b),
              bounced,
            );
          }
        });
      for (const id of ids) read(id);
    });
  }

  /** Each topic of the run in turn (topics.ts: the data topic, then any internal ones), loaded or created. */
  private loadOrCreateTopics(then: () => void): void {
    const specs = topicsOf(this.config);
    const created = (): void => (this.host.admin.topicsCreated ? this.loadCreatedTopics(then) : then());
    const next = (i: number): void =>
      i < specs.length ? this.loadOrCreateTopic(specs[i], () => next(i + 1)) : created();
    next(0);
  }

  private loadOrCreateTopic(spec: TopicSpec, then: () => void): void {
    const path = topicPath(spec.topic);
    this.zk.getData(path, false, (err, data) => {
      if (!this.active) return;
      if (err === 'NONODE') return this.createTopic(spec, then);
      if (err !== null || data === undefined) return this.resign(`read ${path}: ${err}`);
      this.loadTopic(spec.topic, data, then);
    });
  }

  /**
   * The partitions of a topic znode, each with its state znode. One with no state yet is a NewPartition
   * (ZkPartitionStateMachine.initializePartitionState): its topic was created, and no controller has brought it
   * online yet.
   */
  private loadTopic(topic: TopicName, data: string, then: () => void): void {
    const assignment = decodeTopic(data);
    let pending = assignment.length;
    const load = (a: ReplicaAssignment, p: number): void =>
      this.zk.getData(partitionStatePath(p), false, (e2, d2, s2) => {
        if (!this.active) return;
        // Kafka's ZooKeeperClient retries a read that lost its connection; failing over without the
        // state would leave the partition unmanaged (never elected) for this controller's whole term.
        if (e2 === 'CONNECTIONLOSS') return load(a, p);
        if (e2 !== null && e2 !== 'NONODE') return this.resign(`read ${partitionStatePath(p)}: ${e2}`);
        if (e2 === null && d2 !== undefined && s2 !== undefined) {
          const loaded = { ...a, state: decodeState(d2), zkVersion: s2.version, loadedMzxid: s2.mzxid };
          this.partitions.set(p, loaded);
        } else if (isCreatedTopic(topic)) {
          this.newPartitions.set(p, [...a.replicas]);
        }
        if (--pending === 0) then();
      });
    if (pending === 0) return then();
    assignment.forEach((a, k) => load(a, partitionId(topic, k)));
  }

  // ---- topics an operator creates (the create-topic fault) ----

  /** Starts watching the children of /brokers/topics (and handles what is new): an operator created a topic. */
  watchTopics(): void {
    if (this.active) this.enqueue((done) => this.processTopicChange(done));
  }

  /**
   * The created topics ZooKeeper holds that this controller does not know yet (KafkaController.processTopicChange's
   * newTopics; initializeControllerContext reads them all on failover), read with a child watch on /brokers/topics
   * (TopicChangeHandler). Kafka's controller reads every topic this way; kafkasim's fixed topics are read by name.
   */
  private loadCreatedTopics(then: (loaded: number[]) => void): void {
    this.zk.getChildren(TOPICS, true, (err, children) => {
      if (!this.active) return;
      if (err !== null || children === undefined) return this.resign(`read ${TOPICS}: ${err}`);
      const known = new Set([...this.partitions.keys(), ...this.newPartitions.keys()].map((p) => partitionName(p)));
      const fresh = children
        .filter((t): t is CreatedTopic => isCreatedTopic(t) && !known.has(`${t}-0`))
        .sort((a, b) => partitionId(a, 0) - partitionId(b, 0));
      const before = new Set(this.partitions.keys());
      const next = (i: number): void => {
        if (i >= fresh.length) return then([...this.partitions.keys()].filter((p) => !before.has(p)));
        const path = topicPath(fresh[i]);
        this.zk.getData(path, false, (e2, data) => {
          if (!this.active) return;
          if (e2 !== null || data === undefined) return this.resign(`read ${path}: ${e2}`);
          this.loadTopic(fresh[i], data, () => next(i + 1));
        });
      };
      next(0);
    });
  }

  /**
   * KafkaController.processTopicChange (3.9): the new topics' partitions, those already with a state told to their
   * replicas, the rest brought online (onNewPartitionCreation).
   */
  private processTopicChange(done: () => void): void {
    this.loadCreatedTopics((loaded) => {
      if (loaded.length > 0) {
        this.sendLeaderAndIsr(loaded, [...this.live]);
        this.sendUpdateMetadata();
      }
      this.onNewPartitionCreation(done);
    });
  }

  /**
   * KafkaController.onNewPartitionCreation and ZkPartitionStateMachine.initializeLeaderAndIsrForPartitions (3.9):
   * each NewPartition with a live replica gets its first state, leader the first live replica and ISR every live
   * one, created under the controller epoch's check (createTopicPartitionStatesRaw, which creates the parents first
   * and ignores that they exist); those with no live replica stay new ("No assigned replica is alive") until a
   * broker starts (triggerOnlinePartitionStateChange). A state that exists already is a failed state change: the
   * partition stays new, as Kafka leaves it.
   */
  private onNewPartitionCreation(done: () => void): void {
    const ready = [...this.newPartitions.entries()]
      .filter(([, replicas]) => replicas.some(this.isLive))
      .sort(([a], [b]) => a - b);
    if (ready.length === 0) return done();
    const topics = [...new Set(ready.map(([p]) => topicPartitionOf(p).topic))];
    const parents = [
      ...topics.map((t) => ({ type: 'create' as const, path: partitionsPathOf(t), data: '' })),
      ...ready.map(([p]) => ({ type: 'create' as const, path: partitionPath(p), data: '' })),
    ];
    const created: number[] = [];
    let pending = ready.length;
    const finish = (): void => {
      if (--pending > 0) return;
      if (created.length > 0) {
        probe(P.zkTopicCreated);
        this.sendLeaderAndIsr(
          created.sort((a, b) => a - b),
          [...this.live],
        );
        this.sendUpdateMetadata();
      }
      done();
    };
    // One create each: a multi fails whole on the first that exists.
    let parentsLeft = parents.length;
    for (const op of parents) {
      this.zk.multi([op], () => {
        if (--parentsLeft > 0 || !this.active) return;
        for (const [p, replicas] of ready) {
          const live = replicas.filter(this.isLive);
          const state: ZkPartitionState = {
            leader: live[0],
            leader_epoch: 0,
            isr: live,
            controller_epoch: this.epoch,
            eligible_leader_replicas: [],
          };
          this.zk.multi(
            [
              { type: 'check', path: CONTROLLER_EPOCH, version: this.epochZkVersion },
              { type: 'create', path: partitionStatePath(p), data: encodeState(state) },
            ],
            (err, results) => {
              const first = results?.[0];
              if (err === 'BADVERSION' && first?.type === 'error' && first.err === 'BADVERSION' && this.active) {
                // createTopicPartitionStatesRaw's ControllerMovedException: this controller has been replaced.
                probe(P.zkControllerFenced);
                this.resign('controller epoch moved');
              }
              if (err === null && this.active) {
                this.newPartitions.delete(p);
                this.partitions.set(p, { replicas, adding: [], removing: [], state, zkVersion: 0, loadedMzxid: 0 });
                created.push(p);
              } else if (err !== null) {
                this.host.trace('controller', `partition ${partitionName(p)} stays new: ${err}`);
              }
              finish();
            },
          );
        }
      });
    }
  }

  /** Topic creation: the assignment, then each partition's initial state (leader = first live replica). */
  private createTopic(spec: TopicSpec, then: () => void): void {
    const assignment = assignmentOf(this.config, spec);
    const ops = [
      { type: 'create' as const, path: TOPICS, data: '' },
      {
        type: 'create' as const,
        path: topicPath(spec.topic),
        data: JSON.stringify({ version: 1, partitions: assignment.map(([, replicas]) => replicas) }),
      },
      { type: 'create' as const, path: partitionsPathOf(spec.topic), data: '' },
    ];
    this.zk.multi([ops[0]], () => {
      this.zk.multi(ops.slice(1), (err) => {
        if (err !== null && err !== 'NODEEXISTS') return this.resign(`create topic ${spec.topic}: ${err}`);
        let pending = assignment.length;
        assignment.forEach(([p, replicas]) => {
          const liveReplicas = replicas.filter((r) => this.live.has(r));
          const state: ZkPartitionState = {
            leader: liveReplicas[0] ?? -1,
            leader_epoch: 0,
            isr: liveReplicas,
            controller_epoch: this.epoch,
            eligible_leader_replicas: [],
          };
          this.zk.multi(
            [
              { type: 'check', path: CONTROLLER_EPOCH, version: this.epochZkVersion },
              { type: 'create', path: partitionPath(p), data: '' },
              { type: 'create', path: partitionStatePath(p), data: encodeState(state) },
            ],
            (e2) => {
              if (e2 === null) {
                this.partitions.set(p, { replicas, adding: [], removing: [], state, zkVersion: 0, loadedMzxid: 0 });
              }
              if (--pending === 0) then();
            },
          );
        });
      });
    });
  }

  // ---- events ----

  private onControllerFailover(done: () => void): void {
    // Brokers that came back from an unclean shutdown while no controller was watching are handled now.
    const restarted = this.kip966
      ? [...this.uncleanRestarts].filter((b) => this.live.has(b)).sort((a, b) => a - b)
      : [];
    for (const b of restarted) this.uncleanRestarts.delete(b);
    // A registration says clean_shutdown false for as long as the broker lives; an earlier controller may
    // already have handled it. A partition state written after the broker registered already reflects it.
    const uncleanFor = (p: number): number[] => {
      const cp = this.partitions.get(p) as ControllerPartition;
      return restarted.filter((b) => (this.registeredAt.get(b) ?? 0) > cp.loadedMzxid);
    };
    // Partitions whose leader is gone are elected now; every replica learns the current state.
    const dead = [...this.partitions.entries()].filter(
      ([p, cp]) =>
        !this.live.has(cp.state.leader) ||
        cp.state.isr.some((r) => !this.live.has(r) || uncleanFor(p).includes(r)) ||
        cp.state.eligible_leader_replicas.some((r) => uncleanFor(p).includes(r)),
    );
    this.handleLiveChange(
      dead.map(([p]) => p),
      'controller failover',
      () => {
        this.sendLeaderAndIsr([...this.partitions.keys()], [...this.live]);
        this.sendUpdateMetadata();
        // PartitionStateMachine.startup's triggerOnlinePartitionStateChange: new partitions too.
        if (this.newPartitions.size > 0) probe(P.zkNewPartitionOnFailover);
        this.onNewPartitionCreation(done);
      },
      uncleanFor,
    );
  }

  private onBrokerChange(added: number[], removed: number[], after?: () => void): void {
    this.host.trace('controller', `brokers added [${added}] removed [${removed}]`);
    // onBrokerFailure: "Removed ... from list of shutting down brokers".
    for (const r of removed) this.shuttingDown.delete(r);
    const justUnclean = added.filter((a) => this.uncleanRestarts.has(a));
    for (const a of justUnclean) this.uncleanRestarts.delete(a);
    const affected = [...this.partitions.entries()]
      .filter(
        ([, cp]) =>
          removed.some((r) => cp.replicas.includes(r)) ||
          (cp.state.leader < 0 && added.some((a) => cp.replicas.includes(a))) ||
          justUnclean.some((a) => cp.state.eligible_leader_replicas.includes(a)),
      )
      .map(([p]) => p);
    const reason = removed.length > 0 ? `broker failure [${removed}]` : `broker startup [${added}]`;
    this.handleLiveChange(
      affected,
      reason,
      (changed) => {
        // New brokers learn every partition they replicate; replicas of changed partitions learn the change.
        const forNew = [...this.partitions.entries()]
          .filter(([, cp]) => added.some((a) => cp.replicas.includes(a)))
          .map(([p]) => p);
        this.sendLeaderAndIsr(
          [...new Set([...changed, ...forNew])].sort((a, b) => a - b),
          [...this.live],
        );
        this.sendUpdateMetadata();
        // onBrokerStartup's triggerOnlinePartitionStateChange: a new partition may now have a live replica.
        if (added.length > 0) this.onNewPartitionCreation(() => after?.());
        else after?.();
      },
      () => justUnclean,
    );
  }

  /**
   * For each partition: if its leader is dead, elect a new one (offline partition); otherwise drop dead
   * replicas from the ISR. Writes go to ZooKeeper fenced by the controller epoch.
   */
  private handleLiveChange(
    partitions: number[],
    reason: string,
    then: (changed: number[]) => void,
    uncleanFor: (p: number) => number[] = () => [],
  ): void {
    const changed: number[] = [];
    let pending = partitions.length;
    if (pending === 0) return then(changed);
    const done = (): void => {
      if (--pending === 0) then(changed.sort((a, b) => a - b));
    };
    for (const p of partitions) {
      const justUnclean = uncleanFor(p);
      let change: LiveChange | null = null;
      let previousLeader = -1;
      let previousIsr: number[] = [];
      // Decided against the state as read; decided again if a fenced write finds it changed.
      const decide = (current: ZkPartitionState, replicas: number[]): ZkPartitionState | null => {
        previousLeader = current.leader;
        previousIsr = current.isr;
        change = decideLiveChange(viewOf(current, replicas), this.isLive, justUnclean, this.policyFor(p));
        return change === null ? null : stateAfter(current, change, this.epoch, this.isrRemovalRulesFor(p));
      };
      this.writeState(p, decide, (written) => {
        if (written !== null) {
          changed.push(p);
          probeLiveChange(change as LiveChange, previousIsr, justUnclean.length > 0);
          if (this.observe.active) this.emitLiveChange(p, written, change as LiveChange, previousLeader, reason);
        }
        done();
      });
    }
  }

  private emitLiveChange(
    p: number,
    written: ZkPartitionState,
    change: LiveChange,
    previousLeader: number,
    reason: string,
  ): void {
    const time = this.now();
    const controller = this.host.id;
    const partitionEpoch = this.zkVersionOf(p);
    if (change.kind === 'isr') {
      this.observe.emit({
        kind: 'controller-isr',
        time,
        controller,
        partition: p,
        leader: written.leader,
        leaderEpoch: written.leader_epoch,
        isr: [...written.isr],
        partitionEpoch,
      });
    } else if (change.kind === 'offline') {
      this.observe.emit({ kind: 'offline', time, controller, partition: p, leaderEpoch: written.leader_epoch, reason });
    } else {
      this.observe.emit({
        kind: 'election',
        time,
        controller,
        controllerEpoch: this.epoch,
        partition: p,
        leader: change.leader,
        leaderEpoch: written.leader_epoch,
        isr: [...change.isr],
        unclean: change.unclean,
        previousLeader,
        reason: change.lastKnownLeader ? `${reason}: KIP-966 last known leader` : reason,
        ...(change.lastKnownLeader ? { lastKnownLeader: true } : {}),
        partitionEpoch,
      });
    }
  }

  /** A clean election this controller wrote (preferred replica, controlled shutdown), for watchers. */
  private emitCleanElection(p: number, written: ZkPartitionState, previousLeader: number, reason: string): void {
    if (!this.observe.active) return;
    this.observe.emit({
      kind: 'election',
      time: this.now(),
      controller: this.host.id,
      controllerEpoch: this.epoch,
      partition: p,
      leader: written.leader,
      leaderEpoch: written.leader_epoch,
      isr: [...written.isr],
      unclean: false,
      previousLeader,
      reason,
      partitionEpoch: this.zkVersionOf(p),
    });
  }

  /** An ISR change this controller wrote with the leader staying, for watchers. */
  private emitControllerIsr(
    p: number,
    written: ZkPartitionState,
    partitionEpoch: number,
    alterPartitionOn?: number,
  ): void {
    if (!this.observe.active) return;
    this.observe.emit({
      kind: 'controller-isr',
      time: this.now(),
      controller: this.host.id,
      partition: p,
      leader: written.leader,
      leaderEpoch: written.leader_epoch,
      isr: [...written.isr],
      partitionEpoch,
      ...(alterPartitionOn === undefined ? {} : { alterPartitionOn }),
    });
  }

  /**
   * The version of the partition's state znode this controller last wrote or read: reported with each
   * change, since an answer that waited out a pause reports a change that later ones already replaced.
   */
  private zkVersionOf(p: number): number {
    return this.partitions.get(p)?.zkVersion ?? -1;
  }

  /** KIP-966's eligible leader replicas, unclean-shutdown exclusion and last-known-leader recovery. */
  private get kip966(): boolean {
    return this.config.protocol.elr;
  }

  /**
   * The election rules of partition `p`: unclean election as its topic's unclean.leader.election.enable says
   * (topics.ts; PartitionStateMachine.collectUncleanLeaderElectionState reads it per topic, 3.9), so that
   * `__transaction_state` never elects uncleanly.
   */
  private policyFor(p: number): ElectionPolicy {
    const b = this.config.broker;
    return {
      elr: this.kip966,
      unclean: uncleanLeaderElectionEnabledFor(this.config, p),
      minIsr: b['min.insync.replicas'],
    };
  }

  /** Before KAFKA-5642, KafkaController.removeReplicaFromIsr (1.0) also read the topic's config. */
  private isrRemovalRulesFor(p: number): IsrRemovalRules {
    return {
      elr: this.kip966,
      kafka5642: this.config.protocol.kafka5642,
      unclean: uncleanLeaderElectionEnabledFor(this.config, p),
    };
  }

  /**
   * ControllerContext.isReplicaOnline: registered and not shutting down (liveBrokerIds). Read at each call:
   * readBrokers replaces the live set.
   */
  private readonly isLive = (b: number): boolean => this.live.has(b) && !this.shuttingDown.has(b);

  /**
   * Writes a partition state decided by `decide` from the current one, fenced: the multi fails if another
   * controller bumped /controller_epoch. If the state changed under us (the leader wrote a new ISR), we
   * re-read it and decide again. `then` gets the written state, or null if nothing was written.
   */
  private writeState(
    p: number,
    decide: (current: ZkPartitionState, replicas: number[]) => ZkPartitionState | null,
    then: (written: ZkPartitionState | null) => void,
    attempts = 0,
  ): void {
    const cp = this.partitions.get(p) as ControllerPartition;
    const state = decide(cp.state, cp.replicas);
    if (state === null) return then(null);
    this.zk.multi(
      [
        { type: 'check', path: CONTROLLER_EPOCH, version: this.epochZkVersion },
        { type: 'setData', path: partitionStatePath(p), data: encodeState(state), version: cp.zkVersion },
      ],
      (err) => {
        if (!this.active) return then(null);
        if (err === null) {
          cp.state = state;
          cp.zkVersion += 1;
          return then(state);
        }
        if (attempts > 5) return then(null);
        // A lost answer may hide a write that went through, as Kafka's ZooKeeperClient knows: it sends the
        // request again, and the conditional write then fails with BADVERSION if the first one landed.
        // (Taken as not written, the new state stayed in ZooKeeper unannounced: nobody led the partition.)
        if (err === 'CONNECTIONLOSS') return this.writeState(p, decide, then, attempts + 1);
        if (err !== 'BADVERSION') return then(null);
        this.zk.getData(CONTROLLER_EPOCH, false, (e2, data) => {
          if (!this.active) return then(null);
          if (e2 === 'CONNECTIONLOSS') return this.writeState(p, decide, then, attempts + 1);
          if (e2 !== null || Number(data) !== this.epoch) {
            if (e2 === null) probe(P.zkControllerFenced);
            this.host.trace('controller', `fenced: controller epoch moved past ${this.epoch}`);
            this.resign('controller epoch moved');
            return then(null);
          }
          this.zk.getData(partitionStatePath(p), false, (e3, d3, s3) => {
            if (!this.active) return then(null);
            if (e3 === 'CONNECTIONLOSS') return this.writeState(p, decide, then, attempts + 1);
            if (e3 !== null || d3 === undefined || s3 === undefined) return then(null);
            if (d3 === encodeState(state) && s3.version > cp.zkVersion) {
              // Our own write, its answer lost: it is the current state.
              probe(P.zkControllerOwnWriteFound);
              cp.state = state;
              cp.zkVersion = s3.version;
              return then(state);
            }
            probe(P.zkControllerStateChangedUnderIt);
            cp.state = decodeState(d3);
            cp.zkVersion = s3.version;
            this.writeState(p, decide, then, attempts + 1);
          });
        });
      },
    );
  }

  private processIsrChangeNotifications(done: () => void): void {
    this.zk.getChildren(ISR_CHANGE_NOTIFICATION, true, (err, children) => {
      if (!this.active || err !== null || children === undefined || children.length === 0) return done();
      let pending = this.partitions.size;
      if (pending === 0) done();
      for (const [p, cp] of this.partitions) {
        this.zk.getData(partitionStatePath(p), false, (e2, d2, s2) => {
          if (e2 === null && d2 !== undefined && s2 !== undefined && s2.version > cp.zkVersion) {
            cp.state = decodeState(d2);
            cp.zkVersion = s2.version;
          }
          if (--pending === 0) {
            this.sendUpdateMetadata();
            // PartitionReassignmentIsrChangeHandler (before AlterIsr): a new ISR may complete a reassignment.
            this.maybeCompleteReassignments([...this.partitions.keys()]);
            done();
          }
        });
      }
      for (const c of children) this.zk.delete(`${ISR_CHANGE_NOTIFICATION}/${c}`, -1, () => {});
    });
  }

  // ---- AlterIsr ----

  /**
   * KafkaController.alterIsrs (alterPartitions from 3.2): a leader's ISR change, handled as a controller
   * event in turn with the others.
   */
  alterIsr(req: AlterIsrRequest, respond: (res: Omit<AlterIsrResponse, 'type' | 'correlationId'>) => void): void {
    if (!this.active) return respond({ error: 'NOT_CONTROLLER', partitions: [] });
    this.enqueue((done) =>
      this.processAlterIsr(req, (res) => {
        respond(res);
        done();
      }),
    );
  }

  /**
   * KafkaController.processAlterIsr / tryProcessAlterPartition: the sender must be a live broker of the
   * broker epoch the controller knows (else STALE_BROKER_EPOCH, which its AlterIsrManager retries); each
   * partition is checked (checkAlterIsr), the accepted ones written to ZooKeeper conditional on the zkVersion
   * the leader sent (KafkaZkClient.updateLeaderAndIsr), then the cache is updated, UpdateMetadata sent and the
   * leader answered. A leader-initiated change keeps the leader epoch and sends no LeaderAndIsr.
   */
  private processAlterIsr(
    req: AlterIsrRequest,
    respond: (res: Omit<AlterIsrResponse, 'type' | 'correlationId'>) => void,
  ): void {
    if (!this.active) return respond({ error: 'NOT_CONTROLLER', partitions: [] });
    if (!this.live.has(req.brokerId) || this.registeredAt.get(req.brokerId) !== req.brokerEpoch) {
      probe(P.zkAlterIsrStaleBrokerEpoch);
      this.host.trace('controller', `AlterIsr from broker ${req.brokerId}: stale broker epoch ${req.brokerEpoch}`);
      return respond({ error: 'STALE_BROKER_EPOCH', partitions: [] });
    }
    const results: AlterIsrPartitionResult[] = [];
    const answer = (partition: number, error: KafkaError, s?: ZkPartitionState, zkVersion = -1): void => {
      results.push({
        partition,
        error,
        leader: s?.leader ?? -1,
        leaderEpoch: s?.leader_epoch ?? -1,
        isr: [...(s?.isr ?? [])],
        partitionEpoch: zkVersion,
        elr: [...(s?.eligible_leader_replicas ?? [])],
      });
    };
    const writes: { partition: number; state: ZkPartitionState; version: number }[] = [];
    for (const item of req.partitions) {
      const cp = this.partitions.get(item.partition);
      const check = checkAlterIsr(cp, req.brokerId, item, this.config.protocol, this.isLive);
      probeAlterIsrCheck(check);
      if (cp === undefined || (check !== 'write' && check !== 'current')) {
        answer(item.partition, check === 'write' || check === 'current' ? 'UNKNOWN_TOPIC_OR_PARTITION' : check);
      } else if (check === 'current') {
        answer(item.partition, 'NONE', cp.state, cp.zkVersion);
      } else {
        const current = cp.state;
        const state: ZkPartitionState = {
          ...current,
          leader: req.brokerId,
          leader_epoch: item.leaderEpoch,
          isr: [...item.newIsr],
          controller_epoch: this.epoch,
          eligible_leader_replicas: eligibleAfter(
            current.isr,
            item.newIsr,
            current.eligible_leader_replicas,
            this.policyFor(item.partition),
          ),
        };
        writes.push({ partition: item.partition, state, version: item.partitionEpoch });
      }
    }
    let pending = writes.length;
    let controllerMoved = false;
    const finish = (): void => {
      if (controllerMoved || !this.active) {
        respond({ error: controllerMoved ? 'UNKNOWN_SERVER_ERROR' : 'NOT_CONTROLLER', partitions: [] });
        if (controllerMoved) this.resign('controller epoch moved');
        return;
      }
      results.sort((a, b) => a.partition - b.partition);
      this.sendUpdateMetadata();
      respond({ error: 'NONE', partitions: results });
      // processAlterPartition's maybeCompleteReassignment for each partition whose ISR it wrote.
      this.maybeCompleteReassignments(results.filter((r) => r.error === 'NONE').map((r) => r.partition));
    };
    if (pending === 0) return finish();
    for (const w of writes) {
      this.writeAlterIsr(w.partition, w.state, w.version, (outcome, zkVersion) => {
        if (outcome === 'controller-moved') {
          probe(P.zkAlterIsrControllerMoved);
          controllerMoved = true;
        } else if (outcome === 'INVALID_UPDATE_VERSION') {
          // processAlterPartition's badVersionUpdates: "Failed to update ISR for partition, bad ZK version",
          // answered INVALID_UPDATE_VERSION (left out of the answer, the leader would send it again at once).
          probe(P.zkAlterIsrInvalidVersion);
          answer(w.partition, outcome);
          this.refreshState(w.partition);
        } else if (outcome === 'NONE') {
          const cp = this.partitions.get(w.partition) as ControllerPartition;
          cp.state = w.state;
          cp.zkVersion = zkVersion;
          answer(w.partition, 'NONE', w.state, zkVersion);
          // The write was conditional on the version the leader sent: that is the state it replaced.
          this.emitControllerIsr(w.partition, w.state, zkVersion, w.version);
        } else answer(w.partition, outcome);
        if (--pending === 0) finish();
      });
    }
  }

  /**
   * Reads a partition's state znode into the cache after an AlterIsr write found it moved (BADVERSION): this
   * controller's own earlier write whose answer a lost connection hid, or another writer's. Kafka 3.9 leaves its
   * ControllerContext as it was here, but every controller-driven change reads the state from ZooKeeper first
   * (ZkReplicaStateMachine.doRemoveReplicasFromIsr, ZkPartitionStateMachine.doElectLeaderForPartitions), where
   * kafkasim's decide from the cache (writeState): without the read, a broker failure would find no change to make
   * in a stale ISR, write nothing, and leave the leader's AlterIsr refused for good (seed 129 of 3.9 ZooKeeper).
   */
  private refreshState(p: number): void {
    this.zk.getData(partitionStatePath(p), false, (err, data, stat) => {
      const cp = this.partitions.get(p);
      if (!this.active || err !== null || data === undefined || stat === undefined || cp === undefined) return;
      if (stat.version <= cp.zkVersion) return;
      probe(P.zkControllerStateChangedUnderIt);
      cp.state = decodeState(data);
      cp.zkVersion = stat.version;
    });
  }

  /**
   * One AlterIsr write, fenced by the controller epoch and conditional on the leader's zkVersion. A lost
   * answer is sent again, as Kafka's retryRequestsUntilConnected does; if the first landed, the second fails
   * with BADVERSION and the leader hears INVALID_UPDATE_VERSION, as in Kafka.
   */
  private writeAlterIsr(
    p: number,
    state: ZkPartitionState,
    version: number,
    then: (outcome: KafkaError | 'controller-moved', zkVersion: number) => void,
  ): void {
    this.zk.multi(
      [
        { type: 'check', path: CONTROLLER_EPOCH, version: this.epochZkVersion },
        { type: 'setData', path: partitionStatePath(p), data: encodeState(state), version },
      ],
      (err, results) => {
        if (err === null) {
          const set = results?.[1];
          return then('NONE', set?.type === 'setData' ? set.stat.version : version + 1);
        }
        if (err === 'CONNECTIONLOSS' && this.active) return this.writeAlterIsr(p, state, version, then);
        const first = results?.[0];
        if (err === 'BADVERSION' && first?.type === 'error' && first.err === 'BADVERSION') {
          return then('controller-moved', -1);
        }
        then(err === 'BADVERSION' ? 'INVALID_UPDATE_VERSION' : 'UNKNOWN_SERVER_ERROR', -1);
      },
    );
  }

  // ---- partition reassignment (KIP-455) ----

  /**
   * initializePartitionReassignments' API part (2.4+): reassignments the topic znode says are in progress, resumed
   * by a new controller (onPartitionReassignment, which completes those whose target is already in the ISR).
   */
  private resumeReassignments(done: () => void): void {
    const running = [...this.partitions.entries()].filter(([, cp]) => isBeingReassigned(cp)).map(([p]) => p);
    this.reassignEach(
      running.map((p) => ({ partition: p, replicas: targetReplicas(this.partitions.get(p) as ControllerPartition) })),
      done,
    );
  }

  /** Starts watching /admin/reassign_partitions (and handles what it holds): an operator submitted a reassignment. */
  watchReassignments(): void {
    if (this.active) this.enqueue((done) => this.processZkPartitionReassignment(done));
  }

  /**
   * processZkPartitionReassignment: reads /admin/reassign_partitions, watching for its creation
   * (registerZNodeChangeHandlerAndCheckExistence), and starts each reassignment it holds.
   */
  private processZkPartitionReassignment(done: () => void): void {
    this.zk.exists(REASSIGN_PARTITIONS, true, (err, stat) => {
      if (!this.active || err !== null || stat === null) return done();
      this.zk.getData(REASSIGN_PARTITIONS, false, (e2, data) => {
        if (!this.active || e2 !== null || data === undefined) return done();
        const wanted = decodeReassignments(data, TOPIC).filter((r) => this.partitions.has(r.partition));
        if (wanted.length === 0) return this.zk.delete(REASSIGN_PARTITIONS, -1, () => done());
        this.reassignEach(wanted, done);
      });
    });
  }

  private reassignEach(items: { partition: number; replicas: number[] }[], done: () => void): void {
    const next = (i: number): void => {
      if (i >= items.length || !this.active) return done();
      this.onPartitionReassignment(items[i].partition, items[i].replicas, () => next(i + 1));
    };
    next(0);
  }

  /**
   * KafkaController.onPartitionReassignment (3.9): U1-U2, the new assignment (RS = TRS + ORS, adding, removing) in
   * ZooKeeper and in memory; then while the target is not all in the ISR, A1-A2: a new leader epoch, and LeaderAndIsr
   * to every replica of RS, which starts the new ones (empty, fetching from the leader); else phase B.
   */
  private onPartitionReassignment(p: number, target: number[], then: () => void): void {
    const cp = this.partitions.get(p);
    if (cp === undefined) return then();
    const next = reassignTo(cp, target);
    const unneeded = cp.replicas.filter((r) => !next.replicas.includes(r));
    const changed = next.replicas.join() !== cp.replicas.join() || next.adding.join() !== cp.adding.join();
    const proceed = (): void => {
      if (!this.active) return then();
      if (isReassignmentComplete(cp, cp.state.isr)) return this.completeReassignment(p, then);
      const decide = (current: ZkPartitionState): ZkPartitionState => ({
        ...current,
        leader_epoch: current.leader_epoch + 1,
        controller_epoch: this.epoch,
      });
      // updateLeaderEpochAndSendRequest
      this.writeState(p, decide, (written) => {
        if (written !== null) this.sendLeaderAndIsr([p], [...this.live]);
        then();
      });
    };
    if (!changed) return proceed();
    probe(P.zkReassignmentStarted);
    this.host.trace('controller', `reassigning partition ${p}: [${cp.replicas}] -> [${target}]`);
    this.writeAssignment(p, next, () => {
      // A reassignment replacing one in progress: the replicas it no longer needs are stopped and deleted.
      this.stopRemovedReplicas(p, unneeded);
      proceed();
    });
  }

  /**
   * Phase B: B2 RS = TRS in memory; B3-B4 the leader moved into TRS if needed and the removed replicas out of the ISR,
   * LeaderAndIsr to TRS; B5 StopReplica (delete) to the removed replicas; B6 the assignment in ZooKeeper; B7 the
   * partition off /admin/reassign_partitions; B8 UpdateMetadata everywhere.
   */
  private completeReassignment(p: number, then: () => void): void {
    const cp = this.partitions.get(p) as ControllerPartition;
    const target = targetReplicas(cp);
    const removed = cp.removing;
    probe(P.zkReassignmentCompleted);
    this.host.trace('controller', `reassignment of partition ${p} to [${target}] complete`);
    const done: ReplicaAssignment = { replicas: target, adding: [], removing: [] };
    Object.assign(cp, done);
    let previousLeader = -1;
    const decide = (current: ZkPartitionState): ZkPartitionState => {
      previousLeader = current.leader;
      return completedState(current, target, this.isLive, this.epoch);
    };
    this.writeState(p, decide, (written) => {
      if (written === null) return then();
      if (written.leader !== previousLeader) this.emitCleanElection(p, written, previousLeader, 'reassignment');
      else this.emitControllerIsr(p, written, this.zkVersionOf(p));
      this.sendLeaderAndIsr([p], [...this.live]);
      this.stopRemovedReplicas(p, removed);
      this.writeAssignment(p, done, () => {
        this.zk.getData(REASSIGN_PARTITIONS, false, (err, data) => {
          const mine =
            err === null && data !== undefined && decodeReassignments(data, TOPIC).some((r) => r.partition === p);
          if (!mine) return this.finishReassignment(then);
          this.zk.delete(REASSIGN_PARTITIONS, -1, () => this.finishReassignment(then));
        });
      });
    });
  }

  private finishReassignment(then: () => void): void {
    this.sendUpdateMetadata();
    then();
  }

  /** maybeCompleteReassignment, as a controller event of its own, for each of `partitions` being reassigned. */
  private maybeCompleteReassignments(partitions: number[]): void {
    for (const p of partitions) {
      const cp = this.partitions.get(p);
      if (cp === undefined || !isBeingReassigned(cp) || !isReassignmentComplete(cp, cp.state.isr)) continue;
      this.enqueue((done) => {
        const now = this.partitions.get(p);
        if (now === undefined || !isBeingReassigned(now) || !isReassignmentComplete(now, now.state.isr)) return done();
        this.completeReassignment(p, done);
      });
    }
  }

  /** StopReplica with deletePartitions to each live broker of `replicas` (NonExistentReplica). */
  private stopRemovedReplicas(p: number, replicas: number[]): void {
    for (const b of replicas) {
      if (!this.live.has(b)) continue;
      this.host.send(brokerNode(b), {
        type: 'StopReplica',
        correlationId: 0,
        controllerId: this.host.id,
        controllerEpoch: this.epoch,
        brokerEpoch: this.registeredAt.get(b) ?? -1,
        partitions: [p],
        deletePartitions: true,
      });
    }
  }

  /**
   * updateReplicaAssignmentForPartition: the topic znode with `p`'s new assignment (KafkaZkClient.setTopicAssignment,
   * fenced by the controller epoch), and the controller's memory. A failed write is retried on a lost connection; a
   * fenced one means this controller was deposed.
   */
  private writeAssignment(p: number, a: ReplicaAssignment, then: () => void): void {
    const cp = this.partitions.get(p) as ControllerPartition;
    Object.assign(cp, { replicas: [...a.replicas], adding: [...a.adding], removing: [...a.removing] });
    // The data topic's znode: reassignment moves its partitions only (internal topics keep their assignment).
    const all = [...this.partitions.entries()]
      .filter(([id]) => isDataPartition(id))
      .sort((x, y) => x[0] - y[0])
      .map(([, c]) => c);
    this.zk.multi(
      [
        { type: 'check', path: CONTROLLER_EPOCH, version: this.epochZkVersion },
        { type: 'setData', path: TOPIC_PATH, data: encodeTopic(all), version: -1 },
      ],
      (err) => {
        if (!this.active) return then();
        if (err === 'CONNECTIONLOSS') return this.writeAssignment(p, a, then);
        if (err !== null) {
          this.resign(`write ${TOPIC_PATH}: ${err}`);
          return then();
        }
        then();
      },
    );
  }

  // ---- controlled shutdown ----

  /**
   * KafkaController.controlledShutdown: a broker's ControlledShutdown, handled as a controller event in turn with
   * the others (processControlledShutdown); `respond` gets the error and the partitions it still leads.
   */
  controlledShutdown(
    brokerId: number,
    brokerEpoch: number,
    respond: (error: KafkaError, remainingPartitions: number[]) => void,
  ): void {
    if (!this.active) return respond('NOT_CONTROLLER', []);
    this.enqueue((done) =>
      this.doControlledShutdown(brokerId, brokerEpoch, (error, remaining) => {
        respond(error, remaining);
        done();
      }),
    );
  }

  /**
   * KafkaController.doControlledShutdown (shutdownBroker before 1.1): the broker joins shuttingDownBrokerIds; each
   * partition it leads with more than one replica elects the first live replica in the ISR left without the
   * shutting-down brokers (ControlledShutdownPartitionLeaderElectionStrategy, in assignment order from KAFKA-3670),
   * and it becomes that leader's follower; it stops fetching the partitions it follows (StopReplica, deletePartition
   * false) and leaves their ISRs (the OfflineReplica transition). The answer names the partitions it still leads:
   * those no other ISR member could take (the election failed, StateChangeFailedException).
   */
  private doControlledShutdown(
    id: number,
    brokerEpoch: number,
    respond: (error: KafkaError, remainingPartitions: number[]) => void,
  ): void {
    if (!this.active) return respond('NOT_CONTROLLER', []);
    // KIP-380 (2.2): "Received controlled shutdown request from an old broker epoch".
    if (this.config.protocol.kip380 && brokerEpoch >= 0 && brokerEpoch < (this.registeredAt.get(id) ?? -1)) {
      return respond('STALE_BROKER_EPOCH', []);
    }
    if (!this.live.has(id)) return respond('BROKER_NOT_AVAILABLE', []);
    this.shuttingDown.add(id);
    this.host.trace('controller', `controlled shutdown of broker ${id}`);
    const onBroker = [...this.partitions.entries()]
      .filter(([, cp]) => cp.replicas.length > 1 && cp.replicas.includes(id))
      .sort((a, b) => a[0] - b[0]);
    const led = onBroker.filter(([, cp]) => cp.state.leader === id).map(([p]) => p);
    const followed = onBroker.filter(([, cp]) => cp.state.leader !== id).map(([p]) => p);
    this.electForControlledShutdown(led, (elected) => {
      this.sendLeaderAndIsr(elected, [...this.live]);
      this.sendUpdateMetadata();
      if (followed.length > 0) {
        this.host.send(brokerNode(id), {
          type: 'StopReplica',
          correlationId: 0,
          controllerId: this.host.id,
          controllerEpoch: this.epoch,
          brokerEpoch: this.registeredAt.get(id) ?? -1,
          partitions: followed,
        });
      }
      this.removeFollowerFromIsrs(id, followed, (shrunk) => {
        this.sendLeaderAndIsr(
          shrunk,
          [...this.live].filter((b) => b !== id),
        );
        this.sendUpdateMetadata();
        // ControllerContext.partitionLeadersOnBroker: those it still leads, with more than one replica.
        const remaining = [...this.partitions.entries()]
          .filter(([, cp]) => cp.replicas.length > 1 && cp.state.leader === id)
          .map(([p]) => p)
          .sort((a, b) => a - b);
        respond(this.active ? 'NONE' : 'NOT_CONTROLLER', remaining);
      });
    });
  }

  /** The controlled-shutdown election of each partition in `partitions`; `then` gets those that elected. */
  private electForControlledShutdown(partitions: number[], then: (elected: number[]) => void): void {
    const elected: number[] = [];
    let pending = partitions.length;
    if (pending === 0) return then(elected);
    for (const p of partitions) {
      let previousLeader = -1;
      const decide = (current: ZkPartitionState, replicas: number[]): ZkPartitionState | null => {
        previousLeader = current.leader;
        if (!this.shuttingDown.has(current.leader)) return null;
        const isr = current.isr.filter((r) => !this.shuttingDown.has(r));
        // KAFKA-3670 (0.10.1): liveAssignedReplicas.find(newIsr.contains); before, newIsr.headOption.
        const leader = this.config.protocol.kafka3670
          ? replicas.find((r) => this.live.has(r) && isr.includes(r))
          : isr[0];
        if (leader === undefined) return null;
        return {
          leader,
          leader_epoch: current.leader_epoch + 1,
          isr,
          controller_epoch: this.epoch,
          eligible_leader_replicas: eligibleAfter(
            current.isr,
            isr,
            current.eligible_leader_replicas,
            this.policyFor(p),
          ),
          last_known_elr: [],
        };
      };
      this.writeState(p, decide, (written) => {
        if (written !== null) {
          elected.push(p);
          probe(P.zkControlledShutdownLeaderMoved);
          this.emitCleanElection(p, written, previousLeader, 'controlled shutdown');
        }
        if (--pending === 0) then(elected.sort((a, b) => a - b));
      });
    }
  }

  /** The OfflineReplica transition of `replica` on partitions it follows: out of each ISR it is in. */
  private removeFollowerFromIsrs(replica: number, partitions: number[], then: (changed: number[]) => void): void {
    const changed: number[] = [];
    let pending = partitions.length;
    if (pending === 0) return then(changed);
    for (const p of partitions) {
      const decide = (current: ZkPartitionState): ZkPartitionState | null =>
        current.leader === replica || !current.isr.includes(replica)
          ? null
          : withoutFollower(current, replica, this.epoch, this.isrRemovalRulesFor(p), this.policyFor(p));
      this.writeState(p, decide, (written) => {
        if (written !== null) {
          changed.push(p);
          this.emitControllerIsr(p, written, this.zkVersionOf(p));
        }
        if (--pending === 0) then(changed.sort((a, b) => a - b));
      });
    }
  }

  // ---- preferred leader election ----

  private scheduleRebalance(): void {
    if (!this.config.broker['auto.leader.rebalance.enable']) return;
    const interval = this.config.broker['leader.imbalance.check.interval.seconds'] * 1000;
    this.rebalanceTimer = this.host.setTimer(interval, () => {
      if (!this.active) return;
      this.preferredLeaderElection();
      this.scheduleRebalance();
    });
  }

  /** Moves leadership back to the first replica of the assignment when it is alive and in the ISR. */
  preferredLeaderElection(): void {
    this.enqueue((done) => this.electPreferredLeaders(done));
  }

  private electPreferredLeaders(done: () => void): void {
    let pending = this.partitions.size;
    if (pending === 0) return done();
    for (const p of this.partitions.keys()) {
      let previousLeader = -1;
      const decide = (current: ZkPartitionState, replicas: number[]): ZkPartitionState | null => {
        previousLeader = current.leader;
        const preferred = preferredLeader(viewOf(current, replicas), this.isLive);
        if (preferred === null) return null;
        return { ...current, leader: preferred, leader_epoch: current.leader_epoch + 1, controller_epoch: this.epoch };
      };
      this.writeState(p, decide, (written) => {
        if (written !== null) {
          probe(P.zkPreferredElection);
          this.emitCleanElection(p, written, previousLeader, 'preferred replica');
          this.sendLeaderAndIsr([p], [...this.live]);
          this.sendUpdateMetadata();
        }
        if (--pending === 0) done();
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
      this.host.sendRequest(
        brokerNode(b),
        {
          type: 'LeaderAndIsr',
          controllerId: this.host.id,
          controllerEpoch: this.epoch,
          brokerEpoch: this.registeredAt.get(b) ?? -1,
          partitionStates: states,
          liveBrokers: this.liveBrokerList(),
        },
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
      this.host.send(brokerNode(b), {
        type: 'UpdateMetadata',
        correlationId: 0,
        controllerId: this.host.id,
        controllerEpoch: this.epoch,
        brokerEpoch: this.registeredAt.get(b) ?? -1,
        partitionStates: all,
        liveBrokers: this.liveBrokerList(),
      });
    }
  }

  /** Plain-data view of the controller's partition states for invariants and reports. */
  describe(): {
    epoch: number;
    live: number[];
    partitions: { partition: number; leader: number; leaderEpoch: number; isr: number[]; replicas: number[] }[];
  } {
    return {
      epoch: this.epoch,
      live: [...this.live].sort((a, b) => a - b),
      partitions: [...this.partitions.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([p, cp]) => ({
          partition: p,
          leader: cp.state.leader,
          leaderEpoch: cp.state.leader_epoch,
          isr: [...cp.state.isr],
          replicas: [...cp.replicas],
        })),
    };
  }
}
