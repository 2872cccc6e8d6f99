// A follower's fetcher for one leader broker (Kafka's ReplicaFetcherThread and AbstractFetcherThread:
// partitionFetchState, maybeTruncate, truncateToEpochEndOffsets, truncateToHighWatermark,
// processFetchRequest, truncateOnFetchResponse; ReplicaFetcherThread.processPartitionData): first truncate
// each partition by leader epoch (OffsetsForLeaderEpoch), or (KAFKA-7897) to its high watermark if its log has
// no epoch, then fetch from its log end offset, again and again, with the broker epoch in KRaft from 3.5
// (KIP-903's ReplicaState.ReplicaEpoch). With truncation on fetch (KAFKA-10554, 2.8) a partition with an epoch
// fetches at once, sending the epoch it last fetched, and truncates when the leader answers with a diverging
// epoch. The leader long-polls fetches that find no data, which paces the loop.
import type { BrokerConfig } from './config.ts';
import { UNDEFINED_EPOCH } from './leader-epoch-cache.ts';
import type { FetchPartition, FetchPartitionData, FetchResponse, OffsetsForLeaderEpochResponse } from './messages.ts';
import { NO_EPOCH } from './messages.ts';
import type { Partition } from './partition.ts';
import type { KafkaBehaviours } from './protocol.ts';
import type { RequestChannel } from './request-channel.ts';
import type { Timer } from '../world/node.ts';
import { P, probe } from './probes.ts';

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
  /** KIP-903: the broker epoch to send (ReplicaState.ReplicaEpoch), -1 for none. */
  replicaEpoch?: () => number;
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

  /**
   * AbstractFetcherThread.partitionFetchState: a partition to truncate first starts Truncating, unless the
   * release truncates on fetch and its log has an epoch to send (then Fetching).
   */
  add(partition: Partition, leaderEpoch: number, truncateFirst: boolean): void {
    const askEpoch = partition.epochCache.latestEpoch();
    const onFetch = this.deps.protocol.truncateOnFetch && askEpoch !== UNDEFINED_EPOCH;
    this.partitions.set(partition.id, {
      partition,
      state: truncateFirst && !onFetch ? 'truncating' : 'fetching',
      askEpoch,
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
    const truncating: FetchedPartition[] = [];
    for (const p of this.partitions.values()) {
      if (p.state !== 'truncating') continue;
      if (p.askEpoch !== UNDEFINED_EPOCH || !this.deps.protocol.kafka7897) {
        truncating.push(p);
        continue;
      }
      // KAFKA-7897: no epoch to ask about (maybeTruncate's partitionsWithoutEpochs): truncate to the high
      // watermark here. Before, the leader was asked about epoch -1 and answered that it did not know it.
      try {
        p.partition.truncateTo(Math.min(p.partition.highWatermark, p.partition.logEndOffset), 'high-watermark');
      } catch (e) {
        return this.deps.onStorageError(p.partition.id, e);
      }
      p.state = 'fetching';
    }
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
            const before = p.partition.logEndOffset;
            again = p.partition.truncateByLeaderEpoch(r.leaderEpoch, r.endOffset);
            if (p.partition.logEndOffset < before) probe(P.truncateByOffsetsForLeaderEpoch);
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
    const onFetch = this.deps.protocol.truncateOnFetch;
    for (const p of this.partitions.values()) {
      const currentLeaderEpoch = this.epochToSend(p);
      const fetchOffset = p.partition.logEndOffset;
      // The last fetched epoch is the log's latest (PartitionFetchState.lastFetchedEpoch follows appends and
      // truncations); none (-1) for a log without one, or before truncation on fetch.
      const lastFetchedEpoch = onFetch ? p.partition.epochCache.latestEpoch() : NO_EPOCH;
      partitions.push({ partition: p.partition.id, fetchOffset, currentLeaderEpoch, lastFetchedEpoch });
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
        replicaEpoch: this.deps.replicaEpoch?.() ?? -1,
      },
      this.deps.config['replica.socket.timeout.ms'],
      this.onFetchResponse,
    );
  }

  /**
   * One handler for every fetch response (a closure per fetch showed in allocation profiles). A diverging
   * epoch truncates after the whole response is processed (truncateOnFetchResponse); before KAFKA-14704
   * (3.5) the partition's empty data was processed first, so its high watermark could rise over records
   * about to be truncated.
   */
  private readonly onFetchResponse = (response: FetchResponse | null): void => {
    this.inFlight = false;
    if (response === null) return this.retryLater();
    let failed = false;
    let diverging: FetchPartitionData[] | null = null;
    const { truncateOnFetch, kafka14704 } = this.deps.protocol;
    for (const d of response.partitions) {
      const p = this.partitions.get(d.partition);
      if (p === undefined || p.state !== 'fetching') continue;
      if (d.error === 'NONE' || d.error === 'OFFSET_OUT_OF_RANGE') {
        try {
          const divergent = truncateOnFetch && d.divergingEpoch !== undefined;
          if (divergent) (diverging ??= []).push(d);
          if (d.error === 'NONE' && !(divergent && kafka14704)) {
            // ReplicaFetcherThread.processPartitionData: append, then take the leader's high watermark.
            p.partition.appendAsFollower(d.batches);
            p.partition.updateFollowerHighWatermark(d.highWatermark);
          } else if (d.error === 'OFFSET_OUT_OF_RANGE') {
            // Our log is longer than the leader's: cut back to its end and fetch again.
            if (d.logEndOffset < p.partition.logEndOffset) probe(P.truncateOffsetOutOfRange);
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
    if (diverging !== null) {
      for (const d of diverging) {
        const p = this.partitions.get(d.partition);
        const epoch = d.divergingEpoch;
        if (p === undefined || epoch === undefined) continue;
        // getOffsetTruncationState; the partition stays Fetching and its next fetch sends the epoch it is left
        // with, so a truncation KIP-279 would iterate goes on through fetches.
        try {
          const before = p.partition.logEndOffset;
          p.partition.truncateByLeaderEpoch(epoch.epoch, epoch.endOffset);
          if (p.partition.logEndOffset < before) probe(P.truncateByDivergingEpoch);
        } catch (e) {
          return this.deps.onStorageError(d.partition, e);
        }
      }
    }
    if (failed) this.retryLater();
    else this.next();
  };
}
