// The transaction coordinator's marker sending (Kafka 3.9's TransactionMarkerChannelManager.addTxnMarkersToSend,
// removeMarkersForTxnTopicPartition, with TransactionMarkerRequestCompletionHandler's error handling): a completed
// transaction's COMMIT or ABORT marker goes to the leader of each of its partitions in a WriteTxnMarkers request;
// a retriable error (the leader moved, too few replicas, a timeout) sends it again to whoever leads then; once
// every partition has its marker the coordinator appends CompleteCommit / CompleteAbort (tryAppendToLog). A
// partition whose leader is unknown waits, as Kafka's markersQueueForUnknownBroker does.
import type { WriteTxnMarkersResponse } from '../coordinator-messages.ts';
import type { KafkaError } from '../messages.ts';
import type { CoordinatorDeps } from './coordinator.ts';

/**
 * Between two attempts at one partition's marker: Kafka's InterBrokerSendThread drains its queues on every poll
 * (and retries after a metadata refresh); kafkasim waits retry.backoff.ms (100 ms).
 */
export const MARKER_RETRY_BACKOFF_MS = 100;
/** request.timeout.ms of the inter-broker requests (the broker's, 30 s). */
export const MARKER_REQUEST_TIMEOUT_MS = 30_000;

/** Errors after which the marker is sent again (TransactionMarkerRequestCompletionHandler, 3.9). */
const RETRIABLE: ReadonlySet<KafkaError> = new Set<KafkaError>([
  'NOT_LEADER_OR_FOLLOWER',
  'NOT_ENOUGH_REPLICAS',
  'NOT_ENOUGH_REPLICAS_AFTER_APPEND',
  'REQUEST_TIMED_OUT',
  'KAFKA_STORAGE_ERROR',
  'UNKNOWN_TOPIC_OR_PARTITION',
  'NETWORK_EXCEPTION',
]);

/** One transaction's markers in flight: who it is, and the partitions still without their marker. */
export interface PendingMarkers {
  transactionalId: string;
  /** The __transaction_state partition (global id) the transaction lives on. */
  txnPartition: number;
  coordinatorEpoch: number;
  producerId: number;
  producerEpoch: number;
  committed: boolean;
  remaining: Set<number>;
  /** Whether the coordinator still owns this transaction at this coordinator epoch (else: drop it). */
  stillCurrent: () => boolean;
  /** Every marker written: append CompleteCommit / CompleteAbort. */
  onComplete: () => void;
  /** A marker refused for good (INVALID_PRODUCER_EPOCH, TRANSACTION_COORDINATOR_FENCED): stop. */
  onAbandoned: (error: KafkaError) => void;
}

export class TransactionMarkerChannel {
  private readonly pending: PendingMarkers[] = [];

  constructor(private readonly deps: CoordinatorDeps) {}

  /** addTxnMarkersToSend: every partition's marker, now. */
  send(markers: PendingMarkers): void {
    this.pending.push(markers);
    if (markers.remaining.size === 0) return this.finish(markers);
    for (const p of [...markers.remaining].sort((a, b) => a - b)) this.sendOne(markers, p);
  }

  /** removeMarkersForTxnTopicPartition: the coordinator resigned or loads the partition again. */
  removeFor(txnPartition: number): void {
    for (let i = this.pending.length - 1; i >= 0; i--) {
      if (this.pending[i].txnPartition === txnPartition) this.pending.splice(i, 1);
    }
  }

  private live(m: PendingMarkers): boolean {
    return this.pending.includes(m) && m.stillCurrent();
  }

  private retryLater(m: PendingMarkers, partition: number): void {
    this.deps.ctx.setTimer(MARKER_RETRY_BACKOFF_MS, () => this.sendOne(m, partition));
  }

  private sendOne(m: PendingMarkers, partition: number): void {
    if (!this.live(m)) return;
    const cache = this.deps.metadataCache;
    const leader = cache.partitions.get(partition)?.leader ?? -1;
    if (leader < 0 || !cache.liveBrokers.some((b) => b.id === leader)) return this.retryLater(m, partition);
    const marker = {
      producerId: m.producerId,
      producerEpoch: m.producerEpoch,
      coordinatorEpoch: m.coordinatorEpoch,
      committed: m.committed,
      partitions: [partition],
    };
    const request = { type: 'WriteTxnMarkers' as const, markers: [marker] };
    this.deps.channel.send<WriteTxnMarkersResponse>(`b${leader}`, request, MARKER_REQUEST_TIMEOUT_MS, (r) => {
      if (!this.live(m)) return;
      const error = r === null ? 'NETWORK_EXCEPTION' : (r.markers[0]?.partitions[0]?.error ?? 'UNKNOWN_SERVER_ERROR');
      if (error === 'NONE') {
        m.remaining.delete(partition);
        if (m.remaining.size === 0) this.finish(m);
      } else if (RETRIABLE.has(error)) {
        this.retryLater(m, partition);
      } else {
        this.drop(m);
        m.onAbandoned(error);
      }
    });
  }

  private drop(m: PendingMarkers): void {
    const i = this.pending.indexOf(m);
    if (i >= 0) this.pending.splice(i, 1);
  }

  private finish(m: PendingMarkers): void {
    this.drop(m);
    m.onComplete();
  }
}
