// What the KRaft quorum and the brokers' metadata loaders tell the outside, as plain data: Raft state
// changes, log appends and truncations, high watermarks, and each broker's applied metadata records.
// The Raft invariants (checkers/invariants/raft.ts) consume these; they declare the same shapes there.

import { ObserverHub } from '../observer.ts';

export type RaftRole = 'unattached' | 'prospective' | 'candidate' | 'leader' | 'follower' | 'resigned';

export type RaftEvent =
  | { kind: 'raft-start'; time: number; voter: number; epoch: number; logEndOffset: number }
  | { kind: 'raft-state'; time: number; voter: number; epoch: number; role: RaftRole; leader: number; votedFor: number }
  | { kind: 'raft-append'; time: number; voter: number; entries: { offset: number; digest: string }[] }
  | { kind: 'raft-truncate'; time: number; voter: number; toOffset: number; reason: 'diverging' | 'recovery' }
  | { kind: 'raft-hw'; time: number; voter: number; leader: boolean; epoch: number; highWatermark: number }
  /** A voter replaced its whole log by a snapshot fetched from the leader (it now starts at endOffset). */
  | { kind: 'raft-snapshot'; time: number; voter: number; endOffset: number; epoch: number }
  | { kind: 'metadata-reset'; time: number; broker: number }
  /** A broker's image is a snapshot's (from its disk or the leader): every record below endOffset. */
  | { kind: 'metadata-snapshot'; time: number; broker: number; endOffset: number; epoch: number }
  | { kind: 'metadata-applied'; time: number; broker: number; offset: number; digest: string };

export type RaftObserver = (e: RaftEvent) => void;

/** Fans Raft events out, as the data plane's hub does. */
export class RaftHub extends ObserverHub<RaftEvent> {}

/**
 * Every voter replays committed records and could report the partition changes they hold; the first
 * to see an offset committed reports it, the rest stay quiet. This is bookkeeping of the observers
 * outside the world (committed records are the same on every voter), never read by the simulation.
 */
export class CommittedFeed {
  private next = 0;

  /** True once per offset: the caller is the first to report it. */
  claim(offset: number): boolean {
    if (offset < this.next) return false;
    this.next = offset + 1;
    return true;
  }
}
