// A growable list of 32-bit integers: the checker keeps millions of ids (versions, ops, edge ends), and a
// typed array costs 4 bytes each where a JavaScript array of numbers costs 8 or more.

export class IntList {
  private data: Int32Array;
  length = 0;

  constructor(capacity = 16) {
    this.data = new Int32Array(Math.max(1, capacity));
  }

  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new Int32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }

  get(i: number): number {
    return this.data[i];
  }

  /** The items as an array of exactly `length` (a view: later pushes may or may not show in it). */
  view(): Int32Array {
    return this.data.subarray(0, this.length);
  }
}
