// What a Kafka cluster tells the outside about its replicas and its controller, as plain data: appends,
// truncations, high watermarks, leadership, ISR changes, elections and acknowledgements. sim/kafka emits
// these; the invariant checkers, durability attribution and reports read them. This file imports
// nothing, so that checkers and reports can read the simulator's events without importing the simulator.

export type TruncationReason =
  | 'leader-epoch' // OffsetsForLeaderEpoch (or a diverging epoch) said the tail diverged (KIP-101/279)
  | 'high-watermark' // pre-KIP-101: truncate to the local high watermark
  | 'recovery' // a torn or unsynced tail cut off after a crash
  | 'offset-out-of-range'; // the leader's log is shorter than the fetch offset

export type BrokerState =
  'starting' | 'running' | 'controlled-shutdown' | 'crashed' | 'shutdown' | 'zk-session-expired';

/** One record a truncation removed. */
export interface RemovedRecord {
  offset: number;
  value: number;
  epoch: number;
}

/** A consumer group reached Stable: the assignment its coordinator stored for the generation. */
export interface GroupStableEvent {
  kind: 'group-stable';
  time: number;
  /** The coordinator's broker and its __consumer_offsets partition (a global id). */
  broker: number;
  partition: number;
  groupId: string;
  generationId: number;
  /** The assignor the generation chose (partition.assignment.strategy's name). */
  protocol: string;
  /** Each member's partitions, and those it said it owned as it joined (cooperative members; eager: none). */
  members: { memberId: string; partitions: number[]; owned: number[] }[];
}

export type ReplicationEvent =
  | GroupStableEvent
  | {
      kind: 'append';
      time: number;
      broker: number;
      partition: number;
      baseOffset: number;
      values: number[];
      epoch: number;
      asLeader: boolean;
      /** A leader's append for a produce request: the request's acks (-1: all). */
      acks?: 0 | 1 | -1;
      /** An idempotent producer's batch: its producer id, epoch and first sequence. */
      producer?: { id: number; epoch: number; baseSequence: number };
    }
  | {
      kind: 'truncate';
      time: number;
      broker: number;
      partition: number;
      toOffset: number;
      fromLogEndOffset: number;
      reason: TruncationReason;
      removed: RemovedRecord[];
    }
  | { kind: 'high-watermark'; time: number; broker: number; partition: number; highWatermark: number }
  | { kind: 'log-end-offset'; time: number; broker: number; partition: number; logEndOffset: number }
  | {
      kind: 'become-leader';
      time: number;
      broker: number;
      partition: number;
      leaderEpoch: number;
      isr: number[];
      /** The latest epoch in the new leader's leader-epoch cache once it took up the epoch. */
      latestCachedEpoch?: number;
    }
  | { kind: 'become-follower'; time: number; broker: number; partition: number; leaderEpoch: number; leader: number }
  | {
      kind: 'isr-change';
      time: number;
      broker: number;
      partition: number;
      isr: number[];
      partitionEpoch: number;
      change: 'shrink' | 'expand';
    }
  | ElectionEvent
  | {
      kind: 'controller-isr';
      time: number;
      controller: number;
      partition: number;
      leader: number;
      leaderEpoch: number;
      isr: number[];
      partitionEpoch?: number;
    }
  | { kind: 'offline'; time: number; controller: number; partition: number; leaderEpoch: number; reason: string }
  | { kind: 'controller'; time: number; broker: number; controllerEpoch: number; active: boolean }
  | { kind: 'acked'; time: number; broker: number; partition: number; offset: number; value: number; acks: 0 | 1 | -1 }
  | { kind: 'broker-state'; time: number; broker: number; state: BrokerState }
  | { kind: 'fenced'; time: number; broker: number; partition: number; error: string; detail: string }
  /**
   * ZooKeeper mode: a partition state znode was written, by a controller of `controllerEpoch` (the epoch the state
   * records), while /controller_epoch held `currentControllerEpoch`.
   */
  | {
      kind: 'zk-partition-state';
      time: number;
      partition: number;
      leader: number;
      leaderEpoch: number;
      controllerEpoch: number;
      currentControllerEpoch: number;
    }
  /** ZooKeeper mode: a broker took a control request and now follows controller epoch `controllerEpoch`. */
  | { kind: 'broker-controller-epoch'; time: number; broker: number; controllerEpoch: number; previous: number };

/** A controller chose a leader: clean (from the ISR or KIP-966's ELR), unclean, or preferred. */
export interface ElectionEvent {
  kind: 'election';
  time: number;
  controller: number;
  controllerEpoch: number;
  partition: number;
  leader: number;
  leaderEpoch: number;
  isr: number[];
  unclean: boolean;
  previousLeader: number;
  reason: string;
  /** KIP-966 Balanced recovery: the last known leader elected back (an unclean election). */
  lastKnownLeader?: boolean;
  /** The version of the partition state the election wrote (ZooKeeper: the znode's; KRaft: the partition epoch). */
  partitionEpoch?: number;
}

export type ReplicationEventKind = ReplicationEvent['kind'];
