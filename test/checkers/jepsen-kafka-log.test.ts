// Jepsen's Kafka checker on small hand-written histories: what the version orders show (inconsistent
// offsets, duplicates) and how they are built (from every poll, and from the sends of ops that committed).
import { describe, expect, it } from 'vitest';
import { checkEdn, counts, found } from '../helpers/jepsen-edn.ts';

const INFO_SEND = `
  0 invoke send [[:send :x 1] [:send :y 1]]
  0 info   send [[:send :x [0 1]] [:send :y 1]]
  1 invoke send [[:send :x 2]]
  1 ok     send [[:send :x [0 2]]]`;

describe('inconsistent-offsets', () => {
  it('ignores the offset a crashed send named while nothing shows that send committed', () => {
    const result = checkEdn(INFO_SEND);
    expect(counts(result)).toEqual({ unseen: 1 });
  });

  it('counts it once a poll returns another send of the same crashed op: the op committed as a whole', () => {
    const result = checkEdn(`${INFO_SEND}
      2 invoke poll [[:poll]]
      2 ok     poll [[:poll {:y [[5 1]]}]]`);
    expect(counts(result)).toEqual({ 'inconsistent-offsets': 1, unseen: 1 });
    const anomaly = found(result).get('inconsistent-offsets');
    expect(anomaly?.examples[0].detail).toEqual({ key: 'x', offset: 0, index: 0, values: [1, 2] });
    expect(result.valid).toBe(false);
  });

  it('sees two values at one offset from two acknowledged sends', () => {
    const result = checkEdn(`
      0 invoke send [[:send 11 641]]
      0 ok     send [[:send 11 [537 641]]]
      1 invoke send [[:send 11 645]]
      1 ok     send [[:send 11 [537 645]]]`);
    expect(counts(result)).toEqual({ 'inconsistent-offsets': 1, unseen: 2 });
    expect(found(result).get('inconsistent-offsets')?.examples[0].detail).toMatchObject({ key: 11, offset: 537 });
  });
});

describe('duplicate', () => {
  it('finds a value at two offsets, one from its send and one from a poll', () => {
    const result = checkEdn(`
      0 invoke send [[:send :x :a]]
      0 ok     send [[:send :x [1 :a]]]
      1 invoke send [[:send :x :b]]
      1 info   send [[:send :x :b]]
      2 invoke poll [[:poll]]
      2 ok     poll [[:poll {:x [[2 :b] [3 :a]]}]]`);
    // The order keeps a at index 2 (Jepsen keeps the last), so a before b and b before a: a ww cycle, allowed.
    expect(counts(result)).toEqual({ duplicate: 1, G0: 1 });
    expect(result.anomalies.map((a) => a.name)).toEqual(['duplicate']);
    expect(found(result).get('duplicate')?.examples[0].detail).toEqual({
      key: 'x',
      value: 'a',
      count: 2,
      offsets: [1, 3],
    });
  });

  it('flags every value sent to one offset and polled at another, whichever the order keeps', () => {
    let text = '';
    for (let v = 0; v < 10; v++) {
      text += `0 invoke send [[:send :x ${v}]]\n0 ok send [[:send :x [0 ${v}]]]\n`;
      text += `1 invoke poll [[:poll]]\n1 ok poll [[:poll {:x [[1 ${v}]]}]]\n`;
    }
    const result = checkEdn(text);
    expect(found(result).get('duplicate')?.count).toBe(10);
    expect(found(result).get('inconsistent-offsets')?.count).toBe(2);
  });

  it('uses the polls of a failed transaction, but not its sends', () => {
    const result = checkEdn(`
      0 invoke send [[:send :x 0]]
      0 ok     send [[:send :x [1 0]]]
      0 invoke send [[:send :x 1]]
      0 fail   send [[:send :x [2 1]]]
      1 invoke poll [[:poll]]
      1 fail   poll [[:poll {:x [[11 0] [12 1]]}]]`);
    const duplicate = found(result).get('duplicate');
    expect(duplicate?.count).toBe(1);
    expect(duplicate?.examples[0].detail).toEqual({ key: 'x', value: 0, count: 2, offsets: [1, 11] });
    // Its record 1 was never sent successfully: not a duplicate; and nothing an ok op polled.
    expect(counts(result)).toEqual({ duplicate: 1, unseen: 1 });
  });

  it('finds none when every poll and send agree', () => {
    const result = checkEdn(`
      0 invoke send [[:send :x :a] [:send :x :b]]
      0 ok     send [[:send :x [0 :a]] [:send :x [1 :b]]]
      1 invoke poll [[:poll]]
      1 ok     poll [[:poll {:x [[0 :a]]}]]
      1 invoke poll [[:poll]]
      1 fail   poll [[:poll {:x [[1 :b]]}]]
      1 invoke poll [[:poll]]
      1 ok     poll [[:poll {:x [[1 :b]]}]]`);
    expect(counts(result)).toEqual({});
    expect(result.valid).toBe(true);
    expect(result.stats).toMatchObject({ ops: 4, keys: 1, versions: 2, sends: 2, recordsPolled: 3 });
  });
});
