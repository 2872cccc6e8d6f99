// Network cuts shared by several faults at once. Two partition faults may cut the same link; healing
// one must not reconnect what the other still holds cut, so each directed link counts its holders and
// is healed only when the last one lets go.
import type { Network } from '../sim/world/network.ts';

/** A directed link [from, to], as plain data for records. */
export type Link = [string, string];

export class LinkCuts {
  private readonly holders = new Map<string, number>();

  constructor(private readonly net: Network) {}

  private static key(from: string, to: string): string {
    return JSON.stringify([from, to]);
  }

  cut(from: string, to: string): void {
    if (from === to) return;
    const key = LinkCuts.key(from, to);
    const n = this.holders.get(key) ?? 0;
    this.holders.set(key, n + 1);
    if (n === 0) this.net.cut(from, to);
  }

  release(from: string, to: string): void {
    const key = LinkCuts.key(from, to);
    const n = this.holders.get(key) ?? 0;
    if (n <= 1) {
      this.holders.delete(key);
      this.net.healLink(from, to);
    } else {
      this.holders.set(key, n - 1);
    }
  }

  /** Cuts both ways between every node of `a` and every node of `b`; returns the links it cut. */
  cutBetween(a: readonly string[], b: readonly string[]): Link[] {
    const out: Link[] = [];
    for (const x of a) {
      for (const y of b) {
        if (x === y) continue;
        out.push([x, y], [y, x]);
      }
    }
    for (const [from, to] of out) this.cut(from, to);
    return out;
  }

  releaseAll(links: readonly Link[]): void {
    for (const [from, to] of links) this.release(from, to);
  }

  /** Forgets every holder (after the whole network was healed at once). */
  clear(): void {
    this.holders.clear();
  }

  get size(): number {
    return this.holders.size;
  }
}
