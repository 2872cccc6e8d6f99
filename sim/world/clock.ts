// A node's own clock: the world's time plus an offset, running faster or slower by a drift factor.
// Clock faults change it; the world's clock never moves backwards. Beside it, the node's monotonic clock
// (CLOCK_MONOTONIC, Java's System.nanoTime): it runs at the same rate but never steps, as NTP steps only
// the wall clock.

export class NodeClock {
  /** Local time at world time `anchor`. */
  private base = 0;
  private anchor = 0;
  private drift = 0;
  /** Monotonic time at world time `anchor`. */
  private monotonicBase = 0;

  /** Local time (ms) at world time t. */
  at(t: number): number {
    return this.base + (t - this.anchor) * (1 + this.drift);
  }

  /** Monotonic time (ms) at world time t: from 0 at the world's start, drifting with the node, never stepped. */
  monotonicAt(t: number): number {
    return this.monotonicBase + (t - this.anchor) * (1 + this.drift);
  }

  /** World-time duration for a local duration, so a drifting node's timers fire early or late. */
  toWorldDuration(localMs: number): number {
    return this.drift === 0 ? localMs : localMs / (1 + this.drift);
  }

  /** Steps the local clock by delta ms (NTP step, VM migration); may go backwards. */
  jump(now: number, deltaMs: number): void {
    this.rebase(now);
    this.base += deltaMs;
  }

  /** Sets the rate error, e.g. 0.01 = 1% fast. Kept above -0.9 so time keeps moving forward. */
  setDrift(now: number, drift: number): void {
    this.rebase(now);
    this.drift = Math.max(-0.9, drift);
  }

  /** Removes offset and drift: the clock agrees with the world again (an NTP resync). */
  reset(now: number): void {
    this.monotonicBase = this.monotonicAt(now);
    this.base = now;
    this.anchor = now;
    this.drift = 0;
  }

  get offsetAt(): (t: number) => number {
    return (t) => this.at(t) - t;
  }

  get currentDrift(): number {
    return this.drift;
  }

  private rebase(now: number): void {
    this.monotonicBase = this.monotonicAt(now);
    this.base = this.at(now);
    this.anchor = now;
  }
}
