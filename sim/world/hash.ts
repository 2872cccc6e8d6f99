// A stable 64-bit hash (two independent 32-bit lanes) over a canonical serialisation, for replay checks.

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const LANE_B_SEED = 0x9e3779b9;

/** Incremental hasher: feed strings in order, read a 16-hex-digit digest. */
export class Hasher {
  private a = FNV_OFFSET;
  private b = LANE_B_SEED;

  update(text: string): this {
    return this.feed(text).endPart();
  }

  /** Hashes text as part of one larger string: feed(x).feed(y).endPart() is update(x + y). */
  feed(text: string): this {
    let a = this.a;
    let b = this.b;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      a = Math.imul(a ^ c, FNV_PRIME);
      // A second lane with a different multiplier and rotation so that the two are not correlated.
      b = Math.imul(b ^ c, 0x5bd1e995);
      b = (b << 13) | (b >>> 19);
    }
    this.a = a;
    this.b = b;
    return this;
  }

  /** Ends the string being fed: a separator, so that update("ab").update("c") differs from update("a").update("bc"). */
  endPart(): this {
    this.a = Math.imul(this.a ^ 0xff, FNV_PRIME);
    this.b = Math.imul(this.b ^ 0xff, 0x5bd1e995);
    return this;
  }

  digest(): string {
    // Final avalanche so that small differences change every digit.
    let a = this.a ^ (this.b >>> 15);
    a = Math.imul(a ^ (a >>> 16), 0x85ebca6b);
    a ^= a >>> 13;
    let b = this.b ^ (this.a >>> 17);
    b = Math.imul(b ^ (b >>> 16), 0xc2b2ae35);
    b ^= b >>> 16;
    return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
  }
}

/** JSON with object keys sorted, so the same value always serialises to the same text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) return JSON.stringify(String(value));
    return value === undefined ? 'null' : JSON.stringify(value);
  }
  if (Array.isArray(value)) return '[' + value.map(canonicalJson).join(',') + ']';
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return '{' + keys.map((k) => JSON.stringify(k) + ':' + canonicalJson(obj[k])).join(',') + '}';
}

export function hashValue(value: unknown): string {
  return new Hasher().update(canonicalJson(value)).digest();
}
