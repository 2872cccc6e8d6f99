// The product is determinism: the same seed gives the same run, bit for bit, whatever the scenario.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CrashMode, NodeContext } from '../../../sim/world/index.ts';
import { Hasher, World } from '../../../sim/world/index.ts';

type Action =
  | { at: number; kind: 'cut'; a: number; b: number }
  | { at: number; kind: 'heal' }
  | { at: number; kind: 'crash'; node: number; mode: CrashMode }
  | { at: number; kind: 'restart'; node: number }
  | { at: number; kind: 'pause'; node: number }
  | { at: number; kind: 'resume'; node: number }
  | { at: number; kind: 'loss'; p: number };

const N = 4;
const node = fc.integer({ min: 0, max: N - 1 });
const at = fc.integer({ min: 0, max: 2000 });
const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ at, kind: fc.constant('cut' as const), a: node, b: node }),
  fc.record({ at, kind: fc.constant('heal' as const) }),
  fc.record({
    at,
    kind: fc.constant('crash' as const),
    node,
    mode: fc.constantFrom<CrashMode>('lose-unsynced', 'random-suffix', 'torn-last'),
  }),
  fc.record({ at, kind: fc.constant('restart' as const), node }),
  fc.record({ at, kind: fc.constant('pause' as const), node }),
  fc.record({ at, kind: fc.constant('resume' as const), node }),
  fc.record({ at, kind: fc.constant('loss' as const), p: fc.double({ min: 0, max: 0.5, noNaN: true }) }),
);

/** A gossiping program: random timers, random peers, disk appends and occasional fsyncs. */
function gossip(ids: string[]) {
  return (ctx: NodeContext) => {
    let seen = 0;
    const tick = (): void => {
      ctx.send(ctx.random.pick(ids.filter((i) => i !== ctx.id)), { from: ctx.id, n: seen });
      ctx.disk.append('log', `${seen};`);
      if (ctx.random.chance(0.3)) ctx.disk.fsync('log');
      ctx.setTimer(ctx.random.int(1, 40), tick);
    };
    ctx.setTimer(ctx.random.int(1, 10), tick);
    return {
      onMessage(from: string, msg: unknown) {
        seen += (msg as { n: number }).n + 1;
        ctx.trace('recv', `${from}:${seen}`);
        if (ctx.random.chance(0.5)) ctx.send(from, { from: ctx.id, n: seen % 7 });
      },
    };
  };
}

function runScenario(seed: number | string, actions: Action[]): { hash: string; trace: string } {
  const w = new World({
    seed,
    traceLevel: 'all',
    traceCapacity: 100_000,
    defaultLatency: { kind: 'exponential', mean: 3, max: 50 },
  });
  const ids = Array.from({ length: N }, (_, i) => `n${i}`);
  for (const id of ids) {
    w.addNode(id, gossip(ids));
    w.start(id);
  }
  for (const a of actions) {
    w.at(a.at, () => {
      switch (a.kind) {
        case 'cut':
          w.net.cut(ids[a.a], ids[a.b]);
          break;
        case 'heal':
          w.net.heal();
          break;
        case 'crash':
          w.crash(ids[a.node], a.mode);
          break;
        case 'restart':
          w.start(ids[a.node]);
          break;
        case 'pause':
          w.pause(ids[a.node]);
          break;
        case 'resume':
          w.resume(ids[a.node]);
          break;
        case 'loss':
          w.net.setPacketFaults({ loss: a.p, duplicate: a.p / 2 });
          break;
      }
    });
  }
  w.runUntil(2500);
  const h = new Hasher();
  const trace = w.trace.format();
  h.update(trace);
  for (const n of w.nodes()) h.update(JSON.stringify(n.disk.snapshot()));
  h.update(w.unseed());
  h.update(String(w.events));
  return { hash: h.digest(), trace };
}

describe('determinism', () => {
  it('gives the same hash for the same seed over hundreds of random scenarios', () => {
    fc.assert(
      fc.property(fc.nat(), fc.array(action, { maxLength: 25 }), (seed, actions) => {
        const first = runScenario(seed, actions);
        const second = runScenario(seed, actions);
        expect(second.hash).toBe(first.hash);
        expect(second.trace).toBe(first.trace);
      }),
      { numRuns: 200 },
    );
  });

  it('gives different traces for different seeds', () => {
    const hashes = new Set<string>();
    for (let seed = 0; seed < 30; seed++) hashes.add(runScenario(seed, []).hash);
    expect(hashes.size).toBe(30);
  });

  it('gives the same trace for a numeric seed and its text form', () => {
    expect(runScenario('123', []).hash).toBe(runScenario(123, []).hash);
  });
});
