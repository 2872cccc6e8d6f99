// A controller's copy of the metadata log (__cluster_metadata-0) on its disk, one JSON line per entry,
// fsynced on every append as KafkaRaftClient flushes before it acknowledges (Raft's safety rests on a
// voter never forgetting what it acknowledged). A torn last line after a crash is cut at load.
import type { Disk } from '../../world/disk.ts';
import type { RaftEntry } from './records.ts';

const LOG_FILE = '__cluster_metadata-0.log';

export class RaftLog {
  readonly entries: RaftEntry[] = [];
  /** Byte position of each entry's line, to truncate the file. */
  private readonly positions: number[] = [];
  private bytes = 0;

  constructor(private readonly disk: Disk) {
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
      if (entry.offset !== this.entries.length) break;
      this.entries.push(entry);
      this.positions.push(pos);
      pos = nl + 1;
    }
    this.bytes = pos;
    if (pos < text.length) disk.truncate(LOG_FILE, pos);
  }

  get endOffset(): number {
    return this.entries.length;
  }

  /** Epoch of the last entry, 0 for an empty log. */
  lastEpoch(): number {
    return this.entries.length === 0 ? 0 : this.entries[this.entries.length - 1].epoch;
  }

  epochAt(offset: number): number {
    return offset <= 0 || offset > this.entries.length ? 0 : this.entries[offset - 1].epoch;
  }

  /** Appends and fsyncs (throws on a disk error, leaving memory unchanged). */
  append(entries: RaftEntry[]): void {
    if (entries.length === 0) return;
    const lines = entries.map((e) => JSON.stringify(e) + '\n');
    this.disk.append(LOG_FILE, lines.join(''));
    this.disk.fsync(LOG_FILE);
    for (let i = 0; i < entries.length; i++) {
      this.entries.push(entries[i]);
      this.positions.push(this.bytes);
      this.bytes += lines[i].length;
    }
  }

  truncateTo(offset: number): void {
    if (offset >= this.entries.length) return;
    const pos = this.positions[offset];
    this.disk.truncate(LOG_FILE, pos);
    this.disk.fsync(LOG_FILE);
    this.entries.length = offset;
    this.positions.length = offset;
    this.bytes = pos;
  }

  /**
   * The largest epoch ≤ `epoch` in this log and the offset where it ends (the start of the next epoch,
   * or the log end): Kafka's endOffsetForEpoch, used to find where a follower's log diverges.
   */
  endOffsetForEpoch(epoch: number): { epoch: number; endOffset: number } {
    let i = this.entries.length - 1;
    while (i >= 0 && this.entries[i].epoch > epoch) i--;
    if (i < 0) return { epoch: 0, endOffset: 0 };
    return { epoch: this.entries[i].epoch, endOffset: i + 1 };
  }

  read(from: number, max: number, upTo = this.entries.length): RaftEntry[] {
    return this.entries.slice(from, Math.min(upTo, from + max));
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
