// A broker following the metadata log as an observer of the quorum (the observer side of Kafka's
// KafkaRaftClient, and its MetadataLoader). The broker keeps __cluster_metadata on its own disk, not
// flushed on append (Kafka flushes only voters' logs): after a restart it loads its latest snapshot and
// its log, and fetches on from its own log end. A fetch offset behind the leader's log start is answered
// with the leader's latest snapshot id, which it fetches (FetchSnapshot, KIP-630) and loads in place of
// its log. The leader sends observers committed records only, so the local log is always a committed
// prefix. Nothing is handed on until the broker has caught up to the high watermark, so a restarted
// broker never acts on old leadership. An answer from a leader of an older epoch than the broker knows (one
// deposed while paused or cut off, whose log may end in records never committed) is ignored.
import { logDirFailed } from '../log-dir-failure.ts';
import type { NodeContext } from '../../world/node.ts';
import type { KraftConfig } from './config.ts';
import { controllerNode } from './config.ts';
import { MetadataImage } from './image.ts';
import type { RaftHub } from './observer.ts';
import type {
  FetchSnapshotRequest,
  FetchSnapshotResponse,
  MetadataFetchRequest,
  MetadataFetchResponse,
} from './raft-messages.ts';
import { RaftLog, readQuorumState, writeQuorumState } from './raft-log.ts';
import type { RaftEntry } from './records.ts';
import { digestOf } from './records.ts';
import type { KraftChannel } from './rpc.ts';
import type { MetadataSnapshot, SnapshotId } from './snapshot.ts';
import { imageOf, SnapshotStore } from './snapshot.ts';
import { P, probe } from '../probes.ts';

const BACKOFF_MS = 100;

export interface MetadataListener {
  /** A fetch was answered: the quorum's leader is known. */
  onFetched(): void;
  /**
   * Committed metadata to hand on: the partitions that changed (all of them when the broker has just
   * caught up or loaded a snapshot), the offset applied before, and whether it has just caught up.
   */
  onPublish(changed: number[], before: number, justCaughtUp: boolean): void;
}

export class MetadataFollower {
  readonly log: RaftLog;
  readonly snapshots: SnapshotStore;
  /** The image of every record applied: the latest snapshot's, then the log's entries. */
  image: MetadataImage;
  leaderId = -1;
  /**
   * The latest epoch this broker knows of (Kafka's quorum.epoch()). It starts at the epoch its quorum-state file
   * kept, or its log's last epoch if that is later, as Kafka's QuorumState.initialize never starts below the epoch
   * of the log's end; a fetch answered in an older epoch comes from a deposed leader and is ignored (see fetch()).
   */
  leaderEpoch: number;
  /** The leader and epoch last written to the quorum-state file, so that only a change is written. */
  private persisted: { leaderId: number; leaderEpoch: number };
  private nextVoter = 0;
  private caughtUp = false;
  private stopped = false;

  constructor(
    private readonly ctx: NodeContext,
    private readonly brokerId: number,
    private readonly config: KraftConfig,
    private readonly voters: number[],
    private readonly channel: KraftChannel,
    private readonly raftHub: RaftHub,
    private readonly listener: MetadataListener,
  ) {
    this.snapshots = new SnapshotStore(ctx.disk);
    this.log = new RaftLog(ctx.disk, false, this.snapshots.ids());
    const stored = readQuorumState(ctx.disk);
    this.leaderEpoch = Math.max(this.log.lastEpoch(), stored.leaderEpoch);
    this.persisted = { leaderId: stored.leaderId, leaderEpoch: stored.leaderEpoch };
    const latest = this.snapshots.latest();
    this.image = latest === null ? new MetadataImage() : imageOf(latest);
    if (raftHub.active) raftHub.emit({ kind: 'metadata-reset', time: ctx.now(), broker: brokerId });
    if (latest !== null) this.emitSnapshot(latest.id);
    // Everything on disk was committed when fetched: it is applied now, handed on once caught up.
    const entries = this.log.read(this.image.offset, Infinity);
    for (const e of entries) this.apply(e);
  }

  /**
   * A leader learnt from a fetch answer. A broker is an observer of the quorum, and Kafka persists an observer's
   * transitions too (QuorumState.transitionToFollower -> durableTransitionTo, FileQuorumStateStore: a temporary
   * file, fsync, rename; 3.9.0), so a restarted broker knows the epoch it had reached.
   */
  private followLeader(leaderId: number, leaderEpoch: number): boolean {
    this.leaderId = leaderId;
    this.leaderEpoch = leaderEpoch;
    if (leaderId < 0 || (leaderId === this.persisted.leaderId && leaderEpoch === this.persisted.leaderEpoch)) {
      return true;
    }
    this.persisted = { leaderId, leaderEpoch };
    try {
      writeQuorumState(this.ctx.disk, { leaderEpoch, leaderId, votedId: -1 });
    } catch (e) {
      // A failed write of the election state is fatal to Kafka's raft client (the fault handler halts).
      logDirFailed(this.ctx, 'writing the quorum-state file', e);
      return false;
    }
    return true;
  }

  /** The applied offset: how far this broker has followed the metadata log. */
  get offset(): number {
    return this.log.endOffset;
  }

  private get requestTimeoutMs(): number {
    return Math.min(2000, this.config['controller.quorum.fetch.timeout.ms'] / 2);
  }

  start(): void {
    this.fetch();
  }

  /** A clean shutdown flushes the log, as Kafka's LogManager does for every log. */
  stop(): void {
    this.stopped = true;
    try {
      this.log.flush();
    } catch (e) {
      this.ctx.trace('storage-error', `metadata log: ${(e as Error).message}`);
    }
  }

  private later(fn: () => void): void {
    this.ctx.setTimer(BACKOFF_MS, () => {
      if (!this.stopped) fn();
    });
  }

  private controllerNodeNow(): string {
    if (this.leaderId >= 0) return controllerNode(this.leaderId);
    return controllerNode(this.voters[this.nextVoter++ % this.voters.length]);
  }

  private fetch(): void {
    if (this.stopped) return;
    const maxWaitMs = Math.min(500, this.config['controller.quorum.fetch.timeout.ms'] / 4);
    this.channel.send<MetadataFetchRequest, MetadataFetchResponse>(
      this.controllerNodeNow(),
      {
        type: 'MetadataFetch',
        replicaId: this.brokerId,
        currentLeaderEpoch: this.leaderId >= 0 ? this.leaderEpoch : -1,
        fetchOffset: this.log.endOffset,
        lastFetchedEpoch: this.log.lastEpoch(),
        maxWaitMs,
      },
      this.requestTimeoutMs + maxWaitMs,
      (res) => {
        if (this.stopped) return;
        if (res === null) {
          this.leaderId = -1;
          return this.later(() => this.fetch());
        }
        if (res.error !== 'NONE') {
          if (res.leaderId >= 0 && res.leaderEpoch >= this.leaderEpoch) {
            if (!this.followLeader(res.leaderId, res.leaderEpoch)) return;
          } else {
            this.leaderId = -1;
          }
          return this.later(() => this.fetch());
        }
        if (res.leaderEpoch < this.leaderEpoch) {
          // A leader deposed since (paused, or cut off, while a newer epoch was elected) answered a fetch sent
          // with no leader known. Its log may end in records of its own epoch that were never committed, so
          // its diverging epoch or snapshot id says nothing about ours. Kafka's KafkaRaftClient
          // .maybeHandleCommonResponse drops such a response ("We have a larger epoch, so the response is no
          // longer relevant"); the broker asks another voter.
          probe(P.kraftBrokerIgnoredDeposedLeader);
          this.leaderId = -1;
          return this.later(() => this.fetch());
        }
        if (!this.followLeader(res.leaderId, res.leaderEpoch)) return;
        if (res.divergingEpoch !== null) {
          throw new Error(
            `broker ${this.brokerId}: metadata log diverges at ${this.log.endOffset} though it holds committed ` +
              `records only`,
          );
        }
        if (res.snapshotId !== null) return this.fetchSnapshot(res.snapshotId, res.highWatermark);
        if (!this.append(res.entries, res.highWatermark)) return this.later(() => this.fetch());
        this.listener.onFetched();
        this.fetch();
      },
    );
  }

  /** Appends fetched records to the local log and applies them; false on a disk error (fetched again later). */
  private append(entries: RaftEntry[], highWatermark: number): boolean {
    const before = this.log.endOffset;
    const fresh = entries.filter((e) => e.offset >= before);
    const changed = new Set<number>();
    if (fresh.length > 0 && fresh[0].offset === before) {
      try {
        this.log.append(fresh);
      } catch (e) {
        logDirFailed(this.ctx, 'appending to the metadata log', e);
        return false;
      }
      for (const e of fresh) {
        const p = this.apply(e);
        if (p >= 0) changed.add(p);
      }
    }
    this.publish(changed, before, highWatermark, this.log.endOffset > before);
    return true;
  }

  private apply(e: RaftEntry): number {
    const p = this.image.apply(e.record);
    if (this.raftHub.active)
      this.raftHub.emit({
        kind: 'metadata-applied',
        time: this.ctx.now(),
        broker: this.brokerId,
        offset: e.offset,
        digest: digestOf(e),
      });
    return p;
  }

  private publish(changed: Set<number>, before: number, highWatermark: number, anything: boolean): void {
    let justCaughtUp = false;
    if (!this.caughtUp) {
      if (this.log.endOffset < highWatermark) return;
      // Caught up: the whole image goes out once.
      this.caughtUp = true;
      justCaughtUp = true;
      for (const p of this.image.partitions.keys()) changed.add(p);
    } else if (!anything) {
      return;
    }
    this.listener.onPublish([...changed], before, justCaughtUp);
  }

  /** Our fetch offset precedes the leader's log start: fetch its snapshot and load it in place of the log. */
  private fetchSnapshot(id: SnapshotId, highWatermark: number): void {
    this.channel.send<FetchSnapshotRequest, FetchSnapshotResponse>(
      controllerNode(this.leaderId),
      { type: 'FetchSnapshot', replicaId: this.brokerId, currentLeaderEpoch: this.leaderEpoch, snapshotId: id },
      this.requestTimeoutMs,
      (res) => {
        if (this.stopped) return;
        if (res === null || res.error !== 'NONE') {
          if (res === null) this.leaderId = -1;
          return this.later(() => this.fetch());
        }
        const snapshot: MetadataSnapshot = { id: res.snapshotId, records: res.records };
        try {
          this.snapshots.install(snapshot, this.log);
        } catch (e) {
          return logDirFailed(this.ctx, 'installing a metadata snapshot', e);
        }
        const before = this.image.offset;
        probe(P.kraftBrokerSnapshotLoaded);
        this.image = imageOf(snapshot);
        this.emitSnapshot(snapshot.id);
        this.ctx.trace(
          'metadata',
          `broker ${this.brokerId} loaded snapshot ${snapshot.id.endOffset}-${snapshot.id.epoch} from controller ` +
            `${this.leaderId}`,
        );
        this.publish(new Set(this.image.partitions.keys()), before, highWatermark, true);
        this.listener.onFetched();
        this.fetch();
      },
    );
  }

  private emitSnapshot(id: SnapshotId): void {
    if (this.raftHub.active)
      this.raftHub.emit({
        kind: 'metadata-snapshot',
        time: this.ctx.now(),
        broker: this.brokerId,
        endOffset: id.endOffset,
        epoch: id.epoch,
      });
  }
}
