// Strongly connected components (Tarjan's algorithm, iterative so a million-op chain cannot overflow the
// stack) of the part of a Digraph inside a region, following only edges whose kind meets a mask. The cycle
// search calls it on the whole graph first, then again inside each component with fewer relations, as
// Elle narrows a search: a cycle can only lie within one component.
import type { Arena } from '../arena.ts';
import type { Digraph } from './digraph.ts';

/** A set of vertices: v is in it when mark[v] === id. Ids only grow, so a mark never needs clearing. */
export class Regions {
  readonly mark: Int32Array;
  private next = 0;

  constructor(vertices: number, arena: Arena) {
    this.mark = arena.int32(vertices).fill(-1);
  }

  /** A fresh region holding exactly `vertices`. */
  of(vertices: ArrayLike<number>): number {
    const id = this.next++;
    for (let i = 0; i < vertices.length; i++) this.mark[vertices[i]] = id;
    return id;
  }
}

export class SccFinder {
  private readonly index: Int32Array;
  private readonly low: Int32Array;
  private readonly onStack: Uint8Array;
  private readonly stack: Int32Array;
  private readonly frameVertex: Int32Array;
  private readonly frameEdge: Int32Array;

  constructor(
    private readonly g: Digraph,
    arena: Arena,
  ) {
    const n = g.vertices;
    this.index = arena.int32(n).fill(-1);
    this.low = arena.int32(n);
    this.onStack = arena.uint8(n);
    this.stack = arena.int32(n);
    this.frameVertex = arena.int32(n);
    this.frameEdge = arena.int32(n);
  }

  /**
   * The components of two or more vertices (the graph has no self-edges, so a single vertex is never a
   * cycle) among `vertices`, all of which are in region `region` of `regions`, through edges whose label is
   * in `mask`; smallest first, as Elle
   * searches the smallest first.
   */
  components(vertices: ArrayLike<number>, mask: number, regions: Regions, region: number): Int32Array[] {
    const { start, target, label } = this.g;
    const { index, low, onStack, stack, frameVertex, frameEdge } = this;
    const mark = regions.mark;
    for (let i = 0; i < vertices.length; i++) index[vertices[i]] = -1;
    const found: Int32Array[] = [];
    let counter = 0;
    let depth = 0;
    for (let i = 0; i < vertices.length; i++) {
      const root = vertices[i];
      if (index[root] !== -1) continue;
      index[root] = low[root] = counter++;
      stack[depth++] = root;
      onStack[root] = 1;
      let frames = 0;
      frameVertex[frames] = root;
      frameEdge[frames++] = start[root];
      while (frames > 0) {
        const v = frameVertex[frames - 1];
        const e = frameEdge[frames - 1];
        if (e < start[v + 1]) {
          frameEdge[frames - 1] = e + 1;
          const w = target[e];
          if ((label[e] & mask) === 0 || mark[w] !== region) continue;
          if (index[w] === -1) {
            index[w] = low[w] = counter++;
            stack[depth++] = w;
            onStack[w] = 1;
            frameVertex[frames] = w;
            frameEdge[frames++] = start[w];
          } else if (onStack[w] === 1 && index[w] < low[v]) {
            low[v] = index[w];
          }
          continue;
        }
        frames--;
        if (low[v] === index[v]) {
          let bottom = depth - 1;
          while (stack[bottom] !== v) bottom--;
          for (let k = bottom; k < depth; k++) onStack[stack[k]] = 0;
          if (depth - bottom >= 2) found.push(stack.slice(bottom, depth));
          depth = bottom;
        }
        if (frames > 0) {
          const parent = frameVertex[frames - 1];
          if (low[v] < low[parent]) low[parent] = low[v];
        }
      }
    }
    return found.sort((x, y) => x.length - y.length || x[0] - y[0]);
  }
}
