// What the KRaft quorum and the brokers' metadata loaders tell the outside, as plain data: Raft state
// changes, log appends and truncations, high watermarks, snapshots, and each broker's applied metadata
// records. sim/kafka/kraft emits these; the Raft invariants (checkers/invariants/raft.ts) read them.

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
  | { kind: 'metadata-applied'; time: number; broker: number; offset: number; digest: string }
  /**
   * A committed change of a broker's registration, reported once (by the first controller to replay it):
   * registered (fenced), fenced, unfenced, or entering controlled shutdown (KIP-841).
   */
  | {
      kind: 'broker-registration';
      time: number;
      broker: number;
      brokerEpoch: number;
      change: 'registered' | 'fenced' | 'unfenced' | 'controlled-shutdown';
      offset: number;
    };
