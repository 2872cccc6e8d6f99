// What the cluster tells the outside about its replicas, as plain data: appends, truncations, high
// watermarks, leadership and elections. Invariant checkers, durability attribution and reports consume
// these without importing the simulator (they declare the same shapes on their side).

export type TruncationReason =
  | 'leader-epoch' // OffsetsForLeaderEpoch said the tail diverged (KIP-101/279)
  | 'high-watermark' // pre-KIP-101: truncate to the local high watermark
  | 'recovery' // a torn or unsynced tail cut off after a crash
  | 'offset-out-of-range'; // the leader's log is shorter than the fetch offset

export type ReplicationEvent =
  | { kind: 'append'; time: number; broker: number; partition: number; baseOffset: number; values: number[]; epoch: number; asLeader: boolean }
  | { kind: 'truncate'; time: number; broker: number; partition: number; toOffset: number; fromLogEndOffset: number; reason: TruncationReason; removed: { offset: number; value: number; epoch: number }[] }
  | { kind: 'high-watermark'; time: number; broker: number; partition: number; highWatermark: number }
  | { kind: 'log-end-offset'; time: number; broker: number; partition: number; logEndOffset: number }
  | { kind: 'become-leader'; time: number; broker: number; partition: number; leaderEpoch: number; isr: number[] }
  | { kind: 'become-follower'; time: number; broker: number; partition: number; leaderEpoch: number; leader: number }
  | { kind: 'isr-change'; time: number; broker: number; partition: number; isr: number[]; partitionEpoch: number; change: 'shrink' | 'expand' }
  | { kind: 'election'; time: number; controller: number; controllerEpoch: number; partition: number; leader: number; leaderEpoch: number; isr: number[]; unclean: boolean; previousLeader: number; reason: string; lastKnownLeader?: boolean; partitionEpoch?: number }
  | { kind: 'controller-isr'; time: number; controller: number; partition: number; leader: number; leaderEpoch: number; isr: number[]; partitionEpoch?: number }
  | { kind: 'offline'; time: number; controller: number; partition: number; leaderEpoch: number; reason: string }
  | { kind: 'controller'; time: number; broker: number; controllerEpoch: number; active: boolean }
  | { kind: 'acked'; time: number; broker: number; partition: number; offset: number; value: number; acks: 0 | 1 | -1 }
  | { kind: 'broker-state'; time: number; broker: number; state: 'starting' | 'running' | 'crashed' | 'shutdown' | 'zk-session-expired' }
  | { kind: 'fenced'; time: number; broker: number; partition: number; error: string; detail: string };

export interface ReplicationObserver {
  (event: ReplicationEvent): void;
}

export const NO_OBSERVER: ReplicationObserver = () => {};

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
