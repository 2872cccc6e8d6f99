// Equality, hashing and short descriptions of history Values, shared by the models.
import type { Value } from '../../../workloads/history/format.ts';

export function sameValue(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameValue(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) {
    if (!Object.prototype.hasOwnProperty.call(b, key) || !sameValue(a[key], b[key])) return false;
  }
  return true;
}

/** Finalises a 32-bit hash (murmur3's fmix32): spreads nearby integers over the whole range. */
export function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

export function combineHash(a: number, b: number): number {
  return mix32((Math.imul(a, 31) + b) | 0);
}

export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return mix32(h);
}

/** A hash consistent with sameValue (object key order does not matter). */
export function hashValue(v: Value): number {
  if (v === null) return 0x2545f491;
  switch (typeof v) {
    case 'boolean':
      return v ? 0x1b873593 : 0x6b43a9b5;
    case 'number':
      return Number.isInteger(v) && Math.abs(v) < 2 ** 31 ? mix32(v ^ 0x3c6ef372) : hashString(String(v));
    case 'string':
      return hashString(v);
  }
  if (Array.isArray(v)) {
    let h = 0x5bd1e995 ^ v.length;
    for (const item of v) h = combineHash(h, hashValue(item));
    return h;
  }
  // Sum of per-entry hashes: independent of the order keys were inserted in.
  let h = 0x27d4eb2f;
  for (const key of Object.keys(v)) h = (h + combineHash(hashString(key), hashValue(v[key]))) | 0;
  return mix32(h);
}

/** Compact text for messages: JSON, which every history reader can paste back. */
export function describeValue(v: Value): string {
  return JSON.stringify(v);
}

export function isRecord(v: Value): v is { [key: string]: Value } {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
