// A node's disk: named files whose writes land in a page cache and become durable on fsync. A crash keeps
// the durable content and, depending on the crash mode, some or none of the unsynced tail. One character
// stands for one byte: the system under test stores ASCII text.
import { DiskError } from './errors.ts';
import type { Random } from './random.ts';
import type { RecordView } from './record-view.ts';
import { EMPTY_VIEW, TORN, appendTo, bytesOf, prefixOf, recordsOf } from './record-view.ts';

/**
 * What a crash does to unsynced data:
 * - process: only the process died (kill -9, OOM kill); the operating system's page cache survives, so
 *   every write survives, synced or not (what Kafka counts on when it leaves fsync to the OS);
 * - lose-unsynced: every file returns to its state at its last fsync, but for truncations a later journal commit
 *   made durable (see Disk's `journaledMetadata`);
 * - random-suffix: a random-length prefix of each file's unsynced tail survives (a write may be cut anywhere);
 * - torn-last: all unsynced writes survive but the last one, which is cut partway (a torn write).
 */
export type CrashMode = 'process' | PowerLossMode;
/** The machine lost power (or its kernel crashed): the page cache is gone, with some or all unsynced data. */
export type PowerLossMode = 'lose-unsynced' | 'random-suffix' | 'torn-last';
export const POWER_LOSS_MODES: readonly PowerLossMode[] = ['lose-unsynced', 'random-suffix', 'torn-last'];
export const CRASH_MODES: readonly CrashMode[] = ['process', ...POWER_LOSS_MODES];

export interface DiskFaults {
  /** fsync returns success but persists nothing (a lying disk or a volatile write cache). */
  fsyncLies: boolean;
  /** Probability that a write or fsync fails with EIO. */
  ioErrorRate: number;
  /** Writes fail with ENOSPC. */
  full: boolean;
}

const NO_FAULTS: DiskFaults = { fsyncLies: false, ioErrorRate: 0, full: false };

class SimFile {
  /** What a read sees: durable bytes plus the page cache. */
  content = '';
  /** What survives a crash for sure. */
  durable = '';
  /**
   * Set for a record file (appendRecord): its content is records with sizes rather than text, so a log
   * segment costs no serialisation and no second copy in memory. `durableRecords` plays `durable`'s part.
   */
  records: RecordView | null = null;
  durableRecords: RecordView = EMPTY_VIEW;

  get size(): number {
    return this.records === null ? this.content.length : bytesOf(this.records);
  }

  /** Cuts the content to its first `bytes` bytes. */
  cutTo(bytes: number): void {
    if (this.records === null) this.content = this.content.slice(0, bytes);
    else this.records = prefixOf(this.records, bytes);
  }

  /** The content is what a crash leaves: durable as it is. */
  settle(): void {
    this.durable = this.content;
    if (this.records !== null) this.durableRecords = this.records;
    this.dirtyFrom = Infinity;
    this.lastWriteAt = -1;
    this.truncations = null;
    this.replaced = false;
  }
  /** Lowest position changed since the last fsync; content and durable agree before it. Infinity: clean. */
  dirtyFrom = Infinity;
  /** Start of the most recent unsynced write, for torn writes. */
  lastWriteAt = -1;

  /**
   * Truncations since the last fsync, with the disk's journal commit count when each was made: a truncation
   * is metadata, durable once a journal commit follows it. Null when there are none (nearly always).
   */
  truncations: { size: number; commit: number }[] | null = null;
  /**
   * The content since the last fsync came whole from writeAtomic: a temporary file renamed over this one, so
   * a crash leaves the old content or the new, never part of the new.
   */
  replaced = false;

  markDirty(pos: number): void {
    if (pos < this.dirtyFrom) this.dirtyFrom = pos;
    this.lastWriteAt = pos;
  }
}

export class Disk {
  private readonly files = new Map<string, SimFile>();
  private faults: DiskFaults = NO_FAULTS;
  /** Counters an operator would look at: bytes written and fsyncs issued. */
  bytesWritten = 0;
  fsyncs = 0;
  /** How many times the drive was replaced by a blank one (replace()). */
  replacements = 0;
  /** Journal commits so far: every fsync that reached the disk commits the file system's journal. */
  private commits = 0;

  /**
   * @param journaledMetadata A journaling file system (ext4, XFS: what Kafka runs on): a truncation is metadata
   * in the journal, and the journal commit that an fsync of any file forces makes every earlier truncation
   * durable, without the data appended after it. False: POSIX's promise only, where a power loss may return a
   * truncated file to its last fsync even after other files were synced.
   */
  constructor(
    readonly node: string,
    private readonly random: Random,
    readonly journaledMetadata = true,
  ) {}

  setFaults(faults: Partial<DiskFaults>): void {
    this.faults = { ...this.faults, ...faults };
  }

  clearFaults(): void {
    this.faults = NO_FAULTS;
  }

  get activeFaults(): DiskFaults {
    return this.faults;
  }

  private checkWrite(name: string): void {
    if (this.faults.full) throw new DiskError('ENOSPC', `${this.node}: no space left on device writing ${name}`);
    if (this.faults.ioErrorRate > 0 && this.random.chance(this.faults.ioErrorRate)) {
      throw new DiskError('EIO', `${this.node}: I/O error writing ${name}`);
    }
  }

  private file(name: string): SimFile {
    let f = this.files.get(name);
    if (!f) {
      f = new SimFile();
      // A new file's existence is itself unsynced: a crash before fsync leaves it empty.
      f.dirtyFrom = 0;
      this.files.set(name, f);
    }
    return f;
  }

  exists(name: string): boolean {
    return this.files.has(name);
  }

  /** Names in creation order, optionally only those starting with a prefix. */
  list(prefix = ''): string[] {
    const out: string[] = [];
    for (const name of this.files.keys()) if (name.startsWith(prefix)) out.push(name);
    return out;
  }

  size(name: string): number {
    return this.files.get(name)?.size ?? 0;
  }

  read(name: string, pos = 0, length?: number): string {
    const f = this.files.get(name);
    if (!f) return '';
    if (f.records !== null) throw new RangeError(`${this.node}: ${name} is a record file (readRecords)`);
    return length === undefined ? f.content.slice(pos) : f.content.slice(pos, pos + length);
  }

  /**
   * A record file's readable records: every whole record up to the first torn one, and where each ends
   * (anything after the last is damage a recovery should cut off).
   */
  readRecords(name: string): { records: unknown[]; ends: number[] } {
    const f = this.files.get(name);
    if (!f) return { records: [], ends: [] };
    if (f.records === null) {
      if (f.content.length === 0) return { records: [], ends: [] };
      throw new RangeError(`${this.node}: ${name} is a text file (read)`);
    }
    const all = recordsOf(f.records);
    let n = all.indexOf(TORN);
    if (n < 0) n = all.length;
    const ends = f.records.store.ends.slice(0, n);
    return { records: all.slice(0, n), ends };
  }

  /**
   * Appends one record taking `size` bytes to a record file; returns the position it was written at.
   * The record is kept as it is, not copied: it must never change afterwards.
   */
  appendRecord(name: string, record: unknown, size: number): number {
    this.checkWrite(name);
    const f = this.file(name);
    if (f.records === null) {
      if (f.content.length > 0) throw new RangeError(`${this.node}: ${name} is a text file (append)`);
      f.records = EMPTY_VIEW;
    }
    const at = bytesOf(f.records);
    f.markDirty(at);
    f.records = appendTo(f.records, record, size, f.durableRecords);
    this.bytesWritten += size;
    return at;
  }

  /** Appends data; returns the position it was written at (the file's size before). */
  append(name: string, data: string): number {
    this.checkWrite(name);
    const f = this.file(name);
    if (f.records !== null) throw new RangeError(`${this.node}: ${name} is a record file (appendRecord)`);
    const at = f.content.length;
    f.markDirty(at);
    f.replaced = false;
    f.content += data;
    this.bytesWritten += data.length;
    return at;
  }

  /** Overwrites from `pos` (extending the file if needed). */
  write(name: string, pos: number, data: string): void {
    this.checkWrite(name);
    const f = this.file(name);
    if (f.records !== null) throw new RangeError(`${this.node}: ${name} is a record file`);
    if (pos > f.content.length) f.content = f.content.padEnd(pos, '\0');
    f.markDirty(pos);
    f.replaced = false;
    f.content = f.content.slice(0, pos) + data + f.content.slice(pos + data.length);
    this.bytesWritten += data.length;
  }

  truncate(name: string, size: number): void {
    const f = this.file(name);
    if (size >= f.size) return;
    f.markDirty(size);
    f.cutTo(size);
    (f.truncations ??= []).push({ size, commit: this.commits });
  }

  fsync(name: string): void {
    const f = this.files.get(name);
    if (!f) return;
    if (this.faults.ioErrorRate > 0 && this.random.chance(this.faults.ioErrorRate)) {
      throw new DiskError('EIO', `${this.node}: I/O error on fsync of ${name}`);
    }
    this.fsyncs++;
    if (this.faults.fsyncLies) return;
    this.commits++;
    f.settle();
  }

  /**
   * Replaces a file's whole content as Kafka writes checkpoints: a temporary file, fsync, atomic rename.
   * After it returns the new content is durable (unless fsync lies, when a crash restores the old one).
   */
  writeAtomic(name: string, data: string): void {
    this.checkWrite(name);
    const f = this.file(name);
    if (f.records !== null) throw new RangeError(`${this.node}: ${name} is a record file`);
    f.content = data;
    f.markDirty(0);
    f.replaced = true;
    this.bytesWritten += data.length;
    this.fsync(name);
  }

  delete(name: string): void {
    this.files.delete(name);
  }

  /**
   * A record file's records that a crash of any mode keeps, up to the first torn one: those synced and not
   * changed since, which lie before the first position written or truncated after the last fsync. A synced
   * record past that position is not kept: a truncation not yet synced may be kept with only part of what was
   * appended after it, even if the broker appended the same record again. Watchers read it just before a crash
   * to tell what a power loss may take from what it may not.
   */
  syncedRecords(name: string): unknown[] {
    const f = this.files.get(name);
    if (f === undefined || f.records === null) return [];
    const all = recordsOf(prefixOf(f.durableRecords, f.dirtyFrom));
    const torn = all.indexOf(TORN);
    return torn < 0 ? all : all.slice(0, torn);
  }

  /** Everything a record file holds now: its whole records in order, and how many torn pieces lie among them. */
  fileRecords(name: string): { whole: unknown[]; torn: number } {
    const f = this.files.get(name);
    if (f === undefined || f.records === null) return { whole: [], torn: 0 };
    const all = recordsOf(f.records);
    const whole = all.filter((r) => r !== TORN);
    return { whole, torn: all.length - whole.length };
  }

  /** Bytes that a crash right now could lose, over all files. */
  unsyncedBytes(): number {
    let n = 0;
    for (const f of this.files.values()) {
      if (f.dirtyFrom !== Infinity) n += Math.max(0, f.size - f.dirtyFrom);
    }
    return n;
  }

  /** Applies a crash: the page cache is gone. Draws from the disk's stream only for the random modes. */
  crash(mode: CrashMode): void {
    if (mode === 'process') return;
    for (const [name, f] of this.files) {
      if (f.dirtyFrom === Infinity) continue;
      // Every mode but lose-unsynced keeps a prefix of the content: the bytes before dirtyFrom are the
      // durable ones, and the cache's writes go out in order.
      const size = f.size;
      if (mode === 'lose-unsynced') {
        const durableSize = f.records === null ? f.durable.length : bytesOf(f.durableRecords);
        if (durableSize === 0) {
          // Never synced at all: the file itself did not survive.
          this.files.delete(name);
          continue;
        }
        f.content = f.durable;
        if (f.records !== null) f.records = f.durableRecords;
        const truncatedTo = this.committedTruncation(f);
        if (truncatedTo < f.size) f.cutTo(truncatedTo);
      } else if (f.replaced) {
        // Its fsync lied: the rename may have reached the disk or not, the file whole either way (torn-last
        // counts the replacement as the write that did not make it).
        if (mode === 'torn-last' || !this.random.chance(0.5)) f.content = f.durable;
      } else if (mode === 'random-suffix') {
        f.cutTo(f.dirtyFrom + this.random.int(0, size - f.dirtyFrom));
      } else {
        // torn-last: everything before the last write survives, the last write only partly.
        const lastStart = Math.max(f.lastWriteAt, f.dirtyFrom);
        const lastLength = size - lastStart;
        f.cutTo(lastStart + (lastLength > 0 ? this.random.int(0, lastLength - 1) : 0));
      }
      f.settle();
    }
  }

  /** The smallest size a journal commit made durable for a file truncated since its last fsync (Infinity: none). */
  private committedTruncation(f: SimFile): number {
    if (!this.journaledMetadata || f.truncations === null) return Infinity;
    let size = Infinity;
    for (const t of f.truncations) if (t.commit < this.commits && t.size < size) size = t.size;
    return size;
  }

  /**
   * The drive is swapped for a blank one (an operator replacing a failed disk): every file is gone, synced or
   * not. Its fault settings stay, as they belong to the nemesis that set them.
   */
  replace(): void {
    this.files.clear();
    this.replacements++;
  }

  /** Syncs everything, as a clean shutdown's final flush does. */
  syncAll(): void {
    for (const name of this.files.keys()) this.fsync(name);
  }

  /** A deterministic summary of every file, for hashing a run's final state. */
  snapshot(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, f] of this.files) {
      out[name] =
        f.records === null
          ? f.content
          : recordsOf(f.records)
              .map((r) => (r === TORN ? '<torn>' : JSON.stringify(r)))
              .join('\n');
    }
    return out;
  }
}
