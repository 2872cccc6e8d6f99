import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Hasher } from '../../sim/world/index.ts';

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
