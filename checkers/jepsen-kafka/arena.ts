// Typed arrays carved out of a few large buffers. The history a checker reads is held by its caller all along
// (a million transactions take a gigabyte of heap), so every garbage collection marks all of it again; and
// V8 starts one each time 64 MiB more of array buffers are allocated. Allocating the checker's arrays one by
// one would cost a collection per 64 MiB, more the longer the history (quadratic in all); chunks sized in
// proportion to the history keep the number of collections the same whatever its length.
export class Arena {
  private buffer: ArrayBuffer | null = null;
  private used = 0;
  /** Bytes of all the buffers allocated so far. */
  allocated = 0;

  /** `chunkBytes`: the size of each buffer (a request larger than that gets a buffer of its own). */
  constructor(private readonly chunkBytes: number) {}

  int32(length: number): Int32Array {
    return new Int32Array(this.take(length * 4), this.used - length * 4, length);
  }

  float64(length: number): Float64Array {
    return new Float64Array(this.take(length * 8), this.used - length * 8, length);
  }

  uint8(length: number): Uint8Array {
    return new Uint8Array(this.take(length), this.used - length, length);
  }

  /** A buffer with `bytes` free at this.used (8-aligned), which the caller then counts as used. */
  private take(bytes: number): ArrayBuffer {
    this.used = Math.ceil(this.used / 8) * 8;
    if (this.buffer === null || this.used + bytes > this.buffer.byteLength) {
      this.buffer = new ArrayBuffer(Math.max(bytes, this.chunkBytes));
      this.allocated += this.buffer.byteLength;
      this.used = 0;
    }
    this.used += bytes;
    return this.buffer;
  }
}

/** Bytes per history entry the arena's chunks hold: about what a check of a Kafka history uses. */
export const ARENA_BYTES_PER_OP = 64;

export function arenaFor(historyLength: number): Arena {
  return new Arena(Math.max(1 << 20, historyLength * ARENA_BYTES_PER_OP));
}
