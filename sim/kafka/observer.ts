// Fans the cluster's events (declared as plain data in sim/events) out to whoever watches: online
// monitors, durability attribution, report recorders.
import type { ReplicationEvent } from '../events/index.ts';

export interface ReplicationObserver {
  (event: ReplicationEvent): void;
}

/**
 * Fans events out to observers. Emitters check `active` before building an event, so a cluster that
 * nobody watches (benchmarks, fuzzing without invariants) allocates nothing for it. KRaft's Raft events
 * use the same hub (kraft/observer.ts).
 */
export class ObserverHub<E = ReplicationEvent> {
  private readonly observers: ((event: E) => void)[] = [];
  active = false;

  add(o: (event: E) => void): () => void {
    this.observers.push(o);
    this.active = true;
    return () => {
      const i = this.observers.indexOf(o);
      if (i >= 0) this.observers.splice(i, 1);
      this.active = this.observers.length > 0;
    };
  }

  readonly emit = (e: E): void => {
    for (const o of this.observers) o(e);
  };
}
