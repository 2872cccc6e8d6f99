// Metadata snapshots (KIP-630): the metadata image at a committed offset, written as the records that
// rebuild it, so that the log before it can be deleted and a fetcher that lags behind the log start can
// load the image at once. A snapshot is named by its SnapshotId: the offset it ends at (the next offset
// to fetch) and the epoch of the last record it covers. Kafka keeps them beside the log as
// <endOffset>-<epoch>.checkpoint, written to a temporary file and renamed (atomic), as here.
import type { Disk } from '../../world/disk.ts';
import { topicPartitionOf } from '../../events/topics.ts';
import { TOPIC } from '../zk-layout.ts';
import { MetadataImage } from './image.ts';
import type { MetadataRecord } from './records.ts';

export interface SnapshotId {
  endOffset: number;
  epoch: number;
}

export interface MetadataSnapshot {
  id: SnapshotId;
  records: MetadataRecord[];
}

/** The records that rebuild `image`, in a stable order (brokers, topic, partitions, Raft leader). */
export function snapshotRecords(image: MetadataImage): MetadataRecord[] {
  const out: MetadataRecord[] = [];
  for (const b of [...image.brokers.values()].sort((x, y) => x.id - y.id)) {
    out.push({
      type: 'RegisterBrokerRecord',
      brokerId: b.id,
      brokerEpoch: b.epoch,
      incarnationId: b.incarnationId,
      rack: b.rack,
      fenced: true,
      cleanShutdown: b.cleanShutdown,
    });
    if (!b.fenced) out.push({ type: 'UnfenceBrokerRecord', id: b.id, epoch: b.epoch });
    if (b.inControlledShutdown) {
      out.push({
        type: 'BrokerRegistrationChangeRecord',
        brokerId: b.id,
        brokerEpoch: b.epoch,
        inControlledShutdown: true,
      });
    }
  }
  const sorted = [...image.partitions.values()].sort((x, y) => x.partition - y.partition);
  if (image.topicCreated && sorted.length === 0) out.push({ type: 'TopicRecord', name: TOPIC, partitions: 0 });
  // Global ids sort topic by topic (sim/events/topics.ts): each topic's TopicRecord precedes its partitions.
  const counts = new Map<string, number>();
  for (const p of sorted) {
    const topic = topicPartitionOf(p.partition).topic;
    counts.set(topic, (counts.get(topic) ?? 0) + 1);
  }
  let topic = '';
  for (const p of sorted) {
    const t = topicPartitionOf(p.partition).topic;
    if (image.topicCreated && t !== topic) out.push({ type: 'TopicRecord', name: t, partitions: counts.get(t) ?? 0 });
    topic = t;
    out.push({
      type: 'PartitionRecord',
      partitionId: p.partition,
      replicas: [...p.replicas],
      isr: [...p.isr],
      leader: p.leader,
      leaderEpoch: p.leaderEpoch,
      partitionEpoch: p.partitionEpoch,
      eligibleLeaderReplicas: [...p.elr],
      lastKnownElr: [...p.lastKnownElr],
      leaderRecoveryState: p.leaderRecoveryState,
    });
  }
  if (image.raftLeader >= 0)
    out.push({ type: 'LeaderChange', leaderId: image.raftLeader, voters: [...image.raftVoters] });
  return out;
}

/** The image a snapshot holds, as of its end offset. */
export function imageOf(snapshot: MetadataSnapshot): MetadataImage {
  const image = new MetadataImage();
  for (const r of snapshot.records) image.apply(r);
  image.offset = snapshot.id.endOffset;
  return image;
}

const DIR = '__cluster_metadata-0/';
const SUFFIX = '.checkpoint';

const fileOf = (id: SnapshotId): string =>
  `${DIR}${String(id.endOffset).padStart(20, '0')}-${String(id.epoch).padStart(10, '0')}${SUFFIX}`;

/** The snapshots on one node's disk, oldest first. */
export class SnapshotStore {
  private readonly snapshots: MetadataSnapshot[] = [];

  constructor(private readonly disk: Disk) {
    for (const file of disk.list(DIR)) {
      const s = parse(disk.read(file));
      // An unreadable file is a snapshot whose write a crash undid (a lying fsync): it never existed.
      if (s === null || fileOf(s.id) !== file) {
        disk.delete(file);
        continue;
      }
      this.snapshots.push(s);
    }
    this.snapshots.sort((a, b) => a.id.endOffset - b.id.endOffset);
  }

  ids(): SnapshotId[] {
    return this.snapshots.map((s) => ({ ...s.id }));
  }

  latest(): MetadataSnapshot | null {
    return this.snapshots.at(-1) ?? null;
  }

  read(id: SnapshotId): MetadataSnapshot | null {
    return this.snapshots.find((s) => s.id.endOffset === id.endOffset && s.id.epoch === id.epoch) ?? null;
  }

  /** Writes a snapshot durably (throws on a disk error, leaving the store as it was). */
  write(snapshot: MetadataSnapshot): void {
    if (this.read(snapshot.id) !== null) return;
    this.disk.writeAtomic(fileOf(snapshot.id), JSON.stringify(snapshot));
    this.snapshots.push(snapshot);
    this.snapshots.sort((a, b) => a.id.endOffset - b.id.endOffset);
  }

  /**
   * A snapshot fetched from the leader (KIP-630) replaces the whole log, which restarts at the snapshot's
   * end, as Kafka's truncateToLatestSnapshot does. Throws on a disk error.
   */
  install(snapshot: MetadataSnapshot, log: { resetTo(id: SnapshotId): void }): void {
    this.write(snapshot);
    log.resetTo(snapshot.id);
    this.deleteBefore(snapshot.id.endOffset);
  }

  /** Deletes the snapshots that end before `offset` (the log start has passed them). */
  deleteBefore(offset: number): void {
    for (const s of this.snapshots.filter((x) => x.id.endOffset < offset)) this.disk.delete(fileOf(s.id));
    const kept = this.snapshots.filter((x) => x.id.endOffset >= offset);
    this.snapshots.length = 0;
    this.snapshots.push(...kept);
  }
}

function parse(text: string): MetadataSnapshot | null {
  try {
    const s = JSON.parse(text) as MetadataSnapshot;
    return Number.isInteger(s.id?.endOffset) && Number.isInteger(s.id?.epoch) && Array.isArray(s.records) ? s : null;
  } catch {
    return null;
  }
}
