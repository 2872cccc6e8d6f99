import fc from 'fast-check';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseSeed, Random, sample, validateDistribution } from '../../../sim/world/index.ts';

describe('seeded random streams', () => {
  it('draws exactly seedrandom.alea’s sequence for the stream path', () => {
    const r = Random.root(42).fork('network');
    const reference = seedrandom.alea('kafkasim:42/network');
    for (let i = 0; i < 1000; i++) expect(r.float()).toBe(reference());
  });

  it('gives the same sequence for the same seed and stream name', () => {
    fc.assert(
      fc.property(fc.nat(), fc.string({ minLength: 1, maxLength: 10 }), (seed, name) => {
        const a = Random.root(seed).fork(name);
        const b = Random.root(seed).fork(name);
        for (let i = 0; i < 20; i++) expect(a.float()).toBe(b.float());
      }),
    );
  });

  it('keeps streams independent: drawing from one never shifts another', () => {
    const root1 = Random.root(7);
    const root2 = Random.root(7);
    const busy = root1.fork('broker:1');
    for (let i = 0; i < 500; i++) busy.float();
    const quiet1 = root1.fork('broker:2');
    const quiet2 = root2.fork('broker:2');
    for (let i = 0; i < 50; i++) expect(quiet1.float()).toBe(quiet2.float());
  });

  it('gives different sequences for different seeds and different names', () => {
    const a = Random.root(1).fork('x');
    const b = Random.root(2).fork('x');
    const c = Random.root(1).fork('y');
    const seqA = Array.from({ length: 8 }, () => a.float());
    expect(Array.from({ length: 8 }, () => b.float())).not.toEqual(seqA);
    expect(Array.from({ length: 8 }, () => c.float())).not.toEqual(seqA);
  });

  it('keeps ints in range, shuffles to permutations and picks members', () => {
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: -50, max: 50 }), fc.nat({ max: 100 }), (seed, lo, span) => {
        const r = Random.root(seed);
        const v = r.int(lo, lo + span);
        expect(v).toBeGreaterThanOrEqual(lo);
        expect(v).toBeLessThanOrEqual(lo + span);
        expect(Number.isInteger(v)).toBe(true);
        const items = Array.from({ length: span % 12 }, (_, i) => i);
        expect([...r.shuffle(items)].sort((x, y) => x - y)).toEqual(items);
        if (items.length > 0) expect(items).toContain(r.pick(items));
      }),
    );
  });

  it('samples every latency distribution within its bounds', () => {
    const r = Random.root('dist');
    for (let i = 0; i < 2000; i++) {
      expect(sample({ kind: 'constant', ms: 3 }, r)).toBe(3);
      const u = sample({ kind: 'uniform', min: 1, max: 2 }, r);
      expect(u >= 1 && u <= 2).toBe(true);
      const e = sample({ kind: 'exponential', mean: 5, max: 20 }, r);
      expect(e >= 0 && e <= 20).toBe(true);
      const n = sample({ kind: 'normal', mean: 10, stddev: 30, min: 2, max: 12 }, r);
      expect(n >= 2 && n <= 12).toBe(true);
    }
    // The exponential's mean is roughly right over many draws (not clamped here).
    let sum = 0;
    for (let i = 0; i < 20000; i++) sum += sample({ kind: 'exponential', mean: 5 }, r);
    expect(sum / 20000).toBeGreaterThan(4.7);
    expect(sum / 20000).toBeLessThan(5.3);
  });
});

describe('bad seeds and configurations', () => {
  it('accepts integers and short names, canonicalising numeric text', () => {
    expect(parseSeed('42')).toBe(42);
    expect(parseSeed(' 7 ')).toBe(7);
    expect(parseSeed('nightly-2026.11.21')).toBe('nightly-2026.11.21');
    expect(parseSeed(0)).toBe(0);
  });

  it.each([
    ['-1', /invalid seed/],
    ['1.5', /invalid seed/],
    ['', /invalid seed/],
    ['a b', /invalid seed/],
    ['99999999999999999999', /below 2\^53/],
  ])('rejects %j with one clear line', (input, message) => {
    expect(() => parseSeed(input)).toThrow(ConfigError);
    expect(() => parseSeed(input)).toThrow(message);
    try {
      parseSeed(input);
    } catch (e) {
      expect((e as Error).message).not.toContain('\n');
    }
  });

  it('rejects malformed distributions naming the field', () => {
    expect(() => validateDistribution({ kind: 'uniform', min: 3, max: 1 }, 'latency')).toThrow(/latency: uniform max/);
    expect(() => validateDistribution({ kind: 'gauss' }, 'latency')).toThrow(/unknown distribution kind "gauss"/);
    expect(() => validateDistribution({ kind: 'constant', ms: -1 }, 'x')).toThrow(/x: ms must be/);
    expect(() => validateDistribution(null, 'x')).toThrow(ConfigError);
  });
});
