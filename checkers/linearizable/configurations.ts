// The memo of the search: configurations already explored, so that no (linearized ops, state) pair is
// explored twice. Ops with a known outcome must all be linearized; indeterminate ops need not be, so
// a configuration is also skipped when one with the same determinate ops and state, and a subset of
// its indeterminate ops, was seen: anything reachable from the larger one is reachable from the smaller.
import { equalsAt, subsetAt, supersetAt } from './bitset.ts';
import { combineHash } from './models/values.ts';

const NONE = -1;

export class ConfigurationCache<S> {
  private readonly finiteWords: number;
  private readonly infoWords: number;
  private readonly equal: (a: S, b: S) => boolean;
  /** Hash of (determinate set, state) → first entry of its chain. */
  private readonly buckets = new Map<number, number>();
  private chain = new Int32Array(1024);
  private stateHashes = new Int32Array(1024);
  private finiteArena: Uint32Array;
  private infoArena: Uint32Array;
  private readonly states: S[] = [];
  size = 0;

  constructor(finiteWords: number, infoWords: number, equal: (a: S, b: S) => boolean) {
    this.finiteWords = finiteWords;
    this.infoWords = infoWords;
    this.equal = equal;
    this.finiteArena = new Uint32Array(1024 * finiteWords);
    this.infoArena = new Uint32Array(1024 * infoWords);
  }

  /**
   * Records the configuration and returns true, or returns false when an equal or smaller one was
   * recorded before (nothing new can be reached from it).
   */
  admit(finiteHash: number, finite: Uint32Array, info: Uint32Array, state: S, stateHash: number): boolean {
    const key = combineHash(finiteHash, stateHash);
    const first = this.buckets.get(key);
    for (let e = first ?? NONE; e !== NONE; e = this.chain[e]) {
      if (this.stateHashes[e] !== stateHash) continue;
      if (!equalsAt(this.finiteArena, e * this.finiteWords, finite)) continue;
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
    this.finiteArena.set(finite, e * this.finiteWords);
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
    const finiteArena = new Uint32Array(capacity * this.finiteWords);
    finiteArena.set(this.finiteArena);
    this.finiteArena = finiteArena;
    const infoArena = new Uint32Array(capacity * this.infoWords);
    infoArena.set(this.infoArena);
    this.infoArena = infoArena;
  }
}
