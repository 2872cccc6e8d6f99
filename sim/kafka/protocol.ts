// The replication behaviours that differ between Kafka releases, each named by its KIP or JIRA and on when
// the release has it. A release (releases.ts) sets them all; `--protocol` overrides some on top for
// what-if experiments ("3.9 with KIP-966's eligible leader replicas"). The code each switch changes says
// which Kafka class and method it follows.
import { ConfigError } from '../world/errors.ts';

export interface KafkaBehaviours {
  /** KIP-101 (0.11.0): a new follower truncates by leader epoch (OffsetsForLeaderEpoch), not to its high watermark. */
  kip101: boolean;
  /** KIP-279 (2.0.0): OffsetsForLeaderEpoch answers the largest epoch ≤ the asked one; the follower iterates. */
  kip279: boolean;
  /** KIP-320, broker side (2.1.0): fetches carry the current leader epoch and are fenced. */
  kip320: boolean;
  /** KIP-320, consumer side (2.3.0): the consumer validates its position after a leader change. */
  kip320Consumer: boolean;
  /** KAFKA-7164: a follower that sees the same leader with a higher epoch truncates anyway. */
  kafka7164: boolean;
  /** KAFKA-7128: a follower joins the ISR only once caught up to the start offset of the leader's epoch. */
  kafka7128: boolean;
  /** KIP-380 (2.2.0): LeaderAndIsr and UpdateMetadata carry the receiver's broker epoch; stale ones are refused. */
  kip380: boolean;
  /**
   * KAFKA-9839 (2.5.1): a control request carrying a newer broker epoch than the broker has learnt yet (the
   * controller saw its re-registration first) is accepted; before, KafkaApis.isBrokerEpochStale threw.
   */
  kafka9839: boolean;
  /**
   * KAFKA-5642 (1.1.0): the controller keeps the last ISR member of a partition going offline whatever
   * unclean.leader.election.enable says (ReplicaStateMachine.doRemoveReplicasFromIsr); before, only with
   * unclean election disabled (KafkaController.removeReplicaFromIsr), else the ISR became empty.
   */
  kafka5642: boolean;
  /**
   * KIP-497 (2.7.0, IBP 2.7-IV2): in ZooKeeper mode the leader sends AlterIsr to the controller
   * (AlterPartition from 3.2) instead of writing the partition state to ZooKeeper itself, and counts its
   * maximal ISR while a change is in flight.
   */
  kip497: boolean;
  /** KAFKA-13091 (3.1.0): the leader's high watermark is recomputed as soon as an AlterIsr commits. */
  kafka13091: boolean;
  /**
   * KAFKA-14154 and KAFKA-14144 (3.3.0): the ZooKeeper controller answers AlterPartition with a higher
   * leader or partition epoch than its own NOT_CONTROLLER, and a lower partition epoch INVALID_UPDATE_VERSION
   * after the idempotency check (before: only the ZooKeeper write's version caught it).
   */
  kafka14154: boolean;
  /**
   * KIP-841 (3.3.0, KAFKA-14140): fenced (ZooKeeper: dead) and in-controlled-shutdown brokers cannot join the ISR.
   * The controller refuses an AlterPartition whose ISR holds one (INELIGIBLE_REPLICA: KafkaController
   * .tryProcessAlterPartition against liveBrokerIds, ReplicationControlManager.validateAlterPartitionData), the
   * leader then goes back to its committed ISR, and a KRaft leader proposes none (Partition.isReplicaIsrEligible);
   * KRaft records a broker's controlled shutdown in its registration (BrokerRegistrationChangeRecord).
   */
  kip841: boolean;
  /**
   * KIP-835 (3.3.0, MV 3.3-IV1, KRaft only): the active controller appends a NoOpRecord to the metadata log every
   * metadata.max.idle.interval.ms (QuorumController.maybeScheduleNextWriteNoOpRecord, WriteNoOpRecord event; gated by
   * MetadataVersion.isNoOpRecordSupported), so the quorum's high watermark and every follower's applied offset move on
   * while the cluster is quiet. Before, an idle cluster committed nothing.
   */
  kip835: boolean;
  /**
   * KIP-903 (3.5.0, MV 3.5-IV1, KRaft only; KAFKA-14139): a follower's Fetch carries its broker epoch
   * (ReplicaState.ReplicaEpoch), the leader adds it to the ISR only if that epoch is the one its metadata holds
   * (Partition.isReplicaIsrEligible) and sends the epochs in AlterPartition (NewIsrWithEpochs), and the controller
   * refuses a stale one with INELIGIBLE_REPLICA (ReplicationControlManager.ineligibleReplicasForIsr).
   */
  kip903: boolean;
  /**
   * KAFKA-15021 (3.6.0, one commit, two halves): in KRaft (MV 3.6-IV0) an ISR shrink bumps only the partition
   * epoch (PartitionChangeBuilder.triggerLeaderEpochBumpForIsrShrinkIfNeeded); before, every shrink bumped the
   * leader epoch too, the leader's own AlterPartition included (PartitionChangeBuilder.triggerLeaderEpochBumpIfNeeded).
   * And, in both metadata modes, the high watermark waits for a caught-up follower outside the ISR only if that
   * follower may join the ISR (Partition.maybeIncrementLeaderHW, shouldWaitForReplicaToJoinIsr), so a follower
   * shutting down no longer holds it for replica.lag.time.max.ms.
   */
  kafka15021: boolean;
  /**
   * KIP-890 part 1 (3.6.0, KAFKA-14402; transaction.partition.verification.enable, true by default): before the
   * first transactional batch of a producer's transaction lands on a partition, the leader asks the transaction
   * coordinator whether the partition is in that producer's ongoing transaction (AddPartitionsToTxn v4 with
   * verifyOnly, sent by AddPartitionsToTxnManager from ReplicaManager.appendRecords) and appends only under the
   * VerificationGuard it created (UnifiedLog.maybeStartTransactionVerification, analyzeAndValidateProducerState);
   * a late produce of a transaction already ended is refused INVALID_TXN_STATE. Before, it was appended and opened
   * a transaction no coordinator would ever end: the hanging transaction.
   */
  kip890: boolean;
  /**
   * KIP-890 part 2 (4.0.0, KAFKA-14562; transaction.version 2, finalized by default on a new 4.0 cluster, used by
   * 4.0 clients through EndTxn v5): the coordinator bumps the producer epoch on every commit and abort
   * (TransactionMetadata.prepareAbortOrCommit), writes the markers with the bumped epoch and answers it in EndTxn;
   * the producer takes it for its next transaction, so a late produce of the previous one carries an older epoch
   * and is refused INVALID_PRODUCER_EPOCH. Before, it could land in the producer's next transaction.
   */
  kip890p2: boolean;
  /**
   * KIP-890 part 2's partitions added by their leaders (4.0.0, transaction.version 2 with Produce v12 and
   * TxnOffsetCommit v5): the producer sends no AddPartitionsToTxn nor AddOffsetsToTxn
   * (TransactionManager.maybeAddPartition, sendOffsetsToTransaction); the partition's leader adds the partition with
   * the coordinator (AddPartitionsToTxnManager, verifyOnly false) as it appends the transaction's first batch, and
   * asks again for a batch of a newer epoch (UnifiedLog.hasOngoingTransaction with the epoch). On with `kip890p2` in
   * every release that has it; apart only so that a what-if can keep the client's own AddPartitionsToTxn.
   */
  kip890p2Add: boolean;
  /** KIP-966's strict min ISR: the high watermark does not advance while |ISR| < min.insync.replicas. */
  strictMinIsr: boolean;
  /**
   * KIP-966's eligible leader replicas: members dropped from the ISR while it is below min ISR stay
   * electable, replicas back from an unclean shutdown leave the ISR and the ELR, and the last known leader
   * is elected back when nobody else may lead (KRaft only, from 4.0; on by default for new clusters from 4.1).
   */
  elr: boolean;
  /** KAFKA-12670 (3.9.0): the KRaft controller honours unclean.leader.election.enable (before, never unclean). */
  kraftUncleanElection: boolean;
  /**
   * KIP-996 (4.0): a KRaft voter whose fetch or election timeout expires runs a Pre-Vote round before bumping the
   * epoch, and a follower that has fetched from its leader refuses pre-votes. Before: it becomes a candidate at
   * once. In both, a Vote of a newer epoch moves every voter to it (KafkaRaftClient.handleVoteRequest).
   */
  kip996: boolean;
  /**
   * KAFKA-1546 (0.9.0): the leader drops a follower that has not caught up to its log end offset within
   * replica.lag.time.max.ms (lastCaughtUpTimeMs). Before: one that has not fetched for that long, or is more
   * than replica.lag.max.messages (4000) behind.
   */
  kafka1546: boolean;
  /** KAFKA-2721 (0.10.0): a leader re-elected in a new leader epoch keeps its followers' fetch state. */
  kafka2721: boolean;
  /**
   * KAFKA-4485 (0.10.2): a fetch reaching the leader's log end offset as of the follower's previous fetch
   * counts as caught up at that fetch's time, and the high watermark also waits for caught-up followers
   * outside the ISR.
   */
  kafka4485: boolean;
  /** KAFKA-7152 (2.1.0): a follower whose log end offset equals the leader's is never out of sync. */
  kafka7152: boolean;
  /**
   * KAFKA-7415 (2.1.0): a new leader records its epoch's start offset at once (Partition.makeLeader); before,
   * its first append in the epoch did. And an append assigns its batch's epoch whenever it differs from the cache's
   * latest (LeaderEpochFileCache.assign's isUpdateNeeded), dropping the entries the new one contradicts; before,
   * only an epoch above the latest was taken, so a replica that once led an empty log kept that epoch at offset 0
   * under every older-epoch record it fetched afterwards.
   */
  kafka7415: boolean;
  /**
   * KAFKA-7897 (2.1.1, 2.2.0): a new follower whose log has no leader epoch truncates to its high watermark
   * without asking the leader; before, it sent OffsetsForLeaderEpoch for epoch -1 and got that answer.
   */
  kafka7897: boolean;
  /**
   * KAFKA-10554 (2.8.0, IBP 2.7-IV1): the follower sends its last fetched epoch in Fetch and truncates on the
   * leader's DivergingEpoch answer, with no OffsetsForLeaderEpoch round.
   */
  truncateOnFetch: boolean;
  /** KAFKA-14704 (3.5.0): given a diverging epoch, the follower truncates and leaves its high watermark alone. */
  kafka14704: boolean;
  /**
   * KAFKA-5494 (1.0.0): idempotence with up to five requests in flight. The leader caches each producer's last five
   * batches for duplicates (ProducerStateEntry.NumBatchesToRetain; 0.11.0's ProducerIdEntry held one), and the
   * producer tracks its batches in flight by sequence, retries an OUT_OF_ORDER_SEQUENCE_NUMBER behind a failed batch
   * and holds new batches while an expired retry leaves sequences unresolved (TransactionManager.canRetry,
   * RecordAccumulator.shouldStopDrainBatchesForPartition); before, one request in flight
   * (KafkaProducer.configureInflightRequests) and the sequence moved on only as batches succeeded.
   */
  kafka5494: boolean;
  /**
   * KAFKA-5793 (1.0.0): a leader with no state for a producer id answers a first sequence other than 0
   * UNKNOWN_PRODUCER_ID, not OUT_OF_ORDER_SEQUENCE_NUMBER (ProducerAppendInfo.checkSequence), with its log start
   * offset; the producer numbers its batches from 0 again if nothing it had acknowledged is left in the log
   * (TransactionManager.canRetry, startSequencesAtBeginning).
   */
  kafka5793: boolean;
  /**
   * KIP-360 (2.5.0): the leader accepts any sequence from a producer id it has no state for
   * (ProducerAppendInfo.checkSequence, KAFKA-8710), and the idempotent producer bumps its epoch itself and numbers
   * the failed partition from 0 instead of taking a new producer id (TransactionManager.handleFailedBatch,
   * canRetry, bumpIdempotentEpochAndResetIdIfNeeded; KAFKA-8805).
   */
  kip360: boolean;
  /**
   * KIP-588 (2.7.0, KAFKA-9911 and KAFKA-10687): the producer takes INVALID_PRODUCER_EPOCH from a produce as
   * InvalidProducerEpochException and bumps its epoch; before, as ProducerFencedException, fatal
   * (TransactionManager.maybeTransitionToErrorState).
   */
  kip588: boolean;
  /**
   * KAFKA-12152 (2.7.1, 2.8.0): each partition keeps the producer id and epoch of its sequences and starts again
   * from 0 in a new epoch once nothing of the old one is in flight (TransactionManager
   * .maybeUpdateProducerIdAndEpoch); before, a partition with nothing in flight at an epoch bump sent the new epoch
   * with its old sequence, was refused, and bumped the epoch again.
   */
  kafka12152: boolean;
  /**
   * KAFKA-9840 (2.7.0): a consumer whose OffsetsForLeaderEpoch answer has no epoch or end offset resets its position
   * by auto.offset.reset, or raises LogTruncationException without one (SubscriptionState.maybeCompleteValidation);
   * before, it took the undefined end offset (-1) as where the log diverged.
   */
  kafka9840: boolean;
  /**
   * KAFKA-3670 (0.10.1.0): the ZooKeeper controller's controlled-shutdown election takes the first replica in
   * assignment order that is live (or shutting down) and in the ISR left without the shutting-down brokers
   * (ControlledShutdownLeaderSelector, from 1.1 controlledShutdownPartitionLeaderElection); before, that ISR's head.
   */
  kafka3670: boolean;
  /**
   * KAFKA-9189 (3.0.0): a ZooKeeper-mode broker in controlled shutdown finds the controller in its metadata
   * cache (KafkaServer.controlledShutdown: metadataCache.getControllerId); before, by reading ZooKeeper, which
   * blocks while ZooKeeper is out of reach.
   */
  kafka9189: boolean;
  /**
   * PR 11246 (3.1.0, "Improve controlled shutdown logging"): KafkaServer.controlledShutdown backs off only before
   * an attempt it will make; before, after the last failed one too, so the broker stopped a backoff later.
   */
  pr11246: boolean;
}

export type BehaviourName = keyof KafkaBehaviours;

/** What each behaviour is called on the command line (`--protocol -kip101,+elr`) and in reports. */
export const BEHAVIOUR_LABELS: Record<BehaviourName, string> = {
  kip101: 'KIP-101 truncation by leader epoch',
  kip279: 'KIP-279 OffsetsForLeaderEpoch iteration',
  kip320: 'KIP-320 fencing by leader epoch',
  kip320Consumer: 'KIP-320 consumer truncation detection',
  kafka7164: 'KAFKA-7164 truncation on every leader epoch change',
  kafka7128: 'KAFKA-7128 ISR join at the epoch start offset',
  kip380: 'KIP-380 broker epoch in control requests',
  kafka9839: 'KAFKA-9839 control requests for a newer broker epoch accepted',
  kafka5642: 'KAFKA-5642 last ISR member kept offline',
  kip497: 'KIP-497 AlterIsr to the controller in ZooKeeper mode',
  kafka13091: 'KAFKA-13091 high watermark recomputed when AlterIsr commits',
  kafka14154: 'KAFKA-14154/14144 AlterPartition epoch checks',
  kip841: 'KIP-841 AlterPartition refuses non-live ISR members',
  kip835: 'KIP-835 the active controller writes a NoOpRecord every metadata.max.idle.interval.ms (KRaft)',
  kip903: 'KIP-903 broker epochs in Fetch and AlterPartition (KRaft)',
  kafka15021: 'KAFKA-15021 KRaft ISR shrink keeps the leader epoch; only ISR-eligible followers hold the HW',
  kip890: 'KIP-890 the leader verifies a transactional produce with the transaction coordinator',
  kip890p2: 'KIP-890 part 2 (transaction.version 2) the producer epoch bumped on every commit and abort',
  kip890p2Add: 'KIP-890 part 2 (transaction.version 2) partition leaders add partitions to the transaction',
  strictMinIsr: 'KIP-966 high watermark held below min ISR',
  elr: 'KIP-966 eligible leader replicas',
  kraftUncleanElection: 'KAFKA-12670 unclean election in KRaft',
  kip996: 'KIP-996 Pre-Vote',
  kafka1546: 'KAFKA-1546 ISR lag by time since caught up',
  kafka2721: 'KAFKA-2721 follower state kept on leader re-election',
  kafka4485: 'KAFKA-4485 caught-up followers outside the ISR hold the high watermark',
  kafka7152: 'KAFKA-7152 a follower at the leader log end is in sync',
  kafka7415: 'KAFKA-7415 a new leader records its epoch; appends assign any other epoch',
  kafka7897: 'KAFKA-7897 no OffsetsForLeaderEpoch without an epoch',
  truncateOnFetch: 'KAFKA-10554 truncation on fetch (DivergingEpoch)',
  kafka14704: 'KAFKA-14704 truncation before the follower high watermark',
  kafka5494: 'KAFKA-5494 idempotence with five requests in flight',
  kafka5793: 'KAFKA-5793 UNKNOWN_PRODUCER_ID',
  kip360: 'KIP-360 producer epoch bump; any first sequence from an unknown producer',
  kip588: 'KIP-588 INVALID_PRODUCER_EPOCH not fatal to the producer',
  kafka12152: 'KAFKA-12152 per-partition producer epoch',
  kafka9840: 'KAFKA-9840 consumer reset on an undefined epoch end offset',
  kafka3670: 'KAFKA-3670 controlled shutdown elects the first live replica of the ISR in assignment order',
  kafka9189: 'KAFKA-9189 controlled shutdown finds the controller in the metadata cache',
  pr11246: 'PR 11246 no backoff after the last controlled shutdown attempt',
};

export const BEHAVIOUR_NAMES = Object.keys(BEHAVIOUR_LABELS) as BehaviourName[];

/**
 * The historical modes of ../../shared/notes section 4, each turning off the fix it is named after: the
 * shorthand the bug scenarios and bench/bugfind use. All but pre-kip-966 name bugs fixed by 2.1.0, so they
 * also take the follower's fetch path as those releases had it, without the two later changes to it
 * (KAFKA-7897, 2.1.1; truncation on fetch, 2.8 at IBP 2.7-IV1).
 */
const OLD_FETCH_PATH: Partial<KafkaBehaviours> = { kafka7897: false, truncateOnFetch: false };
const HISTORICAL: Record<string, Partial<KafkaBehaviours>> = {
  'pre-kip-101': { kip101: false, ...OLD_FETCH_PATH },
  'pre-kip-279': { kip279: false, ...OLD_FETCH_PATH },
  'pre-kip-320': { kip320: false, kip320Consumer: false, ...OLD_FETCH_PATH },
  'kafka-7164': { kafka7164: false, ...OLD_FETCH_PATH },
  'kafka-7128': { kafka7128: false, ...OLD_FETCH_PATH },
  'pre-kip-966': { strictMinIsr: false, elr: false },
};

export const HISTORICAL_MODES = Object.keys(HISTORICAL);

/** A behaviour's name as typed: "kip-101", "KIP101" and "kip101" all name kip101. */
function behaviourNamed(text: string): BehaviourName | undefined {
  const key = text.toLowerCase().replace(/-/g, '');
  return BEHAVIOUR_NAMES.find((n) => n.toLowerCase() === key);
}

/**
 * Parses `--protocol` overrides: a comma list of historical modes (pre-kip-101, kafka-7164, ...) and of
 * behaviours switched on (+elr) or off (-kip101). Empty: no override.
 */
export function parseOverrides(text: string): { names: string[]; changes: Partial<KafkaBehaviours> } {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  // A stray comma or a name given twice says the user meant something other than what would run.
  if (text.trim().length > 0 && names.length !== text.split(',').length) {
    throw new ConfigError(`--protocol: an empty name in "${text}" (a stray comma?)`);
  }
  let changes: Partial<KafkaBehaviours> = {};
  for (const [i, name] of names.entries()) {
    if (names.indexOf(name) !== i) throw new ConfigError(`--protocol: "${name}" is named twice`);
    const historical = HISTORICAL[name];
    if (historical !== undefined) {
      changes = { ...changes, ...historical };
      continue;
    }
    const sign = name[0];
    const behaviour = sign === '+' || sign === '-' ? behaviourNamed(name.slice(1)) : undefined;
    if (behaviour === undefined) {
      throw new ConfigError(
        `--protocol: unknown override "${name}" (a historical mode: ${HISTORICAL_MODES.join(', ')}; ` +
          `or +name / -name with a name among ${BEHAVIOUR_NAMES.join(', ')})`,
      );
    }
    changes = { ...changes, [behaviour]: sign === '+' };
  }
  return { names, changes };
}
