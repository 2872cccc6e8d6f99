// Cycle search as Elle does it (elle.txn/cycles): strongly connected components of the whole graph first,
// then inside each component a search for each kind of cycle in turn, mildest first, skipping the kinds a
// cycle already found implies (Elle's implied-anomalies: a G0 is also a G1c and a G0-realtime; a G-single is
// also a G2-item). Each component reports at most one cycle of each kind.
//
// Each search is linear in the component (or one breadth-first search per rw edge), because it relies on the
// kinds searched before it: in a component with no G0, any cycle of ww and wr edges has a wr edge, so it is
// a G1c; with no G-single, a walk through two rw edges splits into simple cycles one of which has two.
import type { Arena } from './arena.ts';
import { RT, RW, WR, WW, type Digraph } from './graph/digraph.ts';
import { Budget, PathFinder, simpleCycles, type Cycle, type Within } from './graph/paths.ts';
import { Regions, SccFinder } from './graph/scc.ts';

export const CYCLE_KINDS = [
  'G0',
  'G1c',
  'G-single',
  'G2-item',
  'G0-realtime',
  'G1c-realtime',
  'G-single-realtime',
  'G2-item-realtime',
] as const;
export type CycleKind = (typeof CYCLE_KINDS)[number];

/** Elle's implied-anomalies among these kinds: finding the key also shows each kind listed. */
export const IMPLIES: Partial<Record<CycleKind, CycleKind[]>> = {
  G0: ['G1c', 'G0-realtime', 'G1c-realtime'],
  G1c: ['G1c-realtime'],
  'G-single': ['G2-item', 'G-single-realtime', 'G2-item-realtime'],
  'G2-item': ['G2-item-realtime'],
  'G0-realtime': ['G1c-realtime'],
  'G-single-realtime': ['G2-item-realtime'],
};

/** Kinds whose cycles have rw edges, which exist only with rw-deps. */
const NEEDS_RW: ReadonlySet<CycleKind> = new Set(['G-single', 'G2-item', 'G-single-realtime', 'G2-item-realtime']);

export interface FoundCycle {
  kind: CycleKind;
  cycle: Cycle;
}

export interface CycleSearch {
  found: FoundCycle[];
  /** Sizes of the components whose search ran out of budget before every kind was searched. */
  timeouts: number[];
  /** Components of two or more ops, and the largest one's size. */
  components: number;
  largest: number;
}

export function searchCycles(g: Digraph, rwDeps: boolean, budgetPerComponent: number, arena: Arena): CycleSearch {
  const sccs = new SccFinder(g, arena);
  const top = new Regions(g.vertices, arena);
  const all = arena.int32(g.vertices);
  for (let v = 0; v < g.vertices; v++) all[v] = v;
  const components = sccs.components(all, WW | WR | RW | RT, top, top.of(all));
  const result: CycleSearch = { found: [], timeouts: [], components: components.length, largest: 0 };
  if (components.length === 0) return result;
  // Only now the search's own arrays: most histories have no cycle, and big arrays cost collections.
  const search = new ComponentSearch(g, sccs, rwDeps, arena);
  for (const component of components) {
    result.largest = Math.max(result.largest, component.length);
    const budget = new Budget(budgetPerComponent);
    const within = { regions: top, region: top.of(component) };
    const skip = new Set<CycleKind>();
    for (const kind of CYCLE_KINDS) {
      if (skip.has(kind) || (!rwDeps && NEEDS_RW.has(kind))) continue;
      const found = search.find(kind, component, within, budget);
      if (budget.exhausted) {
        result.timeouts.push(component.length);
        break;
      }
      if (found === null) continue;
      const named = classify(g, found.cycle);
      result.found.push({ kind: named, cycle: found.cycle });
      for (const implied of [kind, named, ...(IMPLIES[kind] ?? []), ...(IMPLIES[named] ?? [])]) skip.add(implied);
    }
  }
  return result;
}

/** Elle's cycle explainer: the kind a cycle is, from the relations its edges are named by. */
export function classify(g: Digraph, cycle: Cycle): CycleKind {
  let ww = 0;
  let wr = 0;
  let rw = 0;
  let rt = 0;
  for (const e of cycle.edges) {
    const relation = g.label[e];
    if (relation === WW) ww++;
    else if (relation === WR) wr++;
    else if (relation === RW) rw++;
    else rt++;
  }
  const data = rw === 1 ? 'G-single' : rw > 1 ? 'G2-item' : wr > 0 ? 'G1c' : 'G0';
  // A cycle of realtime edges alone cannot happen: realtime order is acyclic.
  return (rt > 0 && ww + wr + rw > 0 ? `${data}-realtime` : data) as CycleKind;
}

class ComponentSearch {
  private readonly sub: Regions;
  private readonly paths: PathFinder;

  constructor(
    private readonly g: Digraph,
    private readonly sccs: SccFinder,
    private readonly rwDeps: boolean,
    arena: Arena,
  ) {
    this.sub = new Regions(g.vertices, arena);
    this.paths = new PathFinder(g, arena);
  }

  find(kind: CycleKind, component: Int32Array, within: Within, budget: Budget): FoundCycle | null {
    switch (kind) {
      case 'G0':
        return this.anyCycle(kind, component, within, WW);
      case 'G1c':
        return this.anyCycle(kind, component, within, WW | WR);
      case 'G0-realtime':
        return this.anyCycle(kind, component, within, WW | RT);
      case 'G1c-realtime':
        return this.anyCycle(kind, component, within, WW | WR | RT);
      case 'G-single':
        return this.oneReadWrite(kind, component, within, WW | WR, budget);
      case 'G-single-realtime':
        return this.oneReadWrite(kind, component, within, WW | WR | RT, budget);
      case 'G2-item':
        return this.twoReadWrites(kind, component, within, WW | WR | RW, budget);
      case 'G2-item-realtime':
        return this.twoReadWrites(kind, component, within, WW | WR | RW | RT, budget);
    }
  }

  /** Some cycle through edges of `mask`: in the smallest component of that subgraph, an edge and a way back. */
  private anyCycle(kind: CycleKind, component: Int32Array, within: Within, mask: number): FoundCycle | null {
    const inner = this.sccs.components(component, mask, within.regions, within.region);
    if (inner.length === 0) return null;
    const smallest = { regions: this.sub, region: this.sub.of(inner[0]) };
    const u = inner[0][0];
    const e = this.edgeWithin(u, mask, smallest);
    // Inside a strongly connected region every edge is on a cycle, so the way back exists.
    const back = this.paths.path(this.g.target[e], u, mask, smallest, new Budget(Infinity)) as Cycle;
    return { kind, cycle: { vertices: [u, ...back.vertices], edges: [e, ...back.edges] } };
  }

  /** A cycle of exactly one rw edge u → v: a way back v ⇝ u through `dataMask` edges (no rw). */
  private oneReadWrite(
    kind: CycleKind,
    component: Int32Array,
    within: Within,
    dataMask: number,
    budget: Budget,
  ): FoundCycle | null {
    const mask = dataMask | RW;
    const candidates = this.readWriteEdges(component, within, mask);
    // First the cheap case: both ends in one strongly connected part of the data subgraph.
    const parts = this.sccs.components(component, dataMask, within.regions, within.region);
    const first = parts.length === 0 ? 0 : this.sub.of(parts[0]);
    for (let i = 1; i < parts.length; i++) this.sub.of(parts[i]);
    const mark = this.sub.mark;
    for (const [u, e] of candidates) {
      const v = this.g.target[e];
      if (parts.length > 0 && mark[u] >= first && mark[u] === mark[v]) {
        const part = { regions: this.sub, region: mark[u] };
        const back = this.paths.path(v, u, dataMask, part, new Budget(Infinity)) as Cycle;
        return { kind, cycle: { vertices: [u, ...back.vertices], edges: [e, ...back.edges] } };
      }
    }
    for (const [u, e] of candidates) {
      const back = this.paths.path(this.g.target[e], u, dataMask, within, budget);
      if (budget.exhausted) return null;
      if (back !== null) return { kind, cycle: { vertices: [u, ...back.vertices], edges: [e, ...back.edges] } };
    }
    return null;
  }

  /** A cycle of two or more rw edges, found as a closed walk through two and split into simple cycles. */
  private twoReadWrites(
    kind: CycleKind,
    component: Int32Array,
    within: Within,
    mask: number,
    budget: Budget,
  ): FoundCycle | null {
    for (const [u, e] of this.readWriteEdges(component, within, mask)) {
      const back = this.paths.pathThrough(this.g.target[e], u, mask, RW, within, budget);
      if (budget.exhausted) return null;
      if (back === null) continue;
      const walk = { vertices: [u, ...back.vertices], edges: [e, ...back.edges] };
      for (const cycle of simpleCycles(walk)) {
        const rws = cycle.edges.filter((edge) => this.g.label[edge] === RW).length;
        if (rws >= 2) return { kind, cycle };
      }
    }
    return null;
  }

  /** Edges inside the component that Elle would name rw under `mask`, as [source, edge] pairs. */
  private readWriteEdges(component: Int32Array, within: Within, mask: number): [number, number][] {
    if (!this.rwDeps) return [];
    const out: [number, number][] = [];
    const { start, target, label } = this.g;
    for (const u of component) {
      for (let e = start[u]; e < start[u + 1]; e++) {
        if (within.regions.mark[target[e]] === within.region && (label[e] & mask) === RW) out.push([u, e]);
      }
    }
    return out;
  }

  /** An edge out of u through `mask` whose end is inside `within`. */
  private edgeWithin(u: number, mask: number, within: Within): number {
    const { start, target, label } = this.g;
    for (let e = start[u]; e < start[u + 1]; e++) {
      if ((label[e] & mask) !== 0 && within.regions.mark[target[e]] === within.region) return e;
    }
    return -1;
  }
}
