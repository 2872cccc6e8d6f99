// What the replica invariants report: the invariant's name and each violation, with its world step and
// the unclean election or crash that explains it, if one does.

export type InvariantName =
  | 'LeaderInIsr'
  | 'SingleLeader'
  | 'MonotonicEpoch'
  | 'MonotonicHighWatermark'
  | 'WeakIsr'
  | 'StrongIsr'
  | 'LeaderCompleteness'
  | 'LogMatching'
  | 'ConsistentCommittedData'
  | 'MinIsrOnAppend'
  | 'ControllerEpochFencing'
  | 'MonotonicControllerEpoch'
  | 'LeaderEpochStartRecorded'
  | 'ProducerStateFromLog'
  | 'LeaderEpochFencing'
  | 'IsrChangeOnCurrentState'
  // Transactions (transactions.ts).
  | 'LastStableOffset'
  | 'ReadCommittedIsolation'
  | 'MarkerBeforeRecords'
  | 'HangingTransaction'
  | 'TxnOffsetCommitIsolation'
  // Consumer groups.
  | 'GroupAssignmentExclusive'
  | 'CooperativeRevokeFirst';

export interface Violation {
  invariant: InvariantName;
  time: number;
  /** Index of the world event during which it was seen, when the caller tracks it. */
  step: number;
  partition: number;
  brokers: number[];
  description: string;
  /** The unclean election that explains it, if one does: then it is expected data loss, not a protocol bug. */
  causedBy: {
    kind: 'unclean-election' | 'crash';
    time: number;
    broker: number;
    leader: number;
    leaderEpoch: number;
    previousLeader: number;
    lastKnownLeader?: boolean;
  } | null;
  detail: Record<string, unknown>;
}
