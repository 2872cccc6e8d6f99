// What a Kafka cluster tells the outside about its replicas and its controller, as plain data: appends,
// truncations, high watermarks, leadership, ISR changes, elections and acknowledgements. sim/kafka emits
// these; the invariant checkers, durability attribution and reports read them. This file imports
// nothing, so that checkers and reports can read the simulator's events without importing the simulator.

import type { TxnTransitionEvent } from './transactions.ts';

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

/**
 * A group coordinator answered OffsetFetch with a partition's committed offset: which commit it was, by where its
 * batch is in the group's __consumer_offsets partition (-1 unknown).
 */
export interface OffsetFetchedEvent {
  kind: 'offset-fetched';
  time: number;
  /** The coordinator's broker and its __consumer_offsets partition (a global id). */
  broker: number;
  partition: number;
  groupId: string;
  /** The data partition whose offset was fetched. */
  topicPartition: number;
  offset: number;
  appendedBatchOffset: number;
}

export type ReplicationEvent =
  | GroupStableEvent
  | OffsetFetchedEvent
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
      /** A transactional producer's batch (KIP-98). */
      transactional?: true;
      /** A control batch: the transaction marker of `producer`'s transaction (its one value is no workload's). */
      control?: 'COMMIT' | 'ABORT';
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
      /**
       * Where the replica's idempotent-producer state ends once truncated: one past the last offset of the newest
       * batch it remembers of any producer (0 if it remembers none). Kafka derives that state from the log.
       */
      producerStateEndOffset?: number;
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
      /** A change the leader proposed (AlterPartition, AlterIsr, its own ZooKeeper write): the partition epoch it
       * proposed it from. Absent when the leader adopts a change the controller made. */
      proposedAtPartitionEpoch?: number;
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
      /** A change made for the leader's AlterPartition (AlterIsr): the partition epoch of the state it replaced. */
      alterPartitionOn?: number;
    }
  /** A leader asked the controller for an ISR change (AlterPartition, AlterIsr) on the state it holds. */
  | {
      kind: 'isr-proposed';
      time: number;
      broker: number;
      partition: number;
      leaderEpoch: number;
      partitionEpoch: number;
      isr: number[];
    }
  /**
   * KRaft: the active controller accepted a leader's AlterPartition and wrote its change to the metadata log, not
   * yet committed. The change commits later (a `controller-isr` naming the same leader and replaced partition
   * epoch), maybe only under the next quorum leader after a failover, by which time a replica it admitted may have
   * lost, in a crash, records it held when the controller accepted it.
   */
  | {
      kind: 'isr-accepted';
      time: number;
      controller: number;
      partition: number;
      leader: number;
      /** The partition epoch of the state the change replaces (the commit's `alterPartitionOn`). */
      partitionEpoch: number;
      isr: number[];
    }
  | { kind: 'offline'; time: number; controller: number; partition: number; leaderEpoch: number; reason: string }
  | { kind: 'controller'; time: number; broker: number; controllerEpoch: number; active: boolean }
  | { kind: 'acked'; time: number; broker: number; partition: number; offset: number; value: number; acks: 0 | 1 | -1 }
  | { kind: 'broker-state'; time: number; broker: number; state: BrokerState }
  | { kind: 'fenced'; time: number; broker: number; partition: number; error: string; detail: string }
  /**
   * A replica answered a Fetch or OffsetsForLeaderEpoch that named a current leader epoch other than its own
   * (`requester`: a follower's broker id, -1 a consumer). Answers in the replica's own epoch are not reported: there
   * is one per fetch, and only this is of interest (KIP-320 refuses it).
   */
  | {
      kind: 'other-epoch-served';
      time: number;
      broker: number;
      partition: number;
      requester: number;
      request: 'fetch' | 'offsets-for-leader-epoch';
      currentLeaderEpoch: number;
      leaderEpoch: number;
    }
  /**
   * A broker deleted its replica of a partition no longer assigned to it (a reassignment removed it): its log, its
   * leader-epoch checkpoint and its high watermark are gone; a replica assigned there again starts empty.
   */
  | { kind: 'replica-deleted'; time: number; broker: number; partition: number; logEndOffset: number }
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
  /**
   * A leader answered a read_committed consumer's fetch of [fetchOffset, endOffset) with the last stable offset and
   * the high watermark it had then (the transaction invariants: nothing of an open or aborted transaction below it).
   */
  | {
      kind: 'committed-read';
      time: number;
      broker: number;
      partition: number;
      fetchOffset: number;
      endOffset: number;
      lastStableOffset: number;
      highWatermark: number;
      /** The aborted transactions the answer listed. */
      aborted: { producerId: number; firstOffset: number }[];
    }
  | TxnTransitionEvent
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
