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
    /** KAFKA-7415 (2.1.0): assign as LeaderEpochFileCache does since (see assign). */
    private readonly kafka7415 = true,
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

  /** The start offset of the latest epoch, or UNDEFINED_EPOCH_OFFSET when the cache is empty. */
  latestStartOffset(): number {
    return this.entries.length === 0 ? UNDEFINED_EPOCH_OFFSET : this.entries[this.entries.length - 1].startOffset;
  }

  /**
   * Records that `epoch` starts at `startOffset` (a new leader's epoch, or a replicated batch), as
   * LeaderEpochFileCache.assign does from 2.1.0 (KAFKA-7415): nothing to do when it is the latest epoch at or after
   * its start; otherwise the entries it contradicts (an epoch as high, or a start as late) go first
   * (maybeTruncateNonMonotonicEntries; truncateAndAppend in 2.1), so a new epoch starting where the latest one did
   * replaces it. Before 2.1 an entry was only ever added after the latest (its callers check), and an epoch that
   * started where the previous one did was kept beside it.
   */
  assign(epoch: number, startOffset: number): void {
    const last = this.entries[this.entries.length - 1];
    if (last !== undefined && epoch === last.epoch && (startOffset >= last.startOffset || !this.kafka7415)) return;
    const contradicts = this.kafka7415 ? startOffset <= last?.startOffset : startOffset < last?.startOffset;
    if (last !== undefined && (epoch <= last.epoch || contradicts)) {
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
