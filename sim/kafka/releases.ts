// Kafka releases as the system under test: for each, the metadata modes it runs in, the replication
// behaviours it has (protocol.ts) and the defaults it shipped that differ from sim/kafka's (config.ts).
// Built as a history: each release is the one before it plus what changed, so a fix appears once, at the
// release that brought it. Every change names its KIP or JIRA and the Kafka class and method that show it
// at the release's tag (README's release table says the same).
import type { BrokerConfig, ProducerConfig } from './config.ts';
import type { MetadataMode } from './kraft/config.ts';
import type { KafkaBehaviours } from './protocol.ts';
import { ConfigError } from '../world/errors.ts';

export interface KafkaRelease {
  /** The version users name: "3.9". */
  version: string;
  /** The release whose source the behaviours were checked against: "3.9.0". */
  checkedAt: string;
  /** The metadata modes it runs in, its default first. */
  metadataModes: MetadataMode[];
  behaviours: KafkaBehaviours;
  /** Broker defaults of this release that differ from sim/kafka's (BROKER_DEFAULTS). */
  broker: Partial<BrokerConfig>;
  /** Producer defaults of this release that differ from sim/kafka's (PRODUCER_DEFAULTS). */
  producer: Partial<ProducerConfig>;
  /** Whether the producer can be idempotent at all (KIP-98, 0.11.0). */
  idempotentProducer: boolean;
  /** What changed in this release, one line each with its KIP/JIRA and the class and method. */
  changes: string[];
}

interface Change {
  version: string;
  checkedAt: string;
  metadataModes?: MetadataMode[];
  behaviours?: Partial<KafkaBehaviours>;
  broker?: Partial<BrokerConfig>;
  producer?: Partial<ProducerConfig>;
  idempotentProducer?: boolean;
  changes: string[];
}

const NONE: KafkaBehaviours = {
  kip101: false,
  kip279: false,
  kip320: false,
  kip320Consumer: false,
  kafka7164: false,
  kafka7128: false,
  kip380: false,
  kafka9839: false,
  kafka5642: false,
  kip497: false,
  kafka13091: false,
  kafka14154: false,
  kip841: false,
  kip835: false,
  kip903: false,
  kafka15021: false,
  kip890: false,
  kip890p2: false,
  kip890p2Add: false,
  strictMinIsr: false,
  elr: false,
  kraftUncleanElection: false,
  kip996: false,
  kafka1546: false,
  kafka2721: false,
  kafka4485: false,
  kafka7152: false,
  kafka7415: false,
  kafka7897: false,
  truncateOnFetch: false,
  kafka14704: false,
  kafka5494: false,
  kafka5793: false,
  kip360: false,
  kip588: false,
  kafka12152: false,
  kafka9840: false,
  kafka3670: false,
  kafka9189: false,
  pr11246: false,
};

/** Each release as the one before it plus what changed (facts checked at the tags; README's table cites them). */
const HISTORY: Change[] = [
  {
    version: '0.8.2',
    checkedAt: '0.8.2.2',
    metadataModes: ['zk'],
    broker: {
      'unclean.leader.election.enable': true,
      'replica.lag.time.max.ms': 10000,
      'zookeeper.session.timeout.ms': 6000,
    },
    producer: { acks: 1, 'enable.idempotence': false, retries: 0 },
    idempotentProducer: false,
    changes: [
      'replication with ISR and high watermark; a new follower truncates to its high watermark ' +
        '(ReplicaManager.makeFollowers); unclean.leader.election.enable defaults to true (KafkaConfig)',
      'a follower leaves the ISR when it has not fetched for replica.lag.time.max.ms or is more than ' +
        'replica.lag.max.messages (4000) behind (Partition.getOutOfSyncReplicas, Replica.logEndOffset_=); a new ' +
        "leader forgets its followers' log end offsets at every new epoch (Partition.makeLeader); the high " +
        "watermark is the ISR's smallest log end offset (Partition.maybeIncrementLeaderHW)",
      'a follower sets its high watermark to min(leader high watermark, its log end offset), down as well as up ' +
        '(ReplicaFetcherThread.processPartitionData), in every release',
      'controlled shutdown (controlled.shutdown.enable true, 3 attempts 5 s apart): the broker sends ' +
        'ControlledShutdown to the controller it reads from ZooKeeper (KafkaServer.controlledShutdown), which ' +
        'elects the head of the ISR without it for the partitions it leads (ControlledShutdownLeaderSelector), ' +
        'stops its fetchers (StopReplica) and takes it out of the other ISRs (KafkaController.shutdownBroker)',
    ],
  },
  {
    version: '0.10.2',
    checkedAt: '0.10.2.2',
    behaviours: { kafka1546: true, kafka2721: true, kafka4485: true, kafka3670: true },
    changes: [
      'KAFKA-3670 (0.10.1): controlled shutdown elects the first replica in assignment order that is live and in ' +
        'the ISR left (ControlledShutdownLeaderSelector: liveAssignedReplicas.find(newIsr.contains))',
      'KAFKA-1546 (0.9.0): lag by time only: a follower is out of sync when it has not caught up to the ' +
        "leader's log end offset for replica.lag.time.max.ms (Partition.getOutOfSyncReplicas, " +
        'Replica.lastCaughtUpTimeMs); replica.lag.max.messages removed',
      "KAFKA-2721 (0.10.0): a leader re-elected in a new epoch keeps its followers' log end offsets " +
        '(Partition.makeLeader isNewLeader, Replica.resetLastCaughtUpTime)',
      "KAFKA-4485: a fetch at the leader's log end offset as of the previous fetch counts as caught up then " +
        '(Replica.updateLogReadResult); the high watermark also waits for followers caught up within ' +
        'replica.lag.time.max.ms outside the ISR (Partition.maybeIncrementLeaderHW)',
    ],
  },
  {
    version: '0.11.0',
    checkedAt: '0.11.0.2',
    behaviours: { kip101: true },
    broker: { 'unclean.leader.election.enable': false },
    idempotentProducer: true,
    changes: [
      'KIP-101: followers truncate by leader epoch (ReplicaFetcherThread.maybeTruncate, OffsetsForLeaderEpoch)',
      'KIP-106: unclean.leader.election.enable defaults to false (KafkaConfig Defaults)',
      "KIP-98: idempotent producer, off by default. The leader keeps each producer id's epoch and last batch: a " +
        'retry of it answers its offset (ProducerIdEntry.isDuplicate), an older epoch INVALID_PRODUCER_EPOCH, a new ' +
        'epoch (or an unknown producer) not starting at sequence 0 or a gap OUT_OF_ORDER_SEQUENCE_NUMBER ' +
        '(ProducerAppendInfo.validateAppend). With idempotence the producer takes acks=all, retries MAX_INT and one ' +
        'request in flight (KafkaProducer.configureAcks, configureRetries, configureInflightRequests); an ' +
        'OUT_OF_ORDER_SEQUENCE_NUMBER or an expired retry resets its producer id (Sender.failBatch, ' +
        'Sender.sendProducerData)',
    ],
  },
  {
    version: '1.1',
    checkedAt: '1.1.1',
    behaviours: { kafka5642: true, kafka5494: true, kafka5793: true },
    changes: [
      'KAFKA-5494 (1.0.0): idempotence with up to five requests in flight; the leader caches the last five batches ' +
        'of each producer (ProducerStateEntry.NumBatchesToRetain); the producer tracks its batches in flight, ' +
        'retries an OUT_OF_ORDER_SEQUENCE_NUMBER behind a failed batch, moves later sequences down over a batch that ' +
        'failed for good, holds new batches while an expired retry leaves sequences unresolved, and otherwise resets ' +
        'its producer id (TransactionManager.canRetry, handleFailedBatch, adjustSequencesDueToFailedBatch, ' +
        'shouldResetProducerStateAfterResolvingSequences; RecordAccumulator.drain)',
      'KAFKA-5793 (1.0.0): a leader with no state for a producer id answers a first sequence other than 0 ' +
        'UNKNOWN_PRODUCER_ID (ProducerAppendInfo.checkSequence) with its log start offset; the producer starts the ' +
        "partition's sequences again from 0 if nothing it had acknowledged is left in the log, else resets its " +
        'producer id (TransactionManager.canRetry, startSequencesAtBeginning)',
      'KAFKA-5642: the controller keeps the last ISR member of a partition going offline even with unclean ' +
        'election enabled (ReplicaStateMachine.doRemoveReplicasFromIsr; before, KafkaController.removeReplicaFromIsr ' +
        'emptied the ISR when unclean.leader.election.enable)',
      'KAFKA-7128/7164 reached only the unreleased 1.1.2',
    ],
  },
  {
    version: '2.0',
    checkedAt: '2.0.0',
    behaviours: { kip279: true },
    changes: [
      'KIP-279: LeaderEpochFileCache.endOffsetFor answers the largest epoch ≤ the asked one; ' +
        'AbstractFetcherThread.getOffsetTruncationState iterates',
    ],
  },
  {
    version: '2.1',
    checkedAt: '2.1.0',
    behaviours: { kip320: true, kafka7164: true, kafka7128: true, kafka7152: true, kafka7415: true },
    producer: { retries: 2147483647 },
    changes: [
      "KAFKA-7152: a follower whose log end offset equals the leader's is never out of sync " +
        '(Partition.getOutOfSyncReplicas; Partition.isFollowerOutOfSync from 2.4, ReplicaState.isCaughtUp in 3.x)',
      'KIP-320 (broker side): Fetch and OffsetsForLeaderEpoch carry the current leader epoch ' +
        '(Partition.localReplicaWithEpochOrException: FENCED_LEADER_EPOCH, UNKNOWN_LEADER_EPOCH)',
      'KAFKA-7164/KAFKA-7395: a follower truncates on every leader epoch change (Partition.makeFollower)',
      'KAFKA-7128: ISR expansion waits for the leader epoch start offset (Partition.maybeExpandIsr)',
      'KAFKA-7415: a new leader records its epoch start offset (Partition.makeLeader); an append assigns any ' +
        'leader epoch other than the latest, dropping the entries it contradicts (LeaderEpochFileCache.assign)',
      'KIP-91: producer retries default to MAX_INT (ProducerConfig)',
    ],
  },
  {
    version: '2.4',
    checkedAt: '2.4.1',
    behaviours: { kip380: true, kip320Consumer: true, kafka7897: true },
    changes: [
      'KAFKA-7897 (2.1.1, 2.2.0): a new follower whose log has no leader epoch truncates to its high watermark ' +
        'without an OffsetsForLeaderEpoch round (AbstractFetcherThread.maybeTruncate partitionsWithoutEpochs, ' +
        'LeaderEpochFileCache.latestEpoch: Option)',
      'KIP-380 (2.2): broker epoch in LeaderAndIsr and UpdateMetadata (KafkaApis.isBrokerEpochStale)',
      'KIP-320 (consumer side, 2.3): the consumer validates its position after a leader change and seeks to where ' +
        'the log diverged, or raises LogTruncationException with auto.offset.reset=none ' +
        '(SubscriptionState.maybeCompleteValidation, Fetcher.validateOffsetsAsync); before, it fetched on until ' +
        'OFFSET_OUT_OF_RANGE and reset by auto.offset.reset (Fetcher.handleOffsetOutOfRange)',
    ],
  },
  {
    version: '2.7',
    checkedAt: '2.7.0',
    behaviours: { kafka9839: true, kip497: true, kip360: true, kip588: true, kafka9840: true },
    broker: { 'replica.lag.time.max.ms': 30000, 'zookeeper.session.timeout.ms': 18000 },
    changes: [
      'KIP-537 (2.5): replica.lag.time.max.ms 30000 and zookeeper.session.timeout.ms 18000 (KafkaConfig Defaults)',
      'KAFKA-9839 (2.5.1): a LeaderAndIsr or UpdateMetadata for a newer broker epoch than the broker has learnt ' +
        'is accepted (KafkaApis.isBrokerEpochStale no longer throws)',
      'KIP-497 (IBP 2.7-IV2): the leader sends AlterIsr to the controller instead of writing ZooKeeper ' +
        '(Partition.expandIsr/shrinkIsr with PendingExpandIsr/PendingShrinkIsr and the maximal ISR, ' +
        'AlterIsrManager, KafkaController.processAlterIsr)',
      'KIP-360 (2.5): the leader accepts any sequence from a producer id it has no state for (KAFKA-8710, ' +
        'ProducerAppendInfo.checkSequence); the idempotent producer bumps its epoch itself and numbers the failed ' +
        "partition's batches from 0 in it instead of taking a new producer id, and retries every " +
        'OUT_OF_ORDER_SEQUENCE_NUMBER (KAFKA-8805: TransactionManager.handleFailedBatch, canRetry, ' +
        'maybeResolveSequences, bumpIdempotentEpochAndResetIdIfNeeded)',
      'KIP-588 (KAFKA-9911, KAFKA-10687): INVALID_PRODUCER_EPOCH on a produce is InvalidProducerEpochException, ' +
        'which bumps the epoch, no longer the fatal ProducerFencedException (TransactionManager' +
        '.maybeTransitionToErrorState; the leader throws InvalidProducerEpochException, ProducerAppendInfo' +
        '.checkProducerEpoch)',
      'KAFKA-9840 (with KAFKA-10113): an OffsetsForLeaderEpoch answer without epoch or end offset resets the ' +
        "consumer's position by auto.offset.reset, or raises LogTruncationException without a divergent offset " +
        '(SubscriptionState.maybeCompleteValidation); before, the consumer sought to the end offset -1',
    ],
  },
  {
    version: '3.0',
    checkedAt: '3.0.0',
    producer: { acks: 'all' },
    behaviours: { truncateOnFetch: true, kafka12152: true, kafka9189: true },
    changes: [
      'KAFKA-9189: a broker in controlled shutdown finds the controller in its metadata cache, not ZooKeeper ' +
        '(KafkaServer.controlledShutdown: metadataCache.getControllerId, getAliveBrokerNode)',
      'KAFKA-10554 (2.8.0, IBP 2.7-IV1): the follower sends lastFetchedEpoch in Fetch (v12) and truncates on the ' +
        "leader's DivergingEpoch (Partition.readRecords; AbstractFetcherThread.processFetchRequest " +
        'divergingEpoch.ifPresent, partitionFetchState: Fetching, not Truncating), with KAFKA-10706 (2.8.0: ' +
        'Log.truncateTo trims the leader-epoch cache at the log end) and KAFKA-13141 (2.8.1, 3.0.0: the leader ' +
        'does not record a diverging fetch, ReplicaManager.updateFollowerFetchState)',
      'KIP-679: the producer defaults to acks=all and enable.idempotence=true (ProducerConfig); in 3.0.0 the ' +
        'idempotence default had no effect unless set explicitly (KAFKA-13598, fixed in 3.0.1)',
      'KAFKA-12152 (2.7.1, 2.8.0): each partition keeps the producer id and epoch of its sequences and starts from 0 ' +
        'in a new epoch once nothing of the old is in flight (TransactionManager.maybeUpdateProducerIdAndEpoch); ' +
        'before, a partition idle at an epoch bump sent the new epoch with its old sequence, was refused ' +
        'OUT_OF_ORDER_SEQUENCE_NUMBER and bumped the epoch again',
    ],
  },
  {
    version: '3.4',
    checkedAt: '3.4.0',
    metadataModes: ['kraft', 'zk'],
    behaviours: { kafka13091: true, kafka14154: true, kip841: true, kip835: true, pr11246: true },
    producer: { 'enable.idempotence': true },
    changes: [
      'PR 11246 (3.1): KafkaServer.controlledShutdown backs off only before another attempt, not after the last',
      'KIP-833 (3.3): KRaft production-ready for new clusters',
      'KIP-835 (3.3, MV 3.3-IV1): the active controller appends a NoOpRecord every metadata.max.idle.interval.ms ' +
        '(500 ms by default; QuorumController.maybeScheduleNextWriteNoOpRecord, rescheduled as each one is ' +
        'written and cancelled by renounce), so the metadata log commits while the cluster is idle; brokers and ' +
        'controllers replay it as nothing but an offset (MetadataDelta.replay, QuorumController.replay)',
      'KAFKA-13091 (3.1): the high watermark is recomputed when an AlterIsr commits (Partition.handleAlterIsrResponse)',
      'KIP-497 renamed (3.2): AlterIsr becomes AlterPartition (KafkaController.processAlterPartition)',
      'KAFKA-14154 (3.3) and KAFKA-14144 (3.4): AlterPartition with a higher leader or partition epoch than the ' +
        "controller's is answered NOT_CONTROLLER, a lower partition epoch INVALID_UPDATE_VERSION after the " +
        'idempotency check (KafkaController.tryProcessAlterPartition; in KRaft ' +
        'ReplicationControlManager.validateAlterPartitionData, which before 3.3 answered any other leader epoch ' +
        'FENCED_LEADER_EPOCH and any other partition epoch INVALID_UPDATE_VERSION)',
      'KIP-841 (3.3, KAFKA-14140): AlterPartition with a fenced (ZooKeeper: not live) or shutting-down broker in ' +
        'the ISR is refused with INELIGIBLE_REPLICA (KafkaController.tryProcessAlterPartition against ' +
        'liveBrokerIds, ReplicationControlManager.ineligibleReplicasForIsr), the leader goes back to its committed ' +
        'ISR (Partition.handleAlterPartitionError), and a KRaft leader proposes no fenced or shutting-down ' +
        'follower (Partition.isReplicaIsrEligible: isBrokerFenced, isBrokerShuttingDown); KRaft marks a broker ' +
        'in controlled shutdown in its registration (BrokerRegistrationChangeRecord.InControlledShutdown)',
      'KRaft controlled shutdown: the broker heartbeats WantShutDown ' +
        '(BrokerLifecycleManager.beginControlledShutdown) and stops fetching partitions whose ISR lacks it ' +
        '(ReplicaManager.beginControlledShutdown); the controller ' +
        'moves its leaderships and ISR memberships away (ReplicationControlManager.handleBrokerInControlledShutdown) ' +
        'and answers ShouldShutDown once it leads nothing and every active broker has the records ' +
        '(BrokerHeartbeatManager.calculateNextBrokerState); the broker waits up to 5 minutes (BrokerServer.shutdown)',
      'KAFKA-13598 (3.0.1, 3.2): enable.idempotence=true takes effect by default; KAFKA-13673 (3.2): acks, retries ' +
        'or max.in.flight.requests.per.connection that conflict with it switch it off unless it was set explicitly ' +
        '(ProducerConfig.postProcessAndValidateIdempotenceConfigs)',
      'KRaft in 3.3-3.8 ignores unclean.leader.election.enable ' +
        '(ConfigurationControlManager.uncleanLeaderElectionEnabledForTopic returns false)',
      "KRaft (MV before 3.6): every ISR shrink bumps the leader epoch, the leader's own AlterPartition included " +
        '(PartitionChangeBuilder.triggerLeaderEpochBumpIfNeeded); a partition losing its leader keeps its last ' +
        'ISR member (PartitionChangeBuilder.build writes no empty ISR)',
    ],
  },
  {
    version: '3.5',
    checkedAt: '3.5.0',
    behaviours: { kip903: true, kafka14704: true },
    changes: [
      'KAFKA-14704 (3.4.1, 3.5.0): given a diverging epoch the follower truncates first and does not process ' +
        'the partition data, so its high watermark waits for the next fetch ' +
        '(AbstractFetcherThread.processFetchRequest)',
      'KIP-903 (MV 3.5-IV1, KRaft only; KAFKA-14139): followers send their broker epoch in Fetch ' +
        '(ReplicaState.ReplicaEpoch), the leader adds a follower to the ISR only if that epoch is the one in its ' +
        'metadata (Partition.isReplicaIsrEligible) and sends the epochs in AlterPartition (NewIsrWithEpochs, ' +
        'Partition.addBrokerEpochToIsr); the controller refuses a stale one with INELIGIBLE_REPLICA ' +
        '(ReplicationControlManager.ineligibleReplicasForIsr)',
    ],
  },
  {
    version: '3.7',
    checkedAt: '3.7.0',
    behaviours: { strictMinIsr: true, kafka15021: true, kip890: true },
    changes: [
      'KIP-890 part 1 (3.6.0, KAFKA-14402): transaction.partition.verification.enable (true): the leader verifies ' +
        "a producer's first transactional batch on a partition with the transaction coordinator " +
        '(ReplicaManager.appendRecords, AddPartitionsToTxnManager, AddPartitionsToTxn verifyOnly answered by ' +
        'TransactionCoordinator.handleVerifyPartitionsInTransaction) and appends it only under its verification ' +
        'guard (UnifiedLog.maybeStartTransactionVerification, analyzeAndValidateProducerState; ' +
        'ProducerStateManager.maybeCreateVerificationStateEntry), so a late produce cannot open a hanging transaction',
      'KAFKA-15021 (3.6, MV 3.6-IV0): in KRaft an ISR shrink bumps only the partition epoch, no longer the ' +
        'leader epoch (PartitionChangeBuilder.triggerLeaderEpochBumpForIsrShrinkIfNeeded, ' +
        'MetadataVersion.isLeaderEpochBumpRequiredOnIsrShrink)',
      'KAFKA-15021 (3.6.0, same commit): the high watermark waits for a caught-up follower outside the ISR ' +
        'only if it may join the ISR: alive in ZooKeeper mode, unfenced in KRaft (Partition.maybeIncrementLeaderHW ' +
        'shouldWaitForReplicaToJoinIsr, isReplicaIsrEligible)',
      'KAFKA-15583 (KIP-966 part): the high watermark does not advance while the ISR is below min ISR ' +
        '(Partition.maybeIncrementLeaderHW), in both metadata modes',
    ],
  },
  {
    version: '3.9',
    checkedAt: '3.9.0',
    behaviours: { kraftUncleanElection: true },
    changes: [
      'the last release with ZooKeeper mode',
      'KAFKA-12670: KRaft honours unclean.leader.election.enable (ReplicationControlManager)',
    ],
  },
  {
    version: '4.0',
    checkedAt: '4.0.0',
    metadataModes: ['kraft'],
    behaviours: { kip996: true, kip890p2: true, kip890p2Add: true },
    changes: [
      'ZooKeeper mode removed',
      'KIP-996: Pre-Vote (KafkaRaftClient, ProspectiveState)',
      'KIP-890 part 2 (KAFKA-14562): transaction.version 2, finalized by default on new clusters: the coordinator ' +
        'bumps the producer epoch on every EndTxn and writes the markers with it (TransactionCoordinator.' +
        'handleEndTransaction, TransactionMetadata.prepareAbortOrCommit), the producer takes it from the EndTxn ' +
        'answer (TransactionManager), so a late produce of the previous transaction is refused INVALID_PRODUCER_EPOCH',
      'KIP-966 eligible leader replicas available, off by default (eligible.leader.replicas.version=0)',
    ],
  },
  {
    version: '4.1',
    checkedAt: '4.1.0',
    behaviours: { elr: true },
    changes: [
      'KIP-966 eligible leader replicas on by default for new clusters (PartitionChangeBuilder, ' +
        'ReplicationControlManager), with unclean-shutdown exclusion and last-known-leader recovery',
    ],
  },
  { version: '4.2', checkedAt: '4.2.0', changes: ['no change to the replication behaviours kafkasim models'] },
  { version: '4.3', checkedAt: '4.3.0', changes: ['no change to the replication behaviours kafkasim models'] },
  { version: '4.4', checkedAt: '4.4.0', changes: ['no change to the replication behaviours kafkasim models'] },
];

function build(): KafkaRelease[] {
  const out: KafkaRelease[] = [];
  let previous: KafkaRelease | null = null;
  for (const c of HISTORY) {
    const release: KafkaRelease = {
      version: c.version,
      checkedAt: c.checkedAt,
      metadataModes: c.metadataModes ?? previous?.metadataModes ?? ['zk'],
      behaviours: { ...(previous?.behaviours ?? NONE), ...(c.behaviours ?? {}) },
      broker: { ...(previous?.broker ?? {}), ...(c.broker ?? {}) },
      producer: { ...(previous?.producer ?? {}), ...(c.producer ?? {}) },
      idempotentProducer: c.idempotentProducer ?? previous?.idempotentProducer ?? false,
      changes: c.changes,
    };
    out.push(release);
    previous = release;
  }
  return out;
}

export const RELEASES: readonly KafkaRelease[] = build();

/** The newest release kafkasim models: the default. */
export const NEWEST_RELEASE = RELEASES[RELEASES.length - 1].version;

/**
 * The release a version names: its minor ("3.9", "0.11.0") or the patch release its behaviours were checked
 * at ("3.9.0"). Another patch is refused rather than guessed: patches changed replication at times (2.0.1
 * brought KAFKA-7128, which 2.0.0 lacks).
 */
export function releaseOf(version: string): KafkaRelease {
  // "0.11" names 0.11.0, as Kafka's own docs write it.
  const found = RELEASES.find((r) => r.version === version || r.version === `${version}.0` || r.checkedAt === version);
  if (found !== undefined) return found;
  const minor = RELEASES.find((r) => version.startsWith(`${r.version}.`));
  if (minor !== undefined) {
    throw new ConfigError(`--kafka: kafkasim models ${minor.version} as ${minor.checkedAt}; name it ${minor.version}`);
  }
  throw new ConfigError(`--kafka: unknown release "${version}" (one of ${RELEASES.map((r) => r.version).join(', ')})`);
}

/** The releases that run in a metadata mode, for errors. */
export function releasesWith(mode: MetadataMode): string[] {
  return RELEASES.filter((r) => r.metadataModes.includes(mode)).map((r) => r.version);
}
