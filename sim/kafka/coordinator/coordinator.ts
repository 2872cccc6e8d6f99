// What a coordinator is to the broker that runs it (Kafka's GroupCoordinator and TransactionCoordinator as
// BrokerServer / KafkaServer wire them): one per broker and internal topic, told when this broker starts or stops
// leading one of the topic's partitions (RequestHandlerHelper.onLeadershipChange; KRaft's
// BrokerMetadataPublisher.updateCoordinator), handed the requests addressed to it by KafkaApis, and appending its
// records through the ReplicaManager (origin COORDINATOR, acks -1).
import type { NodeContext } from '../../world/node.ts';
import type { NodeId } from '../../world/network.ts';
import type { ClusterConfig } from '../config.ts';
import type { KafkaMessage } from '../messages.ts';
import type { MetadataCache } from '../metadata-cache.ts';
import type { ObserverHub } from '../observer.ts';
import type { ReplicaManager, LeadershipListener } from '../replica-manager.ts';
import type { RequestChannel } from '../request-channel.ts';
import type { InternalTopic } from '../topics.ts';

export interface CoordinatorDeps {
  brokerId: number;
  ctx: NodeContext;
  config: ClusterConfig;
  observe: ObserverHub;
  /**
   * Its partitions' replicas (replicaManager.partitions.get(id): read the log on election) and its appends
   * (replicaManager.appendCoordinatorRecords).
   */
  replicaManager: ReplicaManager;
  /** Who leads which partition, as this broker last heard (e.g. where to send transaction markers). */
  metadataCache: MetadataCache;
  /** Requests to other brokers (e.g. WriteTxnMarkers), through the broker's request channel. */
  channel: RequestChannel;
  /** A fresh producer id (the broker's ProducerIdManager), shared with KafkaApis' InitProducerId. */
  generateProducerId: () => number;
}

export interface Coordinator extends LeadershipListener {
  readonly topic: InternalTopic;
  /** A request for this coordinator: handles it and answers true; false if `m` is none of its. */
  handle(from: NodeId, m: KafkaMessage): boolean;
  /**
   * A transaction's marker was written to these partitions of the coordinator's topic (the group coordinator's
   * onTransactionCompleted, called by KafkaApis.handleWriteTxnMarkersRequest for __consumer_offsets partitions).
   */
  onTransactionCompleted?(producerId: number, partitions: readonly number[], committed: boolean): void;
}

export type CoordinatorFactory = (deps: CoordinatorDeps) => Coordinator;
