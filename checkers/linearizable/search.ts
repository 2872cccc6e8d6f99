// The Wing–Gong–Lowe search for one (sub-)history, as in Lowe's "Testing for linearizability" and
// Porcupine's checkSingle: a doubly linked list of call and return entries in time order; linearizing
// an op lifts its entries out of the list, backtracking puts them back. Configurations already seen
// are skipped (see configurations.ts); indeterminate ops are tried only when nothing else fits, and
// interchangeable ones only in call order. It runs in slices of steps so that the caller can
// interleave several parts and stop on a budget.
import { clearBit, hasBit, setBit, WindowedBits, wordsFor, zobristKeys } from './bitset.ts';
import { ConfigurationCache } from './configurations.ts';
import { ILLEGAL, type Model, type Operation } from './model.ts';

export type SearchStatus = 'searching' | 'linearizable' | 'not-linearizable';

/** The longest linearization found so far, and the op that could not be placed after it. */
export interface LongestPrefix<S> {
  /** Operation positions (in the part's operation list), in linearization order. */
  order: number[];
  /** The state the search started from (the model's initial state, or a segment's start). */
  initial: S;
  state: S;
  /** The op whose return came first among those not linearized; -1 when there is none. */
  blocked: number;
}

/**
 * Where a search ends when it has linearized every determinate op: the model state, and the indeterminate
 * ops it left out (they may still take effect later). A segment's search collects all of them.
 */
export interface EndConfiguration<S, I, O> {
  state: S;
  pending: Operation<I, O>[];
}

/** 'first': stop at the first linearization; 'all': collect every distinct end configuration. */
export type SearchMode = 'first' | 'all';

const NONE = -1;

// Entry ids: op k's call is 2k and its return 2k + 1; the list head is 2n. Indeterminate ops have no
// return entry: their return is at +infinity, and they need not be linearized at all.
export class PartSearch<S, I, O> {
  readonly operations: Operation<I, O>[];
  private readonly model: Model<S, I, O>;
  private readonly head: number;
  private readonly next: Int32Array;
  private readonly prev: Int32Array;
  /** Per op: its bit in the determinate set, or -1 when indeterminate. */
  private readonly finiteSlot: Int32Array;
  /** Per op: its bit in the indeterminate set, or -1 when determinate. */
  private readonly infoSlot: Int32Array;
  /**
   * Per indeterminate op: the previous indeterminate op with the same interchange key, or -1. Such
   * twins have the same effect and both stay open to the end, so only call order is tried: the earlier
   * twin first.
   */
  private readonly twinBefore: Int32Array;
  private readonly zobrist: Int32Array;
  private readonly finiteCount: number;
  private readonly finiteBits: WindowedBits;
  private readonly infoBits: Uint32Array;
  private readonly cache: ConfigurationCache<S>;
  private readonly stackEntry: Int32Array;
  private readonly stackState: (S | undefined)[];

  private entry: number;
  /** Whether the scan is in its second pass, over indeterminate candidates. */
  private infoPass = false;
  private state: S;
  private readonly initialState: S;
  private depth = 0;
  private finiteHash = 0;
  private finiteDone = 0;
  /** Read by the scheduler; changed only by run(). */
  status: SearchStatus = 'searching';
  /** Loop iterations so far: one per candidate considered and one per backtrack. */
  steps = 0;
  private longestSoFar: LongestPrefix<S>;
  private longestDepth = 0;
  /** True while the stack holds a prefix longer than longestSoFar (copied lazily, on the way back). */
  private longerOnStack = false;
  private readonly mode: SearchMode;
  /** In 'all' mode: the end configurations found so far. */
  readonly ends: EndConfiguration<S, I, O>[] = [];

  constructor(
    model: Model<S, I, O>,
    operations: Operation<I, O>[],
    initial?: { state: S },
    mode: SearchMode = 'first',
  ) {
    this.model = model;
    this.mode = mode;
    this.operations = [...operations].sort((a, b) => a.call - b.call);
    const n = this.operations.length;
    this.head = 2 * n;
    this.next = new Int32Array(2 * n + 1).fill(NONE);
    this.prev = new Int32Array(2 * n + 1).fill(NONE);
    this.finiteSlot = new Int32Array(n).fill(NONE);
    this.infoSlot = new Int32Array(n).fill(NONE);
    this.twinBefore = new Int32Array(n).fill(NONE);

    let finiteCount = 0;
    let infoCount = 0;
    const lastTwin = new Map<string, number>();
    this.operations.forEach((op, k) => {
      if (op.ret !== Infinity) {
        this.finiteSlot[k] = finiteCount++;
        return;
      }
      this.infoSlot[k] = infoCount++;
      const key =
        model.interchangeKey === undefined ? (JSON.stringify(op.input) ?? '') : model.interchangeKey(op.input);
      this.twinBefore[k] = lastTwin.get(key) ?? NONE;
      lastTwin.set(key, k);
    });
    this.finiteCount = finiteCount;
    this.zobrist = zobristKeys(finiteCount);
    this.finiteBits = new WindowedBits(finiteCount);
    this.infoBits = new Uint32Array(wordsFor(infoCount));
    this.cache = new ConfigurationCache(this.infoBits.length, (a, b) => model.equal(a, b));
    this.stackEntry = new Int32Array(n);
    this.stackState = new Array<S | undefined>(n).fill(undefined);
    this.linkEntries();

    this.state = initial === undefined ? model.init() : initial.state;
    this.initialState = this.state;
    this.entry = this.next[this.head];
    this.longestSoFar = { order: [], initial: this.state, state: this.state, blocked: this.firstReturn() };
    if (finiteCount === 0) {
      this.status = 'linearizable';
      if (mode === 'all') this.ends.push({ state: this.state, pending: this.pendingInfo() });
    }
  }

  get statesExplored(): number {
    return this.cache.size;
  }

  private linkEntries(): void {
    const events: Array<[time: number, entry: number]> = [];
    this.operations.forEach((op, k) => {
      events.push([op.call, 2 * k]);
      if (op.ret !== Infinity) events.push([op.ret, 2 * k + 1]);
    });
    // Ties cannot come from one history (events have distinct positions); calls first is the lenient choice.
    events.sort((a, b) => a[0] - b[0] || (a[1] & 1) - (b[1] & 1));
    let last = this.head;
    for (const [, entry] of events) {
      this.next[last] = entry;
      this.prev[entry] = last;
      last = entry;
    }
  }

  /**
   * Runs at most `budget` steps; returns the status after them. The candidates of a configuration (the
   * calls before the first return entry) are tried in two passes: ops with known outcomes first, then
   * indeterminate ones. Indeterminate ops are so linearized only when nothing else fits, which keeps
   * the search from guessing their effects long before anything observes them.
   */
  run(budget: number): SearchStatus {
    if (this.status !== 'searching') return this.status;
    const { model, operations, next, prev, finiteSlot, infoSlot, twinBefore, zobrist, finiteBits, infoBits } = this;
    const { cache, stackEntry, stackState, head } = this;
    let { entry, infoPass, state, depth, finiteHash, finiteDone } = this;
    let steps = 0;

    while (steps < budget) {
      steps++;
      if (entry === NONE || (entry & 1) === 1) {
        // A return entry (or the end of the list): its op had to be linearized by now.
        if (!infoPass) {
          // No determinate candidate fits: try the indeterminate ones.
          infoPass = true;
          entry = next[head];
          continue;
        }
        // No candidate fits at all: undo the last choice and try the candidates after it.
        if (depth === 0) {
          // In 'all' mode the search is over: it succeeded if it found any end.
          this.status = this.ends.length > 0 ? 'linearizable' : 'not-linearizable';
          break;
        }
        if (this.longerOnStack) this.copyLongest(depth, state);
        depth--;
        const lifted = stackEntry[depth];
        state = stackState[depth] as S;
        stackState[depth] = undefined;
        const k = lifted >> 1;
        const slot = finiteSlot[k];
        if (slot !== NONE) {
          finiteBits.clear(slot);
          finiteHash ^= zobrist[slot];
          finiteDone--;
          const ret = lifted + 1;
          next[prev[ret]] = ret;
          if (next[ret] !== NONE) prev[next[ret]] = ret;
        } else {
          clearBit(infoBits, infoSlot[k]);
        }
        next[prev[lifted]] = lifted;
        if (next[lifted] !== NONE) prev[next[lifted]] = lifted;
        entry = next[lifted];
        infoPass = slot === NONE;
        continue;
      }

      const k = entry >> 1;
      const slot = finiteSlot[k];
      const skip =
        slot === NONE ? !infoPass || (twinBefore[k] !== NONE && !hasBit(infoBits, infoSlot[twinBefore[k]])) : infoPass;
      if (skip) {
        entry = next[entry];
        continue;
      }
      const op = operations[k];
      const after = model.step(state, op.input, op.output);
      if (after === ILLEGAL) {
        entry = next[entry];
        continue;
      }
      let admitted: boolean;
      if (slot !== NONE) {
        finiteBits.set(slot);
        admitted = cache.admit(finiteHash ^ zobrist[slot], finiteBits, infoBits, after, model.hash(after));
        if (!admitted) finiteBits.clear(slot);
      } else {
        setBit(infoBits, infoSlot[k]);
        admitted = cache.admit(finiteHash, finiteBits, infoBits, after, model.hash(after));
        if (!admitted) clearBit(infoBits, infoSlot[k]);
      }
      if (!admitted) {
        entry = next[entry];
        continue;
      }

      // Linearize op k: remember how to undo, and lift its entries out of the list.
      stackEntry[depth] = entry;
      stackState[depth] = state;
      depth++;
      state = after;
      next[prev[entry]] = next[entry];
      if (next[entry] !== NONE) prev[next[entry]] = prev[entry];
      if (slot !== NONE) {
        finiteHash ^= zobrist[slot];
        finiteDone++;
        const ret = entry + 1;
        next[prev[ret]] = next[ret];
        if (next[ret] !== NONE) prev[next[ret]] = prev[ret];
        if (finiteDone === this.finiteCount) {
          if (this.mode === 'first') {
            this.status = 'linearizable';
            this.copyLongest(depth, state);
            break;
          }
          // Record the end and go back for the others: the indeterminate ops still open are better left
          // open (they may take effect in the next segment), so none is tried after the last determinate one.
          this.ends.push({ state, pending: this.pendingInfo() });
          entry = NONE;
          infoPass = true;
          continue;
        }
      }
      if (depth > this.longestDepth) {
        this.longestDepth = depth;
        this.longerOnStack = true;
      }
      entry = next[head];
      infoPass = false;
    }

    this.entry = entry;
    this.infoPass = infoPass;
    this.state = state;
    this.depth = depth;
    this.finiteHash = finiteHash;
    this.finiteDone = finiteDone;
    this.steps += steps;
    return this.status;
  }

  /** The longest linearizable prefix found so far. */
  longest(): LongestPrefix<S> {
    if (this.longerOnStack) this.copyLongest(this.depth, this.state);
    return this.longestSoFar;
  }

  private copyLongest(depth: number, state: S): void {
    const order: number[] = [];
    for (let i = 0; i < depth; i++) order.push(this.stackEntry[i] >> 1);
    this.longestSoFar = { order, initial: this.initialState, state, blocked: this.firstReturn() };
    this.longestDepth = depth;
    this.longerOnStack = false;
  }

  /** The indeterminate ops not linearized in the current configuration. */
  private pendingInfo(): Operation<I, O>[] {
    const pending: Operation<I, O>[] = [];
    this.operations.forEach((op, k) => {
      const slot = this.infoSlot[k];
      if (slot !== NONE && !hasBit(this.infoBits, slot)) pending.push(op);
    });
    return pending;
  }

  /** The op of the first return entry still in the list. */
  private firstReturn(): number {
    let e = this.next[this.head];
    while (e !== NONE && (e & 1) === 0) e = this.next[e];
    return e === NONE ? NONE : e >> 1;
  }
}
