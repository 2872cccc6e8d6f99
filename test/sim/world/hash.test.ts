import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Hasher } from '../../../sim/world/index.ts';

describe('Hasher', () => {
  it('hashes a string fed in pieces as the whole string (history hashes are fed line by line)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary' })), fc.string(), (pieces, after) => {
        const fed = new Hasher();
        for (const p of pieces) fed.feed(p);
        fed.endPart().update(after);
        expect(fed.digest()).toBe(new Hasher().update(pieces.join('')).update(after).digest());
      }),
    );
  });

  it('tells apart the same characters split into different parts', () => {
    expect(new Hasher().update('ab').update('c').digest()).not.toBe(new Hasher().update('a').update('bc').digest());
    expect(new Hasher().update('abc').digest()).not.toBe(new Hasher().update('abd').digest());
  });
});

describe('Hasher.feedJson', () => {
  // Any JSON-ish value, with what JSON.stringify treats specially: undefined and functions (left out of
  // objects, null in arrays), -0, NaN and infinities (0, null), strings needing escapes, lone surrogates.
  const { tree } = fc.letrec((tie) => ({
    leaf: fc.oneof(
      fc.integer(),
      fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
      fc.double(),
      // Simulated times: milliseconds to the microsecond.
      fc.integer({ min: -(2 ** 40), max: 2 ** 40 }).map((micros) => micros / 1000),
      fc.integer({ min: 0, max: 10 ** 7 }).map((micros) => micros / 1000),
      fc.constantFrom(0, -0, NaN, Infinity, -Infinity, 2 ** 31, -(2 ** 31) - 1, 1e21, 2464.597, 0.1),
      fc.string({ unit: 'binary' }),
      fc.string(),
      fc.boolean(),
      fc.constantFrom(null, undefined, () => 1),
    ),
    tree: fc.oneof({ depthSize: 'small' }, tie('leaf'), fc.array(tie('tree')), fc.dictionary(fc.string(), tie('tree'))),
  }));

  it('feeds exactly the text JSON.stringify gives', () => {
    fc.assert(
      fc.property(tree, (value) => {
        const text = JSON.stringify(value) as string | undefined;
        expect(new Hasher().feedJson(value).endPart().digest()).toBe(new Hasher().update(text ?? '').digest());
      }),
      { numRuns: 2000 },
    );
  });

  it('tells apart values whose text differs by one character', () => {
    const digest = (v: unknown): string => new Hasher().feedJson(v).digest();
    expect(digest([1, 2])).not.toBe(digest([1, 3]));
    expect(digest({ a: 10 })).not.toBe(digest({ a: 1 }));
    expect(digest(-5)).toBe(new Hasher().feed('-5').digest());
    expect(digest(1000000)).toBe(new Hasher().feed('1000000').digest());
  });
});
