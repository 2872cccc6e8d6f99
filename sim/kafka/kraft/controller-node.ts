// A KRaft controller node (process.roles=controller; Kafka's ControllerServer, with QuorumController's
// replay of committed records and its SnapshotGenerator): one voter of the metadata quorum. It replays the
// committed metadata log into its image; while it leads the quorum (and everything before its epoch is
// committed) it is the active controller and answers brokers. Partition changes are reported as
// replication events when they commit, the way the ZooKeeper-mode controller reports its writes. It
// snapshots its committed image now and then; after a restart the image starts from its latest snapshot.
import type { NodeContext, Program } from '../../world/node.ts';
import type { NodeId } from '../../world/network.ts';
import type { ClusterConfig } from '../config.ts';
import type { ObserverHub } from '../observer.ts';
import { ActiveController } from './active-controller.ts';
import { controllerNode, voterIds } from './config.ts';
import type { ControllerRequest } from './controller-messages.ts';
import { MetadataImage } from './image.ts';
import type { CommittedFeed, RaftHub } from './observer.ts';
import { RaftClient } from './raft.ts';
import type { RaftRequest } from './raft-messages.ts';
import type { RaftEntry } from './records.ts';
import { ALTER_PARTITION_REASON } from './replication-control.ts';
import type { KraftMessage } from './rpc.ts';
import { isKraftMessage, KraftChannel } from './rpc.ts';
import { imageOf, snapshotRecords } from './snapshot.ts';
import { SnapshotGenerator } from './snapshot-generator.ts';

const RAFT_REQUESTS = new Set(['Vote', 'BeginQuorumEpoch', 'EndQuorumEpoch', 'MetadataFetch', 'FetchSnapshot']);
const CONTROLLER_REQUESTS = new Set(['BrokerRegistration', 'BrokerHeartbeat', 'AlterPartition']);

export interface ControllerObservers {
  hub: ObserverHub;
  raftHub: RaftHub;
  feed: CommittedFeed;
}

export class KraftControllerNode implements Program {
  readonly channel: KraftChannel;
  readonly raft: RaftClient;
  readonly voters: number[];
  /** The committed metadata: a snapshot, then every record below the high watermark replayed in order. */
  committed: MetadataImage;
  active: ActiveController | null = null;
  private readonly snapshotGenerator: SnapshotGenerator;

  constructor(
    readonly voterId: number,
    readonly ctx: NodeContext,
    readonly config: ClusterConfig,
    private readonly observers: ControllerObservers,
  ) {
    this.channel = new KraftChannel(ctx);
    this.voters = voterIds(config.kraft['controller.quorum.voters']);
    const self = this;
    this.raft = new RaftClient({
      ctx,
      voterId,
      voters: this.voters,
      config: config.kraft,
      preVote: config.protocol.kip996,
      channel: this.channel,
      hub: observers.raftHub,
      nodeOf: controllerNode,
      onCommitted: (hw) => self.onCommitted(hw),
      onLeaderReady: (epoch) => self.onLeaderReady(epoch),
      onRoleChange: () => self.onRoleChange(),
      onSnapshotLoaded: (snapshot) => {
        self.committed = imageOf(snapshot);
      },
    });
    const latest = this.raft.snapshots.latest();
    this.committed = latest === null ? new MetadataImage() : imageOf(latest);
    this.snapshotGenerator = new SnapshotGenerator(config.kraft, ctx.now());
    this.raft.start();
  }

  get isActive(): boolean {
    return this.active !== null;
  }

  private onCommitted(hw: number): void {
    const log = this.raft.log;
    const from = this.committed.offset;
    for (let o = from; o < hw && o < log.endOffset; o++) this.replay(log.entryAt(o) as RaftEntry);
    if (this.snapshotGenerator.committed(log.sizeOf(from, this.committed.offset), this.ctx.now())) {
      const snapshot = this.raft.createSnapshot(snapshotRecords(this.committed), this.committed.offset);
      if (snapshot !== null) this.snapshotGenerator.taken(this.ctx.now());
    }
    this.active?.onCommitted(hw);
  }

  private replay(entry: RaftEntry): void {
    const r = entry.record;
    this.reportRegistration(entry);
    const hub = this.observers.hub;
    const report = hub.active && r.type === 'PartitionChangeRecord' && this.observers.feed.claim(entry.offset);
    const before = report ? this.committed.partitions.get(r.partitionId) : undefined;
    const previous =
      before === undefined
        ? undefined
        : { leader: before.leader, isr: before.isr.join(), partitionEpoch: before.partitionEpoch };
    this.committed.apply(r);
    if (!report || r.type !== 'PartitionChangeRecord' || previous === undefined) return;
    const after = this.committed.partitions.get(r.partitionId);
    if (after === undefined) return;
    const time = this.ctx.now();
    const controller = this.committed.raftLeader;
    if (after.leader !== previous.leader && after.leader >= 0) {
      const unclean = r.leaderRecoveryState === 'RECOVERING';
      const lastKnownLeader = unclean && r.reason.endsWith('KIP-966 last known leader');
      hub.emit({
        kind: 'election',
        time,
        controller,
        controllerEpoch: entry.epoch,
        partition: after.partition,
        leader: after.leader,
        leaderEpoch: after.leaderEpoch,
        isr: [...after.isr],
        unclean,
        previousLeader: previous.leader,
        reason: r.reason,
        ...(lastKnownLeader ? { lastKnownLeader: true } : {}),
        partitionEpoch: after.partitionEpoch,
      });
    } else if (after.leader !== previous.leader) {
      const { partition, leaderEpoch } = after;
      hub.emit({ kind: 'offline', time, controller, partition, leaderEpoch, reason: r.reason });
    } else if (after.isr.join() !== previous.isr) {
      const { partition, leader, leaderEpoch, partitionEpoch } = after;
      const isr = [...after.isr];
      // With its partition epoch: a leader's answer to an older AlterPartition may be reported after it.
      // An AlterPartition's change names the state it replaced: the record follows, in the log, the very state the
      // active controller validated the request against.
      const on = r.reason === ALTER_PARTITION_REASON ? { alterPartitionOn: previous.partitionEpoch } : {};
      hub.emit({
        kind: 'controller-isr',
        time,
        controller,
        partition,
        leader,
        leaderEpoch,
        isr,
        partitionEpoch,
        ...on,
      });
    }
  }

  /** A committed registration change, for the reports' KRaft view (QuorumController replays these records). */
  private reportRegistration(entry: RaftEntry): void {
    const r = entry.record;
    const raftHub = this.observers.raftHub;
    if (!raftHub.active) return;
    let e: {
      broker: number;
      brokerEpoch: number;
      change: 'registered' | 'fenced' | 'unfenced' | 'controlled-shutdown';
    };
    if (r.type === 'RegisterBrokerRecord') e = { broker: r.brokerId, brokerEpoch: r.brokerEpoch, change: 'registered' };
    else if (r.type === 'FenceBrokerRecord') e = { broker: r.id, brokerEpoch: r.epoch, change: 'fenced' };
    else if (r.type === 'UnfenceBrokerRecord') e = { broker: r.id, brokerEpoch: r.epoch, change: 'unfenced' };
    else if (r.type === 'BrokerRegistrationChangeRecord')
      e = { broker: r.brokerId, brokerEpoch: r.brokerEpoch, change: 'controlled-shutdown' };
    else return;
    if (!this.observers.feed.claim(entry.offset)) return;
    raftHub.emit({ kind: 'broker-registration', time: this.ctx.now(), offset: entry.offset, ...e });
  }

  private onLeaderReady(epoch: number): void {
    if (this.active !== null) return;
    const ctx = this.ctx;
    this.active = new ActiveController(
      {
        now: () => ctx.monotonicNow(),
        setTimer: (ms, fn) => ctx.setTimer(ms, fn),
        send: (to, msg) => ctx.send(to, msg),
        trace: (kind, detail) => ctx.trace(kind, detail),
        config: this.config,
        append: (records) => this.raft.appendAsLeader(records),
        logEndOffset: () => this.raft.log.endOffset,
        highWatermark: () => this.raft.highWatermark,
        reportIsrAccepted: (partition, leader, partitionEpoch, isr) => {
          const hub = this.observers.hub;
          if (!hub.active) return;
          const time = ctx.now();
          hub.emit({
            kind: 'isr-accepted',
            time,
            controller: this.voterId,
            partition,
            leader,
            partitionEpoch,
            isr: [...isr],
          });
        },
      },
      this.committed.clone(),
      epoch,
    );
    ctx.trace('controller', `controller ${this.voterId} active in epoch ${epoch}`);
    const hub = this.observers.hub;
    if (hub.active) {
      hub.emit({ kind: 'controller', time: ctx.now(), broker: this.voterId, controllerEpoch: epoch, active: true });
    }
    this.active.start();
  }

  private onRoleChange(): void {
    if (this.active === null) return;
    if (this.raft.isLeader() && this.raft.epoch === this.active.epoch) return;
    const epoch = this.active.epoch;
    this.active.stop();
    this.active = null;
    const hub = this.observers.hub;
    if (hub.active) {
      const time = this.ctx.now();
      hub.emit({ kind: 'controller', time, broker: this.voterId, controllerEpoch: epoch, active: false });
    }
  }

  onMessage(from: NodeId, msg: unknown): void {
    if (!isKraftMessage(msg)) return;
    if (msg.type.endsWith('Response')) {
      this.channel.complete(msg);
      return;
    }
    if (RAFT_REQUESTS.has(msg.type)) return this.raft.handleRequest(from, msg as KraftMessage as RaftRequest);
    if (!CONTROLLER_REQUESTS.has(msg.type)) return;
    const req = msg as KraftMessage as ControllerRequest;
    if (this.active !== null) return this.active.handle(from, req);
    // Not the active controller: the broker finds the leader through its metadata fetches.
    this.ctx.send(from, {
      type: `${req.type}Response`,
      correlationId: req.correlationId,
      error: 'NOT_CONTROLLER',
      brokerEpoch: -1,
      isCaughtUp: false,
      isFenced: true,
      partition: -1,
      leaderEpoch: -1,
      partitionEpoch: -1,
      isr: [],
      elr: [],
      leaderRecoveryState: 'RECOVERED',
    });
  }
}

export function kraftControllerProgram(voterId: number, config: ClusterConfig, observers: ControllerObservers) {
  return (ctx: NodeContext): KraftControllerNode => new KraftControllerNode(voterId, ctx, config, observers);
}
