// A Kafka cluster on a simulated world, as Kafka's own tests build one (KafkaClusterTestKit): a ZooKeeper
// node, or in KRaft mode the controller quorum's nodes, then n broker nodes, plus any client nodes. Gives
// tests, workloads and nemeses one handle on everything, restarts what halts itself (the supervisor), and
// fans replication events out to observers (invariant checkers, recorders for reports).
import type { Distribution } from '../world/distribution.ts';
import type { ProgramFactory } from '../world/node.ts';
import type { Seed } from '../world/seed.ts';
import type { FileSystem } from '../world/world.ts';
import { World } from '../world/world.ts';
import type { Broker } from './broker.ts';
import { brokerProgram } from './broker.ts';
import type { ClientOptions } from './clients/client.ts';
import { KafkaClient } from './clients/client.ts';
import type { ClusterConfig } from './config.ts';
import type { CoordinatorFactory } from './coordinator/index.ts';
import type { ReplicationEvent } from '../events/index.ts';
import type { ReplicationObserver } from './observer.ts';
import { ObserverHub } from './observer.ts';
import type { SubmittedReassignment } from './reassignment.ts';
import { AdminState } from './admin.ts';
import { submitReassignment } from './reassignment.ts';
import { submitTopicCreation } from './topic-creation.ts';
import type { SubmittedOperation } from './admin.ts';
import {
  assignReplicas,
  brokerNode,
  CONTROLLER_EPOCH,
  decodeState,
  PARTITION_STATE_PATH,
  partitionStatePath,
  TOPIC_PATH,
  topicPath,
  TOPICS,
  ZK_NODE,
} from './zk-layout.ts';
import { decodeTopic } from './zk-reassignment.ts';
import type { MetadataImage } from './kraft/image.ts';
import type { TopicName } from '../events/topics.ts';
import { createdTopicName, isCreatedTopic, partitionId } from '../events/topics.ts';
import { zkServerOf, zookeeperServer } from './zookeeper/index.ts';
import type { ZkServer } from './zookeeper/server.ts';
import type { TreeChange } from './zookeeper/tree.ts';
import { controllerNode, voterIds } from './kraft/config.ts';
import type { KraftControllerNode } from './kraft/controller-node.ts';
import { kraftControllerProgram } from './kraft/controller-node.ts';
import type { RaftObserver } from './kraft/observer.ts';
import { CommittedFeed, RaftHub } from './kraft/observer.ts';

/** One-way latency of every message unless a run says otherwise: a LAN (the `lan` network profile). */
export const DEFAULT_LATENCY: Distribution = { kind: 'uniform', min: 0.5, max: 2 };

export interface ClusterOptions {
  seed: Seed;
  config: ClusterConfig;
  latency?: Distribution;
  shuffleSameTime?: boolean;
  /** The brokers' and controllers' file system (WorldOptions.fileSystem). */
  fileSystem?: FileSystem;
  traceCapacity?: number;
  /**
   * How long the supervisor (systemd's Restart=on-failure, say) waits before starting a broker or
   * controller that halted itself, as Kafka halts when its log directory fails. null: never.
   */
  restartHaltedAfterMs?: number | null;
  /** Coordinators every broker runs besides the built-in ones of the enabled internal topics (tests' probes). */
  coordinators?: readonly CoordinatorFactory[];
}

/** RestartSec of the supervisor: a halted process comes back after this long. */
export const RESTART_HALTED_AFTER_MS = 5000;

export class KafkaCluster {
  readonly world: World;
  readonly brokerIds: number[];
  private readonly hub = new ObserverHub();
  private readonly raftHub = new RaftHub();
  /** What the operator has done, shared by the brokers (their ZooKeeper-mode controllers). */
  private readonly admin = new AdminState();
  /** KRaft mode: the controller voters' ids (3001, ...); empty in ZooKeeper mode. */
  readonly voterIds: number[];

  constructor(readonly options: ClusterOptions) {
    this.world = new World({
      seed: options.seed,
      defaultLatency: options.latency ?? DEFAULT_LATENCY,
      shuffleSameTime: options.shuffleSameTime,
      fileSystem: options.fileSystem,
      traceCapacity: options.traceCapacity,
    });
    const kraft = options.config.metadata === 'kraft';
    this.voterIds = kraft ? voterIds(options.config.kraft['controller.quorum.voters']) : [];
    if (kraft) {
      const observers = { hub: this.hub, raftHub: this.raftHub, feed: new CommittedFeed() };
      for (const v of this.voterIds) {
        this.world.addNode(controllerNode(v), kraftControllerProgram(v, options.config, observers));
      }
    } else {
      this.world.addNode(ZK_NODE, zookeeperServer({ onCommit: (changes, zk) => this.onZkCommit(changes, zk) }));
    }
    this.brokerIds = Array.from({ length: options.config.brokers }, (_, i) => i);
    for (const id of this.brokerIds) {
      const program = brokerProgram(id, options.config, this.hub, this.raftHub, this.admin, options.coordinators);
      this.world.addNode(brokerNode(id), program);
    }
    const restartAfter =
      options.restartHaltedAfterMs === undefined ? RESTART_HALTED_AFTER_MS : options.restartHaltedAfterMs;
    if (restartAfter !== null) this.world.onHalt((id) => this.restartLater(id, restartAfter));
  }

  /**
   * Partition state znodes as written, against /controller_epoch at that moment: the invariants check that no
   * deposed controller's write lands (KafkaZkClient's multi with a check on /controller_epoch, KAFKA-6082).
   * Releases with AlterIsr only, where the controller is the znode's one writer.
   */
  private onZkCommit(changes: readonly TreeChange[], zk: ZkServer): void {
    // Before AlterIsr (KIP-497, 2.7) leaders wrote their ISR changes to the znode themselves, with the controller
    // epoch they last heard of: only from then on is every partition state write a controller's.
    if (!this.hub.active || !this.config.protocol.kip497) return;
    for (const c of changes) {
      if (c.type === 'deleted') continue;
      const m = PARTITION_STATE_PATH.exec(c.path);
      if (m === null) continue;
      const partition = partitionId(m[1] as TopicName, Number(m[2]));
      const state = zk.get(c.path);
      const current = zk.get(CONTROLLER_EPOCH);
      if (state === null) continue;
      const s = decodeState(state.data);
      this.hub.emit({
        kind: 'zk-partition-state',
        time: this.world.now,
        partition,
        leader: s.leader,
        leaderEpoch: s.leader_epoch,
        controllerEpoch: s.controller_epoch,
        currentControllerEpoch: current === null ? -1 : Number(current.data),
      });
    }
  }

  /** The supervisor: starts a halted node again, unless something else started or crashed it meanwhile. */
  private restartLater(id: string, delayMs: number): void {
    const node = this.world.node(id);
    const { starts, crashes } = node;
    this.world.schedule(delayMs, () => {
      if (node.status === 'down' && node.starts === starts && node.crashes === crashes) this.world.start(id);
    });
  }

  get config(): ClusterConfig {
    return this.options.config;
  }

  /** Adds an observer of replication events; returns a function that removes it. */
  observe(o: ReplicationObserver): () => void {
    return this.hub.add(o);
  }

  /** Adds an observer of the KRaft quorum's Raft events and the brokers' metadata; returns a remover. */
  observeRaft(o: RaftObserver): () => void {
    return this.raftHub.add(o);
  }

  start(): void {
    for (const node of this.metadataNodes()) this.world.start(node);
    for (const id of this.brokerIds) this.world.start(brokerNode(id));
  }

  nodeOf(broker: number): string {
    return brokerNode(broker);
  }

  brokerNodes(): string[] {
    return this.brokerIds.map(brokerNode);
  }

  /** Where metadata lives: the ZooKeeper node, or the KRaft controllers. */
  metadataNodes(): string[] {
    return this.config.metadata === 'kraft' ? this.controllerNodes() : [ZK_NODE];
  }

  /** KRaft controller nodes (ctl1, ...); none in ZooKeeper mode. */
  controllerNodes(): string[] {
    return this.voterIds.map(controllerNode);
  }

  /** Every server node: the brokers, then ZooKeeper or the controllers. */
  serverNodes(): string[] {
    return [...this.brokerNodes(), ...this.metadataNodes()];
  }

  /** A KRaft controller's running program, or null while it is down. */
  kraftController(voterId: number): KraftControllerNode | null {
    return (this.world.node(controllerNode(voterId)).program as KraftControllerNode | null) ?? null;
  }

  /** The node of the active controller (a broker in ZooKeeper mode, a controller in KRaft mode), or null. */
  activeControllerNode(): string | null {
    if (this.config.metadata !== 'kraft') {
      const b = this.activeController();
      return b === null ? null : brokerNode(b.id);
    }
    let best: string | null = null;
    let bestEpoch = -1;
    for (const v of this.voterIds) {
      const c = this.kraftController(v);
      if (c === null || this.world.node(controllerNode(v)).status !== 'running') continue;
      if (!c.isActive || c.raft.epoch <= bestEpoch) continue;
      best = controllerNode(v);
      bestEpoch = c.raft.epoch;
    }
    return best;
  }

  /** The running program of a broker, or null while it is down. */
  broker(id: number): Broker | null {
    return (this.world.node(brokerNode(id)).program as Broker | null) ?? null;
  }

  /** The active controller: the running broker whose controller is active with the highest epoch. */
  activeController(): Broker | null {
    let best: Broker | null = null;
    for (const id of this.brokerIds) {
      const b = this.broker(id);
      if (b === null || this.world.node(brokerNode(id)).status !== 'running') continue;
      if (b.controller?.isActive && (best === null || (best.controller?.epoch ?? -1) < b.controller.epoch)) best = b;
    }
    return best;
  }

  /** The broker currently leading `partition` by its own account, with the highest leader epoch. */
  leaderOf(partition: number): number {
    let leader = -1;
    let epoch = -1;
    for (const id of this.brokerIds) {
      const p = this.broker(id)?.partitions.get(partition);
      if (p !== undefined && p.role === 'leader' && p.leaderEpoch > epoch) {
        leader = id;
        epoch = p.leaderEpoch;
      }
    }
    return leader;
  }

  addClient(
    id: string,
    options: Omit<ClientOptions, 'bootstrap' | 'protocol'>,
    onStart?: (c: KafkaClient) => void,
  ): void {
    const factory: ProgramFactory = (ctx) => {
      // Clients are of the cluster's release (its producer and consumer behaviours).
      const c = new KafkaClient(ctx, {
        bootstrap: this.brokerNodes(),
        protocol: this.config.protocol,
        kafka: this.config.kafka,
        ...options,
      });
      onStart?.(c);
      return c;
    };
    this.world.addNode(id, factory);
  }

  client(id: string): KafkaClient | null {
    return (this.world.node(id).program as KafkaClient | null) ?? null;
  }

  /**
   * An operator's reassignment of `partition` to `replicas` (kafka-reassign-partitions.sh --execute), submitted
   * until a controller (KRaft) or ZooKeeper took it; the controllers carry it out.
   */
  reassignPartition(partition: number, replicas: number[], onAccepted?: (how: string) => void): SubmittedReassignment {
    const target = { metadata: this.config.metadata, world: this.world, voterIds: this.voterIds };
    if (this.config.metadata === 'zk' && !this.admin.reassignmentsSubmitted) {
      // From now on ZooKeeper-mode controllers watch /admin/reassign_partitions; the active one starts at once.
      this.admin.reassignmentsSubmitted = true;
      this.activeController()?.controller?.watchReassignments();
    }
    return submitReassignment(target, partition, replicas, onAccepted);
  }

  /**
   * An operator's creation of `topic` with `assignment` (kafka-topics.sh --create --replica-assignment), submitted
   * until a controller (KRaft) or ZooKeeper took it; the controllers bring its partitions online.
   */
  createTopic(
    topic: TopicName,
    assignment: readonly (readonly number[])[],
    onAccepted?: (how: string) => void,
  ): SubmittedOperation {
    const target = { metadata: this.config.metadata, world: this.world, voterIds: this.voterIds };
    if (this.config.metadata === 'zk' && !this.admin.topicsCreated) {
      // From now on ZooKeeper-mode controllers watch the children of /brokers/topics; the active one starts at once.
      this.admin.topicsCreated = true;
      this.activeController()?.controller?.watchTopics();
    }
    return submitTopicCreation(target, topic, assignment, onAccepted);
  }

  /**
   * The brokers assigned `partition` now, in assignment order (a reassignment in progress: the target's, then the
   * ones it removes), as the newest metadata says: the KRaft controllers' committed image, or ZooKeeper's topic
   * znode. Before the topic exists, the assignment it will be created with.
   */
  currentReplicas(partition: number): number[] {
    const c = this.config;
    if (c.metadata === 'kraft') {
      let best: number[] | null = null;
      let offset = -1;
      for (const v of this.voterIds) {
        const image = this.kraftController(v)?.committed;
        const p = image?.partitions.get(partition);
        if (image === undefined || p === undefined || image.offset <= offset) continue;
        best = p.replicas;
        offset = image.offset;
      }
      if (best !== null) return [...best];
    } else {
      const node = this.world.node(ZK_NODE);
      const topic = node.program === null ? null : zkServerOf(node.program).get(TOPIC_PATH);
      if (topic !== null) {
        const replicas = (JSON.parse(topic.data) as { partitions: number[][] }).partitions[partition];
        if (replicas !== undefined) return [...replicas];
      }
    }
    return assignReplicas(c.partitions, c.replicationFactor, c.brokers, c.racks)[partition] ?? [];
  }

  /**
   * The partitions of the topics created during the run, with their replicas and leader, as the newest metadata
   * says: the KRaft voters' committed image furthest ahead, or ZooKeeper's znodes (leader null: a partition with
   * no state znode yet).
   */
  createdPartitions(): { partition: number; replicas: number[]; leader: number | null }[] {
    const out: { partition: number; replicas: number[]; leader: number | null }[] = [];
    const firstCreated = partitionId(createdTopicName(0), 0);
    if (this.config.metadata === 'kraft') {
      let image: MetadataImage | null = null;
      for (const v of this.voterIds) {
        const committed = this.kraftController(v)?.committed;
        if (committed !== undefined && (image === null || committed.offset > image.offset)) image = committed;
      }
      for (const p of [...(image?.partitions.values() ?? [])].sort((a, b) => a.partition - b.partition)) {
        if (p.partition >= firstCreated)
          out.push({ partition: p.partition, replicas: [...p.replicas], leader: p.leader });
      }
      return out;
    }
    const node = this.world.node(ZK_NODE);
    if (node.program === null) return out;
    const zk = zkServerOf(node.program);
    const topics = (zk.getChildren(TOPICS) ?? []).filter(isCreatedTopic);
    for (const topic of topics.sort((a, b) => partitionId(a, 0) - partitionId(b, 0))) {
      const assignment = decodeTopic((zk.get(topicPath(topic)) as { data: string }).data);
      assignment.forEach((a, k) => {
        const partition = partitionId(topic, k);
        const state = zk.get(partitionStatePath(partition));
        out.push({
          partition,
          replicas: [...a.replicas],
          leader: state === null ? null : decodeState(state.data).leader,
        });
      });
    }
    return out;
  }

  /** Records every replication event, for tests and reports. */
  record(): ReplicationEvent[] {
    const events: ReplicationEvent[] = [];
    this.observe((e) => events.push(e));
    return events;
  }
}
