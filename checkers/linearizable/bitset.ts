// Fixed-size bitsets over Uint32Array words, and Zobrist keys to hash them incrementally.

export function wordsFor(bits: number): number {
  return Math.max(1, Math.ceil(bits / 32));
}

export function hasBit(words: Uint32Array, bit: number): boolean {
  return (words[bit >>> 5] & (1 << (bit & 31))) !== 0;
}

export function setBit(words: Uint32Array, bit: number): void {
  words[bit >>> 5] |= 1 << (bit & 31);
}

export function clearBit(words: Uint32Array, bit: number): void {
  words[bit >>> 5] &= ~(1 << (bit & 31));
}

/** True iff the set stored in `arena` at `at` is a subset of `words`. */
export function subsetAt(arena: Uint32Array, at: number, words: Uint32Array): boolean {
  for (let i = 0; i < words.length; i++) if ((arena[at + i] & ~words[i]) !== 0) return false;
  return true;
}

/** True iff `words` is a subset of the set stored in `arena` at `at`. */
export function supersetAt(arena: Uint32Array, at: number, words: Uint32Array): boolean {
  for (let i = 0; i < words.length; i++) if ((words[i] & ~arena[at + i]) !== 0) return false;
  return true;
}

/**
 * Random-looking 32-bit keys, one per bit: the XOR of the keys of a set's members is its hash, updated
 * in O(1) when a bit flips. Seeded with a constant (splitmix32), so every run hashes alike.
 */
export function zobristKeys(count: number): Int32Array {
  const keys = new Int32Array(count);
  let seed = 0x9e3779b9;
  for (let i = 0; i < count; i++) {
    seed = (seed + 0x9e3779b9) | 0;
    let z = seed;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    keys[i] = z ^ (z >>> 16);
  }
  return keys;
}

/**
 * A bitset over `bits` members kept with its window: the words below `low` are full, the words above
 * `top` are empty, so (low, words[low..top]) names the set. A search's linearized ops are all the early
 * ones plus a few concurrent with them, so the window is about as wide as the concurrency.
 */
export class WindowedBits {
  readonly words: Uint32Array;
  /** The first word that is not full (words.length when every member is in). */
  low = 0;
  /** The last word with a member (-1 when none is). */
  top = -1;
  private readonly lastFull: number;

  constructor(bits: number) {
    this.words = new Uint32Array(wordsFor(bits));
    const rest = bits & 31;
    this.lastFull = rest === 0 ? 0xffffffff : 2 ** rest - 1;
  }

  private full(w: number): number {
    return w === this.words.length - 1 ? this.lastFull : 0xffffffff;
  }

  set(bit: number): void {
    const w = bit >>> 5;
    this.words[w] |= 1 << (bit & 31);
    if (w > this.top) this.top = w;
    while (this.low < this.words.length && this.words[this.low] === this.full(this.low)) this.low++;
  }

  clear(bit: number): void {
    const w = bit >>> 5;
    this.words[w] &= ~(1 << (bit & 31));
    if (w < this.low) this.low = w;
    while (this.top >= 0 && this.words[this.top] === 0) this.top--;
  }

  /** Words in the window: from low to top. */
  get windowLength(): number {
    return Math.max(0, this.top - this.low + 1);
  }
}
