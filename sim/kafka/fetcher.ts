// A follower's fetcher for one leader broker (Kafka's ReplicaFetcherThread and AbstractFetcherThread:
// truncateToEpochEndOffsets, processFetchRequest): first truncate each partition by leader epoch
// (OffsetsForLeaderEpoch), then fetch from its log end offset, again and again.
// The leader long-polls fetches that find no data, which paces the loop.
import type { BrokerConfig } from './config.ts';
import type { FetchPartition, FetchResponse, OffsetsForLeaderEpochResponse } from './messages.ts';
import { NO_EPOCH } from './messages.ts';
import type { Partition } from './partition.ts';
import type { KafkaBehaviours } from './protocol.ts';
import type { RequestChannel } from './request-channel.ts';
import type { Timer } from '../world/node.ts';

type FetchState = 'truncating' | 'fetching';

interface FetchedPartition {
  partition: Partition;
  state: FetchState;
  /** The epoch to ask OffsetsForLeaderEpoch about next (KIP-279 iterates downwards). */
  askEpoch: number;
  leaderEpoch: number;
}

export interface FetcherDeps {
  brokerId: number;
  config: BrokerConfig;
  protocol: KafkaBehaviours;
  channel: RequestChannel;
  nodeOf: (brokerId: number) => string;
  setTimer: (ms: number, fn: () => void) => Timer;
  /** Reports a fetch error worth an operator's attention (fencing), for the trace and the reports. */
  onFenced: (partition: number, error: string) => void;
  /** A disk error in the log directory: the broker halts (it does not return). */
  onStorageError: (partition: number, error: unknown) => void;
}

export class ReplicaFetcher {
  private readonly partitions = new Map<number, FetchedPartition>();
  private inFlight = false;
  private backoff: Timer | null = null;
  private stopped = false;

  constructor(
    readonly leader: number,
    private readonly deps: FetcherDeps,
  ) {}

  has(partition: number): boolean {
    return this.partitions.has(partition);
  }

  add(partition: Partition, leaderEpoch: number, truncateFirst: boolean): void {
    this.partitions.set(partition.id, {
      partition,
      state: truncateFirst ? 'truncating' : 'fetching',
      askEpoch: partition.epochCache.latestEpoch(),
      leaderEpoch,
    });
    this.kick();
  }

  /** KAFKA-7164's bug: the same leader seen again keeps fetching with only the epoch updated. */
  updateEpoch(partition: number, leaderEpoch: number): void {
    const p = this.partitions.get(partition);
    if (p !== undefined) p.leaderEpoch = leaderEpoch;
  }

  remove(partition: number): void {
    this.partitions.delete(partition);
  }

  stop(): void {
    this.stopped = true;
    this.backoff?.cancel();
  }

  private kick(): void {
    if (this.inFlight || this.backoff !== null || this.stopped) return;
    this.next();
  }

  private retryLater(): void {
    if (this.stopped) return;
    this.backoff = this.deps.setTimer(this.deps.config['replica.fetch.backoff.ms'], () => {
      this.backoff = null;
      this.next();
    });
  }

  private next(): void {
    if (this.stopped || this.partitions.size === 0) return;
    const truncating = [...this.partitions.values()].filter((p) => p.state === 'truncating');
    if (truncating.length > 0) this.sendOffsetsForLeaderEpoch(truncating);
    else this.sendFetch();
  }

  private epochToSend(p: FetchedPartition): number {
    return this.deps.protocol.kip320 ? p.leaderEpoch : NO_EPOCH;
  }

  private sendOffsetsForLeaderEpoch(parts: FetchedPartition[]): void {
    this.inFlight = true;
    this.deps.channel.send<OffsetsForLeaderEpochResponse>(
      this.deps.nodeOf(this.leader),
      {
        type: 'OffsetsForLeaderEpoch',
        replicaId: this.deps.brokerId,
        partitions: parts.map((p) => ({
          partition: p.partition.id,
          currentLeaderEpoch: this.epochToSend(p),
          leaderEpoch: p.askEpoch,
        })),
      },
      this.deps.config['replica.socket.timeout.ms'],
      (response) => {
        this.inFlight = false;
        if (response === null) return this.retryLater();
        let failed = false;
        for (const r of response.partitions) {
          const p = this.partitions.get(r.partition);
          if (p === undefined || p.state !== 'truncating') continue;
          if (r.error !== 'NONE') {
            failed = true;
            if (r.error === 'FENCED_LEADER_EPOCH') this.deps.onFenced(r.partition, r.error);
            continue;
          }
          let again: number | null;
          try {
            again = p.partition.truncateByLeaderEpoch(r.leaderEpoch, r.endOffset);
          } catch (e) {
            return this.deps.onStorageError(r.partition, e);
          }
          if (again === null) p.state = 'fetching';
          else p.askEpoch = again;
        }
        if (failed) this.retryLater();
        else this.next();
      },
    );
  }

  private sendFetch(): void {
    const partitions: FetchPartition[] = [];
    for (const p of this.partitions.values()) {
      const currentLeaderEpoch = this.epochToSend(p);
      partitions.push({ partition: p.partition.id, fetchOffset: p.partition.logEndOffset, currentLeaderEpoch });
    }
    this.inFlight = true;
    this.deps.channel.send<FetchResponse>(
      this.deps.nodeOf(this.leader),
      {
        type: 'Fetch',
        replicaId: this.deps.brokerId,
        maxWaitMs: this.deps.config['replica.fetch.wait.max.ms'],
        rackId: null,
        partitions,
      },
      this.deps.config['replica.socket.timeout.ms'],
      this.onFetchResponse,
    );
  }

  /** One handler for every fetch response (a closure per fetch showed in allocation profiles). */
  private readonly onFetchResponse = (response: FetchResponse | null): void => {
    this.inFlight = false;
    if (response === null) return this.retryLater();
    let failed = false;
    for (const d of response.partitions) {
      const p = this.partitions.get(d.partition);
      if (p === undefined || p.state !== 'fetching') continue;
      if (d.error === 'NONE' || d.error === 'OFFSET_OUT_OF_RANGE') {
        try {
          if (d.error === 'NONE') {
            p.partition.appendAsFollower(d.batches);
            p.partition.updateFollowerHighWatermark(d.highWatermark);
          } else {
            // Our log is longer than the leader's: cut back to its end and fetch again.
            p.partition.truncateTo(d.logEndOffset, 'offset-out-of-range');
          }
        } catch (e) {
          return this.deps.onStorageError(d.partition, e);
        }
      } else {
        failed = true;
        const fenced = d.error === 'FENCED_LEADER_EPOCH' || d.error === 'UNKNOWN_LEADER_EPOCH';
        if (fenced) this.deps.onFenced(d.partition, d.error);
      }
    }
    if (failed) this.retryLater();
    else this.next();
  };
}
