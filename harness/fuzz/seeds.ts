// Which seeds a fuzz runs: a range (`--seeds a..b`, or `--count n` from a base seed), one shard of it
// (`--shard i/n`), and the deterministic sample of those that run twice to prove determinism.
import { UsageError } from '../errors.ts';

/** An inclusive range of integer seeds. */
export interface SeedRange {
  from: number;
  to: number;
}

/** Shard `index` of `count`, 0-based: the same number Kubernetes gives an Indexed Job's pods. */
export interface Shard {
  index: number;
  count: number;
}

const MAX_SEED = Number.MAX_SAFE_INTEGER;

function seedNumber(text: string, what: string): number {
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new UsageError(`${what} must be a non-negative integer below 2^53, got "${text}"`);
  }
  return Number(text);
}

/** `a..b`, both ends included, a ≤ b. */
export function parseSeedRange(text: string): SeedRange {
  const m = /^(.*)\.\.(.*)$/.exec(text.trim());
  if (m === null) throw new UsageError(`--seeds must be a range like 1..1000, got "${text}"`);
  const from = seedNumber(m[1], '--seeds: the first seed');
  const to = seedNumber(m[2], '--seeds: the last seed');
  if (from > to)
    throw new UsageError(`--seeds: the range ${from}..${to} is empty (the first seed is larger than the last)`);
  return { from, to };
}

/** `n` seeds starting at `base`. */
export function countRange(base: number, count: number): SeedRange {
  if (base + count - 1 > MAX_SEED) throw new UsageError(`--count ${count} from seed ${base} goes past 2^53`);
  return { from: base, to: base + count - 1 };
}

/** `i/n` with 0 ≤ i < n. */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (m === null) throw new UsageError(`--shard must be i/n with 0 <= i < n (0-based), got "${text}"`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || count > 100_000)
    throw new UsageError(`--shard: the shard count must be from 1 to 100000, got ${m[2]}`);
  if (index >= count)
    throw new UsageError(`--shard: index ${index} is out of range for ${count} shards (0-based: 0 to ${count - 1})`);
  return { index, count };
}

/** Number of seeds of `range` in `shard`. */
export function shardSize(range: SeedRange, shard: Shard): number {
  const total = range.to - range.from + 1;
  return total > shard.index ? Math.floor((total - shard.index - 1) / shard.count) + 1 : 0;
}

/** The seeds of `range` whose position in the range is `shard.index` modulo `shard.count`, ascending. */
export function* shardSeeds(range: SeedRange, shard: Shard): Generator<number> {
  for (let s = range.from + shard.index; s <= range.to; s += shard.count) yield s;
}

/** A 32-bit integer mix (murmur3's finaliser), so the sample is spread rather than every 20th seed. */
function mix32(x: number): number {
  let h = x >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** 1 seed in SAMPLE_EVERY runs twice. */
export const SAMPLE_EVERY = 20;

/** Whether a seed belongs to the determinism sample (about 5%): a function of the seed alone. */
export function inDeterminismSample(seed: number): boolean {
  const high = Math.floor(seed / 2 ** 32);
  return mix32(mix32(seed) ^ high) % SAMPLE_EVERY === 0;
}
