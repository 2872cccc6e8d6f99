// The replication events a report reads, declared here as plain data (reports never import the
// simulator). They mirror the cluster's observer feed; fields a report does not use are left out, and
// the run command passes its events straight through.

export type ReportEvent =
  | { kind: 'append'; time: number; broker: number; partition: number; baseOffset: number; values: readonly number[]; epoch: number; asLeader: boolean }
  | { kind: 'truncate'; time: number; broker: number; partition: number; toOffset: number; fromLogEndOffset: number; reason: string }
  | { kind: 'high-watermark'; time: number; broker: number; partition: number; highWatermark: number }
  | { kind: 'log-end-offset'; time: number; broker: number; partition: number; logEndOffset: number }
  | { kind: 'become-leader'; time: number; broker: number; partition: number; leaderEpoch: number; isr: readonly number[] }
  | { kind: 'become-follower'; time: number; broker: number; partition: number; leaderEpoch: number; leader: number }
  | { kind: 'isr-change'; time: number; broker: number; partition: number; isr: readonly number[]; change: 'shrink' | 'expand' }
  | {
      kind: 'election';
      time: number;
      controller: number;
      partition: number;
      leader: number;
      leaderEpoch: number;
      isr: readonly number[];
      unclean: boolean;
      previousLeader: number;
      reason: string;
    }
  | { kind: 'controller-isr'; time: number; controller: number; partition: number; leader: number; leaderEpoch: number; isr: readonly number[] }
  | { kind: 'offline'; time: number; controller: number; partition: number; leaderEpoch: number; reason: string }
  | { kind: 'controller'; time: number; broker: number; active: boolean }
  | { kind: 'acked'; time: number; broker: number; partition: number; offset: number; value: number; acks: number }
  | { kind: 'broker-state'; time: number; broker: number; state: string }
  | { kind: 'fenced'; time: number; broker: number; partition: number; error: string };

/** A value of a step function: it holds from `time` until the next point. */
export interface Point {
  time: number;
  value: number;
}

/** A broker crash as the world saw it: a crashed broker cannot report its own death as an event. */
export interface BrokerCrash {
  broker: number;
  time: number;
}

/**
 * The events with a `broker-state: crashed` event for each crash, placed after every event of the same
 * time or earlier (a crash is noticed after the world event in which it happened).
 */
export function withCrashes(events: readonly ReportEvent[], crashes: readonly BrokerCrash[]): readonly ReportEvent[] {
  if (crashes.length === 0) return events;
  // Events are in time order: cut them at each crash and splice it in, copying slices rather than
  // pushing hundreds of thousands of events one by one.
  const sorted = [...crashes].sort((a, b) => a.time - b.time);
  const pieces: ReportEvent[][] = [];
  let from = 0;
  for (const c of sorted) {
    const at = firstAfter(events, c.time, from);
    pieces.push(events.slice(from, at), [{ kind: 'broker-state', time: c.time, broker: c.broker, state: 'crashed' }]);
    from = at;
  }
  pieces.push(events.slice(from));
  return ([] as ReportEvent[]).concat(...pieces);
}

/** The index of the first event after `time`, searching from `from` (binary search). */
function firstAfter(events: readonly ReportEvent[], time: number, from: number): number {
  let lo = from;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (events[mid].time <= time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
