// A bounded ring of recent happenings, for debugging a failing seed: what the world did just before.

export interface TraceEntry {
  time: number;
  node: string;
  kind: string;
  detail: string;
}

export type TraceLevel = 'off' | 'faults' | 'all';

export class Trace {
  private readonly ring: (TraceEntry | undefined)[];
  private next = 0;
  private total = 0;

  constructor(
    readonly capacity: number,
    readonly level: TraceLevel,
  ) {
    this.ring = new Array(Math.max(0, capacity));
  }

  /** True when per-message entries are wanted; callers check it before building a detail string. */
  get verbose(): boolean {
    return this.level === 'all' && this.capacity > 0;
  }

  get enabled(): boolean {
    return this.level !== 'off' && this.capacity > 0;
  }

  record(time: number, node: string, kind: string, detail: string): void {
    if (this.capacity === 0 || this.level === 'off') return;
    this.ring[this.next] = { time, node, kind, detail };
    this.next = (this.next + 1) % this.capacity;
    this.total++;
  }

  /** Entries oldest first. */
  entries(): TraceEntry[] {
    const out: TraceEntry[] = [];
    const n = Math.min(this.total, this.capacity);
    const start = this.total > this.capacity ? this.next : 0;
    for (let i = 0; i < n; i++) out.push(this.ring[(start + i) % this.capacity] as TraceEntry);
    return out;
  }

  get recorded(): number {
    return this.total;
  }

  format(): string {
    return this.entries()
      .map((e) => `${e.time.toFixed(3).padStart(12)} ${e.node.padEnd(10)} ${e.kind.padEnd(12)} ${e.detail}`)
      .join('\n');
  }
}
