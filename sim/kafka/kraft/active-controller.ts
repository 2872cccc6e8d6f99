// The active controller (Kafka's QuorumController while its node leads the Raft quorum: registerBroker,
// processBrokerHeartbeat, alterPartition): broker registration, heartbeats and fencing after
// broker.session.timeout.ms (ClusterControlManager.registerBroker, BrokerHeartbeatManager,
// maybeFenceOneStaleBroker: stale brokers fenced one after another), each heartbeat moving its broker between
// fenced, unfenced, controlled shutdown and shutdown (BrokerHeartbeatManager.calculateNextBrokerState),
// partition leadership and ISR changes (ReplicationControlManager.handleBrokerFenced / handleBrokerUnfenced /
// handleBrokerInControlledShutdown / handleBrokerUncleanShutdown / alterPartition), topic creation and preferred
// leader election, and KIP-835's periodic NoOpRecord.
// It works on its own copy of the metadata image, applying each record as it writes it, and answers a
// request only once the records it wrote for it are committed (an AlterPartition refused on that copy, only
// once everything written before is committed).
import type { NodeId } from '../../world/network.ts';
import type { Timer } from '../../world/node.ts';
import type { ClusterConfig } from '../config.ts';
import type {
  AlterPartitionRequest,
  AlterPartitionResponse,
  BrokerHeartbeatRequest,
  BrokerHeartbeatResponse,
  BrokerRegistrationRequest,
  BrokerRegistrationResponse,
  ControllerError,
  ControllerRequest,
} from './controller-messages.ts';
import type { MetadataImage } from './image.ts';
import { copyPartition, mergeChange } from './image.ts';
import type { MetadataRecord, PartitionChangeRecord } from './records.ts';
import type { AlterPartitionError, ChangePolicy } from './replication-control.ts';
import {
  alterPartitionChange,
  changePartitionReassignment,
  handleBrokerFenced,
  handleBrokerInControlledShutdown,
  handleBrokerUncleanShutdown,
  handleBrokerUnfenced,
  preferredElections,
  topicRecords,
  createTopicRecords,
  validateAlterPartitionData,
} from './replication-control.ts';
import { P, probe } from '../probes.ts';
import type { TopicName } from '../topics.ts';
import { uncleanLeaderElectionEnabledForTopic } from '../topics.ts';

export interface ActiveControllerHost {
  /**
   * The controller's monotonic clock: broker sessions are measured on it (BrokerHeartbeatManager.lastContactNs,
   * time.nanoseconds(), Kafka 3.9), so an NTP step of the controller's wall clock neither expires nor extends one.
   */
  now(): number;
  setTimer(ms: number, fn: () => void): Timer;
  send(to: NodeId, msg: object): void;
  trace(kind: string, detail: string): void;
  readonly config: ClusterConfig;
  /** Appends to the metadata log as leader; the offset after the last record, or -1. */
  append(records: MetadataRecord[]): number;
  /** The next offset of the metadata log. */
  logEndOffset(): number;
  highWatermark(): number;
  /**
   * Tells watchers of an AlterPartition's change this controller wrote, uncommitted: it validated the request on
   * `partitionEpoch` and the change leaves the partition with `isr`.
   */
  reportIsrAccepted(partition: number, leader: number, partitionEpoch: number, isr: readonly number[]): void;
}

interface PendingWrite {
  endOffset: number;
  done: (committed: boolean) => void;
}

/** BrokerControlState: where a broker's heartbeats have taken it. */
type BrokerControlState = 'FENCED' | 'UNFENCED' | 'CONTROLLED_SHUTDOWN' | 'SHUTDOWN_NOW';

/** What BrokerHeartbeatManager keeps of a broker besides its last contact (BrokerHeartbeatState). */
interface HeartbeatState {
  /** The metadata offset its last heartbeat reported (the next one it needs); -1 before any since activation. */
  metadataOffset: number;
  /** Set once it entered controlled shutdown: the log end of the records that took it there; -1 otherwise. */
  controlledShutdownOffset: number;
}

/** The probes of AlterPartition's validation of one partition. */
function probeAlterPartition(error: AlterPartitionError): void {
  if (error === 'NOT_CONTROLLER') probe(P.kraftAlterPartitionNotController);
  else if (error === 'FENCED_LEADER_EPOCH') probe(P.kraftAlterPartitionFencedLeaderEpoch);
  else if (error === 'INVALID_REQUEST') probe(P.kraftAlterPartitionInvalidRequest);
  else if (error === 'INVALID_UPDATE_VERSION') probe(P.kraftAlterPartitionInvalidVersion);
  else if (error === 'INELIGIBLE_REPLICA') probe(P.kraftAlterPartitionIneligibleReplica);
}

export class ActiveController {
  private readonly lastContact = new Map<number, number>();
  private readonly heartbeats = new Map<number, HeartbeatState>();
  private pending: PendingWrite[] = [];
  private readonly timers: Timer[] = [];
  private stopped = false;
  private readonly activatedAt: number;

  constructor(
    private readonly host: ActiveControllerHost,
    /** The working image: committed records plus what this controller wrote since. */
    readonly image: MetadataImage,
    readonly epoch: number,
  ) {
    this.activatedAt = host.now();
    // A new active controller gives every registered broker a full session (BrokerHeartbeatManager), and knows
    // none of their metadata offsets (ClusterControlManager.activate: touch(id, fenced, -1)).
    for (const id of [...image.brokers.keys()].sort((a, b) => a - b)) this.lastContact.set(id, this.activatedAt);
  }

  private heartbeatState(broker: number): HeartbeatState {
    let h = this.heartbeats.get(broker);
    if (h === undefined) {
      h = { metadataOffset: -1, controlledShutdownOffset: -1 };
      this.heartbeats.set(broker, h);
    }
    return h;
  }

  private get kraft() {
    return this.host.config.kraft;
  }

  private get policy(): ChangePolicy {
    const c = this.host.config;
    return {
      elr: c.protocol.elr,
      // KRaft ignored unclean.leader.election.enable before 3.9 (KAFKA-12670:
      // ConfigurationControlManager.uncleanLeaderElectionEnabledForTopic returned false); from 3.9 it reads the
      // topic's config, false for `__transaction_state` (TransactionStateManager.transactionTopicConfigs).
      uncleanLeaderElectionEnabledForTopic: (topic) =>
        c.protocol.kraftUncleanElection && uncleanLeaderElectionEnabledForTopic(c, topic),
      minIsr: c.broker['min.insync.replicas'],
      behaviours: c.protocol,
    };
  }

  start(): void {
    const every = (ms: number, fn: () => void): void => {
      const tick = (): void => {
        if (this.stopped) return;
        fn();
        this.timers.push(this.host.setTimer(ms, tick));
      };
      this.timers.push(this.host.setTimer(ms, tick));
    };
    every(Math.max(50, this.kraft['broker.heartbeat.interval.ms'] / 2), () => this.fenceStaleBrokers());
    if (!this.image.topicCreated) every(100, () => this.maybeCreateTopic());
    const idle = this.kraft['metadata.max.idle.interval.ms'];
    if (this.host.config.protocol.kip835 && idle > 0) every(idle, () => this.writeNoOpRecord());
    const b = this.host.config.broker;
    if (b['auto.leader.rebalance.enable']) {
      const interval = b['leader.imbalance.check.interval.seconds'] * 1000;
      every(interval, () => this.write(preferredElections(this.image), () => {}));
    }
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) t.cancel();
    const pending = this.pending;
    this.pending = [];
    for (const p of pending) p.done(false);
  }

  onCommitted(highWatermark: number): void {
    if (this.pending.length === 0) return;
    const ready = this.pending.filter((p) => p.endOffset <= highWatermark);
    this.pending = this.pending.filter((p) => p.endOffset > highWatermark);
    for (const p of ready) p.done(true);
  }

  /** Applies records to the working image, appends them, and calls `done` when committed (or not). */
  private write(records: MetadataRecord[], done: (committed: boolean) => void): void {
    if (records.length === 0) return done(true);
    for (const r of records) this.image.apply(r);
    const endOffset = this.host.append(records);
    if (endOffset < 0) return done(false);
    this.pending.push({ endOffset, done });
    this.onCommitted(this.host.highWatermark());
  }

  /**
   * Calls `done` once every record written so far is committed: an answer that wrote nothing was read from
   * the working image, which may hold records that are not committed yet and may never be (this controller
   * may lose its leadership first; `done(false)` then). Kafka's QuorumController.ControllerWriteEvent.run
   * waits the same way for a read-only operation, on the purgatory's highest pending offset.
   */
  private afterPendingWrites(done: (committed: boolean) => void): void {
    if (this.pending.length === 0) return done(true);
    const endOffset = Math.max(...this.pending.map((p) => p.endOffset));
    this.pending.push({ endOffset, done });
  }

  /**
   * A broker record and the partition changes it brings (ReplicationControlManager's handlers), made on
   * `scratch`, a copy of the working image that each step leaves as its records do.
   */
  private static step(
    scratch: MetadataImage,
    record: MetadataRecord,
    changes: (scratch: MetadataImage) => PartitionChangeRecord[],
  ): MetadataRecord[] {
    scratch.apply(record);
    return [record, ...changes(scratch)];
  }

  /**
   * KIP-835 (3.3): QuorumController.maybeScheduleNextWriteNoOpRecord schedules the WriteNoOpRecord event once the
   * controller is active (completeActivation's processBatchEndOffset), each run schedules the next one
   * metadata.max.idle.interval.ms on and appends one NoOpRecord, and renounce cancels it (stop() here). Kafka writes
   * it on every interval, busy or not (3.3.1 to 3.9.0); nothing waits for it to commit.
   */
  private writeNoOpRecord(): void {
    this.write([{ type: 'NoOpRecord' }], () => {});
  }

  // ---- topic creation ----

  private maybeCreateTopic(): void {
    if (this.image.topicCreated) return;
    const c = this.host.config;
    const allLive = Array.from({ length: c.brokers }, (_, i) => i).every((b) => this.image.isLive(b));
    // Wait for every broker, or for one session timeout, then create with whoever is there.
    if (!allLive && this.host.now() - this.activatedAt < this.kraft['broker.session.timeout.ms']) return;
    if (!allLive && !Array.from({ length: c.brokers }, (_, i) => i).some((b) => this.image.isLive(b))) return;
    this.write(topicRecords(this.image, c), () => {});
  }

  // ---- broker liveness ----

  private fenceStaleBrokers(): void {
    const now = this.host.now();
    const session = this.kraft['broker.session.timeout.ms'];
    const stale = [...this.image.brokers.values()]
      .filter((b) => !b.fenced && now - (this.lastContact.get(b.id) ?? -Infinity) > session)
      .sort((a, b) => a.id - b.id);
    if (stale.length === 0) return;
    for (let i = 0; i < stale.length; i++) probe(P.kraftBrokerFenced);
    this.host.trace('controller', `fencing brokers [${stale.map((b) => b.id)}]: no heartbeat for ${session} ms`);
    // One broker after another, as maybeFenceOneStaleBroker does: the second sees the first's changes.
    const scratch = this.image.clone();
    const records = stale.flatMap((b) =>
      ActiveController.step(scratch, { type: 'FenceBrokerRecord', id: b.id, epoch: b.epoch }, (image) =>
        handleBrokerFenced(image, b.id, this.policy, `broker failure [${b.id}]`),
      ),
    );
    this.write(records, () => {});
  }

  handle(from: NodeId, req: ControllerRequest): void {
    switch (req.type) {
      case 'BrokerRegistration':
        return this.handleRegistration(from, req);
      case 'BrokerHeartbeat':
        return this.handleHeartbeat(from, req);
      case 'AlterPartition':
        return this.handleAlterPartition(from, req);
    }
  }

  private handleRegistration(from: NodeId, req: BrokerRegistrationRequest): void {
    const reply = (error: ControllerError, brokerEpoch: number): void =>
      this.host.send(from, {
        type: 'BrokerRegistrationResponse',
        correlationId: req.correlationId,
        error,
        brokerEpoch,
      } satisfies BrokerRegistrationResponse);
    const existing = this.image.brokers.get(req.brokerId);
    const now = this.host.now();
    if (existing !== undefined && existing.incarnationId === req.incarnationId) {
      // A retry from the same process: answer with its registration once that is committed.
      const epoch = existing.epoch;
      if (epoch < this.host.highWatermark()) return reply('NONE', epoch);
      this.pending.push({ endOffset: epoch + 1, done: (ok) => reply(ok ? 'NONE' : 'NOT_CONTROLLER', epoch) });
      return;
    }
    const sinceContact = now - (this.lastContact.get(req.brokerId) ?? -Infinity);
    if (existing !== undefined && !existing.fenced && sinceContact <= this.kraft['broker.session.timeout.ms']) {
      // The previous incarnation's session has not run out yet (Kafka refuses until it does).
      probe(P.kraftDuplicateRegistration);
      return reply('DUPLICATE_BROKER_REGISTRATION', -1);
    }
    const brokerEpoch = this.host.logEndOffset();
    this.lastContact.set(req.brokerId, now);
    const register: MetadataRecord = {
      type: 'RegisterBrokerRecord',
      brokerId: req.brokerId,
      brokerEpoch,
      incarnationId: req.incarnationId,
      rack: req.rack,
      fenced: true,
      cleanShutdown: req.cleanShutdown,
    };
    const id = req.brokerId;
    const reason = req.cleanShutdown
      ? `broker registration [${id}]`
      : `broker registration after unclean shutdown [${id}]`;
    const policy = this.policy;
    const records = ActiveController.step(this.image.clone(), register, (scratch) => [
      // The registration replaces one still unfenced (its session ran out before the fence did): that broker
      // is gone, as handleBrokerFenced has it.
      ...(existing !== undefined && !existing.fenced ? handleBrokerFenced(scratch, id, policy, reason) : []),
      // KIP-966 (ClusterControlManager.registerBroker, previousBrokerEpoch): back from an unclean shutdown.
      ...(req.cleanShutdown ? [] : handleBrokerUncleanShutdown(scratch, id, policy, reason)),
    ]);
    this.write(records, (ok) => reply(ok ? 'NONE' : 'NOT_CONTROLLER', brokerEpoch));
  }

  private handleHeartbeat(from: NodeId, req: BrokerHeartbeatRequest): void {
    const reply = (error: ControllerError, isFenced: boolean, isCaughtUp: boolean, shouldShutDown = false): void =>
      this.host.send(from, {
        type: 'BrokerHeartbeatResponse',
        correlationId: req.correlationId,
        error,
        isFenced,
        isCaughtUp,
        shouldShutDown,
      } satisfies BrokerHeartbeatResponse);
    const b = this.image.brokers.get(req.brokerId);
    if (b === undefined || b.epoch !== req.brokerEpoch) return reply('STALE_BROKER_EPOCH', true, false);
    this.lastContact.set(req.brokerId, this.host.now());
    // Caught up once it has applied its own registration record.
    const caughtUp = req.currentMetadataOffset > b.epoch;
    const h = this.heartbeatState(b.id);
    const current: BrokerControlState =
      h.controlledShutdownOffset >= 0 ? 'CONTROLLED_SHUTDOWN' : b.fenced ? 'FENCED' : 'UNFENCED';
    const next = this.nextBrokerState(b.id, current, req.wantShutDown === true, caughtUp);
    const fenced = next === 'FENCED' || next === 'SHUTDOWN_NOW';
    // BrokerHeartbeatManager.touch: a fenced broker leaves controlled shutdown.
    h.metadataOffset = req.currentMetadataOffset;
    if (fenced) h.controlledShutdownOffset = -1;
    const records = current === next ? [] : this.brokerStateRecords(b.id, b.epoch, b.inControlledShutdown, next);
    if (next === 'CONTROLLED_SHUTDOWN' && current !== next) probe(P.kraftControlledShutdown);
    if (next === 'CONTROLLED_SHUTDOWN' && h.controlledShutdownOffset < 0) {
      // QuorumController.processBrokerHeartbeat's processBatchEndOffset (maybeUpdateControlledShutdownOffset): the
      // end of the records written for it, or of the log when there were none.
      h.controlledShutdownOffset = this.host.logEndOffset() + records.length;
    }
    if (records.length === 0) return reply('NONE', fenced, caughtUp, next === 'SHUTDOWN_NOW');
    this.write(records, (ok) =>
      reply(ok ? 'NONE' : 'NOT_CONTROLLER', ok ? fenced : true, caughtUp, ok && next === 'SHUTDOWN_NOW'),
    );
  }

  /**
   * BrokerHeartbeatManager.calculateNextBrokerState. A fenced broker is unfenced once caught up (the broker's
   * WantFence, which kafkasim does not model, is false then), or shut down at once if it asks to; an unfenced one
   * asking to shut down enters controlled shutdown if it leads anything, else shuts down at once; one in controlled
   * shutdown may shut down once it leads nothing and every active broker has applied the records that took it
   * there (lowestActiveOffset).
   */
  private nextBrokerState(
    broker: number,
    current: BrokerControlState,
    wantShutDown: boolean,
    caughtUp: boolean,
  ): BrokerControlState {
    const hasLeaderships = (): boolean => [...this.image.partitions.values()].some((p) => p.leader === broker);
    switch (current) {
      case 'FENCED':
        if (wantShutDown) return 'SHUTDOWN_NOW';
        return caughtUp ? 'UNFENCED' : 'FENCED';
      case 'UNFENCED':
        if (!wantShutDown) return 'UNFENCED';
        return hasLeaderships() ? 'CONTROLLED_SHUTDOWN' : 'SHUTDOWN_NOW';
      case 'CONTROLLED_SHUTDOWN': {
        if (hasLeaderships()) return 'CONTROLLED_SHUTDOWN';
        const offset = this.heartbeatState(broker).controlledShutdownOffset;
        return offset <= this.lowestActiveOffset() ? 'SHUTDOWN_NOW' : 'CONTROLLED_SHUTDOWN';
      }
      case 'SHUTDOWN_NOW':
        return 'SHUTDOWN_NOW';
    }
  }

  /** BrokerHeartbeatManager.lowestActiveOffset: the least metadata offset of the unfenced brokers not shutting down. */
  private lowestActiveOffset(): number {
    let lowest = Infinity;
    for (const b of this.image.brokers.values()) {
      if (b.fenced) continue;
      const h = this.heartbeatState(b.id);
      if (h.controlledShutdownOffset < 0) lowest = Math.min(lowest, h.metadataOffset);
    }
    return lowest;
  }

  /** ReplicationControlManager.processBrokerHeartbeat: the records of a move to `next`, made on a copy of the image. */
  private brokerStateRecords(
    id: number,
    epoch: number,
    inControlledShutdown: boolean,
    next: BrokerControlState,
  ): MetadataRecord[] {
    const scratch = this.image.clone();
    const policy = this.policy;
    switch (next) {
      case 'FENCED':
      case 'SHUTDOWN_NOW':
        return ActiveController.step(scratch, { type: 'FenceBrokerRecord', id, epoch }, (image) =>
          handleBrokerFenced(
            image,
            id,
            policy,
            next === 'FENCED' ? `broker failure [${id}]` : `broker shutdown [${id}]`,
          ),
        );
      case 'UNFENCED':
        return ActiveController.step(scratch, { type: 'UnfenceBrokerRecord', id, epoch }, (image) =>
          handleBrokerUnfenced(image, id, policy, `broker startup [${id}]`),
        );
      case 'CONTROLLED_SHUTDOWN': {
        // KIP-841's InControlledShutdown (MV 3.3-IV3), written once.
        if (!this.host.config.protocol.kip841 || inControlledShutdown) {
          return handleBrokerInControlledShutdown(scratch, id, policy);
        }
        const change: MetadataRecord = {
          type: 'BrokerRegistrationChangeRecord',
          brokerId: id,
          brokerEpoch: epoch,
          inControlledShutdown: true,
        };
        return ActiveController.step(scratch, change, (image) => handleBrokerInControlledShutdown(image, id, policy));
      }
    }
  }

  /**
   * QuorumController.alterPartitionReassignments (KIP-455, 3.9): the partition's reassignment record, answered once
   * it is committed (NOT_CONTROLLER if this controller lost its leadership first); a target already in place (an
   * admin's retry) writes nothing and is answered once what was written before is committed.
   */
  alterPartitionReassignments(partition: number, target: number[], done: (error: string) => void): void {
    const { error, record } = changePartitionReassignment(this.image, partition, target, this.policy);
    if (error !== 'NONE') return done(error);
    this.host.trace('controller', `reassigning partition ${partition} to [${target}]`);
    if (record === null) return this.afterPendingWrites((ok) => done(ok ? 'NONE' : 'NOT_CONTROLLER'));
    this.write([record], (ok) => done(ok ? 'NONE' : 'NOT_CONTROLLER'));
  }

  /**
   * QuorumController.createTopics (3.9) for one topic with a manual assignment: its records, answered once committed
   * (NOT_CONTROLLER if this controller lost its leadership first).
   */
  createTopic(topic: TopicName, assignment: readonly (readonly number[])[], done: (error: string) => void): void {
    const { error, records } = createTopicRecords(this.image, topic, assignment);
    if (error !== 'NONE') return done(error);
    this.host.trace('controller', `creating topic ${topic} with ${assignment.length} partitions`);
    this.write(records, (ok) => done(ok ? 'NONE' : 'NOT_CONTROLLER'));
  }

  private handleAlterPartition(from: NodeId, req: AlterPartitionRequest): void {
    const reply = (
      error: ControllerError,
      state?: {
        leaderEpoch: number;
        partitionEpoch: number;
        isr: number[];
        elr: number[];
        leaderRecoveryState: 'RECOVERED' | 'RECOVERING';
      },
    ): void =>
      this.host.send(from, {
        type: 'AlterPartitionResponse',
        correlationId: req.correlationId,
        error,
        partition: req.partition,
        leaderEpoch: state?.leaderEpoch ?? -1,
        partitionEpoch: state?.partitionEpoch ?? -1,
        isr: state?.isr ?? [],
        elr: state?.elr ?? [],
        leaderRecoveryState: state?.leaderRecoveryState ?? 'RECOVERED',
      } satisfies AlterPartitionResponse);
    // ClusterControlManager.checkBrokerEpoch, for the request as a whole.
    const b = this.image.brokers.get(req.brokerId);
    if (b === undefined || b.epoch !== req.brokerEpoch) {
      probe(P.kraftAlterPartitionStaleBrokerEpoch);
      return reply('STALE_BROKER_EPOCH');
    }
    const p = this.image.partitions.get(req.partition);
    const error = validateAlterPartitionData(p, req, this.image, this.host.config.protocol);
    probeAlterPartition(error);
    // Refused on a partition epoch (or leader) that uncommitted records set: the answer waits for them, or
    // the leader would give up on a change whose refusal vanishes with them (NOT_CONTROLLER: it retries).
    if (error !== 'NONE' || p === undefined) {
      return this.afterPendingWrites((ok) => reply(ok ? error : 'NOT_CONTROLLER'));
    }
    const record = alterPartitionChange(this.image, p, req, this.policy);
    if (record === null) return reply('NONE', { ...p });
    // Answered with the partition as this record leaves it (later records may move it on meanwhile); before
    // KAFKA-15021 a shrink comes back in a new leader epoch, which the leader ignores until its metadata has it.
    const after = copyPartition(p);
    mergeChange(after, record);
    // QuorumController.ControllerWriteEvent.run replays the record into the in-memory state before Raft replicates
    // it (3.9.0-rc3): the change is decided now, on the replicas as the leader saw them, and commits later.
    this.host.reportIsrAccepted(p.partition, p.leader, p.partitionEpoch, after.isr);
    this.write([record], (ok) => (ok ? reply('NONE', after) : reply('NOT_CONTROLLER')));
  }
}
