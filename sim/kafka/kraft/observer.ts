// Fans the KRaft quorum's and the brokers' metadata loaders' events (declared in sim/events) out to
// whoever watches, and keeps committed partition changes reported once.
import type { RaftEvent } from '../../events/index.ts';
import { ObserverHub } from '../observer.ts';

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
