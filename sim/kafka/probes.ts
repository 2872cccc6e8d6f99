// Coverage probes, as FoundationDB's code probes (CODE_PROBE, once TEST()): named points of the system under
// test that a run counts as it passes them, so that a fuzz can say which rare paths its seeds reached (a
// deposed controller fenced, a producer's retry of an older batch, a Raft follower truncating uncommitted
// metadata) and, above all, which none did. The registry is declared here, whole and up front, so that "never
// reached" can be listed; a probe is named at its site as `probe(P.name)`.
// Names start with `zk` for ZooKeeper mode's paths and `kraft` or `raft` for KRaft's (probeMetadataMode).
//
// A hit is one increment of a preallocated counter: no allocation, no lookup by name. Probes only write: nothing
// in the world reads them, so they change no run and no history hash. The counters are process-wide, as
// FoundationDB's are; a run reads its own as the difference between two marks (probeMark, probeCountsSince), and
// runs in one process are sequential (runTest is synchronous), so each run's counts are its own.

/** Every probe, in the order reports list them, with what reaching it means. */
const DECLARED = {
  // ---- produce and the produce purgatory (Partition.appendRecordsToLeader, DelayedProduce) ----
  produceNotEnoughReplicas: 'an acks=all produce refused: ISR below min.insync.replicas (NOT_ENOUGH_REPLICAS)',
  produceNotEnoughReplicasAfterAppend:
    'an acks=all produce appended, then answered NOT_ENOUGH_REPLICAS_AFTER_APPEND (the ISR shrank below min ISR)',
  produceTimedOut: 'an acks=all produce waited in the purgatory until request.timeout.ms (REQUEST_TIMED_OUT)',
  produceLeaderLostWhileWaiting: 'an acks=all produce in the purgatory answered NOT_LEADER_OR_FOLLOWER: leader lost',
  // ---- idempotent producers on the leader (ProducerStateManager, ProducerAppendInfo) ----
  idempotentDuplicateLastBatch: "a producer's retry of its last batch, answered with the original offset",
  idempotentDuplicateOlderBatch: 'a producer retried an older batch (not its last), answered as a duplicate',
  idempotentOutOfOrderSequence: 'a batch refused with OUT_OF_ORDER_SEQUENCE_NUMBER (a gap in the sequence)',
  idempotentUnknownProducerId: 'a batch refused with UNKNOWN_PRODUCER_ID (the partition has no state for it)',
  idempotentInvalidProducerEpoch: 'a batch of an older producer epoch refused (INVALID_PRODUCER_EPOCH)',
  idempotentUnknownProducerAccepted: 'KIP-360: a producer id without state accepted at a sequence other than 0',
  idempotentNewEpochAccepted: 'a batch of a new producer epoch accepted from sequence 0 (an epoch bump)',
  // ---- ISR and high watermark on the leader (Partition) ----
  isrShrinkProposed: 'a leader proposed to take out-of-sync followers out of the ISR',
  isrShrinkToLeaderAlone: 'a leader proposed an ISR of itself alone',
  isrExpandProposed: 'a leader proposed a caught-up follower for the ISR',
  isrExpandHeldAtEpochStart: "KAFKA-7128: a follower at the high watermark kept out until it reaches the epoch's start",
  isrExpandIneligible: 'a caught-up follower kept out of the ISR: not eligible (KIP-841 / KIP-903)',
  isrChangeFailed: 'a proposed ISR change came back not made (ZooKeeper write refused, INELIGIBLE_REPLICA)',
  isrAdoptedFromController: 'a leader adopted an ISR the controller changed in its epoch',
  highWatermarkHeldBelowMinIsr: 'KIP-966: the high watermark held while the ISR is below min.insync.replicas',
  highWatermarkHeldByFollowerOutsideIsr: 'KAFKA-4485: a caught-up follower outside the ISR held the high watermark',
  followerHighWatermarkDown: "a follower took a leader's high watermark lower than its own",
  // ---- fetch, truncation and log recovery (ReplicaManager, fetcher, Partition.truncateTo, LogLoader) ----
  fetchFencedLeaderEpoch: 'a fetch or OffsetsForLeaderEpoch from an older leader epoch refused (FENCED_LEADER_EPOCH)',
  fetchUnknownLeaderEpoch: 'a fetch from a newer leader epoch than the replica knows refused (UNKNOWN_LEADER_EPOCH)',
  fetchDivergingEpochAnswered: "a leader answered a follower's fetch with a diverging epoch (KAFKA-10554)",
  truncateByDivergingEpoch: 'a follower cut records on a diverging epoch in a fetch answer',
  truncateByOffsetsForLeaderEpoch: 'a follower cut records by OffsetsForLeaderEpoch (KIP-101 / KIP-279)',
  truncateIteratedEpochs: 'KIP-279: a follower that never had the leader epoch asked again about an earlier one',
  truncateToHighWatermark: 'a follower cut records back to its high watermark',
  truncateOffsetOutOfRange: "a follower cut its log back to the leader's end (OFFSET_OUT_OF_RANGE)",
  logRecoveryTornTail: 'log recovery cut a torn tail (a batch half written when the power went)',
  highWatermarkCheckpointAheadOfLog: 'a restarted replica found its checkpointed high watermark past its log end',
  logDirFailed: 'a disk error took a log directory offline and the node halted',
  // ---- the ZooKeeper-mode controller and the brokers' side of it ----
  zkControllerFenced: 'a deposed controller kept writing and was fenced: /controller_epoch had moved on',
  zkControllerStateChangedUnderIt: "a controller's partition write found the state changed (BADVERSION): decided again",
  zkControllerOwnWriteFound: "a controller's write whose answer was lost turned out to have landed",
  zkStaleControllerEpochRefused: 'a broker refused LeaderAndIsr from a zombie controller (STALE_CONTROLLER_EPOCH)',
  zkStaleBrokerEpochRefused: 'a broker refused a control request for an earlier registration (STALE_BROKER_EPOCH)',
  zkBouncedBroker: 'a controller found a broker re-registered between two reads (a bounce)',
  zkUncleanRestartExcluded: 'KIP-966 (ZooKeeper): a replica back from an unclean shutdown taken out of ISR and ELR',
  zkElectionEligibleLeaderReplica: 'ZooKeeper mode: KIP-966 elected an eligible leader replica (ISR empty)',
  zkElectionUnclean: 'ZooKeeper mode: an unclean election (a replica outside the ISR)',
  zkElectionLastKnownLeader: 'ZooKeeper mode: KIP-966 elected the last known leader back',
  zkPartitionOffline: 'ZooKeeper mode: a partition left without a leader',
  zkPreferredElection: 'ZooKeeper mode: leadership moved back to the preferred replica',
  zkAlterIsrStaleBrokerEpoch: 'AlterIsr refused: the leader is not the registration the controller knows',
  zkAlterIsrFencedLeaderEpoch: 'AlterIsr refused: an older leader epoch (FENCED_LEADER_EPOCH)',
  zkAlterIsrNotController: 'AlterIsr refused: newer epochs than the controller knows (NOT_CONTROLLER, KAFKA-14154)',
  zkAlterIsrInvalidVersion: 'AlterIsr refused: a stale partition epoch (INVALID_UPDATE_VERSION)',
  zkAlterIsrIneligibleReplica: 'AlterIsr refused: a new member is not live (INELIGIBLE_REPLICA, KIP-841)',
  zkAlterIsrControllerMoved: 'an AlterIsr write found /controller_epoch moved: the controller resigned',
  // ---- controlled shutdown ----
  zkControlledShutdownLeaderMoved: 'controlled shutdown moved a leadership to another ISR member',
  zkControlledShutdownAttemptFailed: 'a controlled shutdown attempt failed (no controller, or partitions left)',
  zkControlledShutdownGaveUp: 'every controlled shutdown attempt failed: the broker stopped uncleanly',
  kraftControlledShutdown: 'KRaft: a broker entered controlled shutdown (it still led partitions)',
  // ---- the KRaft controller ----
  kraftBrokerFenced: 'KRaft: a broker fenced after broker.session.timeout.ms without a heartbeat',
  kraftDuplicateRegistration: "KRaft: a registration refused while the previous incarnation's session runs",
  kraftUncleanShutdownHandled: 'KRaft: KIP-966 took a broker back from an unclean shutdown out of ISR and ELR',
  kraftElectionEligibleLeaderReplica: 'KRaft: KIP-966 elected an eligible leader replica (ISR empty)',
  kraftElectionUnclean: 'KRaft: an unclean election (a replica outside the ISR)',
  kraftElectionLastKnownLeader: 'KRaft: KIP-966 elected the last known leader back',
  kraftPartitionLeaderless: 'KRaft: a partition change left the partition without a leader',
  kraftLeaderRecovered: 'KIP-704: the leader of an unclean election reported the partition recovered',
  kraftAlterPartitionStaleBrokerEpoch: 'AlterPartition refused: a stale broker epoch (STALE_BROKER_EPOCH)',
  kraftAlterPartitionNotController: 'AlterPartition refused: epochs newer than the controller has (NOT_CONTROLLER)',
  kraftAlterPartitionFencedLeaderEpoch: 'AlterPartition refused: an older leader epoch (FENCED_LEADER_EPOCH)',
  kraftAlterPartitionInvalidRequest: 'AlterPartition refused: INVALID_REQUEST (not the leader, a bad ISR)',
  kraftAlterPartitionInvalidVersion: 'AlterPartition refused: a stale partition epoch (INVALID_UPDATE_VERSION)',
  kraftAlterPartitionIneligibleReplica: 'AlterPartition refused: a fenced, shutting-down or re-registered member',
  // ---- partition reassignment (KIP-455) ----
  kraftReassignmentStarted: 'KRaft: AlterPartitionReassignments started moving a partition (adding, removing replicas)',
  kraftReassignmentCompleted: 'KRaft: a reassignment completed once the ISR held every target replica',
  zkReassignmentStarted:
    'ZooKeeper mode: the controller started a reassignment (RS = ORS + TRS, onPartitionReassignment)',
  zkReassignmentCompleted: 'ZooKeeper mode: a reassignment completed once every target replica was in the ISR',
  kraftTopicCreated: 'KRaft: CreateTopics wrote a new topic and its partitions (an operator, mid-run)',
  zkTopicCreated: 'ZooKeeper mode: the controller brought a new topic online (TopicChange, onNewPartitionCreation)',
  zkNewPartitionOnFailover: 'ZooKeeper mode: a new controller found a partition with no state and brought it online',
  replicaDeleted: 'a broker deleted a replica no longer assigned to it (StopReplica delete, applyDelta)',

  // ---- Raft (the KRaft quorum) and the brokers' metadata log ----
  raftVoteRefusedStaleLog: "Raft: a vote (or pre-vote) refused: the candidate's log is behind the voter's",
  raftVoteRefusedLiveLeader: 'Raft: KIP-996: a pre-vote refused by a follower that has fetched from its leader',
  raftVoteNewerEpochDeposes: 'Raft: a vote of a newer epoch moved a follower or the leader to it (unattached)',
  raftFollowerTruncated: 'Raft: a follower truncated its metadata log on a diverging epoch (uncommitted entries)',
  raftCheckQuorumResigned: 'Raft: a leader heard from no majority in time and resigned (check quorum)',
  raftFetchFenced: 'Raft: a metadata fetch from an older epoch refused (FENCED_LEADER_EPOCH)',
  raftLogDeletedBeforeSnapshot: 'Raft: a controller deleted its metadata log before its latest snapshot',
  raftSnapshotLoaded: 'Raft: a voter fetched and loaded the leader snapshot (its fetch offset was before the log)',
  kraftBrokerSnapshotLoaded: "a broker fetched and loaded the controllers' metadata snapshot",
  kraftBrokerIgnoredDeposedLeader: 'a broker ignored a metadata answer from a leader of an older epoch (deposed)',
  // ---- transactions (TransactionCoordinator, AddPartitionsToTxnManager) ----
  txnPartitionVerified: 'KIP-890: a leader verified that its partition is in a producer transaction (verifyOnly)',
  txnPartitionAddedByLeader: 'KIP-890 part 2: a leader added its partition to a producer transaction for it',
  txnProduceRefusedAfterVerification: 'KIP-890: a transactional batch refused by its verification (transaction over)',
  txnEmptyAbort: 'KIP-890 part 2: the coordinator aborted a transaction that added no partition (epoch bump)',
  txnTimedOutAborted: 'the coordinator fenced and aborted a transaction past transaction.timeout.ms',
  txnFencedByInitProducerId: 'InitProducerId fenced the ongoing transaction of an older producer instance',
  // ---- clients ----
  producerRetryMaybeAppended: 'a producer retried a batch that may already be in the log (ambiguous answer)',
  producerOutOfOrderRetried: 'a producer retried an OUT_OF_ORDER_SEQUENCE_NUMBER behind an earlier failed batch',
  producerEpochBumped: 'KIP-360: a producer bumped its epoch and renumbered a partition from sequence 0',
  producerBatchExpired: 'a batch expired (delivery.timeout.ms) and its outcome is unknown or failed',
  producerConnectionTimedOut: 'a produce request timed out and closed its connection, failing others in flight on it',
  consumerTruncationDetected: 'KIP-320: a consumer found its position past a truncation and moved back',
  consumerOffsetReset: 'a consumer position reset by auto.offset.reset',
} as const satisfies Record<string, string>;

export type ProbeName = keyof typeof DECLARED;

/** Every declared probe, in declaration order. */
export const PROBE_NAMES: readonly ProbeName[] = Object.keys(DECLARED) as ProbeName[];

/** What each probe means, for reports. */
export const PROBE_DESCRIPTIONS: Readonly<Record<ProbeName, string>> = DECLARED;

/**
 * The metadata mode a probe belongs to, by its name: `zk…` ZooKeeper mode's, `kraft…` and `raft…` KRaft's, any
 * other both. A fuzz of one mode cannot reach the other's, and says so apart from the probes it missed.
 */
export function probeMetadataMode(name: string): 'zk' | 'kraft' | null {
  if (name.startsWith('zk')) return 'zk';
  return name.startsWith('kraft') || name.startsWith('raft') ? 'kraft' : null;
}

/** Each probe's index: `probe(P.zkControllerFenced)`. A frozen object of constants, read at each site. */
export const P: { readonly [K in ProbeName]: number } = Object.freeze(
  Object.fromEntries(PROBE_NAMES.map((name, i) => [name, i])) as { [K in ProbeName]: number },
);

/** The process's hit counters, preallocated. Float64: exact far beyond any run's count, never wraps. */
const counts = new Float64Array(PROBE_NAMES.length);

/** Counts one hit. */
export function probe(id: number): void {
  counts[id]++;
}

/** A copy of the counters as they stand, to measure a run from. */
export function probeMark(): Float64Array {
  return counts.slice();
}

/** Hits since `mark`, one number per declared probe in declaration order. */
export function probeCountsSince(mark: Float64Array): number[] {
  const out = new Array<number>(counts.length);
  for (let i = 0; i < counts.length; i++) out[i] = counts[i] - mark[i];
  return out;
}

/** Counts in declaration order as name → hits (every declared probe, zeros included). */
export function probeRecord(countsInOrder: readonly number[]): Record<ProbeName, number> {
  const out = {} as Record<ProbeName, number>;
  PROBE_NAMES.forEach((name, i) => (out[name] = countsInOrder[i] ?? 0));
  return out;
}
