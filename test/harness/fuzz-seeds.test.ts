// Which seeds a fuzz runs: ranges, shards (0-based, every seed in exactly one shard), the determinism
// sample, and one clear error for each bad spelling.
import { describe, expect, it } from 'vitest';
import {
  countRange,
  inDeterminismSample,
  parseSeedRange,
  parseShard,
  SAMPLE_EVERY,
  shardSeeds,
  shardSize,
} from '../../harness/fuzz/seeds.ts';
import { UsageError } from '../../harness/errors.ts';

describe('seed ranges and shards', () => {
  it('reads a..b inclusive and n seeds from a base', () => {
    expect(parseSeedRange('1..1000')).toEqual({ from: 1, to: 1000 });
    expect(parseSeedRange(' 7..7 ')).toEqual({ from: 7, to: 7 });
    expect(countRange(10, 5)).toEqual({ from: 10, to: 14 });
  });

  it.each([
    ['5..1', /empty/],
    ['1-5', /range like 1\.\.1000/],
    ['-1..5', /non-negative integer/],
    ['1..x', /non-negative integer/],
    ['1..9007199254740993', /below 2\^53/],
  ])('refuses --seeds %s', (text, message) => {
    expect(() => parseSeedRange(text)).toThrow(UsageError);
    expect(() => parseSeedRange(text)).toThrow(message);
  });

  it('reads i/n, 0-based, and refuses anything else', () => {
    expect(parseShard('0/8')).toEqual({ index: 0, count: 8 });
    expect(parseShard('7/8')).toEqual({ index: 7, count: 8 });
    for (const bad of ['8/8', '3/2', '1/0', '-1/4', 'a/4', '1', '1/2/3'])
      expect(() => parseShard(bad), bad).toThrow(UsageError);
    expect(() => parseShard('3/2')).toThrow(/out of range for 2 shards \(0-based: 0 to 1\)/);
  });

  it('splits a range into shards that cover every seed exactly once', () => {
    for (const [from, to, count] of [
      [1, 100, 8],
      [5, 7, 4],
      [0, 0, 3],
      [10, 29, 1],
    ]) {
      const range = { from, to };
      const all: number[] = [];
      for (let index = 0; index < count; index++) {
        const seeds = [...shardSeeds(range, { index, count })];
        expect(seeds.length).toBe(shardSize(range, { index, count }));
        for (const s of seeds) expect((s - from) % count).toBe(index);
        all.push(...seeds);
      }
      expect(all.sort((a, b) => a - b)).toEqual(Array.from({ length: to - from + 1 }, (_, i) => from + i));
    }
  });
});

describe('the determinism sample', () => {
  it('is about 1 seed in 20, spread out, and a function of the seed alone', () => {
    const seeds = Array.from({ length: 20_000 }, (_, i) => i + 1);
    const sampled = seeds.filter(inDeterminismSample);
    expect(sampled.length / seeds.length).toBeGreaterThan(0.8 / SAMPLE_EVERY);
    expect(sampled.length / seeds.length).toBeLessThan(1.2 / SAMPLE_EVERY);
    expect(sampled.some((s) => s % SAMPLE_EVERY !== 0)).toBe(true);
    expect(seeds.filter(inDeterminismSample)).toEqual(sampled);
    expect([2 ** 40 + 3, 2 ** 52].map(inDeterminismSample).every((b) => typeof b === 'boolean')).toBe(true);
  });
});
