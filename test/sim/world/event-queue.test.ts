import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventQueue } from '../../../sim/world/event-queue.ts';

interface E {
  at: number;
  key: number;
  pos: number;
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
              const e = { at: op.push, key: seq++, pos: -1 };
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

  it('removing any queued event leaves the others popping in (time, key) order', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ push: fc.integer({ min: 0, max: 30 }) }),
            fc.record({ remove: fc.nat() }),
            fc.constant({ pop: true as const }),
          ),
          { maxLength: 400 },
        ),
        (ops) => {
          const q = new EventQueue<E>();
          const live: E[] = [];
          const gone: E[] = [];
          let seq = 0;
          const sortLive = (): void => {
            live.sort((a, b) => a.at - b.at || a.key - b.key);
          };
          for (const op of ops) {
            if ('push' in op) {
              const e = { at: op.push, key: seq++, pos: -1 };
              q.push(e);
              live.push(e);
            } else if ('remove' in op) {
              if (live.length > 0) {
                const e = live.splice(op.remove % live.length, 1)[0];
                expect(q.remove(e)).toBe(true);
                expect(e.pos).toBe(-1);
                gone.push(e);
              } else if (gone.length > 0) {
                // Removing what already left the queue is a no-op.
                expect(q.remove(gone[op.remove % gone.length])).toBe(false);
              }
            } else {
              sortLive();
              const e = live.shift();
              expect(q.pop()).toBe(e);
              if (e) gone.push(e);
            }
            expect(q.size).toBe(live.length);
          }
          sortLive();
          while (live.length > 0) expect(q.pop()).toBe(live.shift());
          expect(q.pop()).toBeUndefined();
        },
      ),
    );
  });

  it('grows past its initial capacity', () => {
    const q = new EventQueue<E>();
    for (let i = 5000; i > 0; i--) q.push({ at: i, key: i, pos: -1 });
    for (let i = 1; i <= 5000; i++) expect(q.pop()?.at).toBe(i);
  });
});
