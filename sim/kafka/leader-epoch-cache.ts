// The leader-epoch cache: for each leader epoch, the first offset written in it (Kafka's
// LeaderEpochFileCache: assign, truncateFromEnd, endOffsetFor, latestEpoch). Kept on disk in
// `leader-epoch-checkpoint-<partition>` (LeaderEpochCheckpointFile), rewritten atomically on every change.
import type { Disk } from '../world/disk.ts';

export interface EpochEntry {
  epoch: number;
  startOffset: number;
}

export const UNDEFINED_EPOCH = -1;
export const UNDEFINED_EPOCH_OFFSET = -1;

export class LeaderEpochCache {
  private entries: EpochEntry[] = [];

  constructor(
    private readonly disk: Disk,
    private readonly file: string,
  ) {
    const text = disk.read(file);
    for (const line of text.split('\n')) {
      const [e, o] = line.split(' ').map(Number);
      if (line.length > 0 && Number.isInteger(e) && Number.isInteger(o)) {
        this.entries.push({ epoch: e, startOffset: o });
      }
    }
  }

  latestEpoch(): number {
    return this.entries.length === 0 ? UNDEFINED_EPOCH : this.entries[this.entries.length - 1].epoch;
  }

  /** Records that `epoch` starts at `startOffset` (a new leader's first append, or a replicated batch). */
  assign(epoch: number, startOffset: number): void {
    const last = this.entries[this.entries.length - 1];
    if (last !== undefined && (epoch <= last.epoch || startOffset < last.startOffset)) {
      if (epoch === last.epoch) return;
      // A lower epoch after a higher one means the caller truncated first; keep the cache monotonic.
      this.entries = this.entries.filter((e) => e.epoch < epoch && e.startOffset < startOffset);
    }
    this.entries.push({ epoch, startOffset });
    this.flush();
  }

  /**
   * Log recovery, as Kafka's LogSegment.recover does: every batch's epoch is assigned again, so epochs
   * whose checkpoint write was lost (a crash, an I/O error) come back from the log itself. Writes the
   * checkpoint only if something was missing.
   */
  recoverFrom(batches: readonly { epoch: number; baseOffset: number }[]): void {
    let changed = false;
    for (const b of batches) {
      const last = this.entries[this.entries.length - 1];
      if (last !== undefined && (b.epoch <= last.epoch || b.baseOffset < last.startOffset)) continue;
      this.entries.push({ epoch: b.epoch, startOffset: b.baseOffset });
      changed = true;
    }
    if (changed) this.flush();
  }

  /** After truncating the log to `endOffset`, forget epochs that start at or beyond it. */
  truncateFromEnd(endOffset: number): void {
    const kept = this.entries.filter((e) => e.startOffset < endOffset);
    if (kept.length !== this.entries.length) {
      this.entries = kept;
      this.flush();
    }
  }

  /**
   * The OffsetsForLeaderEpoch answer for `requested`: [epoch, endOffset].
   * KIP-279: the largest epoch ≤ requested and the start of the next higher epoch (or the log end
   * offset for the latest epoch). Before KIP-279 the leader answered the requested epoch itself with
   * the next epoch's start, even for an epoch it never had.
   */
  endOffsetFor(requested: number, logEndOffset: number, kip279: boolean): [number, number] {
    if (requested === UNDEFINED_EPOCH || this.entries.length === 0) return [UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET];
    const latest = this.entries[this.entries.length - 1];
    if (requested === latest.epoch) return [requested, logEndOffset];
    if (requested > latest.epoch) return [UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET];
    let floor: EpochEntry | undefined;
    let higher: EpochEntry | undefined;
    for (const e of this.entries) {
      if (e.epoch <= requested) floor = e;
      else if (higher === undefined) higher = e;
    }
    const higherStart = (higher as EpochEntry).startOffset;
    if (!kip279) return [requested, higherStart];
    if (floor === undefined) return [requested, higherStart];
    return [floor.epoch, higherStart];
  }

  private flush(): void {
    this.disk.writeAtomic(this.file, this.entries.map((e) => `${e.epoch} ${e.startOffset}`).join('\n'));
  }
}
