// The replication events the invariant checker consumes: plain data, the same shapes the simulator's
// observer emits (sim/kafka/observer.ts), declared here so that checkers never import the simulator.

export type ReplicaEvent =
  | { kind: 'append'; time: number; broker: number; partition: number; baseOffset: number; values: number[]; epoch: number; asLeader: boolean }
  | { kind: 'truncate'; time: number; broker: number; partition: number; toOffset: number; fromLogEndOffset: number; reason: string; removed: { offset: number; value: number; epoch: number }[] }
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
  | { kind: 'broker-state'; time: number; broker: number; state: string }
  | { kind: 'fenced'; time: number; broker: number; partition: number; error: string; detail: string };

export type InvariantName =
  | 'LeaderInIsr'
  | 'SingleLeader'
  | 'MonotonicEpoch'
  | 'MonotonicHighWatermark'
  | 'WeakIsr'
  | 'StrongIsr'
  | 'LeaderCompleteness'
  | 'LogMatching'
  | 'ConsistentCommittedData';

export interface Violation {
  invariant: InvariantName;
  time: number;
  /** Index of the world event during which it was seen, when the caller tracks it. */
  step: number;
  partition: number;
  brokers: number[];
  description: string;
  /** The unclean election that explains it, if one does: then it is expected data loss, not a protocol bug. */
  causedBy: { kind: 'unclean-election' | 'crash'; time: number; broker: number; leader: number; leaderEpoch: number; previousLeader: number; lastKnownLeader?: boolean } | null;
  detail: Record<string, unknown>;
}
