import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventQueue } from '../../sim/world/event-queue.ts';

interface E {
  at: number;
  key: number;
  cancelled: boolean;
}

describe('event queue', () => {
  it('pops in (time, key) order under any interleaving of pushes and pops', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.record({ push: fc.integer({ min: 0, max: 50 }) }), fc.constant({ pop: true })), {
          maxLength: 400,
        }),
        (ops) => {
          const q = new EventQueue<E>();
          const model: E[] = [];
          let seq = 0;
          for (const op of ops) {
            if ('push' in op) {
              const e = { at: op.push, key: seq++, cancelled: false };
              q.push(e);
              model.push(e);
            } else {
              model.sort((a, b) => a.at - b.at || a.key - b.key);
              expect(q.pop()).toBe(model.shift());
            }
          }
          model.sort((a, b) => a.at - b.at || a.key - b.key);
          while (model.length > 0) expect(q.pop()).toBe(model.shift());
          expect(q.pop()).toBeUndefined();
          expect(q.size).toBe(0);
        },
      ),
    );
  });

  it('grows past its initial capacity', () => {
    const q = new EventQueue<E>();
    for (let i = 5000; i > 0; i--) q.push({ at: i, key: i, cancelled: false });
    for (let i = 1; i <= 5000; i++) expect(q.pop()?.at).toBe(i);
  });
});
