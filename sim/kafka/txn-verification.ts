// KIP-890 part 1 (Kafka 3.6.0): a leader verifies a producer's first transactional batch on a partition with the
// transaction coordinator before appending it (ReplicaManager.appendRecords with transaction.partition
// .verification.enable, true by default; AddPartitionsToTxnManager sends AddPartitionsToTxn v4 with verifyOnly to
// the coordinator found by ReplicaManager.getTransactionCoordinator). What the producer is answered when the
// partition is not verified follows ReplicaManager.appendEntries' unverifiedResults and AddPartitionsToTxnHandler:
// coordinator trouble becomes the retriable NOT_ENOUGH_REPLICAS, PRODUCER_FENCED becomes INVALID_PRODUCER_EPOCH,
// no answer NETWORK_EXCEPTION, INVALID_TXN_STATE (the partition is not in the transaction: it ended) stays. From 3.8
// (KAFKA-16386) NETWORK_EXCEPTION also goes out as NOT_ENOUGH_REPLICAS, for clients that did not retry it;
// kafkasim's producers retry both alike, so every release answers as 3.6 did.
// Under transaction.version 2 (KIP-890 part 2, 4.0: Produce v12, transactionSupportedOperation addPartition) the
// leader asks the coordinator to add the partition instead (verifyOnly false): the producer sends no
// AddPartitionsToTxn of its own (TransactionManager.maybeAddPartition), and the add and the append go together.
// Kafka's manager keeps one request in flight per coordinator and batches the transactions waiting for it (a
// newer one of the same transactional id replacing the waiting one); kafkasim sends each verification at once, one
// partition per request, as its producers send one partition per Produce.
import type { ClusterConfig } from './config.ts';
import type { AddPartitionsToTxnResponse } from './coordinator-messages.ts';
import type { KafkaError, ProduceRequest } from './messages.ts';
import type { MetadataCache } from './metadata-cache.ts';
import { P, probe } from './probes.ts';
import type { RequestChannel } from './request-channel.ts';
import { partitionFor, partitionId, TRANSACTION_STATE_TOPIC } from './topics.ts';

/** What verification needs of an append: a client's Produce, or a TxnOffsetCommit's append to __consumer_offsets. */
export type VerifiedAppend = Pick<
  ProduceRequest,
  'partition' | 'transactionalId' | 'producerId' | 'producerEpoch' | 'transactional'
>;

/** The broker's request.timeout.ms (30 s), which bounds the inter-broker send (InterBrokerSendThread). */
export const VERIFICATION_REQUEST_TIMEOUT_MS = 30_000;

/** The coordinator's answers the producer sees as NotEnoughReplicasException (ReplicaManager.appendEntries). */
const COORDINATOR_TROUBLE: ReadonlySet<KafkaError> = new Set<KafkaError>([
  'CONCURRENT_TRANSACTIONS',
  'COORDINATOR_LOAD_IN_PROGRESS',
  'COORDINATOR_NOT_AVAILABLE',
  'NOT_COORDINATOR',
]);

export class AddPartitionsToTxnManager {
  private readonly numTxnPartitions: number;
  private readonly transactionV2: boolean;

  constructor(
    config: ClusterConfig,
    private readonly metadataCache: MetadataCache,
    private readonly channel: RequestChannel,
  ) {
    this.numTxnPartitions = config.internalTopics['transaction.state.log.num.partitions'];
    this.transactionV2 = config.protocol.kip890p2 && config.protocol.kip890p2Add;
  }

  /** Whether the request needs verifying: a transactional producer's batch (partitionEntriesForVerification). */
  static wants(config: ClusterConfig, req: VerifiedAppend): boolean {
    return (
      config.protocol.kip890 &&
      req.transactional === true &&
      req.transactionalId !== undefined &&
      config.internalTopics.enabled.includes(TRANSACTION_STATE_TOPIC)
    );
  }

  /**
   * ReplicaManager.getTransactionCoordinator: the live leader of the transactional id's __transaction_state
   * partition, as this broker's metadata has it; -1 (COORDINATOR_NOT_AVAILABLE) if none.
   */
  private coordinatorOf(transactionalId: string): number {
    const partition = partitionId(TRANSACTION_STATE_TOPIC, partitionFor(transactionalId, this.numTxnPartitions));
    const leader = this.metadataCache.partitions.get(partition)?.leader ?? -1;
    return leader >= 0 && this.metadataCache.liveBrokers.some((b) => b.id === leader) ? leader : -1;
  }

  /** Verifies `req`'s partition; `done` gets NONE, or the error the produce is to be answered with. */
  verify(req: VerifiedAppend, done: (error: KafkaError) => void): void {
    const transactionalId = req.transactionalId as string;
    const coordinator = this.coordinatorOf(transactionalId);
    if (coordinator < 0) return done(producerError('COORDINATOR_NOT_AVAILABLE'));
    const request = {
      type: 'AddPartitionsToTxn' as const,
      transactionalId,
      producerId: req.producerId,
      producerEpoch: req.producerEpoch,
      partitions: [req.partition],
      verifyOnly: !this.transactionV2,
    };
    this.channel.send<AddPartitionsToTxnResponse>(`b${coordinator}`, request, VERIFICATION_REQUEST_TIMEOUT_MS, (r) => {
      const error = r === null ? 'NETWORK_EXCEPTION' : producerError(r.error);
      if (error === 'NONE') probe(this.transactionV2 ? P.txnPartitionAddedByLeader : P.txnPartitionVerified);
      else if (error === 'INVALID_TXN_STATE' || error === 'INVALID_PRODUCER_EPOCH')
        probe(P.txnProduceRefusedAfterVerification);
      done(error);
    });
  }
}

/** A verification's answer as the producer gets it (AddPartitionsToTxnHandler.onComplete, appendEntries). */
function producerError(error: KafkaError): KafkaError {
  if (COORDINATOR_TROUBLE.has(error)) return 'NOT_ENOUGH_REPLICAS';
  if (error === 'PRODUCER_FENCED') return 'INVALID_PRODUCER_EPOCH';
  return error;
}
