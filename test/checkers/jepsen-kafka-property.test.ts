// Properties of Jepsen's Kafka checker: histories serializable by construction show nothing at all, rw edges
// and aborted or crashed transactions included; breaking one poll's order is always noticed; and the cycle
// search, on small random graphs, reports only real simple cycles of the kind it names, and in every strongly
// connected component a kind for each kind of cycle there is (itself, or one that implies it).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arenaFor } from '../../checkers/jepsen-kafka/arena.ts';
import { classify, CYCLE_KINDS, IMPLIES, searchCycles, type CycleKind } from '../../checkers/jepsen-kafka/cycles.ts';
import { buildDigraph, RT, RW, WR, WW, type Digraph } from '../../checkers/jepsen-kafka/graph/digraph.ts';
import { checkJepsenKafka } from '../../checkers/jepsen-kafka/index.ts';
import type { Value } from '../../workloads/history/format.ts';
import { counts } from '../helpers/jepsen-edn.ts';
import { generateTxnHistory, type TxnHistoryOptions } from '../helpers/txn-histories.ts';

const options: fc.Arbitrary<TxnHistoryOptions> = fc.record({
  seed: fc.string({ maxLength: 6 }),
  ops: fc.integer({ min: 1, max: 300 }),
  clients: fc.integer({ min: 1, max: 6 }),
  keys: fc.integer({ min: 1, max: 8 }),
  maxTxnLength: fc.integer({ min: 1, max: 4 }),
  failRate: fc.double({ min: 0, max: 0.3, noNaN: true }),
  infoRate: fc.double({ min: 0, max: 0.3, noNaN: true }),
  meanThink: fc.double({ min: 0, max: 5, noNaN: true }),
  meanDuration: fc.double({ min: 0.01, max: 10, noNaN: true }),
});

describe('serializable histories', () => {
  it('show no anomaly and no cycle, with or without ww and rw edges', () => {
    fc.assert(
      fc.property(options, fc.boolean(), fc.boolean(), (o, wwDeps, rwDeps) => {
        const result = checkJepsenKafka(generateTxnHistory(o), { wwDeps, rwDeps });
        expect(counts(result)).toEqual({});
        expect(result.valid).toBe(true);
        expect(result.stats?.components).toBe(0);
      }),
      { numRuns: 150 },
    );
  });

  it('show an int-nonmonotonic-poll once one poll returns two of its records in reverse', () => {
    fc.assert(
      fc.property(options, fc.nat(), (o, pick) => {
        const history = generateTxnHistory({ ...o, ops: o.ops + 20 });
        const polls = history.filter((op) => op.type === 'ok' && twoRecords(op.value) !== null);
        fc.pre(polls.length > 0);
        const records = twoRecords(polls[pick % polls.length].value) as Value[];
        [records[0], records[1]] = [records[1], records[0]];
        expect(counts(checkJepsenKafka(history))['int-nonmonotonic-poll']).toBe(1);
      }),
      { numRuns: 100 },
    );
  });
});

/** The records of the first key of the first poll of `value` that returned two or more of them. */
function twoRecords(value: Value): Value[] | null {
  if (!Array.isArray(value)) return null;
  for (const mop of value) {
    if (!Array.isArray(mop) || mop[0] !== 'poll' || mop[1] === null || typeof mop[1] !== 'object') continue;
    for (const records of Object.values(mop[1] as Record<string, Value>)) {
      if (Array.isArray(records) && records.length >= 2) return records;
    }
  }
  return null;
}

// Edges as relations can join ops: data relations any way round; realtime only forward, as time goes.
const KINDS = [WW, WR, RW, WW | RT, WR | RT, RW | RT, WW | WR, WR | RW];
const graphs = fc
  .integer({ min: 2, max: 6 })
  .chain((n) =>
    fc.array(
      fc.record({ a: fc.nat(n - 1), b: fc.nat(n - 1), kind: fc.constantFrom(...KINDS, RT), n: fc.constant(n) }),
      { maxLength: 14 },
    ),
  );

function buildGraph(edges: { a: number; b: number; kind: number; n: number }[]): Digraph {
  const n = edges[0]?.n ?? 2;
  return buildDigraph(
    n,
    (link) => {
      for (const { a, b, kind } of edges) {
        // Realtime alone only forward, so that no cycle is made of realtime edges alone.
        if (kind === RT && a >= b) continue;
        link(a, b, kind);
      }
    },
    arenaFor(64),
  );
}

/** Every simple cycle, as its vertices (starting from its smallest) and edges. */
function simpleCycles(g: Digraph): { vertices: number[]; edges: number[] }[] {
  const found: { vertices: number[]; edges: number[] }[] = [];
  const walk = (start: number, v: number, vertices: number[], edges: number[]) => {
    for (let e = g.start[v]; e < g.start[v + 1]; e++) {
      const w = g.target[e];
      if (w === start) found.push({ vertices: [...vertices], edges: [...edges, e] });
      else if (w > start && !vertices.includes(w)) walk(start, w, [...vertices, w], [...edges, e]);
    }
  };
  for (let s = 0; s < g.vertices; s++) walk(s, s, [s], []);
  return found;
}

function implied(kind: CycleKind): Set<CycleKind> {
  const out = new Set<CycleKind>([kind]);
  for (const k of out) for (const next of IMPLIES[k] ?? []) out.add(next);
  return out;
}

describe('cycle search on small random graphs, against every simple cycle', () => {
  it('reports real cycles of the kind named, and covers every kind of cycle in each component', () => {
    fc.assert(
      fc.property(graphs, (edges) => {
        const g = buildGraph(edges);
        const search = searchCycles(g, true, 1e9, arenaFor(64));
        const all = simpleCycles(g);
        // A component: the vertices of a cycle, merged when cycles share a vertex.
        const component = new Int32Array(g.vertices).map((_, v) => v);
        const root = (v: number): number => (component[v] === v ? v : (component[v] = root(component[v])));
        for (const c of all) for (const v of c.vertices) component[root(v)] = root(c.vertices[0]);
        for (const found of search.found) {
          const { vertices, edges: path } = found.cycle;
          expect(new Set(vertices).size).toBe(vertices.length);
          path.forEach((e, i) => {
            expect(e).toBeGreaterThanOrEqual(g.start[vertices[i]]);
            expect(e).toBeLessThan(g.start[vertices[i] + 1]);
            expect(g.target[e]).toBe(vertices[(i + 1) % vertices.length]);
          });
          expect(classify(g, found.cycle)).toBe(found.kind);
        }
        const reported = new Map<number, Set<CycleKind>>();
        for (const f of search.found) {
          const r = root(f.cycle.vertices[0]);
          reported.set(r, new Set([...(reported.get(r) ?? []), ...implied(f.kind)]));
        }
        for (const c of all) expect(reported.get(root(c.vertices[0]))?.has(classify(g, c))).toBe(true);
        expect(new Set(search.found.map((f) => f.kind)).size).toBeLessThanOrEqual(CYCLE_KINDS.length);
      }),
      { numRuns: 2000 },
    );
  });
});
