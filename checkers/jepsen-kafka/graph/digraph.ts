// A directed graph over ops, stored as compressed adjacency arrays: the out-edges of vertex v are entries
// start[v] .. start[v + 1] - 1 of `target` and `kind`. Each edge's kind is a bit set of the relations that
// order its two ops (several may hold at once: a ww and a realtime edge between the same pair become one
// edge of kind WW | RT), as in Elle's graphs.
import type { Arena } from '../arena.ts';

/** Relations, as bits of an edge's kind, in the order Elle's explainers try them. */
export const WW = 1;
export const WR = 2;
export const RW = 4;
export const RT = 8;
export const DATA = WW | WR | RW;

export interface Digraph {
  vertices: number;
  start: Int32Array;
  target: Int32Array;
  kind: Uint8Array;
  /**
   * The one relation each edge is named by, as Elle's explainer names it (relationOf): searches follow an edge
   * when its name is among the relations they allow, so a cycle is of the kind its edges' names say.
   */
  label: Uint8Array;
}

/** Adds the edge a → b with the relations in `kind`. */
export type Link = (a: number, b: number, kind: number) => void;

/**
 * Builds a Digraph from `emit`, which must make the same links both times it is called: once to count each
 * vertex's out-edges, once to place them. Every array is then allocated once, at its size: a million-op
 * history is held by the caller all along, so each growth of a large typed array would cost a garbage
 * collection that marks the whole history again. Self-edges are dropped (Elle never links an op to itself)
 * and the links between one pair of ops merged into one edge.
 */
export function buildDigraph(vertices: number, emit: (link: Link) => void, arena: Arena): Digraph {
  const start = arena.int32(vertices + 1);
  emit((a, b) => {
    if (a !== b) start[a + 1]++;
  });
  for (let v = 0; v < vertices; v++) start[v + 1] += start[v];
  const target = arena.int32(start[vertices]);
  const kind = arena.uint8(start[vertices]);
  // Place each edge at its vertex's next free slot, start[a] moving along; then shift the starts back.
  emit((a, b, k) => {
    if (a === b) return;
    const at = start[a]++;
    target[at] = b;
    kind[at] = k;
  });
  for (let v = vertices; v > 0; v--) start[v] = start[v - 1];
  start[0] = 0;
  return mergeParallel(vertices, start, target, kind, arena);
}

/** Merges each vertex's edges to one target into one edge, compacting the arrays in place. */
function mergeParallel(n: number, start: Int32Array, target: Int32Array, kind: Uint8Array, arena: Arena): Digraph {
  const seenFrom = arena.int32(n).fill(-1);
  const slot = arena.int32(n);
  let out = 0;
  let from = 0;
  for (let v = 0; v < n; v++) {
    const to = start[v + 1];
    start[v] = out;
    for (let e = from; e < to; e++) {
      const t = target[e];
      if (seenFrom[t] === v) {
        kind[slot[t]] |= kind[e];
        continue;
      }
      seenFrom[t] = v;
      slot[t] = out;
      target[out] = t;
      kind[out++] = kind[e];
    }
    from = to;
  }
  start[n] = out;
  const label = arena.uint8(out);
  for (let e = 0; e < out; e++) label[e] = relationOf(kind[e]);
  return { vertices: n, start, target: target.subarray(0, out), kind: kind.subarray(0, out), label };
}

/**
 * The one relation Elle's explainer names an edge by: ww, then wr, then rw, then realtime (it tries the data
 * explainers before the realtime one). An edge that is both ww and realtime is a ww edge.
 */
export function relationOf(kind: number): number {
  return kind & WW || kind & WR || kind & RW || kind & RT;
}
