// Helpers over the cluster's events (sim/events) as a report reads them: step-function points, and
// the broker crashes the harness noticed spliced into the event stream.
import type { BrokerCrash, ReplicationEvent } from '../sim/events/index.ts';

/** A value of a step function: it holds from `time` until the next point. */
export interface Point {
  time: number;
  value: number;
}

/**
 * The events with a `broker-state: crashed` event for each crash, placed after every event of the same
 * time or earlier (a crash is noticed after the world event in which it happened).
 */
export function withCrashes(
  events: readonly ReplicationEvent[],
  crashes: readonly BrokerCrash[],
): readonly ReplicationEvent[] {
  if (crashes.length === 0) return events;
  // Events are in time order: cut them at each crash and splice it in, copying slices rather than
  // pushing hundreds of thousands of events one by one.
  const sorted = [...crashes].sort((a, b) => a.time - b.time);
  const pieces: ReplicationEvent[][] = [];
  let from = 0;
  for (const c of sorted) {
    const at = firstAfter(events, c.time, from);
    pieces.push(events.slice(from, at), [{ kind: 'broker-state', time: c.time, broker: c.broker, state: 'crashed' }]);
    from = at;
  }
  pieces.push(events.slice(from));
  return ([] as ReplicationEvent[]).concat(...pieces);
}

/** The index of the first event after `time`, searching from `from` (binary search). */
function firstAfter(events: readonly ReplicationEvent[], time: number, from: number): number {
  let lo = from;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (events[mid].time <= time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
