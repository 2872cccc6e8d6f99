// A stable 64-bit hash (two independent 32-bit lanes) over a canonical serialisation, for replay checks.

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const LANE_B_SEED = 0x9e3779b9;
const LANE_B_PRIME = 0x5bd1e995;
/** Integers up to this are fed digit by digit (2^53: every integer below is exact). */
const MAX_DIGITS_INT = Number.MAX_SAFE_INTEGER;
/** Below this, distinct thousandths are far more than an ulp apart, so no shorter decimal reads back as the same n. */
const MAX_MILLIS = 2 ** 31;
/** Scratch for feedDigits: the digits of one integer, least significant first. */
const DIGITS = new Uint8Array(16);

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
      b = Math.imul(b ^ c, LANE_B_PRIME);
      b = (b << 13) | (b >>> 19);
    }
    this.a = a;
    this.b = b;
    return this;
  }

  /**
   * Feeds the text JSON.stringify(value) would give, without building it: a history's JSON lines are
   * hashed for every run, and building them was a tenth of a fuzz seed's time. Plain JSON data (what
   * histories hold) takes the allocation-free path; anything else (a Date, a class instance, a string
   * needing escapes) feeds JSON.stringify's own text for that part. `undefined` feeds nothing, as
   * JSON.stringify gives no text. Not covered: a plain object with a toJSON method of its own.
   */
  feedJson(value: unknown): this {
    if (typeof value === 'number') return this.feedNumber(value);
    if (typeof value === 'string') return this.feedString(value);
    if (typeof value === 'object') {
      if (value === null) return this.feed('null');
      if (Array.isArray(value)) return this.feedArray(value);
      // A plain object is its own keys; anything else (a Date, a class with toJSON) is JSON.stringify's.
      if (Object.getPrototypeOf(value) === Object.prototype) return this.feedObject(value as Record<string, unknown>);
      const text = JSON.stringify(value) as string | undefined;
      return text === undefined ? this : this.feed(text);
    }
    if (typeof value === 'boolean') return this.feed(value ? 'true' : 'false');
    // JSON.stringify throws on a bigint; so does this.
    if (typeof value === 'bigint') throw new TypeError('Do not know how to serialize a BigInt');
    return this;
  }

  private feedArray(items: unknown[]): this {
    this.feedCode(0x5b); // [
    for (let i = 0; i < items.length; i++) {
      if (i > 0) this.feedCode(0x2c); // ,
      const item = items[i];
      // Where an object drops a key, an array writes null.
      if (leftOutByJson(item)) this.feed('null');
      else this.feedJson(item);
    }
    return this.feedCode(0x5d); // ]
  }

  private feedObject(object: Record<string, unknown>): this {
    this.feedCode(0x7b); // {
    let first = true;
    for (const key in object) {
      if (!Object.prototype.hasOwnProperty.call(object, key)) continue;
      const item = object[key];
      if (leftOutByJson(item)) continue;
      if (!first) this.feedCode(0x2c);
      first = false;
      this.feedString(key);
      this.feedCode(0x3a); // :
      this.feedJson(item);
    }
    return this.feedCode(0x7d); // }
  }

  private feedNumber(n: number): this {
    if (!Number.isFinite(n)) return this.feed('null');
    if (n < 0) {
      this.feedCode(0x2d); // -
      n = -n;
    }
    // Small integers, the bulk of a history (offsets, values, partitions, processes), digit by digit.
    if (n <= MAX_DIGITS_INT && n === Math.floor(n)) return this.feedDigits(n);
    // Simulated times in milliseconds to the microsecond: for these, String(n) is exactly the integer
    // part, a point and the fraction without trailing zeros (the decimal is the shortest that reads back
    // as n, which is what String gives), and that text needs no string built.
    const micros = Math.round(n * 1000);
    if (n < MAX_MILLIS && micros / 1000 === n) {
      const whole = Math.floor(micros / 1000);
      let fraction = micros - whole * 1000;
      this.feedDigits(whole);
      this.feedCode(0x2e); // .
      this.feedCode(0x30 + Math.floor(fraction / 100));
      fraction %= 100;
      if (fraction > 0) {
        this.feedCode(0x30 + Math.floor(fraction / 10));
        fraction %= 10;
        if (fraction > 0) this.feedCode(0x30 + fraction);
      }
      return this;
    }
    return this.feed(String(n));
  }

  /** The decimal digits of an integer 0 <= n <= MAX_DIGITS_INT. */
  private feedDigits(n: number): this {
    if (n < 10) return this.feedCode(0x30 + n);
    const digits = DIGITS;
    let count = 0;
    while (n > 0) {
      const rest = Math.floor(n / 10);
      digits[count++] = n - rest * 10;
      n = rest;
    }
    while (count > 0) this.feedCode(0x30 + digits[--count]);
    return this;
  }

  private feedString(text: string): this {
    // Hash the quoted text as it is, and start over through JSON.stringify at the first character that
    // needs JSON's escaping: a quote, a backslash, a control character or a surrogate.
    const a = this.a;
    const b = this.b;
    this.feedCode(0x22);
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) {
        this.a = a;
        this.b = b;
        return this.feed(JSON.stringify(text));
      }
      this.feedCode(c);
    }
    return this.feedCode(0x22);
  }

  /** feed's step for one character, for text that is never built as a string. */
  private feedCode(c: number): this {
    this.a = Math.imul(this.a ^ c, FNV_PRIME);
    this.b = Math.imul(this.b ^ c, LANE_B_PRIME);
    this.b = (this.b << 13) | (this.b >>> 19);
    return this;
  }

  /** Ends the string being fed: a separator, so that update("ab").update("c") differs from update("a").update("bc"). */
  endPart(): this {
    this.a = Math.imul(this.a ^ 0xff, FNV_PRIME);
    this.b = Math.imul(this.b ^ 0xff, LANE_B_PRIME);
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

/** Values JSON.stringify leaves out of an object (and writes as null in an array). */
function leftOutByJson(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
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
