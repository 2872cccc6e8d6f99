// A partition's log (Kafka's UnifiedLog over one LogSegment: append, read, truncateTo, flush, and the
// recovery of LogLoader): record batches in memory, mirrored to a record file on the node's simulated disk
// (a log segment). The disk keeps the batch objects themselves with their size in Kafka's v2 format, so
// appending costs no serialisation; a crash can still cut the file anywhere. On restart the log is rebuilt
// from the file; a torn last batch (a crash mid-write) is cut off, as Kafka's log recovery drops batches
// that fail their CRC.
import type { Disk } from '../world/disk.ts';
import type { RecordBatch } from './records.ts';
import { nextOffsetOf, sliceBatch } from './records.ts';
import { P, probe } from './probes.ts';

/** Bytes of a batch on disk in Kafka's v2 format: the batch header, then per record its framing and an 8-byte value. */
export function batchSizeInBytes(b: RecordBatch): number {
  return 61 + 15 * b.values.length;
}

export class PartitionLog {
  private batches: RecordBatch[] = [];
  /** Byte position of each batch in the file, for truncation. */
  private positions: number[] = [];
  private unflushed = 0;
  /** Cached: asked for on every fetch, append and high-watermark check. */
  private endOffset = 0;
  /** Bytes cut from the file during recovery (a torn tail); reported by the broker. */
  readonly recoveredTornBytes: number;

  constructor(
    private readonly disk: Disk,
    readonly file: string,
    private readonly flushMessages: number,
  ) {
    const { records, ends } = disk.readRecords(file);
    let good = 0;
    for (let i = 0; i < records.length; i++) {
      const batch = records[i] as RecordBatch;
      if (batch.baseOffset !== this.endOffset) break;
      this.positions.push(good);
      this.batches.push(batch);
      this.endOffset = nextOffsetOf(batch);
      good = ends[i];
    }
    this.recoveredTornBytes = disk.size(file) - good;
    if (this.recoveredTornBytes > 0) {
      probe(P.logRecoveryTornTail);
      disk.truncate(file, good);
      disk.fsync(file);
    }
  }

  get logEndOffset(): number {
    return this.endOffset;
  }

  get logStartOffset(): number {
    return this.batches.length === 0 ? 0 : this.batches[0].baseOffset;
  }

  all(): readonly RecordBatch[] {
    return this.batches;
  }

  append(batch: RecordBatch): void {
    if (batch.baseOffset !== this.logEndOffset) {
      throw new Error(`${this.file}: append at ${batch.baseOffset} but log end offset is ${this.logEndOffset}`);
    }
    // A failed write (EIO, ENOSPC) throws here and leaves memory untouched, matching the disk.
    const position = this.disk.appendRecord(this.file, batch, batchSizeInBytes(batch));
    this.positions.push(position);
    this.batches.push(batch);
    this.endOffset = nextOffsetOf(batch);
    this.unflushed += batch.values.length;
    if (this.unflushed >= this.flushMessages) this.flush();
  }

  flush(): void {
    this.disk.fsync(this.file);
    this.unflushed = 0;
  }

  /** Index of the batch holding `offset`, or -1. Batches are contiguous, so binary search by base offset. */
  private indexOf(offset: number): number {
    // A caught-up follower's fetch asks at the log end offset: no search for that.
    if (offset >= this.endOffset) return -1;
    let lo = 0;
    let hi = this.batches.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const b = this.batches[mid];
      if (offset < b.baseOffset) hi = mid - 1;
      else if (offset >= nextOffsetOf(b)) lo = mid + 1;
      else return mid;
    }
    return -1;
  }

  /** Batches from `offset` (the one containing it first), at most `maxBatches`. */
  read(offset: number, maxBatches: number, upTo = Infinity): RecordBatch[] {
    const i = this.indexOf(offset);
    if (i < 0) return [];
    const batches = this.batches;
    const last = Math.min(batches.length, i + maxBatches);
    let end = i;
    while (end < last && batches[end].baseOffset < upTo) end++;
    return batches.slice(i, end);
  }

  /** The batch containing offset, if any. */
  batchAt(offset: number): RecordBatch | undefined {
    const i = this.indexOf(offset);
    return i < 0 ? undefined : this.batches[i];
  }

  /** Removes every record at or above `offset`. Returns the removed batches (for the truncation report). */
  truncateTo(offset: number): RecordBatch[] {
    if (offset >= this.logEndOffset) return [];
    let i = this.indexOf(offset);
    if (i < 0) i = 0;
    const removed = this.batches.slice(i);
    const b = this.batches[i];
    const cutPos = this.positions[i];
    this.batches.length = i;
    this.positions.length = i;
    this.endOffset = i === 0 ? 0 : nextOffsetOf(this.batches[i - 1]);
    this.disk.truncate(this.file, cutPos);
    if (b !== undefined && b.baseOffset < offset) {
      // Truncation inside a batch keeps its head: rewrite the shortened batch.
      const head = sliceBatch(b, b.baseOffset, offset);
      removed[0] = sliceBatch(b, offset);
      this.append(head);
    }
    return removed;
  }
}
