// Invariants of the KRaft metadata quorum, checked at every step as Kafka's own Raft simulation test
// (RaftEventSimulationTest) checks them: one leader per epoch, epochs that never go back, a leader's
// high watermark that never goes back, a majority of voters holding every entry below it, committed
// entries that never change — plus, for brokers, metadata that is always a prefix of the committed log.
// Incremental: voters' logs are mirrored from append and truncate events. Pure: plain events in, plain
// violations out (sim/events' Raft events). A snapshot stands
// for the committed entries below its end offset; its id must name a committed entry (digests begin
// with the entry's epoch and a colon).
import type { RaftEvent } from '../../sim/events/index.ts';
import type { CheckResult } from '../result.ts';
import { MAX_EXAMPLES } from '../result.ts';

export type RaftInvariantName =
  | 'RaftSingleLeader'
  | 'RaftMonotonicEpoch'
  | 'RaftMonotonicHighWatermark'
  | 'RaftMajorityHoldsCommitted'
  | 'RaftCommittedNeverChanges'
  | 'BrokerMetadataIsCommittedPrefix';

export const RAFT_INVARIANT_EXPLANATIONS: Record<RaftInvariantName, string> = {
  RaftSingleLeader: 'At most one voter leads the quorum in a given epoch.',
  RaftMonotonicEpoch: "A voter's epoch never goes backwards, across restarts too (it is on disk).",
  RaftMonotonicHighWatermark:
    "A voter's high watermark never goes back, and the newest leader's never goes below any a leader has reported.",
  RaftMajorityHoldsCommitted: 'When a leader commits an entry, a majority of voters hold it.',
  RaftCommittedNeverChanges: 'An entry below a high watermark never changes, on any voter, and is never truncated.',
  BrokerMetadataIsCommittedPrefix: "Every broker's metadata is a prefix of the committed metadata log.",
};

export interface RaftViolation {
  invariant: RaftInvariantName;
  time: number;
  step: number;
  description: string;
}

export class RaftMonitor {
  private readonly logs = new Map<number, string[]>();
  private readonly epochs = new Map<number, number>();
  private readonly hws = new Map<number, number>();
  private readonly leaders = new Map<number, number>();
  /** offset → digest of the committed entry. */
  private readonly committed: string[] = [];
  private maxLeaderHw = 0;
  /** The newest epoch any voter has led in. */
  private maxLeaderEpoch = -1;
  private readonly brokerNext = new Map<number, number>();
  readonly violations: RaftViolation[] = [];
  step = 0;

  private total = 0;

  /** `stepOf` names the world event in progress when the monitor runs online; else `step` as set. */
  constructor(
    private readonly voters: readonly number[],
    private readonly stepOf: (() => number) | null = null,
  ) {}

  /** Every violation is a finding: nothing excuses a Raft safety break. */
  findings(): number {
    return this.total;
  }

  private get majority(): number {
    return Math.floor(this.voters.length / 2) + 1;
  }

  private log(voter: number): string[] {
    let l = this.logs.get(voter);
    if (l === undefined) {
      l = [];
      this.logs.set(voter, l);
    }
    return l;
  }

  private violate(invariant: RaftInvariantName, time: number, description: string): void {
    this.total++;
    const step = this.stepOf === null ? this.step : this.stepOf();
    if (this.violations.length < 10_000) this.violations.push({ invariant, time, step, description });
  }

  observe(e: RaftEvent): void {
    switch (e.kind) {
      case 'raft-start':
        // Memory is gone; the epoch and the log come back from disk; the high watermark starts over.
        this.hws.set(e.voter, 0);
        this.checkEpoch(e.voter, e.epoch, e.time);
        return;
      case 'raft-state':
        this.checkEpoch(e.voter, e.epoch, e.time);
        if (e.role === 'leader') {
          const other = this.leaders.get(e.epoch);
          if (other !== undefined && other !== e.voter)
            this.violate('RaftSingleLeader', e.time, `voters ${other} and ${e.voter} both led epoch ${e.epoch}`);
          this.leaders.set(e.epoch, e.voter);
          this.maxLeaderEpoch = Math.max(this.maxLeaderEpoch, e.epoch);
        }
        return;
      case 'raft-append': {
        const l = this.log(e.voter);
        for (const x of e.entries) {
          if (x.offset !== l.length)
            this.violate(
              'RaftCommittedNeverChanges',
              e.time,
              `voter ${e.voter} appended offset ${x.offset} with a log ending at ${l.length}`,
            );
          // A stale leader may append where others have committed something else: its log is behind and
          // these entries will be truncated. Only what a voter holds below its high watermark must match.
          l[x.offset] = x.digest;
        }
        return;
      }
      case 'raft-truncate': {
        const l = this.log(e.voter);
        for (let o = e.toOffset; o < Math.min(l.length, this.committed.length); o++) {
          if (l[o] === this.committed[o]) {
            this.violate(
              'RaftCommittedNeverChanges',
              e.time,
              `voter ${e.voter} truncated to ${e.toOffset} (${e.reason}), losing committed offset ${o}`,
            );
            break;
          }
        }
        l.length = Math.min(l.length, e.toOffset);
        if ((this.hws.get(e.voter) ?? 0) > e.toOffset) this.hws.set(e.voter, e.toOffset);
        return;
      }
      case 'raft-hw':
        return this.onHighWatermark(e);
      case 'raft-snapshot': {
        if (!this.snapshotCommitted(e.endOffset, e.epoch)) {
          this.violate(
            'RaftCommittedNeverChanges',
            e.time,
            `voter ${e.voter} loaded snapshot ${e.endOffset}-${e.epoch}, which does not end at a committed entry of ` +
              `that epoch`,
          );
        }
        // The voter's log is the snapshot now: the committed entries below its end, nothing after.
        this.logs.set(e.voter, this.committed.slice(0, e.endOffset));
        return;
      }
      case 'metadata-reset':
        this.brokerNext.set(e.broker, 0);
        return;
      case 'metadata-snapshot':
        if (!this.snapshotCommitted(e.endOffset, e.epoch)) {
          this.violate(
            'BrokerMetadataIsCommittedPrefix',
            e.time,
            `broker ${e.broker} loaded snapshot ${e.endOffset}-${e.epoch}, which does not end at a committed entry ` +
              `of that epoch`,
          );
        }
        this.brokerNext.set(e.broker, e.endOffset);
        return;
      case 'metadata-applied': {
        const next = this.brokerNext.get(e.broker) ?? 0;
        const c = this.committed[e.offset];
        if (e.offset !== next)
          this.violate(
            'BrokerMetadataIsCommittedPrefix',
            e.time,
            `broker ${e.broker} applied offset ${e.offset} after ${next - 1}`,
          );
        else if (c === undefined)
          this.violate(
            'BrokerMetadataIsCommittedPrefix',
            e.time,
            `broker ${e.broker} applied offset ${e.offset}, which is not committed`,
          );
        else if (c !== e.digest)
          this.violate(
            'BrokerMetadataIsCommittedPrefix',
            e.time,
            `broker ${e.broker} applied ${e.digest} at offset ${e.offset}; committed: ${c}`,
          );
        this.brokerNext.set(e.broker, e.offset + 1);
        return;
      }
    }
  }

  /** A snapshot ending at `endOffset` in `epoch` covers committed entries only, the last of that epoch. */
  private snapshotCommitted(endOffset: number, epoch: number): boolean {
    if (endOffset === 0) return true;
    const last = this.committed[endOffset - 1];
    return last !== undefined && last.startsWith(`${epoch}:`);
  }

  private checkEpoch(voter: number, epoch: number, time: number): void {
    const was = this.epochs.get(voter) ?? 0;
    if (epoch < was) this.violate('RaftMonotonicEpoch', time, `voter ${voter} went from epoch ${was} back to ${epoch}`);
    this.epochs.set(voter, Math.max(was, epoch));
  }

  private onHighWatermark(e: Extract<RaftEvent, { kind: 'raft-hw' }>): void {
    const from = this.hws.get(e.voter) ?? 0;
    if (e.highWatermark < from)
      this.violate(
        'RaftMonotonicHighWatermark',
        e.time,
        `voter ${e.voter}'s high watermark went back from ${from} to ${e.highWatermark}`,
      );
    this.hws.set(e.voter, e.highWatermark);
    const l = this.log(e.voter);
    if (e.leader) {
      // Only the leader of the newest epoch, as RaftEventSimulationTest's MonotonicHighWatermark takes the
      // leader with the largest epoch: a leader deposed unawares (paused while a newer epoch was elected) may
      // still count a fetch sent to it before and commit offsets below the newer leader's high watermark.
      // What it holds below its high watermark is still checked against the committed entries below.
      if (e.epoch >= this.maxLeaderEpoch) {
        this.maxLeaderEpoch = e.epoch;
        if (e.highWatermark < this.maxLeaderHw)
          this.violate(
            'RaftMonotonicHighWatermark',
            e.time,
            `leader ${e.voter} (epoch ${e.epoch}) has high watermark ${e.highWatermark}, below ${this.maxLeaderHw} ` +
              `reported before`,
          );
        this.maxLeaderHw = Math.max(this.maxLeaderHw, e.highWatermark);
      }
      for (let o = Math.max(0, Math.min(from, this.committed.length)); o < e.highWatermark; o++) {
        const holders = this.voters.filter((v) => this.logs.get(v)?.[o] === l[o]).length;
        if (holders < this.majority) {
          this.violate(
            'RaftMajorityHoldsCommitted',
            e.time,
            `leader ${e.voter} committed offset ${o} held by ${holders} of ${this.voters.length} voters`,
          );
          break;
        }
      }
    }
    // Below both `from` and the committed length this voter was checked before.
    for (let o = Math.min(from, this.committed.length); o < e.highWatermark; o++) {
      const mine = l[o];
      if (mine === undefined) {
        this.violate(
          'RaftCommittedNeverChanges',
          e.time,
          `voter ${e.voter} has high watermark ${e.highWatermark} but no entry at ${o}`,
        );
        break;
      }
      const c = this.committed[o];
      if (c === undefined) this.committed[o] = mine;
      else if (c !== mine) {
        this.violate(
          'RaftCommittedNeverChanges',
          e.time,
          `offset ${o} was committed as ${c}, voter ${e.voter} has ${mine} below its high watermark`,
        );
        break;
      }
    }
  }

  result(): CheckResult {
    const byName = new Map<RaftInvariantName, RaftViolation[]>();
    for (const v of this.violations) byName.set(v.invariant, [...(byName.get(v.invariant) ?? []), v]);
    const anomalies = [...byName.entries()]
      .sort((a, b) => a[0].localeCompare(b[0]))
      .map(([name, list]) => ({
        name,
        count: list.length,
        explanation: RAFT_INVARIANT_EXPLANATIONS[name],
        examples: list
          .slice(0, MAX_EXAMPLES)
          .map((v) => ({ description: v.description, ops: [], detail: { time: v.time, step: v.step } })),
      }));
    return { checker: 'raft-invariants', valid: anomalies.length === 0, anomalies, stats: { violations: this.total } };
  }
}
