// The memo of the search: configurations already explored, so that no (linearized ops, state) pair is
// explored twice. Ops with a known outcome must all be linearized; indeterminate ops need not be, so
// a configuration is also skipped when one with the same determinate ops and state, and a subset of
// its indeterminate ops, was seen: anything reachable from the larger one is reachable from the smaller.
// The determinate set is stored as its window (WindowedBits), so an entry costs about the concurrency,
// not the length of the history.
import { subsetAt, supersetAt, type WindowedBits } from './bitset.ts';
import { combineHash } from './models/values.ts';

const NONE = -1;

export class ConfigurationCache<S> {
  private readonly infoWords: number;
  private readonly equal: (a: S, b: S) => boolean;
  /** Hash of (determinate set, state) → first entry of its chain. */
  private readonly buckets = new Map<number, number>();
  private chain = new Int32Array(1024);
  private stateHashes = new Int32Array(1024);
  /** Per entry: where its window starts in finiteArena, its length, and its low word. */
  private windowAt = new Int32Array(1024);
  private windowLength = new Int32Array(1024);
  private windowLow = new Int32Array(1024);
  private finiteArena = new Uint32Array(1024);
  private finiteUsed = 0;
  private infoArena: Uint32Array;
  private readonly states: S[] = [];
  size = 0;

  constructor(infoWords: number, equal: (a: S, b: S) => boolean) {
    this.infoWords = infoWords;
    this.equal = equal;
    this.infoArena = new Uint32Array(1024 * infoWords);
  }

  private sameWindow(e: number, finite: WindowedBits): boolean {
    const length = finite.windowLength;
    if (this.windowLow[e] !== finite.low || this.windowLength[e] !== length) return false;
    const at = this.windowAt[e];
    const { words, low } = finite;
    for (let i = 0; i < length; i++) if (this.finiteArena[at + i] !== words[low + i]) return false;
    return true;
  }

  /**
   * Records the configuration and returns true, or returns false when an equal or smaller one was
   * recorded before (nothing new can be reached from it).
   */
  admit(finiteHash: number, finite: WindowedBits, info: Uint32Array, state: S, stateHash: number): boolean {
    const key = combineHash(finiteHash, stateHash);
    const first = this.buckets.get(key);
    for (let e = first ?? NONE; e !== NONE; e = this.chain[e]) {
      if (this.stateHashes[e] !== stateHash) continue;
      if (!this.sameWindow(e, finite)) continue;
      if (!this.equal(this.states[e], state)) continue;
      const infoAt = e * this.infoWords;
      if (subsetAt(this.infoArena, infoAt, info)) return false;
      if (supersetAt(this.infoArena, infoAt, info)) {
        // The new configuration dominates the recorded one: keep the smaller set in its place.
        this.infoArena.set(info, infoAt);
        return true;
      }
    }
    const e = this.size++;
    if (e === this.chain.length) this.grow();
    this.chain[e] = first ?? NONE;
    this.stateHashes[e] = stateHash;
    const length = finite.windowLength;
    if (this.finiteUsed + length > this.finiteArena.length) {
      const arena = new Uint32Array(Math.max(2 * this.finiteArena.length, this.finiteUsed + length));
      arena.set(this.finiteArena);
      this.finiteArena = arena;
    }
    this.finiteArena.set(finite.words.subarray(finite.low, finite.low + length), this.finiteUsed);
    this.windowAt[e] = this.finiteUsed;
    this.windowLength[e] = length;
    this.windowLow[e] = finite.low;
    this.finiteUsed += length;
    this.infoArena.set(info, e * this.infoWords);
    this.states.push(state);
    this.buckets.set(key, e);
    return true;
  }

  private grow(): void {
    const capacity = this.chain.length * 2;
    const chain = new Int32Array(capacity);
    chain.set(this.chain);
    this.chain = chain;
    const stateHashes = new Int32Array(capacity);
    stateHashes.set(this.stateHashes);
    this.stateHashes = stateHashes;
    for (const name of ['windowAt', 'windowLength', 'windowLow'] as const) {
      const grown = new Int32Array(capacity);
      grown.set(this[name]);
      this[name] = grown;
    }
    const infoArena = new Uint32Array(capacity * this.infoWords);
    infoArena.set(this.infoArena);
    this.infoArena = infoArena;
  }
}
