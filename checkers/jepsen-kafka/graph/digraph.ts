// A directed graph over ops, stored as compressed adjacency arrays: the out-edges of vertex v are entries
// start[v] .. start[v + 1] - 1 of `target` and `kind`. Each edge's kind is a bit set of the relations that
// order its two ops (several may hold at once: a ww and a realtime edge between the same pair become one
// edge of kind WW | RT), as in Elle's graphs.
import { IntList } from '../int-list.ts';

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
}

/** Collects edges in any order, duplicates allowed, then packs them into a Digraph. */
export class EdgeBuilder {
  private readonly from = new IntList(1 << 16);
  private readonly to = new IntList(1 << 16);
  private readonly kinds = new IntList(1 << 16);

  constructor(readonly vertices: number) {}

  get length(): number {
    return this.from.length;
  }

  /** Adds a → b; self-edges are dropped, as Elle never links an op to itself. */
  link(a: number, b: number, kind: number): void {
    if (a === b) return;
    this.from.push(a);
    this.to.push(b);
    this.kinds.push(kind);
  }

  /** The source of the i-th edge added. */
  source(i: number): number {
    return this.from.get(i);
  }

  /** Packs the edges: a counting sort by source, then duplicates of a pair merged into one edge. */
  build(): Digraph {
    const n = this.vertices;
    const from = this.from.view();
    const to = this.to.view();
    const kinds = this.kinds.view();
    const count = new Int32Array(n + 1);
    for (let i = 0; i < from.length; i++) count[from[i] + 1]++;
    for (let v = 0; v < n; v++) count[v + 1] += count[v];
    const fill = count.slice(0, n);
    const rawTarget = new Int32Array(from.length);
    const rawKind = new Uint8Array(from.length);
    for (let i = 0; i < from.length; i++) {
      const at = fill[from[i]]++;
      rawTarget[at] = to[i];
      rawKind[at] = kinds[i];
    }
    return merge(n, count, rawTarget, rawKind);
  }
}

/** Merges each vertex's edges to the same target, in one pass with a slot per target. */
function merge(n: number, rawStart: Int32Array, rawTarget: Int32Array, rawKind: Uint8Array): Digraph {
  const start = new Int32Array(n + 1);
  const target = new Int32Array(rawTarget.length);
  const kind = new Uint8Array(rawTarget.length);
  const seenFrom = new Int32Array(n).fill(-1);
  const slot = new Int32Array(n);
  let out = 0;
  for (let v = 0; v < n; v++) {
    start[v] = out;
    for (let e = rawStart[v]; e < rawStart[v + 1]; e++) {
      const t = rawTarget[e];
      if (seenFrom[t] === v) {
        kind[slot[t]] |= rawKind[e];
        continue;
      }
      seenFrom[t] = v;
      slot[t] = out;
      target[out] = t;
      kind[out] = rawKind[e];
      out++;
    }
  }
  start[n] = out;
  return { vertices: n, start, target: target.slice(0, out), kind: kind.slice(0, out) };
}

/**
 * The one relation Elle's explainer names an edge by, among those `mask` lets a search use: ww, then wr,
 * then rw, then realtime. An edge that is both ww and realtime is a ww edge.
 */
export function relationOf(kind: number, mask: number): number {
  const k = kind & mask;
  return k & WW || k & WR || k & RW || k & RT;
}
