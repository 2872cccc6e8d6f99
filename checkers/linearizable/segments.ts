// One part's search, split at quiescent points: where every determinate op invoked so far has returned
// before the next op is invoked, every linearization must place the ops before that point first. So the
// part is searched segment by segment, each from every configuration the previous one can end in (its
// state, and the indeterminate ops that have not taken effect yet, which may still do so later), and
// only one segment's search is in memory at a time: memory follows concurrency, not history length.
// A segment whose ends are too many or too costly to list falls back to one search of everything left.
import type { Model, Operation } from './model.ts';
import { PartSearch, type EndConfiguration, type LongestPrefix, type SearchStatus } from './search.ts';

/** A segment is cut only once it holds this many ops: tiny segments cost more to set up than to search. */
const MIN_SEGMENT_OPS = 64;
/** Past this many distinct end configurations, listing them costs more than searching on: fall back. */
const MAX_FRONTIER = 256;
/** Steps an 'all' search of a segment may take per op (plus a constant) before falling back. */
const ALL_STEPS_PER_OP = 100;
const ALL_STEPS_BASE = 10_000;

/** Ops sorted by call, cut where no determinate op is open and the segment has at least `minOps`. */
export function quiescentSegments<I, O>(operations: Operation<I, O>[], minOps = MIN_SEGMENT_OPS): Operation<I, O>[][] {
  const sorted = [...operations].sort((a, b) => a.call - b.call);
  const segments: Operation<I, O>[][] = [];
  let current: Operation<I, O>[] = [];
  let lastReturn = -Infinity;
  let determinate = 0;
  for (const op of sorted) {
    if (determinate > 0 && current.length >= minOps && lastReturn < op.call) {
      segments.push(current);
      current = [];
      determinate = 0;
    }
    current.push(op);
    if (op.ret !== Infinity) {
      determinate++;
      if (op.ret > lastReturn) lastReturn = op.ret;
    }
  }
  if (current.length > 0) segments.push(current);
  return segments;
}

/** What the anomaly needs from a failed search, and how many ops the segments before it linearized. */
export interface FailedSearch<S, I, O> {
  operations: Operation<I, O>[];
  longest(): LongestPrefix<S>;
  /** Ops linearized in the segments before the one that failed. */
  before: number;
}

export class SegmentedSearch<S, I, O> {
  status: SearchStatus = 'searching';
  steps = 0;
  private explored = 0;
  private readonly model: Model<S, I, O>;
  private segments: Operation<I, O>[][];
  private segment = 0;
  private frontier: EndConfiguration<S, I, O>[];
  private frontierIndex = 0;
  /** The next segment's start configurations by state hash; pending ops by id, for the subset test. */
  private readonly nextFrontier = new Map<number, { end: EndConfiguration<S, I, O>; ids: Set<number> }[]>();
  private nextFrontierSize = 0;
  private current: PartSearch<S, I, O> | null = null;
  /** The carried indeterminate ops' copies in the current search, back to the originals. */
  private copies = new Map<Operation<I, O>, Operation<I, O>>();
  private readonly ids = new Map<Operation<I, O>, number>();
  private opsBefore = 0;
  private fellBack = false;
  /** Steps the current 'all' search may take: its cost grows with its ops times the ops carried into it. */
  private allStepLimit = 0;
  private failedSearch: PartSearch<S, I, O> | null = null;
  /** Per value an op can observe (Model.observedKey): the last segment that observes it. */
  private readonly lastObserved: Map<string, number> | null = null;

  /** `split`: false for one segment, true to cut at quiescent points, a number for the least ops per segment. */
  constructor(model: Model<S, I, O>, operations: Operation<I, O>[], split: boolean | number = true) {
    this.model = model;
    if (split === false) this.segments = operations.length === 0 ? [] : [operations];
    else this.segments = quiescentSegments(operations, split === true ? MIN_SEGMENT_OPS : split);
    this.frontier = [{ state: model.init(), pending: [] }];
    if (this.segments.length === 0) this.status = 'linearizable';
    const { observedKey, effectKey } = model;
    if (observedKey !== undefined && effectKey !== undefined) {
      const lastObserved = new Map<string, number>();
      this.segments.forEach((ops, j) => {
        for (const op of ops) {
          const key = observedKey(op.input, op.output);
          if (key !== null) lastObserved.set(key, j);
        }
      });
      this.lastObserved = lastObserved;
    }
  }

  get statesExplored(): number {
    return this.explored + (this.current?.statesExplored ?? 0);
  }

  /** How many segments the part was cut into (1 when it was not, or after a fall back). */
  get segmentCount(): number {
    return this.segments.length;
  }

  /** The search to explain when the status is 'not-linearizable'. */
  failed(): FailedSearch<S, I, O> {
    const search = this.failedSearch;
    if (search === null) throw new Error('no failed search');
    return { operations: search.operations, longest: () => search.longest(), before: this.opsBefore };
  }

  run(budget: number): SearchStatus {
    let left = budget;
    while (this.status === 'searching' && left > 0) {
      const search = this.current ?? this.start();
      const before = search.steps;
      const status = search.run(left);
      left -= search.steps - before;
      this.steps += search.steps - before;
      if (status === 'searching') {
        if (this.isAll() && search.steps > this.allStepLimit) this.fallBack();
        continue;
      }
      this.finishSearch(search, status);
    }
    return this.status;
  }

  private isLast(): boolean {
    return this.segment === this.segments.length - 1;
  }

  private isAll(): boolean {
    return !this.isLast();
  }

  /** The search of the current segment from the current start configuration. */
  private start(): PartSearch<S, I, O> {
    const from = this.frontier[this.frontierIndex];
    // The segment's own crashed ops that nothing from here on observes need not take effect: left out.
    const own = this.segments[this.segment];
    const observedByPending = this.observedKeys([...from.pending, ...own.filter((op) => op.ret === Infinity)]);
    const ops = own.filter((op) => op.ret !== Infinity || this.mayBeObserved(op, observedByPending, this.segment));
    this.copies = new Map();
    // Carried indeterminate ops were invoked before this segment: they may take effect anywhere in it.
    const firstCall = ops.length > 0 ? ops[0].call : 0;
    const carried = from.pending.map((op, i) => {
      const copy = { ...op, call: firstCall - 1 + (i + 1) / (from.pending.length + 1) };
      this.copies.set(copy, op);
      return copy;
    });
    const search = new PartSearch(this.model, [...carried, ...ops], from, this.isAll() ? 'all' : 'first');
    this.allStepLimit = ALL_STEPS_BASE + ALL_STEPS_PER_OP * ops.length * (1 + carried.length);
    this.current = search;
    return search;
  }

  private finishSearch(search: PartSearch<S, I, O>, status: SearchStatus): void {
    this.current = null;
    this.explored += search.statesExplored;
    if (status === 'linearizable') {
      if (this.isLast()) {
        this.status = 'linearizable';
        return;
      }
      for (const end of search.ends) this.addEnd(end);
      if (this.nextFrontierSize > MAX_FRONTIER) {
        this.fallBack();
        return;
      }
    } else if (this.failedSearch === null || search.longest().order.length > this.failedSearch.longest().order.length) {
      this.failedSearch = search;
    }
    this.frontierIndex++;
    if (this.frontierIndex < this.frontier.length) return;
    // Every start configuration of this segment is done.
    if (this.isLast() || this.nextFrontierSize === 0) {
      this.status = 'not-linearizable';
      return;
    }
    this.opsBefore += this.segments[this.segment].length;
    this.segment++;
    this.frontier = [...this.nextFrontier.values()].flat().map((e) => e.end);
    this.frontierIndex = 0;
    this.nextFrontier.clear();
    this.nextFrontierSize = 0;
    this.failedSearch = null;
  }

  /**
   * Adds an end to the next segment's start configurations, unless one with the same state and at least
   * its pending ops is there (anything it reaches, that one reaches too); removes those it so covers.
   */
  private addEnd(end: EndConfiguration<S, I, O>): void {
    const carried = end.pending.map((op) => this.copies.get(op) ?? op);
    const observedByPending = this.observedKeys(carried);
    const pending = carried.filter((op) => this.mayBeObserved(op, observedByPending, this.segment + 1));
    const ids = new Set(pending.map((op) => this.idOf(op)));
    const hash = this.model.hash(end.state);
    const same = this.nextFrontier.get(hash) ?? [];
    const covers = (big: Set<number>, small: Set<number>) => [...small].every((id) => big.has(id));
    const sameState = (e: { end: EndConfiguration<S, I, O> }) => this.model.equal(e.end.state, end.state);
    if (same.some((e) => sameState(e) && covers(e.ids, ids))) return;
    const kept = same.filter((e) => !(sameState(e) && covers(ids, e.ids)));
    kept.push({ end: { state: end.state, pending }, ids });
    this.nextFrontierSize += kept.length - same.length;
    this.nextFrontier.set(hash, kept);
  }

  /**
   * Whether an indeterminate op's effect may still be observed from the next segment on: by an op there,
   * or by another indeterminate op still pending (an unfinished cas may yet need it).
   */
  private mayBeObserved(op: Operation<I, O>, observedByPending: Set<string>, fromSegment: number): boolean {
    if (this.lastObserved === null || this.model.effectKey === undefined) return true;
    const key = this.model.effectKey(op.input);
    return key === null || (this.lastObserved.get(key) ?? -1) >= fromSegment || observedByPending.has(key);
  }

  private observedKeys(ops: Operation<I, O>[]): Set<string> {
    const keys = new Set<string>();
    const observedKey = this.model.observedKey;
    if (this.lastObserved === null || observedKey === undefined) return keys;
    for (const op of ops) {
      const key = observedKey(op.input, op.output);
      if (key !== null) keys.add(key);
    }
    return keys;
  }

  private idOf(op: Operation<I, O>): number {
    let id = this.ids.get(op);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(op, id);
    }
    return id;
  }

  /** Searches everything left as one segment, from each start configuration of the current one. */
  private fallBack(): void {
    if (this.fellBack) return;
    this.fellBack = true;
    if (this.current !== null) this.explored += this.current.statesExplored;
    this.current = null;
    this.segments = [...this.segments.slice(0, this.segment), this.segments.slice(this.segment).flat()];
    this.frontierIndex = 0;
    this.nextFrontier.clear();
    this.nextFrontierSize = 0;
    this.failedSearch = null;
  }
}
