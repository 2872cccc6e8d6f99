// A node's copy of the metadata log (__cluster_metadata-0; Kafka's KafkaMetadataLog over UnifiedLog) on
// its disk, one JSON line per entry, from its log start offset: 0, or the end of a snapshot once the log
// before it was deleted (KIP-630). Voters fsync every append, as KafkaRaftClient flushes before it
// acknowledges (Raft's safety rests on a voter never forgetting what it acknowledged). Observers, the
// brokers, do not (Kafka flushes only voters' logs): a power loss may cut their tail, which they simply
// fetch again. A torn last line is cut at load.
import type { Disk } from '../../world/disk.ts';
import type { RaftEntry } from './records.ts';
import type { SnapshotId } from './snapshot.ts';

const LOG_FILE = '__cluster_metadata-0.log';

export type FetchValidation =
  { kind: 'valid' } | { kind: 'diverging'; epoch: number; endOffset: number } | { kind: 'snapshot' };

export class RaftLog {
  private list: RaftEntry[] = [];
  /** Byte position of each entry's line, to truncate the file. */
  private positions: number[] = [];
  private bytes = 0;
  private start = 0;
  /** Epoch of the last entry before the log start (the snapshot's), 0 when the log starts at 0. */
  private startEpoch = 0;

  /**
   * Loads the log. `snapshots` are the node's snapshot ids: the log must start at 0 or at one of them,
   * and reach the latest; a log that does not (its deletion or replacement was undone by a crash of an
   * observer that had not synced) is dropped, and the node fetches from the latest snapshot instead.
   */
  constructor(
    private readonly disk: Disk,
    private readonly flushOnAppend: boolean,
    snapshots: readonly SnapshotId[] = [],
  ) {
    const text = disk.exists(LOG_FILE) ? disk.read(LOG_FILE) : '';
    let pos = 0;
    while (pos < text.length) {
      const nl = text.indexOf('\n', pos);
      if (nl < 0) break;
      let entry: RaftEntry;
      try {
        entry = JSON.parse(text.slice(pos, nl)) as RaftEntry;
      } catch {
        break;
      }
      if (
        this.list.length > 0 ? entry.offset !== this.list[0].offset + this.list.length : !Number.isInteger(entry.offset)
      )
        break;
      this.list.push(entry);
      this.positions.push(pos);
      pos = nl + 1;
    }
    this.bytes = pos;
    if (pos < text.length) disk.truncate(LOG_FILE, pos);
    const latest = snapshots.at(-1);
    const first = this.list[0]?.offset ?? 0;
    const usable =
      this.list.length > 0 &&
      (first === 0 || snapshots.some((s) => s.endOffset === first)) &&
      (latest === undefined || latest.endOffset <= first + this.list.length);
    if (this.list.length > 0 && !usable) {
      disk.truncate(LOG_FILE, 0);
      this.list = [];
      this.positions = [];
      this.bytes = 0;
    }
    this.start = usable ? first : (latest?.endOffset ?? 0);
    this.startEpoch = this.start === 0 ? 0 : (snapshots.find((s) => s.endOffset === this.start)?.epoch ?? 0);
  }

  /** The entries the log holds, from its start offset. */
  get entries(): readonly RaftEntry[] {
    return this.list;
  }

  get startOffset(): number {
    return this.start;
  }

  get endOffset(): number {
    return this.start + this.list.length;
  }

  /** Bytes of the entries held (what metadata.max.retention.bytes is measured against). */
  get sizeBytes(): number {
    return this.bytes;
  }

  /** Bytes of the entries from `from` to `to`. */
  sizeOf(from: number, to: number): number {
    const at = (o: number): number => (o >= this.endOffset ? this.bytes : this.positions[Math.max(0, o - this.start)]);
    return Math.max(0, at(to) - at(from));
  }

  entryAt(offset: number): RaftEntry | undefined {
    return offset < this.start ? undefined : this.list[offset - this.start];
  }

  /** Epoch of the last entry, or of the snapshot the log starts at; 0 for an empty log. */
  lastEpoch(): number {
    return this.list.length === 0 ? this.startEpoch : this.list[this.list.length - 1].epoch;
  }

  /** Epoch of the entry before `offset` (what a snapshot ending there is named by); -1 if not held. */
  epochAt(offset: number): number {
    if (offset === this.start) return this.startEpoch;
    return offset < this.start || offset > this.endOffset ? -1 : this.list[offset - this.start - 1].epoch;
  }

  /** Appends (fsyncing on a voter); throws on a disk error, leaving memory unchanged. */
  append(entries: RaftEntry[]): void {
    if (entries.length === 0) return;
    const lines = entries.map((e) => JSON.stringify(e) + '\n');
    this.disk.append(LOG_FILE, lines.join(''));
    if (this.flushOnAppend) this.disk.fsync(LOG_FILE);
    for (let i = 0; i < entries.length; i++) {
      this.list.push(entries[i]);
      this.positions.push(this.bytes);
      this.bytes += lines[i].length;
    }
  }

  /** Makes every append durable (a clean shutdown, for an observer that does not fsync each one). */
  flush(): void {
    this.disk.fsync(LOG_FILE);
  }

  /** Removes entries from `offset` on; never below the log start (that part is in a snapshot, committed). */
  truncateTo(offset: number): void {
    const to = Math.max(offset, this.start);
    if (to >= this.endOffset) return;
    const pos = this.positions[to - this.start];
    this.disk.truncate(LOG_FILE, pos);
    if (this.flushOnAppend) this.disk.fsync(LOG_FILE);
    this.list.length = to - this.start;
    this.positions.length = to - this.start;
    this.bytes = pos;
  }

  /** Deletes the log before a snapshot that ends within it (Kafka deletes segments; here one rewrite). */
  deleteBefore(snapshot: SnapshotId): void {
    if (snapshot.endOffset <= this.start || snapshot.endOffset > this.endOffset) return;
    const kept = this.list.slice(snapshot.endOffset - this.start);
    this.rewrite(kept, snapshot);
  }

  /** Replaces the whole log by a snapshot fetched from the leader: empty, starting at its end. */
  resetTo(snapshot: SnapshotId): void {
    this.rewrite([], snapshot);
  }

  private rewrite(kept: RaftEntry[], start: SnapshotId): void {
    const lines = kept.map((e) => JSON.stringify(e) + '\n');
    this.disk.writeAtomic(LOG_FILE, lines.join(''));
    this.list = kept;
    this.positions = [];
    let pos = 0;
    for (const line of lines) {
      this.positions.push(pos);
      pos += line.length;
    }
    this.bytes = pos;
    this.start = start.endOffset;
    this.startEpoch = start.epoch;
  }

  /**
   * The largest epoch ≤ `epoch` in this log and the offset where it ends (the start of the next epoch,
   * or the log end): Kafka's endOffsetForEpoch, used to find where a follower's log diverges. An epoch
   * older than every entry held ends at the log start, in the snapshot's epoch.
   */
  endOffsetForEpoch(epoch: number): { epoch: number; endOffset: number } {
    let i = this.list.length - 1;
    while (i >= 0 && this.list[i].epoch > epoch) i--;
    if (i < 0) return { epoch: this.startEpoch, endOffset: this.start };
    return { epoch: this.list[i].epoch, endOffset: this.start + i + 1 };
  }

  /**
   * Kafka's validateOffsetAndEpoch for a fetch at `offset` whose last fetched record has `epoch`: a
   * fetcher behind the log start (or at it in another epoch) needs the snapshot; one whose epoch ends
   * earlier here diverges and must truncate; anything else may read on.
   */
  validateFetch(offset: number, epoch: number): FetchValidation {
    if (
      this.start > 0 &&
      (offset < this.start || (offset === this.start && epoch !== this.startEpoch) || epoch < this.startEpoch)
    )
      return { kind: 'snapshot' };
    if (offset === 0) return { kind: 'valid' };
    const end = this.endOffsetForEpoch(epoch);
    if (end.epoch !== epoch || end.endOffset < offset) return { kind: 'diverging', ...end };
    return { kind: 'valid' };
  }

  read(from: number, max: number, upTo = this.endOffset): RaftEntry[] {
    const a = Math.max(from, this.start) - this.start;
    return this.list.slice(a, Math.min(upTo, from + max) - this.start);
  }
}

const QUORUM_STATE = 'quorum-state';

/** Kafka's quorum-state file: the epoch, the leader known in it and the vote cast in it. */
export interface QuorumState {
  leaderEpoch: number;
  leaderId: number;
  votedId: number;
}

export function readQuorumState(disk: Disk): QuorumState {
  if (!disk.exists(QUORUM_STATE)) return { leaderEpoch: 0, leaderId: -1, votedId: -1 };
  try {
    return JSON.parse(disk.read(QUORUM_STATE)) as QuorumState;
  } catch {
    return { leaderEpoch: 0, leaderId: -1, votedId: -1 };
  }
}

export function writeQuorumState(disk: Disk, s: QuorumState): void {
  disk.writeAtomic(QUORUM_STATE, JSON.stringify(s));
}
