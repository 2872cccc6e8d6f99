// Checks Kafka's replication invariants (from the TLA+ specifications and Kafka's Raft simulation test)
// at every step, incrementally: it mirrors each replica's log from append and truncate events, so a
// check touches only what the event changed. A violation that follows an unclean election on the same
// partition is attributed to that election: unclean election is allowed to lose data.
import type { Anomaly, CheckResult } from '../result.ts';
import { MAX_EXAMPLES } from '../result.ts';
import type { GroupStableEvent, ReplicationEvent } from '../../sim/events/index.ts';
import type { InvariantName, Violation } from './violation.ts';
import { TXN_INVARIANT_EXPLANATIONS, TxnInvariants } from './transactions.ts';

interface Replica {
  values: number[];
  epochs: number[];
  highWatermark: number;
  leaderEpoch: number;
  isLeader: boolean;
  isr: number[];
}

interface Committed {
  value: number;
  /** Who first showed it below a high watermark, and when (time, and `seen`, the monitor's event count). */
  broker: number;
  time: number;
  seen: number;
  /** The leader epoch the record was written in. */
  epoch: number;
}

interface UncleanElection {
  time: number;
  /**
   * The monitor's event count when it saw the election: events' times follow their node's clock, which a clock
   * fault may set ahead, so which came first is judged by what was seen first.
   */
  seen: number;
  leader: number;
  leaderEpoch: number;
  lastKnownLeader?: boolean;
  previousLeader: number;
}

export const INVARIANT_EXPLANATIONS: Record<InvariantName, string> = {
  LeaderInIsr: "The controller's leader must be a member of the controller's ISR.",
  SingleLeader: 'At most one broker may lead a partition in a given leader epoch.',
  MonotonicEpoch: "A replica's leader epoch never goes backwards.",
  MonotonicHighWatermark: "A leader's high watermark never goes backwards within its epoch.",
  WeakIsr: "Every member of a leader's own ISR holds the leader's records below the leader's high watermark.",
  StrongIsr:
    "Every member of the controller's ISR holds every record a consumer could have seen (below the high watermark).",
  LeaderCompleteness: 'A newly elected leader holds every record acknowledged with acks=all.',
  LogMatching: 'Two replicas agree on every offset below both their high watermarks.',
  ConsistentCommittedData: 'An offset below the high watermark never changes value.',
  MinIsrOnAppend:
    'A leader appends a produce request with acks=all only while its ISR has at least min.insync.replicas ' +
    'members (Partition.appendRecordsToLeader answers NOT_ENOUGH_REPLICAS otherwise).',
  ControllerEpochFencing:
    'ZooKeeper mode: a partition state is written only by the controller of the current /controller_epoch (its ' +
    "writes are a multi with a check on that znode's version, KAFKA-6082): a deposed controller's write never lands.",
  LeaderEpochStartRecorded:
    "A new leader records its epoch's start offset in its leader-epoch cache before it serves " +
    '(Partition.makeLeader, maybeAssignEpochStartOffset): followers truncate by what the cache answers.',
  ProducerStateFromLog:
    "A replica's idempotent-producer state is derived from its log: once truncated it remembers no batch at or " +
    'past the new log end (UnifiedLog.truncateTo rebuilds it, ProducerStateManager.truncateAndReload), or the ' +
    'leader answers a retry of a batch it no longer has as a duplicate, at an offset that holds something else.',
  LeaderEpochFencing:
    'A replica answers a Fetch or OffsetsForLeaderEpoch naming a current leader epoch only in that epoch: an older ' +
    'one gets FENCED_LEADER_EPOCH, a newer one UNKNOWN_LEADER_EPOCH (KIP-320, 2.1.0: ' +
    'Partition.checkCurrentLeaderEpoch), so that a replica or consumer that missed a leader change learns of it.',
  IsrChangeOnCurrentState:
    "An ISR change made for a leader's AlterPartition (AlterIsr) is its proposal, made on the very partition " +
    'state the leader proposed it from, or not at all: the controller refuses an older partition epoch ' +
    '(ReplicationControlManager.validateAlterPartitionData: INVALID_UPDATE_VERSION; ZooKeeper mode: the write is ' +
    "conditional on the zkVersion), so the leader adopts its proposal's partition epoch or the next.",
  GroupAssignmentExclusive:
    'A consumer group generation gives each partition to at most one member: the leader assignor contract ' +
    '(ConsumerPartitionAssignor), and one assignment per generation, the one the coordinator stored.',
  CooperativeRevokeFirst:
    'With a cooperative assignor (KIP-429) a partition goes to a member only once no other member of the ' +
    'generation says it owns it: ConsumerCoordinator.validateCooperativeAssignment throws otherwise.',
  MonotonicControllerEpoch:
    'ZooKeeper mode: a broker never goes back to an older controller epoch (ReplicaManager refuses a control ' +
    'request from a deposed controller with STALE_CONTROLLER_EPOCH, whichever broker it runs on).',
  ...TXN_INVARIANT_EXPLANATIONS,
};

/** What the invariants need to know of the configuration under test. */
export interface InvariantConfig {
  /** min.insync.replicas; Kafka counts at most the replication factor of it (Partition.effectiveMinIsr). */
  minInsyncReplicas: number;
  replicationFactor: number;
  /**
   * A partition's own min.insync.replicas, capped by its own replication factor, where topics differ (internal
   * topics: transaction.state.log.min.isr); absent, every partition has the two above.
   */
  effectiveMinIsrOf?: (partition: number) => number;
}

export class InvariantMonitor {
  private readonly replicas = new Map<string, Replica>();
  private readonly committed = new Map<number, Map<number, Committed>>();
  /** partition → offset → [value, leader epoch it was acknowledged in]. */
  private readonly acked = new Map<number, Map<number, [number, number]>>();
  private readonly leadersByEpoch = new Map<string, number>();
  private readonly controllerIsr = new Map<number, { leader: number; isr: number[] }>();
  /**
   * The newest version of each partition's state reported (ZooKeeper mode: the znode's version). A change
   * reported late (a deposed controller's answer that waited out a pause) was already superseded.
   */
  private readonly stateVersions = new Map<number, number>();
  private readonly unclean = new Map<number, UncleanElection[]>();
  /** ISR changes leaders asked for: `partition|leader|partition epoch` to each ISR proposed on that state. */
  private readonly proposals = new Map<string, number[][]>();
  /**
   * Unsynced tails lost in crashes: acks=all without fsync trusts replication, so these explain losses. `seen` is
   * the monitor's event count when the restart showed the loss.
   */
  private readonly crashLosses = new Map<
    number,
    { time: number; seen: number; broker: number; from: number; to: number }[]
  >();
  /**
   * KRaft: AlterPartition changes the active controller accepted (`partition|leader|partition epoch replaced`), each
   * ISR with the event count it was accepted at; its commit may come after a failover, long after.
   */
  private readonly accepted = new Map<string, Accepted[]>();
  /** Replicas deleted since their last event (broker/partition): removed from the partition by a reassignment. */
  private readonly deleted = new Set<string>();
  readonly violations: Violation[] = [];
  /** Events observed so far: the order violations and their causes are compared in. */
  private seen = 0;
  /** Totals by name, explained and not, beyond the stored violations' cap. */
  private readonly counts = {
    unexplained: new Map<InvariantName, number>(),
    explained: new Map<InvariantName, number>(),
  };
  /**
   * The step a violation names: the world event in progress when the monitor runs online (`stepOf`), or
   * whatever the caller sets here when it feeds recorded events.
   */
  step = 0;
  /** KIP-98's invariants: a transaction's records, markers and read_committed answers. */
  private readonly txns = new TxnInvariants((v) =>
    this.inexcusable(v.invariant, { time: this.lastTime, partition: v.partition }, v.brokers, v.description, v.detail),
  );
  /** The time of the event being observed (for the transaction invariants' reports). */
  private lastTime = 0;

  constructor(
    private readonly stepOf: (() => number) | null = null,
    private readonly config: InvariantConfig | null = null,
  ) {}

  /** Whether a reported partition state is at least as new as any seen (unversioned reports always are). */
  private newerState(partition: number, version: number | undefined): boolean {
    if (version === undefined) return true;
    if (version < (this.stateVersions.get(partition) ?? -1)) return false;
    this.stateVersions.set(partition, version);
    return true;
  }

  private replica(broker: number, partition: number): Replica {
    const key = `${broker}/${partition}`;
    let r = this.replicas.get(key);
    if (r === undefined) {
      this.deleted.delete(key);
      r = { values: [], epochs: [], highWatermark: 0, leaderEpoch: -1, isLeader: false, isr: [] };
      this.replicas.set(key, r);
    }
    return r;
  }

  private violate(
    invariant: InvariantName,
    e: { time: number; partition: number },
    brokers: number[],
    description: string,
    detail: Record<string, unknown>,
    since?: number,
    committedEpoch?: number,
    crash: CrashExcuse | null = { brokers, after: -Infinity },
  ): void {
    const offset = typeof detail.offset === 'number' ? detail.offset : undefined;
    const cause =
      this.uncleanCause(e.partition, since ?? -Infinity, committedEpoch) ??
      (crash === null ? null : this.crashCause(e.partition, crash.brokers, offset, crash.after));
    const counts = cause === null ? this.counts.unexplained : this.counts.explained;
    counts.set(invariant, (counts.get(invariant) ?? 0) + 1);
    if (this.violations.length < 10_000) {
      const step = this.stepOf === null ? this.step : this.stepOf();
      this.violations.push({
        invariant,
        time: e.time,
        step,
        partition: e.partition,
        brokers,
        description,
        causedBy: cause,
        detail,
      });
    }
  }

  /** A violation that neither an unclean election nor a crash can explain: always a finding. */
  private inexcusable(
    invariant: InvariantName,
    e: { time: number; partition: number },
    brokers: number[],
    description: string,
    detail: Record<string, unknown>,
  ): void {
    this.violate(invariant, e, brokers, description, detail, Infinity, undefined, null);
  }

  /**
   * A crash of one of `brokers` that lost `offset` (any offset when unknown), seen before this violation and after
   * event count `after`. Seen before, not timed before: events carry their broker's clock, which a clock fault may
   * have set ahead and a reset then set back, so a loss noticed first may bear a later time than the violation it
   * explains.
   */
  private crashCause(
    partition: number,
    brokers: readonly number[],
    offset: number | undefined,
    after = -Infinity,
  ): Violation['causedBy'] {
    const list = this.crashLosses.get(partition);
    if (list === undefined) return null;
    for (let i = list.length - 1; i >= 0; i--) {
      const l = list[i];
      if (!brokers.includes(l.broker) || l.seen <= after) continue;
      if (offset === undefined || (offset >= l.from && offset < l.to))
        return { kind: 'crash', time: l.time, broker: l.broker, leader: -1, leaderEpoch: -1, previousLeader: -1 };
    }
    return null;
  }

  /**
   * The latest unclean election on the partition (seen before this violation) seen after `since` (the `seen` count
   * when the record was committed), or in a later leader epoch than the record was written in: a zombie leader that
   * did not yet know of the election may commit records after it, which the uncleanly elected leader never had.
   * `committedEpoch` is the older of the first record's epoch and the leader epoch of the replica that commits a
   * different record there: a zombie leader still in an epoch older than the election (paused through it, seed 97
   * of the swarm-config fuzz) commits what it appends, its ISR being itself alone, which only an unclean election
   * leaves a deposed leader with: the controllers elect cleanly only from the ISR, and a leader cannot shrink its
   * ISR without the controller.
   */
  private uncleanCause(partition: number, since: number, committedEpoch?: number): Violation['causedBy'] {
    const list = this.unclean.get(partition);
    if (list === undefined) return null;
    for (let i = list.length - 1; i >= 0; i--) {
      const u = list[i];
      if (u.seen >= since || (committedEpoch !== undefined && committedEpoch >= 0 && u.leaderEpoch > committedEpoch)) {
        const { seen: _seen, ...rest } = u;
        return { kind: 'unclean-election', broker: u.leader, ...rest };
      }
    }
    return null;
  }

  /** Each group generation's stored assignment, as first seen. */
  private readonly generations = new Map<string, { text: string; broker: number }>();

  observe(e: ReplicationEvent): void {
    this.seen++;
    this.lastTime = e.time;
    switch (e.kind) {
      case 'append': {
        const r = this.replica(e.broker, e.partition);
        if (e.asLeader && e.acks === -1) this.checkMinIsrOnAppend(e, r);
        if (e.transactional !== undefined || e.control !== undefined) this.txns.onAppend(e);
        // Appends are contiguous; a gap would mean the mirror lost track, which is itself a bug to see.
        for (let i = 0; i < e.values.length; i++) {
          r.values[e.baseOffset + i] = e.values[i];
          r.epochs[e.baseOffset + i] = e.epoch;
        }
        return;
      }
      case 'truncate': {
        const r = this.replica(e.broker, e.partition);
        if (e.reason === 'recovery' && r.values.length > e.toOffset) {
          // A crash took the unsynced tail: records this replica had acknowledged by fetching are gone.
          const list = this.crashLosses.get(e.partition) ?? [];
          list.push({ time: e.time, seen: this.seen, broker: e.broker, from: e.toOffset, to: r.values.length });
          this.crashLosses.set(e.partition, list);
        }
        if (e.producerStateEndOffset !== undefined && e.producerStateEndOffset > e.toOffset) {
          this.inexcusable(
            'ProducerStateFromLog',
            e,
            [e.broker],
            `broker ${e.broker} truncated partition ${e.partition} to ${e.toOffset} but its idempotent-producer ` +
              `state still remembers batches up to offset ${e.producerStateEndOffset - 1}`,
            { toOffset: e.toOffset, producerStateEndOffset: e.producerStateEndOffset, reason: e.reason },
          );
        }
        r.values.length = Math.min(r.values.length, e.toOffset);
        r.epochs.length = Math.min(r.epochs.length, e.toOffset);
        this.txns.onTruncate(e.broker, e.partition, e.toOffset);
        if (r.highWatermark > e.toOffset) r.highWatermark = e.toOffset;
        return;
      }
      case 'replica-deleted':
        // A replica a reassignment removed stops counting, though a leader that has not yet applied the change still
        // lists it in its ISR; assigned there again, it starts empty and counts from its first fetch.
        this.replicas.delete(`${e.broker}/${e.partition}`);
        this.deleted.add(`${e.broker}/${e.partition}`);
        return;
      case 'high-watermark':
        this.txns.onHighWatermark(e.broker, e.partition, e.highWatermark);
        return this.onHighWatermark(e);
      case 'become-leader':
        return this.onBecomeLeader(e);
      case 'become-follower': {
        const r = this.replica(e.broker, e.partition);
        if (e.leaderEpoch < r.leaderEpoch) {
          this.violate(
            'MonotonicEpoch',
            e,
            [e.broker],
            `broker ${e.broker} went from leader epoch ${r.leaderEpoch} back to ${e.leaderEpoch} on partition ` +
              `${e.partition}`,
            { from: r.leaderEpoch, to: e.leaderEpoch },
          );
        }
        r.leaderEpoch = e.leaderEpoch;
        r.isLeader = false;
        return;
      }
      case 'isr-change': {
        const r = this.replica(e.broker, e.partition);
        const before = r.isr;
        r.isr = [...e.isr];
        const proposedAt = e.proposedAtPartitionEpoch;
        const accepted =
          proposedAt === undefined ? undefined : this.acceptedAt(e.partition, e.broker, proposedAt, e.isr);
        this.checkIsrMembers('WeakIsr', e, e.broker, before, e.isr, accepted);
        if (proposedAt !== undefined && (e.partitionEpoch < proposedAt || e.partitionEpoch > proposedAt + 1)) {
          this.inexcusable(
            'IsrChangeOnCurrentState',
            e,
            [e.broker],
            `leader ${e.broker} proposed ISR [${e.isr}] of partition ${e.partition} at partition epoch ` +
              `${proposedAt} and it was made at ${e.partitionEpoch}: on a state the leader never saw`,
            { proposedAtPartitionEpoch: proposedAt, partitionEpoch: e.partitionEpoch, isr: [...e.isr] },
          );
        }
        if (this.newerState(e.partition, e.partitionEpoch)) this.setControllerIsr(e, e.broker, e.isr);
        if (!e.isr.includes(e.broker)) {
          this.violate('LeaderInIsr', e, [e.broker], `leader ${e.broker} wrote an ISR without itself: [${e.isr}]`, {
            isr: e.isr,
          });
        }
        return;
      }
      case 'zk-partition-state':
        if (e.controllerEpoch < e.currentControllerEpoch) {
          this.inexcusable(
            'ControllerEpochFencing',
            e,
            [],
            `partition ${e.partition}'s state (leader ${e.leader}, leader epoch ${e.leaderEpoch}) was written by a ` +
              `controller of epoch ${e.controllerEpoch} while /controller_epoch held ${e.currentControllerEpoch}`,
            { controllerEpoch: e.controllerEpoch, currentControllerEpoch: e.currentControllerEpoch },
          );
        }
        return;
      case 'broker-controller-epoch':
        if (e.controllerEpoch < e.previous) {
          this.inexcusable(
            'MonotonicControllerEpoch',
            { time: e.time, partition: -1 },
            [e.broker],
            `broker ${e.broker} went back from controller epoch ${e.previous} to ${e.controllerEpoch}: it obeyed a ` +
              'deposed controller',
            { from: e.previous, to: e.controllerEpoch },
          );
        }
        return;
      case 'other-epoch-served':
        this.inexcusable(
          'LeaderEpochFencing',
          e,
          [e.broker],
          `broker ${e.broker} (leader epoch ${e.leaderEpoch} of partition ${e.partition}) answered a ${e.request} ` +
            `of ${e.requester < 0 ? 'a consumer' : `replica ${e.requester}`} in leader epoch ${e.currentLeaderEpoch}`,
          { requester: e.requester, request: e.request, currentLeaderEpoch: e.currentLeaderEpoch },
        );
        return;
      case 'isr-proposed': {
        const key = `${e.partition}|${e.broker}|${e.partitionEpoch}`;
        const list = this.proposals.get(key);
        if (list === undefined) this.proposals.set(key, [[...e.isr]]);
        else list.push([...e.isr]);
        return;
      }
      case 'isr-accepted': {
        const key = `${e.partition}|${e.leader}|${e.partitionEpoch}`;
        const list = this.accepted.get(key) ?? [];
        list.push({
          isr: [...e.isr],
          seen: this.seen,
          time: e.time,
          held: this.holdingAll(e.partition, e.leader, e.isr),
        });
        this.accepted.set(key, list);
        return;
      }
      case 'controller-isr': {
        const on = e.alterPartitionOn;
        if (on !== undefined) this.checkAlterPartition(e, on);
        const accepted = on === undefined ? undefined : this.acceptedAt(e.partition, e.leader, on, e.isr);
        if (this.newerState(e.partition, e.partitionEpoch)) this.setControllerIsr(e, e.leader, e.isr, accepted);
        return;
      }
      case 'election': {
        if (this.newerState(e.partition, e.partitionEpoch)) this.setControllerIsr(e, e.leader, e.isr);
        if (e.unclean) {
          const list = this.unclean.get(e.partition) ?? [];
          list.push({
            time: e.time,
            seen: this.seen,
            leader: e.leader,
            leaderEpoch: e.leaderEpoch,
            previousLeader: e.previousLeader,
            ...(e.lastKnownLeader ? { lastKnownLeader: true } : {}),
          });
          this.unclean.set(e.partition, list);
        }
        if (e.leader >= 0 && !e.isr.includes(e.leader)) {
          this.violate(
            'LeaderInIsr',
            e,
            [e.leader],
            `controller elected ${e.leader} with ISR [${e.isr}] that does not contain it`,
            { isr: e.isr },
          );
        }
        return;
      }
      case 'committed-read':
        return this.txns.onCommittedRead(e);
      case 'txn-transition':
        return this.txns.onTransition(e);
      case 'group-stable':
        return this.checkGroup(e);
      case 'offset-fetched':
        return this.txns.onOffsetFetched(e);
      case 'acked': {
        if (e.acks !== -1) return;
        let m = this.acked.get(e.partition);
        if (m === undefined) {
          m = new Map();
          this.acked.set(e.partition, m);
        }
        m.set(e.offset, [e.value, this.replica(e.broker, e.partition).leaderEpoch]);
        return;
      }
      default:
        return;
    }
  }

  /**
   * A group's generation as its coordinator stored it: no partition twice in it, no second, different assignment
   * for the same generation (two coordinators of diverged offsets logs), and with a cooperative assignor nothing
   * handed to one member while another still owns it.
   */
  private checkGroup(e: GroupStableEvent): void {
    const owner = new Map<number, string>();
    const brokers = [e.broker];
    for (const m of e.members) {
      for (const p of m.partitions) {
        const other = owner.get(p);
        if (other !== undefined) {
          const what = `partition ${p} of group ${e.groupId} went to ${other} and ${m.memberId}`;
          this.violate('GroupAssignmentExclusive', e, brokers, `${what} in generation ${e.generationId}`, {
            groupId: e.groupId,
            generationId: e.generationId,
            dataPartition: p,
          });
        }
        owner.set(p, m.memberId);
      }
    }
    const key = `${e.groupId}/${e.generationId}`;
    const text = JSON.stringify(e.members.map((m) => [m.memberId, m.partitions]));
    const earlier = this.generations.get(key);
    if (earlier !== undefined && earlier.text !== text) {
      const description =
        `generation ${e.generationId} of group ${e.groupId} was stored twice with different assignments ` +
        `(by broker ${earlier.broker}, then by broker ${e.broker})`;
      this.violate('GroupAssignmentExclusive', e, [earlier.broker, e.broker], description, { groupId: e.groupId });
    }
    if (earlier === undefined) this.generations.set(key, { text, broker: e.broker });
    if (e.protocol !== 'cooperative-sticky') return;
    for (const m of e.members) {
      for (const p of m.partitions) {
        const holder = e.members.find((x) => x !== m && x.owned.includes(p));
        if (holder === undefined) continue;
        const description =
          `generation ${e.generationId} of group ${e.groupId} gave partition ${p} to ${m.memberId} while ` +
          `${holder.memberId} still owned it`;
        this.violate('CooperativeRevokeFirst', e, brokers, description, { groupId: e.groupId, dataPartition: p });
      }
    }
  }

  /**
   * The controller's ISR is now `isr` under `leader`: StrongIsr at every change, for every member (see
   * checkIsrMembers).
   */
  private setControllerIsr(
    e: { time: number; partition: number },
    leader: number,
    isr: readonly number[],
    accepted?: Accepted,
  ): void {
    const before = this.controllerIsr.get(e.partition);
    this.controllerIsr.set(e.partition, { leader, isr: [...isr] });
    if (before === undefined || leader < 0) return;
    // The same state again (the leader adopting what the controller wrote) is no change.
    if (before.leader === leader && before.isr.join() === isr.join()) return;
    this.checkIsrMembers('StrongIsr', e, leader, before.isr, isr, accepted);
  }

  /** The members of `isr` that hold every record below `leader`'s high watermark now (the leader among them). */
  private holdingAll(partition: number, leader: number, isr: readonly number[]): number[] {
    const l = this.replica(leader, partition);
    return isr.filter((member) => {
      const m = this.replica(member, partition);
      for (let o = 0; o < l.highWatermark; o++) if (m.values[o] !== l.values[o]) return false;
      return true;
    });
  }

  /**
   * When the active controller accepted the change of `leader`'s AlterPartition on
   * `partitionEpoch` that leaves `isr`; the latest such acceptance (a controller that lost its uncommitted write may
   * be followed by another accepting the same), or undefined when none was reported (ZooKeeper mode).
   */
  private acceptedAt(
    partition: number,
    leader: number,
    partitionEpoch: number,
    isr: readonly number[],
  ): Accepted | undefined {
    const list = this.accepted.get(`${partition}|${leader}|${partitionEpoch}`) ?? [];
    for (let i = list.length - 1; i >= 0; i--) if (list[i].isr.join() === isr.join()) return list[i];
    return undefined;
  }

  /**
   * At an ISR change, every member of the new ISR must hold every record below the leader's high watermark: Kafka
   * admits a follower only once it has fetched up to it (Partition.isFollowerInSync: its log end offset at least
   * the high watermark), and the high watermark never passes what the ISR holds (maximal ISR included). A member
   * joining is held to that whatever happened to it: a crash or a replaced disk that emptied it does not excuse its
   * joining (that is KAFKA-14139's bug: a replaced disk let back in on the strength of its previous incarnation);
   * only an unclean election does, or a crash of the member seen after the KRaft controller accepted the change
   * (`accepted`) while the member held every record below the leader's high watermark: the controller decided on the
   * member as it was, and the change committed only after the crash
   * (seed 4309: the active controller wrote it, every machine lost power, the next quorum leader committed it;
   * QuorumController replays a record before Raft commits it, 3.9.0-rc3, and KIP-903's broker epochs cannot tell, the
   * member not having registered again). A member staying in may have lost records in a crash since it last fetched
   * (a power loss of the whole machine, before the controller saw it go): that crash explains it.
   */
  private checkIsrMembers(
    name: InvariantName,
    e: { time: number; partition: number },
    leader: number,
    before: readonly number[],
    isr: readonly number[],
    accepted?: Accepted,
  ): void {
    if (leader < 0) return;
    const l = this.replica(leader, e.partition);
    for (const member of isr) {
      if (member === leader || this.deleted.has(`${member}/${e.partition}`)) continue;
      const joining = !before.includes(member);
      const m = this.replica(member, e.partition);
      for (let o = 0; o < l.highWatermark; o++) {
        if (l.values[o] === undefined || m.values[o] === l.values[o]) continue;
        const when =
          joining && accepted !== undefined ? ` (the controller accepted it at ${accepted.time.toFixed(0)} ms)` : '';
        this.violate(
          name,
          e,
          [leader, member],
          `replica ${member} ${joining ? 'joined' : 'stayed in'} the ` +
            `${name === 'WeakIsr' ? "leader's" : "controller's"} ISR of partition ${e.partition} without offset ` +
            `${o} (${l.values[o]}) below leader ${leader}'s high watermark ${l.highWatermark}${when}`,
          {
            offset: o,
            leaderValue: l.values[o],
            memberValue: m.values[o] ?? null,
            joining,
            isr: [...isr],
            ...(joining && accepted !== undefined ? { acceptedAt: accepted.time } : {}),
          },
          undefined,
          undefined,
          !joining
            ? { brokers: [leader, member], after: -Infinity }
            : accepted?.held.includes(member) === true
              ? { brokers: [member], after: accepted.seen }
              : null,
        );
        break;
      }
    }
  }

  /** IsrChangeOnCurrentState, the controller's side: its change is a proposal of the leader on the state replaced. */
  private checkAlterPartition(e: Extract<ReplicationEvent, { kind: 'controller-isr' }>, on: number): void {
    // The KRaft controller may complete a reassignment in the same change (PartitionChangeBuilder
    // .completeReassignmentIfNeeded), dropping the replicas it removes: the ISR it sets is then within the proposal.
    const proposed = this.proposals.get(`${e.partition}|${e.leader}|${on}`) ?? [];
    if (proposed.some((isr) => e.isr.every((r) => isr.includes(r)))) return;
    this.inexcusable(
      'IsrChangeOnCurrentState',
      e,
      [e.leader],
      `the controller set ISR [${e.isr}] of partition ${e.partition} for leader ${e.leader}'s AlterPartition on ` +
        `partition epoch ${on}, which the leader never proposed on that state`,
      { alterPartitionOn: on, partitionEpoch: e.partitionEpoch ?? null, isr: [...e.isr] },
    );
  }

  /** MinIsrOnAppend: an acks=all append by a leader whose own (committed) ISR is below min.insync.replicas. */
  private checkMinIsrOnAppend(e: Extract<ReplicationEvent, { kind: 'append' }>, leader: Replica): void {
    if (this.config === null) return;
    const minIsr =
      this.config.effectiveMinIsrOf?.(e.partition) ??
      Math.min(this.config.minInsyncReplicas, this.config.replicationFactor);
    if (leader.isr.length >= minIsr) return;
    // Nothing excuses it: neither an unclean election nor a crash makes Kafka append below min ISR.
    this.inexcusable(
      'MinIsrOnAppend',
      e,
      [e.broker],
      `leader ${e.broker} appended an acks=all batch at offset ${e.baseOffset} of partition ${e.partition} with ISR ` +
        `[${leader.isr}], below min.insync.replicas ${minIsr}`,
      { offset: e.baseOffset, isr: [...leader.isr], minInsyncReplicas: minIsr, leaderEpoch: e.epoch },
    );
  }

  private onBecomeLeader(e: Extract<ReplicationEvent, { kind: 'become-leader' }>): void {
    const r = this.replica(e.broker, e.partition);
    if (e.leaderEpoch < r.leaderEpoch) {
      this.violate(
        'MonotonicEpoch',
        e,
        [e.broker],
        `broker ${e.broker} went from leader epoch ${r.leaderEpoch} back to ${e.leaderEpoch} on partition ` +
          `${e.partition}`,
        { from: r.leaderEpoch, to: e.leaderEpoch },
      );
    }
    if (e.latestCachedEpoch !== undefined && e.latestCachedEpoch !== e.leaderEpoch) {
      this.inexcusable(
        'LeaderEpochStartRecorded',
        e,
        [e.broker],
        `broker ${e.broker} took up leader epoch ${e.leaderEpoch} of partition ${e.partition} with ` +
          `${e.latestCachedEpoch} the latest epoch in its leader-epoch cache`,
        { leaderEpoch: e.leaderEpoch, latestCachedEpoch: e.latestCachedEpoch },
      );
    }
    r.leaderEpoch = e.leaderEpoch;
    r.isLeader = true;
    r.isr = [...e.isr];
    const key = `${e.partition}/${e.leaderEpoch}`;
    const other = this.leadersByEpoch.get(key);
    if (other !== undefined && other !== e.broker) {
      this.violate(
        'SingleLeader',
        e,
        [other, e.broker],
        `brokers ${other} and ${e.broker} both led partition ${e.partition} in leader epoch ${e.leaderEpoch}`,
        { leaderEpoch: e.leaderEpoch },
      );
    }
    this.leadersByEpoch.set(key, e.broker);
    const acked = this.acked.get(e.partition);
    if (acked === undefined) return;
    let missing = 0;
    let first: [number, number] | null = null;
    // Only what was acknowledged before this epoch began can be required of its leader: a zombie that
    // takes up an old epoch late cannot hold what a later epoch's leader acknowledged meanwhile.
    for (const [offset, [value, ackEpoch]] of acked) {
      if (ackEpoch < e.leaderEpoch && r.values[offset] !== value) {
        missing++;
        if (first === null) first = [offset, value];
      }
    }
    if (missing > 0 && first !== null) {
      this.violate(
        'LeaderCompleteness',
        e,
        [e.broker],
        `new leader ${e.broker} (epoch ${e.leaderEpoch}) lacks ${missing} acknowledged record(s) of partition ` +
          `${e.partition}, e.g. value ${first[1]} at offset ${first[0]}`,
        { missing, offset: first[0], value: first[1], leaderHas: r.values[first[0]] ?? null },
      );
    }
  }

  private onHighWatermark(e: Extract<ReplicationEvent, { kind: 'high-watermark' }>): void {
    const r = this.replica(e.broker, e.partition);
    const from = r.highWatermark;
    if (e.highWatermark < from && r.isLeader) {
      this.violate(
        'MonotonicHighWatermark',
        e,
        [e.broker],
        `leader ${e.broker}'s high watermark went back from ${from} to ${e.highWatermark}`,
        { from, to: e.highWatermark },
      );
    }
    r.highWatermark = e.highWatermark;
    let committed = this.committed.get(e.partition);
    if (committed === undefined) {
      committed = new Map();
      this.committed.set(e.partition, committed);
    }
    for (let o = from; o < e.highWatermark; o++) {
      const v = r.values[o];
      if (v === undefined) continue;
      const c = committed.get(o);
      if (c === undefined) {
        committed.set(o, { value: v, broker: e.broker, time: e.time, seen: this.seen, epoch: r.epochs[o] ?? -1 });
      } else if (c.value !== v) {
        const name: InvariantName = r.isLeader ? 'ConsistentCommittedData' : 'LogMatching';
        this.violate(
          name,
          e,
          [c.broker, e.broker],
          `offset ${o} of partition ${e.partition} was committed as ${c.value} (broker ${c.broker}) but broker ` +
            `${e.broker} has ${v} below its high watermark`,
          { offset: o, was: c.value, now: v },
          c.seen,
          olderEpoch(c.epoch, r.leaderEpoch),
        );
      }
    }
    if (!r.isLeader) return;
    // WeakIsr: the leader's own ISR; StrongIsr: the controller's ISR. Each member must hold what is now visible.
    this.checkIsrHolds('WeakIsr', e, r.isr, from, r);
    const ctl = this.controllerIsr.get(e.partition);
    if (ctl !== undefined && ctl.leader === e.broker) this.checkIsrHolds('StrongIsr', e, ctl.isr, from, r);
  }

  private checkIsrHolds(
    name: InvariantName,
    e: Extract<ReplicationEvent, { kind: 'high-watermark' }>,
    isr: number[],
    from: number,
    leader: Replica,
  ): void {
    for (const member of isr) {
      if (member === e.broker || this.deleted.has(`${member}/${e.partition}`)) continue;
      const m = this.replica(member, e.partition);
      for (let o = from; o < e.highWatermark; o++) {
        if (m.values[o] !== leader.values[o]) {
          this.violate(
            name,
            e,
            [e.broker, member],
            `ISR member ${member} does not hold offset ${o} (${leader.values[o]}) below leader ${e.broker}'s high ` +
              `watermark ${e.highWatermark}`,
            { offset: o, leaderValue: leader.values[o] ?? null, memberValue: m.values[o] ?? null },
          );
          break;
        }
      }
    }
  }

  /** Violations not explained by an unclean election: bugs of the protocol. */
  /** Violations nothing explains, counted beyond the stored ones' cap: each is a finding. */
  findings(): number {
    let n = 0;
    for (const c of this.counts.unexplained.values()) n += c;
    return n;
  }

  unexplained(): Violation[] {
    return this.violations.filter((v) => v.causedBy === null);
  }

  /**
   * Unexplained violations are the anomalies (protocol bugs: the verdict is invalid). Those an unclean
   * election or a crash explains are Kafka doing what its configuration allows; they are listed as notes,
   * and any acknowledged write they lost is the durability checker's finding.
   */
  result(): CheckResult {
    const unexplained = this.violations.filter((v) => v.causedBy === null);
    const explained = this.violations.filter((v) => v.causedBy !== null);
    const anomalies = this.group(unexplained, this.counts.unexplained);
    return {
      checker: 'invariants',
      valid: anomalies.length === 0,
      anomalies,
      notes: this.group(explained, this.counts.explained),
      stats: { violations: this.violations.length, unexplained: unexplained.length },
    };
  }

  private group(violations: Violation[], totals: Map<InvariantName, number>): Anomaly[] {
    const byName = new Map<InvariantName, Violation[]>();
    for (const v of violations) {
      const list = byName.get(v.invariant) ?? [];
      list.push(v);
      byName.set(v.invariant, list);
    }
    return [...byName.entries()]
      .sort((a, b) => a[0].localeCompare(b[0]))
      .map(([name, list]) => ({
        name,
        count: totals.get(name) ?? list.length,
        explanation: INVARIANT_EXPLANATIONS[name],
        examples: list.slice(0, MAX_EXAMPLES).map((v) => ({
          description:
            v.causedBy === null
              ? v.description
              : v.causedBy.kind === 'crash'
                ? `${v.description} — caused by the crash of broker ${v.causedBy.broker} at ` +
                  `${v.causedBy.time.toFixed(0)} ms, which lost records it had not flushed (flush.messages is ` +
                  `never: Kafka relies on replication)`
                : v.causedBy.lastKnownLeader
                  ? `${v.description} — caused by KIP-966's recovery at ${v.causedBy.time.toFixed(0)} ms: ` +
                    `every ISR member had restarted from an unclean shutdown, so the last known leader, broker ` +
                    `${v.causedBy.leader}, was elected with whatever its disk kept (epoch ${v.causedBy.leaderEpoch})`
                  : `${v.description} — caused by the unclean election of broker ${v.causedBy.leader} (epoch ` +
                    `${v.causedBy.leaderEpoch}) at ${v.causedBy.time.toFixed(0)} ms`,
          ops: [],
          detail: {
            ...v.detail,
            time: v.time,
            step: v.step,
            partition: v.partition,
            brokers: v.brokers,
            causedBy: v.causedBy,
          },
        })),
      }));
  }
}

/** An AlterPartition change the active controller accepted: its ISR, the event count and time it was accepted at. */
interface Accepted {
  isr: number[];
  seen: number;
  time: number;
  /** The members that then held every record below the leader's high watermark. */
  held: number[];
}

/** Which crashes may explain a violation: losses of one of `brokers` seen after event count `after`. */
interface CrashExcuse {
  brokers: readonly number[];
  after: number;
}

/** The older of two leader epochs, either unknown (-1) leaving the other. */
function olderEpoch(a: number, b: number): number {
  if (a < 0) return b;
  if (b < 0) return a;
  return Math.min(a, b);
}
