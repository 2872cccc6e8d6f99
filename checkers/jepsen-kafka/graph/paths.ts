// Shortest paths inside a region by breadth-first search, for closing cycles: a cycle through edge u → v is
// that edge and a path v ⇝ u. Searches spend from a budget of edge visits, so one huge component cannot
// make the check run for ever (Elle gives each component a time limit instead; edge visits keep kafkasim
// deterministic).
import type { Arena } from '../arena.ts';
import type { Digraph } from './digraph.ts';
import type { Regions } from './scc.ts';

/** A cycle: edges[i] goes from vertices[i] to vertices[i + 1], the last one back to vertices[0]. */
export interface Cycle {
  vertices: number[];
  edges: number[];
}

/** Where a search may go: the vertices of one region. */
export interface Within {
  regions: Regions;
  region: number;
}

export class Budget {
  constructor(public remaining: number) {}

  get exhausted(): boolean {
    return this.remaining <= 0;
  }
}

export class PathFinder {
  private readonly seen: Int32Array;
  private readonly parentState: Int32Array;
  private readonly parentEdge: Int32Array;
  private readonly queue: Int32Array;
  private search = 0;

  constructor(
    private readonly g: Digraph,
    arena: Arena,
  ) {
    // Two states per vertex: for a path that must use a counted relation, before and after using it.
    const states = 2 * g.vertices;
    this.seen = arena.int32(states).fill(-1);
    this.parentState = arena.int32(states);
    this.parentEdge = arena.int32(states);
    this.queue = arena.int32(states);
  }

  /** A shortest path from → to inside a region through edges labelled with a relation in `mask`, or null. */
  path(from: number, to: number, mask: number, within: Within, budget: Budget): Cycle | null {
    return this.bfs(from, to, mask, 0, within, budget);
  }

  /**
   * A shortest walk from → to inside a region, through edges labelled with a relation in `mask`, that uses at
   * least one edge labelled `counted`. A walk may pass a vertex twice (once before, once after).
   */
  pathThrough(from: number, to: number, mask: number, counted: number, within: Within, budget: Budget): Cycle | null {
    return this.bfs(from, to, mask, counted, within, budget);
  }

  private bfs(from: number, to: number, mask: number, counted: number, within: Within, budget: Budget): Cycle | null {
    const { start, target, label } = this.g;
    const { seen, parentState, parentEdge, queue } = this;
    const mark = within.regions.mark;
    const region = within.region;
    const id = this.search++;
    const goal = 2 * to + (counted === 0 ? 0 : 1);
    let head = 0;
    let tail = 0;
    queue[tail++] = 2 * from;
    seen[2 * from] = id;
    while (head < tail) {
      const state = queue[head++];
      const v = state >> 1;
      const layer = state & 1;
      budget.remaining -= start[v + 1] - start[v];
      if (budget.remaining < 0) return null;
      for (let e = start[v]; e < start[v + 1]; e++) {
        const w = target[e];
        const relation = label[e] & mask;
        if (relation === 0 || mark[w] !== region) continue;
        const next = 2 * w + (layer | (relation === counted ? 1 : 0));
        if (seen[next] === id) continue;
        seen[next] = id;
        parentState[next] = state;
        parentEdge[next] = e;
        if (next === goal) return this.unwind(from, goal);
        queue[tail++] = next;
      }
    }
    return null;
  }

  /** The path to `goal`, as vertices from `from` (the goal's vertex left out) and the edges between them. */
  private unwind(from: number, goal: number): Cycle {
    const vertices: number[] = [];
    const edges: number[] = [];
    let state = goal;
    do {
      edges.push(this.parentEdge[state]);
      state = this.parentState[state];
      vertices.push(state >> 1);
    } while (state !== 2 * from);
    return { vertices: vertices.reverse(), edges: edges.reverse() };
  }
}

/**
 * Splits a closed walk into simple cycles: walking it, the first vertex met again closes the cycle since its
 * last visit, which is cut out. Each returned cycle visits every vertex once.
 */
export function simpleCycles(walk: Cycle): Cycle[] {
  const cycles: Cycle[] = [];
  const stackVertices: number[] = [];
  const stackEdges: number[] = [];
  const at = new Map<number, number>();
  const n = walk.vertices.length;
  for (let i = 0; i <= n; i++) {
    const v = walk.vertices[i % n];
    const seenAt = at.get(v);
    if (seenAt !== undefined) {
      cycles.push({ vertices: stackVertices.splice(seenAt), edges: stackEdges.splice(seenAt) });
      for (const cut of cycles[cycles.length - 1].vertices) at.delete(cut);
    }
    if (i === n) break;
    at.set(v, stackVertices.length);
    stackVertices.push(v);
    stackEdges.push(walk.edges[i]);
  }
  return cycles;
}
