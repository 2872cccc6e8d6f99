// What the simulator knows about why records vanished, as plain data the durability checker can use to
// attribute a lost acknowledged write. The checker never imports the simulator; it only reads these.

/** Why a broker removed records from the end of its log. */
export type Cause =
  | { kind: 'unclean-election'; leader: number; leaderEpoch: number; time: number; note?: string }
  | { kind: 'clean-election'; leader: number; leaderEpoch: number; time: number; note?: string }
  | { kind: 'crash'; broker: number; time: number; note?: string }
  | { kind: 'disk-replaced'; broker: number; time: number; note?: string }
  | { kind: 'hw-truncation'; broker: number; time: number; note?: string }
  | { kind: 'divergence'; broker: number; time: number; note?: string };

/** One broker cutting the tail off one partition's log. */
export interface Truncation {
  /** Simulated time (ms) at which the records were removed. */
  time: number;
  broker: number;
  /** The partition (a queue key). */
  key: number;
  /** First offset removed. */
  fromOffset: number;
  /** Log end offset before the truncation: offsets [fromOffset, toOffset) were removed. */
  toOffset: number;
  cause: Cause;
}

/** One replica's log when the run ended: which value sits at each offset, and its high watermark. */
export interface FinalLog {
  broker: number;
  key: number;
  highWatermark: number;
  /** Offset of values[0] (the log start offset). */
  startOffset: number;
  values: number[];
}

export interface DurabilityFacts {
  truncations: Truncation[];
  /**
   * The replicas' logs at the end of the run. An acknowledged record the final reads missed but some
   * replica still holds at its offset is unreadable (the partition had no leader, or its high watermark
   * stayed below it), not lost.
   */
  finalLogs?: FinalLog[];
  /**
   * What decides whether the configuration allows a loss. Without them (a history recorded elsewhere) every
   * loss is a finding.
   */
  loss?: LossFacts;
  /** Transactional runs: what the coordinators' logs lost, and the records read_committed cannot read. */
  txn?: TxnFacts;
}

/**
 * What a transactional run's final state and power losses say about its transactions: the records of the data
 * partitions' final leaders that read_committed cannot read (in an aborted transaction, or at or past the last
 * stable offset, behind a transaction still open), and each power loss that struck a replica of a
 * __transaction_state partition holding records not yet synced, or none (the coordinator's decisions live there).
 */
export interface TxnFacts {
  unreadable: { key: number; value: number; offset: number; why: 'aborted' | 'open'; producerId?: number }[];
  /** Per data partition whose last stable offset is below its high watermark: the record there, which holds it. */
  firstUnstable: { key: number; offset: number; value: number; producerId?: number; appendedAt?: number }[];
  /** Power losses of a replica of a __transaction_state partition with unsynced records, or with none at all. */
  coordinatorLosses: { time: number; broker: number; partition: number }[];
  /** Each __transaction_state partition's replicas (brokers hosting it at the end or at a crash). */
  coordinatorReplicas: { partition: number; brokers: number[] }[];
  /**
   * Every transaction marker a data partition's leader appended (WriteTxnMarkers), in order: a marker lost from
   * every replica after the coordinator completed the transaction is never written again, and leaves the
   * transaction open (or, a later marker of the same producer covering it, aborted). Absent: none known.
   */
  markers?: {
    key: number;
    offset: number;
    value: number;
    producerId: number;
    type: 'COMMIT' | 'ABORT';
    time: number;
  }[];
  /**
   * Records of the final leaders' logs that a COMMIT marker ends although an ABORT marker of the same producer id,
   * appended on the partition after them and before that COMMIT, is gone from every replica: the transaction they
   * opened was aborted, its marker lost, and the producer's next transaction (a later epoch) committed over them (a
   * partition's producer state keeps an open transaction's first offset until a marker comes: Kafka's
   * ProducerStateManager, 3.9). With the lost ABORT marker. Absent: none known.
   */
  /**
   * When the leader first appended each transactional record of a data partition, by `key/value` (world time):
   * whether a coordinator's loss came after it. Absent: none known.
   */
  appendedAt?: Record<string, number>;
  revivedByCommit?: {
    key: number;
    offset: number;
    value: number;
    producerId: number;
    abort: { offset: number; value: number };
  }[];
  /**
   * Records of the final leaders' logs that a COMMIT marker ends, appended at or past the offset of an earlier marker
   * of the same producer id that is gone from every replica and had ended records of it before them: the marker's
   * loss left the producer's transaction open in the partition's producer state, so its leader took the record
   * without verifying it with the coordinator (UnifiedLog.maybeStartTransactionVerification skips a producer with an
   * ongoing transaction, whatever its epoch: 3.6 to 3.9), and the COMMIT that ends the open records ends it too.
   * With the lost marker. Absent: none known.
   */
  joinedAfterLostMarker?: {
    key: number;
    offset: number;
    value: number;
    producerId: number;
    marker: { offset: number; value: number; type: 'COMMIT' | 'ABORT' };
  }[];
  /**
   * Every record a __transaction_state leader appended (a transition of one transactional id), in order, with
   * whether some replica still holds it at its offset at the end. Absent: none known.
   */
  coordinatorRecords?: {
    partition: number;
    offset: number;
    value: number;
    transactionalId: string;
    producerId: number;
    /** The producer epoch the transition records (under KIP-890 part 2, a Prepare record holds the bumped one). */
    producerEpoch?: number;
    state: string;
    /** The transaction's txnStartTimestamp: the records of one transaction share it. */
    txnStart: number;
    /** The data partitions the transaction holds in this record (absent: not known). */
    partitions?: number[];
    time: number;
    kept: boolean;
  }[];
  /**
   * The loss facts of the __transaction_state partitions (removals, elections, appends), judged with unclean
   * election off: Kafka forces unclean.leader.election.enable=false on the topic (TransactionLog, 3.9).
   */
  coordinatorLoss?: LossFacts;
}

/** One plain clause saying why the truncation happened, for example descriptions. */
export function describeCause(cause: Cause): string {
  const note = cause.note === undefined ? '' : ` (${cause.note})`;
  switch (cause.kind) {
    case 'unclean-election':
      return (
        `an unclean leader election made broker ${cause.leader} leader in epoch ${cause.leaderEpoch} at ` +
        `t=${cause.time}${note}`
      );
    case 'clean-election':
      return (
        `a clean leader election made broker ${cause.leader} leader in epoch ${cause.leaderEpoch} at ` +
        `t=${cause.time}${note}`
      );
    case 'crash':
      return `broker ${cause.broker} crashed at t=${cause.time} and lost unflushed records${note}`;
    case 'disk-replaced':
      return `broker ${cause.broker}'s disk was replaced at t=${cause.time}, so it came back with an empty log${note}`;
    case 'hw-truncation':
      return `broker ${cause.broker} truncated to its high watermark at t=${cause.time}${note}`;
    case 'divergence':
      return `broker ${cause.broker} found its log diverged from the leader's at t=${cause.time}${note}`;
  }
}

// ---- Facts that decide whether the configuration under test allows a loss (causes.ts reads them) ----

/** What acks a producer asked for: all in-sync replicas, the leader alone, or nothing. */
export type AcksLevel = 'all' | 'leader' | 'none';

/** What the configuration under test permits to lose, as the harness read it from the cluster's settings. */
export interface LossPolicy {
  /** unclean.leader.election.enable in effect (KRaft ignored it before 3.9, KAFKA-12670). */
  uncleanElection: boolean;
  /** KIP-966 Balanced recovery: the last known leader may be elected back when no ISR or ELR member is left. */
  lastKnownLeaderRecovery: boolean;
  /**
   * KIP-966's unclean-shutdown exclusion: a broker back from an unclean shutdown leaves the ISR and the ELR. Without
   * it (ZooKeeper mode, KRaft before ELR), the last ISR member, having lost its unflushed tail in a power loss, may
   * lead again and the others truncate to it: Kafka's last-replica-standing bug, a finding the verdict names as such.
   * Absent: excluded.
   */
  uncleanShutdownExcluded?: boolean;
  /**
   * KIP-903 (KRaft 3.5): a broker back on a replaced, empty disk joins the ISR only in the broker epoch of its new
   * registration, once caught up. Without it (ZooKeeper mode, KRaft before 3.5), one back before any controller
   * saw it go may lead again with an empty log and the others truncate to it: KAFKA-14139, a finding the verdict
   * names as such. Absent: fenced.
   */
  replacedDiskFenced?: boolean;
  /** The producer's acks, for sends whose invocation does not name one. */
  acks: AcksLevel;
  /** Judge as Jepsen does: every loss is a finding, whatever its cause. */
  strict: boolean;
  /**
   * enable.idempotence: without it a retried batch may be written twice (at-least-once), so duplicates are
   * allowed; with it Kafka promises each record once, and a duplicate is a finding. Absent: idempotent.
   */
  idempotence?: boolean;
}

/** How records left a replica's log. */
export type RemovalHow =
  /** The running broker truncated its log (a leader change, a diverging epoch, its high watermark). */
  | 'truncation'
  /** The process died (kill -9, a halt): the page cache kept every write, so nothing should go. */
  | 'process-crash'
  /** The machine lost power: what was not synced to disk may go. */
  | 'power-loss'
  /** The drive was replaced by a blank one: everything went. */
  | 'disk-replaced';

/** Records that left one replica's log, at one moment (world time), and how. */
export interface Removal {
  time: number;
  broker: number;
  key: number;
  how: RemovalHow;
  /** Offset of values[0]; the removed records are contiguous. */
  fromOffset: number;
  values: number[];
  /** The leader epoch each record was written in (same length as values). */
  epochs: number[];
  /**
   * For a crash: the end of what was synced to disk when it struck (records below it were durable, and no crash
   * may take them).
   */
  syncedOffset?: number;
  /** For a power loss: whether the disk's fsync was lying at the time (a disk fault). */
  fsyncLied?: boolean;
}

/** A leader election, and what the new leader held when it took up the epoch. */
export interface ElectionFact {
  time: number;
  key: number;
  leader: number;
  leaderEpoch: number;
  previousLeader: number;
  /** KIP-966's last-known-leader recovery is unclean too, but counted apart. */
  kind: 'clean' | 'unclean' | 'last-known-leader';
  /**
   * Leadership taken up with no election: an epoch a controller bumped by shrinking the ISR around the leader it
   * kept, or the epoch the leader held again after a restart no controller saw (a crash of the whole cluster).
   */
  resumed?: boolean;
  /** The new leader's log when it became leader in this epoch (null: it never did). */
  leaderLog: { startOffset: number; values: number[] } | null;
}

/** A record a leader appended: where, and in which leader epoch (its batch's). */
export interface Written {
  key: number;
  offset: number;
  value: number;
  epoch: number;
  /** An idempotent producer's record: its producer id, producer epoch and sequence. */
  producer?: { id: number; epoch: number; sequence: number };
}

/** Everything the cause of a loss is checked against. */
export interface LossFacts {
  policy: LossPolicy;
  /** Every removal of records from a replica, in the order they happened. */
  removals: Removal[];
  /** Every leader election, in the order they happened. */
  elections: ElectionFact[];
  /**
   * Every record a leader appended, with its epoch: a record that went past a new leader without any replica
   * losing it (acks=1, the replica that held it kept it) is dated by its append. Absent: none known.
   */
  written?: Written[];
}
