// A hash table from pairs (a small integer, a number) to integer ids, in typed arrays of a size fixed up front:
// open addressing with linear probing. It stands in for a Map per key where the counts are known in advance
// and large (a million records), since a Map that grows allocates and rehashes on the heap.
import type { Arena } from './arena.ts';

export class NumberPairTable {
  private readonly mask: number;
  private readonly first: Int32Array;
  private readonly second: Float64Array;
  private readonly ids: Int32Array;

  /** Room for `capacity` entries (the table is made at least a third larger, so probes stay short). */
  constructor(arena: Arena, capacity: number) {
    let size = 16;
    while (size * 0.75 < capacity) size *= 2;
    this.mask = size - 1;
    this.first = arena.int32(size).fill(-1);
    this.second = arena.float64(size);
    this.ids = arena.int32(size);
  }

  /** The id of (a, b), or -1; a must be 0 or more. */
  get(a: number, b: number): number {
    for (let i = this.slot(a, b); ; i = (i + 1) & this.mask) {
      if (this.first[i] === -1) return -1;
      if (this.first[i] === a && this.second[i] === b) return this.ids[i];
    }
  }

  /** The id of (a, b); when absent, it is added with id `next`. */
  getOrAdd(a: number, b: number, next: number): number {
    for (let i = this.slot(a, b); ; i = (i + 1) & this.mask) {
      if (this.first[i] === -1) {
        this.first[i] = a;
        this.second[i] = b;
        this.ids[i] = next;
        return next;
      }
      if (this.first[i] === a && this.second[i] === b) return this.ids[i];
    }
  }

  private slot(a: number, b: number): number {
    const low = b | 0;
    const high = (b / 4294967296) | 0;
    let h = Math.imul(a + 1, 0x9e3779b1) ^ Math.imul(low, 0x85ebca6b) ^ Math.imul(high, 0xc2b2ae35);
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    h ^= h >>> 12;
    return h & this.mask;
  }
}
