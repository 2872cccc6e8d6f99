// A broker's metadata cache (Kafka's MetadataCache: ZkMetadataCache.updateMetadata in ZooKeeper mode,
// KRaftMetadataCache in KRaft mode): the partition states, live brokers and active controller it last
// heard of, from LeaderAndIsr and UpdateMetadata or from the metadata log. Clients learn the cluster from
// it with Metadata requests.
import type { PartitionState } from './messages.ts';

export class MetadataCache {
  readonly partitions = new Map<number, PartitionState>();
  liveBrokers: { id: number; rack: string | null }[] = [];
  controllerId = -1;

  /** The partition states in partition order, as a MetadataResponse carries them. */
  sortedPartitions(): PartitionState[] {
    return [...this.partitions.values()].sort((a, b) => a.partition - b.partition);
  }
}
