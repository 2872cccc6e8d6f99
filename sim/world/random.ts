// Named, independent random streams forked from one seed. A stream's sequence depends only on the seed
// and its name, so a component that draws more (or less) never shifts another component's draws.
import seedrandom from 'seedrandom';
import type { Seed } from './seed.ts';
import { seedText } from './seed.ts';

/** The state of seedrandom's Alea generator, as its `state: true` option exports it. */
interface AleaState {
  s0: number;
  s1: number;
  s2: number;
  c: number;
}

export class Random {
  // Alea's state, stepped here rather than through seedrandom's per-instance closure: with thousands of
  // streams (one per link) a closure per stream makes every call site megamorphic and several times slower.
  // The sequence is exactly seedrandom.alea(path)'s.
  private s0: number;
  private s1: number;
  private s2: number;
  private c: number;
  /** Values drawn so far; part of a run's fingerprint. */
  draws = 0;

  private constructor(readonly path: string) {
    const state = seedrandom.alea(path, { state: true }).state() as unknown as AleaState;
    this.s0 = state.s0;
    this.s1 = state.s1;
    this.s2 = state.s2;
    this.c = state.c;
  }

  private next(): number {
    this.draws++;
    const t = 2091639 * this.s0 + this.c * 2.3283064365386963e-10; // 2^-32
    this.s0 = this.s1;
    this.s1 = this.s2;
    this.c = t | 0;
    this.s2 = t - this.c;
    return this.s2;
  }

  /** The root stream of a run. Fork named children rather than drawing from the root directly. */
  static root(seed: Seed): Random {
    return new Random(`kafkasim:${seedText(seed)}`);
  }

  /** An independent stream named `name` under this one (e.g. root.fork('network').fork('link:1->2')). */
  fork(name: string): Random {
    return new Random(`${this.path}/${name}`);
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.next();
  }

  /** Uniform integer in [min, max] (both inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability p. Draws even when p is 0 or 1, so a stream's position does not depend on p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError(`pick from an empty list (stream ${this.path})`);
    return items[Math.floor(this.next() * items.length)];
  }

  /** A new array with the items in a random order (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const t = out[i];
      out[i] = out[j];
      out[j] = t;
    }
    return out;
  }

  /** A random subset, each item kept with probability p, order preserved. */
  subset<T>(items: readonly T[], p: number): T[] {
    return items.filter(() => this.next() < p);
  }

  /** Exponential with the given mean. */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }

  /** Standard normal via Box–Muller (one value per call, so the stream position stays simple). */
  normal(mean: number, stddev: number): number {
    const u = 1 - this.next();
    const v = this.next();
    return mean + stddev * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** A 32-bit value, e.g. for the "unseed" that closes a run and proves every draw was reproduced. */
  uint32(): number {
    return Math.floor(this.next() * 4294967296) >>> 0;
  }
}
