// A ZooKeeper-mode leader's ISR changes from 2.7 on (KIP-497): Kafka's AlterIsrManager (AlterIsrManagerImpl
// in 2.7, DefaultAlterIsrManager in 2.8-3.1, AlterPartitionManager from 3.2) sending AlterIsr to the
// controller the metadata cache names, one request in flight with every partition's change waiting, and
// BrokerToControllerChannelManager's resend (a lost or unanswered request, or NOT_CONTROLLER, goes again to
// the controller known then); and the leader's handling of each partition's answer, Partition's
// handleAlterIsrResponse (2.7-3.2) and handleAlterPartitionUpdate / handleAlterPartitionError (3.3+): commit
// the controller's ISR, give up on UNKNOWN_TOPIC_OR_PARTITION, FENCED_LEADER_EPOCH, INVALID_UPDATE_VERSION and
// INVALID_REQUEST (the change stays pending until a LeaderAndIsr resets it), go back to the committed ISR on
// KIP-841's INELIGIBLE_REPLICA, retry anything else (handleAlterPartitionResult, which a KRaft leader's
// AlterPartition, kraft/broker-lifecycle.ts, uses too).
//
// Not modelled: 2.7's AlterIsrManagerImpl sent on a 50 ms schedule; this sends at once, as 2.8+ does.
import type { NodeContext } from '../world/node.ts';
import type { ClusterConfig } from './config.ts';
import type { AlterIsrPartitionResult, AlterIsrRequest, AlterIsrResponse } from './messages.ts';
import type { Partition } from './partition.ts';
import type { RequestChannel } from './request-channel.ts';
import { brokerNode } from './zk-layout.ts';

/** BrokerToControllerRequestThread.backoff: no controller known, or it said NOT_CONTROLLER. */
const NO_CONTROLLER_BACKOFF_MS = 100;
/** DefaultAlterIsrManager: a top-level error is retried "in the near future". */
const TOP_LEVEL_ERROR_RETRY_MS = 50;

export interface AlterIsrHost {
  readonly id: number;
  readonly ctx: NodeContext;
  readonly config: ClusterConfig;
  readonly channel: RequestChannel;
  /** The controller the metadata cache names (MetadataCache.getControllerId), or -1. */
  controllerId(): number;
  /** This broker's epoch as it knows it (KafkaController.brokerEpoch); AlterIsr carries it. */
  brokerEpoch(): number;
}

/** One partition's proposed change (Kafka's AlterIsrItem), with the state it was proposed from. */
interface Item {
  p: Partition;
  isr: number[];
  change: 'shrink' | 'expand';
  leaderEpoch: number;
  partitionEpoch: number;
}

export class AlterIsrManager {
  /** unsentIsrUpdates: one item per partition, kept until its answer (in flight ones included). */
  private readonly unsent = new Map<number, Item>();
  private inflight: { controller: number; correlationId: number } | null = null;
  private retryScheduled = false;
  private stopped = false;

  constructor(private readonly host: AlterIsrHost) {}

  /** Partition.sendAlterIsrRequest's enqueue: the partition has just gone pending with `isr`. */
  submit(p: Partition, isr: number[], change: 'shrink' | 'expand'): void {
    const leaderEpoch = p.leaderEpoch;
    const partitionEpoch = p.partitionEpoch;
    const existing = this.unsent.get(p.id);
    // A LeaderAndIsr since then cleared the old item (AlterIsrManager.clearPending).
    if (existing === undefined || this.stale(existing)) {
      this.unsent.set(p.id, { p, isr, change, leaderEpoch, partitionEpoch });
      p.reportIsrProposed(isr);
    }
    this.maybePropagate();
  }

  /** The metadata cache names another controller: a request to the old one is given up and sent again. */
  controllerChanged(): void {
    if (this.inflight === null || this.inflight.controller === this.host.controllerId()) return;
    this.host.channel.forget(this.inflight.correlationId);
    this.inflight = null;
    this.maybePropagate();
  }

  stop(): void {
    this.stopped = true;
  }

  /** Whether the partition has moved on from the item (a new leader epoch reset its pending change). */
  private stale(item: Item): boolean {
    const p = item.p;
    return p.role !== 'leader' || p.leaderEpoch !== item.leaderEpoch || p.pendingIsr !== item.isr;
  }

  private retryLater(ms: number): void {
    if (this.retryScheduled) return;
    this.retryScheduled = true;
    this.host.ctx.setTimer(ms, () => {
      this.retryScheduled = false;
      this.maybePropagate();
    });
  }

  /** DefaultAlterIsrManager.maybePropagateIsrChanges: everything waiting, in one request, if none is in flight. */
  private maybePropagate(): void {
    if (this.stopped || this.inflight !== null || this.retryScheduled) return;
    for (const [partition, item] of this.unsent) if (this.stale(item)) this.unsent.delete(partition);
    if (this.unsent.size === 0) return;
    const controller = this.host.controllerId();
    if (controller < 0) return this.retryLater(NO_CONTROLLER_BACKOFF_MS);
    const items = [...this.unsent.values()];
    const request: Omit<AlterIsrRequest, 'correlationId'> = {
      type: 'AlterIsr',
      brokerId: this.host.id,
      brokerEpoch: this.host.brokerEpoch(),
      partitions: items.map((i) => ({
        partition: i.p.id,
        leaderEpoch: i.leaderEpoch,
        newIsr: [...i.isr],
        partitionEpoch: i.partitionEpoch,
      })),
    };
    const box = { correlationId: -1 };
    box.correlationId = this.host.channel.send<AlterIsrResponse>(
      brokerNode(controller),
      request,
      this.host.config.broker['controller.socket.timeout.ms'],
      (res) => this.onResponse(box.correlationId, items, res),
    );
    this.inflight = { controller, correlationId: box.correlationId };
  }

  private onResponse(correlationId: number, items: Item[], res: AlterIsrResponse | null): void {
    if (this.stopped || this.inflight?.correlationId !== correlationId) return;
    this.inflight = null;
    // Disconnected or NOT_CONTROLLER (anywhere in the answer): the channel sends it again, to the
    // controller known by then.
    if (res === null || res.error === 'NOT_CONTROLLER' || res.partitions.some((r) => r.error === 'NOT_CONTROLLER')) {
      this.trace(`AlterIsr to controller: ${res === null ? 'no answer' : 'NOT_CONTROLLER'}; sending again`);
      return this.retryLater(NO_CONTROLLER_BACKOFF_MS);
    }
    if (res.error !== 'NONE') {
      // STALE_BROKER_EPOCH (our registration is newer than the controller knows, or older than it has),
      // UNKNOWN_SERVER_ERROR: every item stays, to go again.
      this.trace(`AlterIsr: ${res.error}; retrying`);
      return this.retryLater(TOP_LEVEL_ERROR_RETRY_MS);
    }
    const again: Item[] = [];
    for (const item of items) {
      const result = res.partitions.find((r) => r.partition === item.p.id);
      // Left out of the answer: it stays, to be sent again.
      if (result === undefined) continue;
      if (this.unsent.get(item.p.id) === item) this.unsent.delete(item.p.id);
      if (this.handlePartitionResult(item, result)) again.push(item);
    }
    for (const item of again) if (!this.unsent.has(item.p.id)) this.unsent.set(item.p.id, item);
    this.maybePropagate();
  }

  /**
   * Partition.handleAlterIsrResponse (2.7-3.2) / handleAlterPartitionUpdate and handleAlterPartitionError;
   * true if the change is to be sent again.
   */
  private handlePartitionResult(item: Item, r: AlterIsrPartitionResult): boolean {
    // "isrState was updated through leader election or some other mechanism": the answer is out of date.
    if (this.stale(item)) return false;
    if (r.error !== 'NONE') this.trace(`partition ${item.p.id}: AlterIsr to [${item.isr}] failed with ${r.error}`);
    return handleAlterPartitionResult(item.p, item.isr, item.change, r, item.partitionEpoch);
  }

  private trace(detail: string): void {
    this.host.ctx.trace('isr-update-failed', `broker ${this.host.id}: ${detail}`);
  }
}

/**
 * The leader's handling of one partition's answer to the ISR change `isr` it has pending, in both metadata
 * modes (Partition.handleAlterIsrResponse in 2.7-3.2, handleAlterPartitionUpdate and handleAlterPartitionError
 * from 3.3): a success commits the controller's ISR, unless it is for another leader epoch or older than what
 * the leader holds (the change then stays pending until new metadata); UNKNOWN_TOPIC_OR_PARTITION,
 * FENCED_LEADER_EPOCH, INVALID_UPDATE_VERSION and INVALID_REQUEST (3.2+; no ZooKeeper-mode controller of
 * kafkasim answers it) give up, pending until new metadata; KIP-841's INELIGIBLE_REPLICA goes back to the
 * committed ISR; anything else is sent again (true). The caller has checked that the change is still pending.
 */
export function handleAlterPartitionResult(
  p: Partition,
  isr: number[],
  change: 'shrink' | 'expand',
  r: { error: string; leaderEpoch: number; partitionEpoch: number; isr: number[]; elr: number[] },
  proposedAt: number,
): boolean {
  if (r.error === 'NONE') {
    // A success for another epoch, or older than what we hold, is ignored: the change stays pending. (2.7
    // also ignored one at our own partition epoch, which only a change to the ISR we hold could give.)
    if (r.leaderEpoch !== p.leaderEpoch || r.partitionEpoch < p.partitionEpoch) return false;
    p.isrChanged(r.isr, r.elr, r.partitionEpoch, change, proposedAt);
    return false;
  }
  switch (r.error) {
    case 'UNKNOWN_TOPIC_OR_PARTITION':
    case 'FENCED_LEADER_EPOCH':
    case 'INVALID_UPDATE_VERSION':
    case 'INVALID_REQUEST':
      // Giving up: the partition stays in its pending state until the next LeaderAndIsr or partition record.
      return false;
    case 'INELIGIBLE_REPLICA':
      // KIP-841: the controller says the change was not made, whoever it was: back to the committed ISR.
      p.isrChangeFailed(isr);
      return false;
    default:
      return true;
  }
}
