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

/** Compares `words` with the `length` words of `arena` starting at `at`. */
export function equalsAt(arena: Uint32Array, at: number, words: Uint32Array): boolean {
  for (let i = 0; i < words.length; i++) if (arena[at + i] !== words[i]) return false;
  return true;
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
