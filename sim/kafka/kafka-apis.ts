// A broker's request handling (Kafka's KafkaApis.handle): Produce (handleProduceRequest), Fetch
// (handleFetchRequest), OffsetsForLeaderEpoch (handleOffsetForLeaderEpochRequest), ListOffsets
// (handleListOffsetRequest), Metadata (handleTopicMetadataRequest), InitProducerId
// (handleInitProducerIdRequest), the controller's LeaderAndIsr, UpdateMetadata and StopReplica
// (handleLeaderAndIsrRequest, handleUpdateMetadataRequest, handleStopReplicaRequest, with KIP-380's
// isBrokerEpochStale as 2.2-2.5.0 and, from KAFKA-9839, 2.5.1+ have it), and AlterIsr and ControlledShutdown for
// the controller (handleAlterIsrRequest, handleControlledShutdownRequest). The work is the ReplicaManager's and
// the controller's; this builds the responses and sends them.
import type { NodeContext } from '../world/node.ts';
import type { NodeId } from '../world/network.ts';
import type {
  AlterIsrRequest,
  ControlledShutdownRequest,
  KafkaMessage,
  LeaderAndIsrRequest,
  ListOffsetsRequest,
  OffsetsForLeaderEpochRequest,
  StopReplicaRequest,
  UpdateMetadataRequest,
} from './messages.ts';
import type { MetadataCache } from './metadata-cache.ts';
import type { ClusterConfig } from './config.ts';
import type { Coordinator } from './coordinator/index.ts';
import type {
  FindCoordinatorRequest,
  WriteTxnMarkersRequest,
  WriteTxnMarkersResponse,
} from './coordinator-messages.ts';
import { CONSUMER_OFFSETS_TOPIC, coordinatorPartition, topicPartitionOf } from './topics.ts';
import type { ObserverHub } from './observer.ts';
import type { FetchCallback, ProduceCallback, ReplicaManager } from './replica-manager.ts';
import { P, probe } from './probes.ts';

export interface KafkaApisDeps {
  brokerId: number;
  ctx: NodeContext;
  config: ClusterConfig;
  /** The broker's coordinators: requests none of the cases below takes go to them in turn. */
  coordinators: readonly Coordinator[];
  observe: ObserverHub;
  replicaManager: ReplicaManager;
  metadataCache: MetadataCache;
  /** KIP-380: this incarnation's broker epoch (its registration's czxid) once known; -1 before or without KIP-380. */
  brokerEpoch: () => number;
  /** KAFKA-9839 (2.5.1): a control request for a newer broker epoch is taken, not refused with an error. */
  acceptNewerBrokerEpoch: boolean;
  /** AlterIsr, for this broker's controller (KafkaController.alterIsrs); answers NOT_CONTROLLER if none. */
  alterIsr: (from: NodeId, req: AlterIsrRequest) => void;
  /** ControlledShutdown, for this broker's controller (KafkaController.controlledShutdown), or NOT_CONTROLLER. */
  controlledShutdown: (from: NodeId, req: ControlledShutdownRequest) => void;
  /** A fresh producer id (the broker's ProducerIdManager). */
  generateProducerId: () => number;
}

/**
 * WriteTxnMarkers' append timeout: KafkaApis.handleWriteTxnMarkersRequest passes config.requestTimeoutMs
 * (request.timeout.ms, 30 s by default) to ReplicaManager.appendRecords.
 */
const WRITE_TXN_MARKERS_TIMEOUT_MS = 30_000;

const NOT_COORDINATOR_ANSWER = {
  InitProducerId: {
    type: 'InitProducerIdResponse',
    error: 'COORDINATOR_NOT_AVAILABLE',
    producerId: -1,
    producerEpoch: -1,
  },
  AddPartitionsToTxn: { type: 'AddPartitionsToTxnResponse', error: 'COORDINATOR_NOT_AVAILABLE' },
  AddOffsetsToTxn: { type: 'AddOffsetsToTxnResponse', error: 'COORDINATOR_NOT_AVAILABLE' },
  EndTxn: { type: 'EndTxnResponse', error: 'COORDINATOR_NOT_AVAILABLE' },
} as const;

export class KafkaApis {
  private readonly brokerId: number;
  private readonly ctx: NodeContext;
  private readonly observe: ObserverHub;
  private readonly replicaManager: ReplicaManager;

  constructor(private readonly deps: KafkaApisDeps) {
    this.brokerId = deps.brokerId;
    this.ctx = deps.ctx;
    this.observe = deps.observe;
    this.replicaManager = deps.replicaManager;
  }

  /** Handles a request; false if `m` is none this broker serves (a response to one of its own requests). */
  handle(from: NodeId, m: KafkaMessage): boolean {
    switch (m.type) {
      case 'Produce':
        this.replicaManager.appendRecords(from, m, this.sendProduceResponse);
        return true;
      case 'Fetch':
        this.replicaManager.fetchMessages(from, m, this.sendFetchResponse);
        return true;
      case 'OffsetsForLeaderEpoch':
        this.handleOffsetForLeaderEpoch(from, m);
        return true;
      case 'LeaderAndIsr':
        this.handleLeaderAndIsr(from, m);
        return true;
      case 'UpdateMetadata':
        this.handleUpdateMetadata(m);
        return true;
      case 'AlterIsr':
        this.deps.alterIsr(from, m);
        return true;
      case 'ControlledShutdown':
        this.deps.controlledShutdown(from, m);
        return true;
      case 'StopReplica':
        this.handleStopReplica(m);
        return true;
      case 'Metadata':
        this.ctx.send(from, {
          type: 'MetadataResponse',
          correlationId: m.correlationId,
          brokers: this.deps.metadataCache.liveBrokers,
          controllerId: this.deps.metadataCache.controllerId,
          partitions: this.deps.metadataCache.sortedPartitions(),
        });
        return true;
      case 'ListOffsets':
        this.handleListOffsets(from, m);
        return true;
      case 'InitProducerId':
        // A transactional id's goes to its coordinator (below).
        if (m.transactionalId !== undefined) break;
        // Without a transactional id the epoch is 0 (TransactionCoordinator.handleInitProducerId, every release).
        this.ctx.send(from, {
          type: 'InitProducerIdResponse',
          correlationId: m.correlationId,
          error: 'NONE',
          producerId: this.deps.generateProducerId(),
          producerEpoch: 0,
        });
        return true;
      case 'WriteTxnMarkers':
        this.replicaManager.writeTxnMarkers(m, WRITE_TXN_MARKERS_TIMEOUT_MS, (res) => {
          this.onTxnMarkersWritten(m, res);
          this.ctx.send(from, res);
        });
        return true;
      case 'FindCoordinator':
        this.handleFindCoordinator(from, m);
        return true;
      default:
        break;
    }
    for (const c of this.deps.coordinators) if (c.handle(from, m)) return true;
    // A transactional request on a broker without a transaction coordinator (the topic is not enabled).
    if (
      m.type === 'InitProducerId' ||
      m.type === 'AddPartitionsToTxn' ||
      m.type === 'AddOffsetsToTxn' ||
      m.type === 'EndTxn'
    ) {
      this.ctx.send(from, { ...NOT_COORDINATOR_ANSWER[m.type], correlationId: m.correlationId });
      return true;
    }
    return false;
  }

  /**
   * handleWriteTxnMarkersRequest's maybeSendResponseCallback (3.9, the classic group coordinator): before answering,
   * each marker's __consumer_offsets partitions that took it go to the group coordinator, which materialises or
   * drops the producer's pending offsets there (onTransactionCompleted).
   */
  private onTxnMarkersWritten(req: WriteTxnMarkersRequest, res: WriteTxnMarkersResponse): void {
    req.markers.forEach((marker, i) => {
      const written = (res.markers[i]?.partitions ?? [])
        .filter((p) => p.error === 'NONE' && topicPartitionOf(p.partition).topic === CONSUMER_OFFSETS_TOPIC)
        .map((p) => p.partition);
      if (written.length === 0) return;
      for (const c of this.deps.coordinators) c.onTransactionCompleted?.(marker.producerId, written, marker.committed);
    });
  }

  /**
   * KafkaApis.getCoordinator (3.9): the key's partition of the internal topic (partitionFor), answered with its
   * leader as this broker's metadata cache has it if that broker is alive; COORDINATOR_NOT_AVAILABLE while the
   * topic is missing (Kafka would ask AutoTopicCreationManager to create it; kafkasim creates enabled internal
   * topics at cluster start and never others) or the partition has no live leader. A broker that is not the
   * coordinator after all answers the coordinator request itself with NOT_COORDINATOR.
   */
  private handleFindCoordinator(from: NodeId, req: FindCoordinatorRequest): void {
    const partition = coordinatorPartition(this.deps.config, req.keyType, req.key);
    const cache = this.deps.metadataCache;
    const leader = partition === undefined ? -1 : (cache.partitions.get(partition)?.leader ?? -1);
    const alive = leader >= 0 && cache.liveBrokers.some((b) => b.id === leader);
    this.ctx.send(from, {
      type: 'FindCoordinatorResponse',
      correlationId: req.correlationId,
      error: alive ? 'NONE' : 'COORDINATOR_NOT_AVAILABLE',
      nodeId: alive ? leader : -1,
    });
  }

  /** A produce is acknowledged when it answers NONE; acks=0 gets no answer at all. */
  private readonly sendProduceResponse: ProduceCallback = (to, req, error, baseOffset, logStartOffset) => {
    const { correlationId, partition, acks } = req;
    if (error === 'NONE' && this.observe.active) {
      const time = this.ctx.now();
      const value = req.values[0];
      this.observe.emit({ kind: 'acked', time, broker: this.brokerId, partition, offset: baseOffset, value, acks });
    }
    if (acks !== 0) {
      this.ctx.send(to, { type: 'ProduceResponse', correlationId, partition, error, baseOffset, logStartOffset });
    }
  };

  private readonly sendFetchResponse: FetchCallback = (to, req, data) => {
    this.ctx.send(to, { type: 'FetchResponse', correlationId: req.correlationId, partitions: data });
  };

  private handleOffsetForLeaderEpoch(from: NodeId, req: OffsetsForLeaderEpochRequest): void {
    const partitions = this.replicaManager.lastOffsetForLeaderEpoch(req.partitions, req.replicaId);
    this.ctx.send(from, { type: 'OffsetsForLeaderEpochResponse', correlationId: req.correlationId, partitions });
  }

  private handleListOffsets(from: NodeId, req: ListOffsetsRequest): void {
    const r = this.replicaManager.fetchOffsetForTimestamp(
      req.partition,
      req.timestamp,
      req.currentLeaderEpoch,
      req.isolationLevel,
    );
    this.ctx.send(from, {
      type: 'ListOffsetsResponse',
      correlationId: req.correlationId,
      partition: req.partition,
      error: r.error,
      offset: r.offset,
      leaderEpoch: r.leaderEpoch,
    });
  }

  // ---- controller requests ----

  /**
   * KIP-380's isBrokerEpochStale: a control request addressed to an earlier registration of this broker
   * (sent by a controller that has not seen us restart: a zombie, or one about to learn of the bounce) is
   * stale, since a restarted broker no longer knows the controller epoch that would fence it. One for a newer
   * registration than we know (the controller saw our re-registration after a session expiry before its
   * answer reached us) made 2.2-2.5.0 throw IllegalStateException, answered as UNKNOWN_SERVER_ERROR; from
   * KAFKA-9839 (2.5.1) it is taken.
   */
  private brokerEpochCheck(req: { brokerEpoch?: number }): 'ok' | 'stale' | 'newer' {
    const brokerEpoch = this.deps.brokerEpoch();
    if (req.brokerEpoch === undefined || req.brokerEpoch < 0 || brokerEpoch < 0) return 'ok';
    if (req.brokerEpoch < brokerEpoch) {
      probe(P.zkStaleBrokerEpochRefused);
      return 'stale';
    }
    return req.brokerEpoch > brokerEpoch && !this.deps.acceptNewerBrokerEpoch ? 'newer' : 'ok';
  }

  private handleLeaderAndIsr(from: NodeId, req: LeaderAndIsrRequest): void {
    const epochCheck = this.brokerEpochCheck(req);
    if (epochCheck !== 'ok') {
      const detail = `LeaderAndIsr from controller ${req.controllerId} for broker epoch ${req.brokerEpoch}`;
      this.ctx.trace('fenced', `${detail} ${epochCheck === 'stale' ? '<' : '>'} ${this.deps.brokerEpoch()}`);
      const correlationId = req.correlationId;
      const error = epochCheck === 'stale' ? 'STALE_BROKER_EPOCH' : 'UNKNOWN_SERVER_ERROR';
      this.ctx.send(from, { type: 'LeaderAndIsrResponse', correlationId, error });
      return;
    }
    const error = this.replicaManager.becomeLeaderOrFollower(req);
    // null: a role change failed on a disk error and the broker halted; it answers nothing.
    if (error !== null) this.ctx.send(from, { type: 'LeaderAndIsrResponse', correlationId: req.correlationId, error });
  }

  private handleUpdateMetadata(req: UpdateMetadataRequest): void {
    if (this.brokerEpochCheck(req) !== 'ok') return;
    this.replicaManager.maybeUpdateMetadataCache(req);
  }

  /**
   * handleStopReplicaRequest: the broker epoch checked as for LeaderAndIsr, then the ReplicaManager stops fetching
   * (stopReplicas), and with deletePartitions deletes the replicas. The controller does not wait for the answer, so
   * none is sent.
   */
  private handleStopReplica(req: StopReplicaRequest): void {
    if (this.brokerEpochCheck(req) !== 'ok') return;
    this.replicaManager.stopReplicas(req);
  }
}
