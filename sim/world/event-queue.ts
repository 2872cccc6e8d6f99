// The world's event queue: a 4-ary min-heap ordered by (time, key), with times and keys in typed arrays
// so that comparisons do not chase pointers. The key is the scheduling sequence number, so same-time
// events run in the order they were scheduled, or a seeded draw when same-time events are shuffled to
// explore other interleavings (ties between equal draws fall back to heap order, still deterministic).
//
// Each event knows its slot, so a cancelled timer leaves the heap at once. Most timers are request
// timeouts that never fire: left in place until due, they would keep the heap a hundred times larger
// than the live events and, living for request.timeout.ms, survive into the old generation of the GC.
// Removal does not change the order in which the remaining events pop, since (time, key) is a total order.

export interface QueuedEvent {
  at: number;
  key: number;
  /** Slot in the heap, or -1 when not queued. Owned by the queue. */
  pos: number;
}

export class EventQueue<E extends QueuedEvent> {
  private times = new Float64Array(1024);
  private keys = new Float64Array(1024);
  private items: (E | undefined)[] = new Array(1024);
  private n = 0;

  get size(): number {
    return this.n;
  }

  private grow(): void {
    const cap = this.times.length * 2;
    const t = new Float64Array(cap);
    t.set(this.times);
    const k = new Float64Array(cap);
    k.set(this.keys);
    this.times = t;
    this.keys = k;
    this.items.length = cap;
  }

  push(e: E): void {
    if (this.n === this.times.length) this.grow();
    this.siftUp(this.n++, e, e.at, e.key);
  }

  /** Places e at or above slot i, moving larger parents down. */
  private siftUp(i: number, e: E, at: number, key: number): void {
    const times = this.times;
    const keys = this.keys;
    const items = this.items;
    while (i > 0) {
      const p = (i - 1) >> 2;
      const pt = times[p];
      if (pt < at || (pt === at && keys[p] <= key)) break;
      this.set(i, items[p] as E, pt, keys[p]);
      i = p;
    }
    this.set(i, e, at, key);
  }

  /** Puts e in slot i. */
  private set(i: number, e: E, at: number, key: number): void {
    this.times[i] = at;
    this.keys[i] = key;
    this.items[i] = e;
    e.pos = i;
  }

  /** Places e at or below slot i (of a heap of this.n items), moving smaller children up. */
  private siftDown(i: number, e: E, at: number, key: number): void {
    const times = this.times;
    const keys = this.keys;
    const items = this.items;
    const size = this.n;
    for (;;) {
      const first = 4 * i + 1;
      if (first >= size) break;
      let c = first;
      let ct = times[first];
      let ck = keys[first];
      const end = first + 4 < size ? first + 4 : size;
      for (let j = first + 1; j < end; j++) {
        const jt = times[j];
        if (jt < ct || (jt === ct && keys[j] < ck)) {
          c = j;
          ct = jt;
          ck = keys[j];
        }
      }
      if (ct > at || (ct === at && ck >= key)) break;
      this.set(i, items[c] as E, ct, ck);
      i = c;
    }
    this.set(i, e, at, key);
  }

  peek(): E | undefined {
    return this.n === 0 ? undefined : this.items[0];
  }

  pop(): E | undefined {
    if (this.n === 0) return undefined;
    const top = this.items[0] as E;
    this.removeAt(0);
    return top;
  }

  /** Takes e out of the queue if it is in it; true if it was. */
  remove(e: E): boolean {
    const i = e.pos;
    if (i < 0 || i >= this.n || this.items[i] !== e) return false;
    this.removeAt(i);
    return true;
  }

  private removeAt(i: number): void {
    const items = this.items;
    const gone = items[i] as E;
    gone.pos = -1;
    const size = --this.n;
    if (i !== size) {
      // The last item fills the hole, then moves up or down to where it belongs.
      const last = items[size] as E;
      const lt = this.times[size];
      const lk = this.keys[size];
      items[size] = undefined;
      const p = (i - 1) >> 2;
      if (i > 0 && (this.times[p] > lt || (this.times[p] === lt && this.keys[p] > lk))) this.siftUp(i, last, lt, lk);
      else this.siftDown(i, last, lt, lk);
    } else {
      items[size] = undefined;
    }
  }
}
