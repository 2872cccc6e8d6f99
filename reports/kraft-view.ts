// The KRaft quorum as a report draws it, built from the Raft events a KRaft run kept: which voter led the
// metadata quorum in which epoch, the elections, the quorum's high watermark, how far each broker had applied
// the metadata log, and when each broker was fenced or in controlled shutdown. Bounded: offsets are thinned to
// at most MAX_POINTS steps per series, so an hour-long run stays a small page.
import type { RaftEvent } from '../sim/events/index.ts';
import type { Point } from './events.ts';
import { MAX_POINTS } from './metric-types.ts';
import { thinSteps } from './series.ts';

/** One voter's leadership of the quorum, from `from` to `to` (ms). */
export interface Leadership {
  voter: number;
  epoch: number;
  from: number;
  to: number;
}

/** A span of time a broker was not an unfenced, serving member: fenced, or in controlled shutdown. */
export interface RegistrationSpan {
  broker: number;
  state: 'fenced' | 'controlled-shutdown';
  from: number;
  to: number;
  brokerEpoch: number;
}

export interface KraftView {
  voters: number[];
  leaderships: Leadership[];
  /** A voter became leader (time, voter, epoch); candidacies counts every voter that stood. */
  elections: { time: number; voter: number; epoch: number }[];
  candidacies: number;
  /** The leader's high watermark of the metadata log over time (steps). */
  highWatermark: Point[];
  /** Per broker, the next metadata offset it had applied (steps). */
  applied: { broker: number; points: Point[] }[];
  registrations: RegistrationSpan[];
}

/** The Raft events the view needs; the harness keeps only these. */
export function keptForKraftView(e: RaftEvent): boolean {
  switch (e.kind) {
    case 'raft-start':
    case 'raft-state':
    case 'metadata-applied':
    case 'metadata-snapshot':
    case 'broker-registration':
      return true;
    case 'raft-hw':
      return e.leader;
    default:
      return false;
  }
}

/** A controller voter's crash, which it cannot report itself. */
export interface VoterCrash {
  voter: number;
  time: number;
}

export function kraftView(raftEvents: readonly RaftEvent[], crashes: readonly VoterCrash[], endMs: number): KraftView {
  const events = withVoterCrashes(raftEvents, crashes);
  const voters = new Set<number>();
  const leaderships: Leadership[] = [];
  const elections: KraftView['elections'] = [];
  let candidacies = 0;
  let current: Leadership | null = null;
  let maxEpoch = -1;
  const hw: Point[] = [];
  const applied = new Map<number, Point[]>();
  const open = new Map<number, RegistrationSpan>();
  const registrations: RegistrationSpan[] = [];
  const endLeadership = (time: number): void => {
    if (current === null) return;
    current.to = time;
    leaderships.push(current);
    current = null;
  };
  const closeSpan = (broker: number, time: number): void => {
    const span = open.get(broker);
    if (span === undefined) return;
    span.to = time;
    registrations.push(span);
    open.delete(broker);
  };
  const openSpan = (broker: number, state: RegistrationSpan['state'], time: number, brokerEpoch: number): void => {
    const span = open.get(broker);
    if (span !== undefined && span.state === state) return;
    closeSpan(broker, time);
    open.set(broker, { broker, state, from: time, to: time, brokerEpoch });
  };
  for (const e of events) {
    switch (e.kind) {
      case 'voter-crash':
        // A crashed leader leads no more, though the others learn it only when one of them stands.
        if (current !== null && current.voter === e.voter) endLeadership(e.time);
        break;
      case 'raft-start':
        voters.add(e.voter);
        // A restarted leader is a leader no more: it comes back as a follower of its epoch, or stands again.
        if (current !== null && current.voter === e.voter) endLeadership(e.time);
        break;
      case 'raft-state':
        voters.add(e.voter);
        if (e.role === 'candidate') candidacies++;
        if (e.role === 'leader' && e.epoch >= maxEpoch) {
          endLeadership(e.time);
          current = { voter: e.voter, epoch: e.epoch, from: e.time, to: e.time };
          elections.push({ time: e.time, voter: e.voter, epoch: e.epoch });
        } else if (
          current !== null &&
          (e.epoch > current.epoch || (e.voter === current.voter && e.role !== 'leader'))
        ) {
          // A newer epoch began (someone stood), or the leader resigned: the quorum has no leader until one wins.
          endLeadership(e.time);
        }
        maxEpoch = Math.max(maxEpoch, e.epoch);
        break;
      case 'raft-hw':
        hw.push({ time: e.time, value: e.highWatermark });
        break;
      case 'metadata-applied':
        stepTo(applied, e.broker, e.time, e.offset + 1);
        break;
      case 'metadata-snapshot':
        stepTo(applied, e.broker, e.time, e.endOffset);
        break;
      case 'broker-registration':
        if (e.change === 'unfenced') closeSpan(e.broker, e.time);
        else
          openSpan(
            e.broker,
            e.change === 'controlled-shutdown' ? 'controlled-shutdown' : 'fenced',
            e.time,
            e.brokerEpoch,
          );
        break;
      default:
        break;
    }
  }
  endLeadership(endMs);
  for (const broker of [...open.keys()]) closeSpan(broker, endMs);
  registrations.sort((a, b) => a.from - b.from || a.broker - b.broker);
  return {
    voters: [...voters].sort((a, b) => a - b),
    leaderships,
    elections,
    candidacies,
    highWatermark: thinSteps(hw, MAX_POINTS),
    applied: [...applied.entries()]
      .sort(([a], [b]) => a - b)
      .map(([broker, points]) => ({ broker, points: thinSteps(points, MAX_POINTS) })),
    registrations,
  };
}

/** The Raft events with the voters' crashes merged in by time (a crash before an event of the same instant). */
function withVoterCrashes(
  events: readonly RaftEvent[],
  crashes: readonly VoterCrash[],
): (RaftEvent | { kind: 'voter-crash'; voter: number; time: number })[] {
  const out: (RaftEvent | { kind: 'voter-crash'; voter: number; time: number })[] = [];
  let c = 0;
  for (const e of events) {
    while (c < crashes.length && crashes[c].time <= e.time) out.push({ kind: 'voter-crash', ...crashes[c++] });
    out.push(e);
  }
  while (c < crashes.length) out.push({ kind: 'voter-crash', ...crashes[c++] });
  return out;
}

function stepTo(series: Map<number, Point[]>, broker: number, time: number, value: number): void {
  let steps = series.get(broker);
  if (steps === undefined) series.set(broker, (steps = []));
  const last = steps[steps.length - 1];
  if (last !== undefined && last.time === time) last.value = value;
  else if (last === undefined || last.value !== value) steps.push({ time, value });
}
