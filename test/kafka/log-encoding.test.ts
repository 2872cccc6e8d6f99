import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeBatch, parseBatch } from '../../sim/kafka/log.ts';
import type { RecordBatch } from '../../sim/kafka/records.ts';

const batch = fc.record({
  baseOffset: fc.nat(),
  epoch: fc.integer({ min: 0, max: 1000 }),
  producerId: fc.integer({ min: -1, max: 2 ** 40 }),
  baseSequence: fc.integer({ min: -1, max: 2 ** 31 }),
  values: fc.array(fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), { minLength: 1, maxLength: 8 }),
});

describe('log line encoding', () => {
  it('reads back every batch it writes', () => {
    fc.assert(
      fc.property(batch, (b: RecordBatch) => {
        const line = encodeBatch(b);
        expect(line.endsWith('\n')).toBe(true);
        expect(line.indexOf('\n')).toBe(line.length - 1);
        expect(parseBatch(line.slice(0, -1))).toEqual(b);
      }),
    );
  });

  it('rejects damaged lines rather than reading zeros or fewer fields', () => {
    for (const line of ['', '1 2 3 4', '1 2 3 4 ', '1  3 4 5', '1 2 3 4 5,', '1 2 3 4 5,,6', 'x 2 3 4 5', '1.5 2 3 4 5', '1 2 3 4 5 6']) {
      expect(parseBatch(line)).toBeNull();
    }
  });
});
