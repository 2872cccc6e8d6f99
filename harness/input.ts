// Reading the user's files (schedules, repro files): whole, bounded in size, and any failure said as one
// line naming the file. Reading is bounded by what is read, not by what stat says, so a device or a pipe
// that never ends (/dev/zero) is refused instead of filling memory.
import { closeSync, openSync, readSync } from 'node:fs';
import { UsageError } from './errors.ts';

/** Larger than any schedule or repro file a run writes (a repro of a day-long run is a few MiB). */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024;
/**
 * History files: a few million operations (a 1,000,000-op register history is about 100 MiB of JSON lines),
 * and well below the longest string V8 makes (about 512 MiB).
 */
export const MAX_HISTORY_BYTES = 256 * 1024 * 1024;

/** The text of a file; `what` names it in errors ("cannot read repro file x.json"). */
export function readInput(path: string, what: string, maxBytes = MAX_INPUT_BYTES): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    throw new UsageError(`cannot read ${what} ${path}`);
  }
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(1024 * 1024, maxBytes + 1 - total));
      let n: number;
      try {
        n = readSync(fd, chunk, 0, chunk.length, null);
      } catch {
        throw new UsageError(`cannot read ${what} ${path}`);
      }
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > maxBytes) throw new UsageError(`${what} ${path} is larger than ${maxBytes / 1024 / 1024} MiB`);
    }
    return Buffer.concat(chunks).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
