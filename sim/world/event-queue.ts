// The world's event queue: a 4-ary min-heap ordered by (time, key), with times and keys in typed arrays
// so that comparisons do not chase pointers. The key is the scheduling sequence number, so same-time
// events run in the order they were scheduled, or a seeded draw when same-time events are shuffled to
// explore other interleavings (ties between equal draws fall back to heap order, still deterministic).

export interface QueuedEvent {
  at: number;
  key: number;
  cancelled: boolean;
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
    const times = this.times;
    const keys = this.keys;
    const items = this.items;
    const at = e.at;
    const key = e.key;
    let i = this.n++;
    while (i > 0) {
      const p = (i - 1) >> 2;
      const pt = times[p];
      if (pt < at || (pt === at && keys[p] <= key)) break;
      times[i] = pt;
      keys[i] = keys[p];
      items[i] = items[p];
      i = p;
    }
    times[i] = at;
    keys[i] = key;
    items[i] = e;
  }

  peek(): E | undefined {
    return this.n === 0 ? undefined : this.items[0];
  }

  pop(): E | undefined {
    const n = this.n;
    if (n === 0) return undefined;
    const times = this.times;
    const keys = this.keys;
    const items = this.items;
    const top = items[0];
    const size = n - 1;
    this.n = size;
    if (size > 0) {
      const lt = times[size];
      const lk = keys[size];
      const last = items[size];
      let i = 0;
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
        if (ct > lt || (ct === lt && ck >= lk)) break;
        times[i] = ct;
        keys[i] = ck;
        items[i] = items[c];
        i = c;
      }
      times[i] = lt;
      keys[i] = lk;
      items[i] = last;
    }
    items[size] = undefined;
    return top;
  }

  /** Drops cancelled events from the top so that peek() shows the next live one. */
  skipCancelled(): void {
    while (this.n > 0 && (this.items[0] as E).cancelled) this.pop();
  }
}
