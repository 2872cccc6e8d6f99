// Facts about a run that checkers read as plain data. Durability facts, from what the simulator reported
// and what the run saw:
// - every 'truncate' replication event that removed records becomes a Truncation, blamed on the latest
//   leader election (clean or unclean) or broker crash on that partition before it;
// - every broker crash that cost a log its unflushed tail (found by comparing the log end offset before
//   the crash with the recovered one at restart) becomes a Truncation blamed on that crash, and a replaced
//   disk, which cost every log all it held, one blamed on the replacement. The broker cannot report this
//   itself: its memory, and with it the old log end offset, is gone.
// And, when the run is over, the replicas' logs: what the final reads could reach (finalLogs) and every
// running replica's log and high watermark (replicasAtRest). Checkers never see the simulator.
import type { ReplicaAtRest } from '../checkers/checker.ts';
import type { Cause, DurabilityFacts, FinalLog, Truncation } from '../checkers/durability/index.ts';
import type { ElectionFact, LossFacts, LossPolicy, Removal, Written } from '../checkers/durability/facts.ts';
import type { LogRecovery } from '../checkers/invariants/disk.ts';
import type { VoterAtRest } from '../checkers/invariants/raft-at-rest.ts';
import type { CreatedPartitionAtRest } from '../checkers/invariants/created-topics.ts';
import type { BrokerCrash } from '../sim/events/index.ts';
import { isDataPartition, partitionName } from '../sim/events/topics.ts';
import type { KafkaCluster } from '../sim/kafka/cluster.ts';
import type { ClusterConfig, ProducerConfig } from '../sim/kafka/config.ts';
import type { RecordBatch } from '../sim/kafka/records.ts';
import type { CrashMode } from '../sim/world/disk.ts';
import type { ReplicationEvent } from '../sim/events/index.ts';
import { controllerNode } from '../sim/kafka/kraft/config.ts';
import { assignReplicas } from '../sim/kafka/zk-layout.ts';

/** KRaft mode: each controller voter's crashes, as the world saw them (a crashed voter cannot report it). */
export function watchControllerCrashes(cluster: KafkaCluster): { voter: number; time: number }[] {
  const crashes: { voter: number; time: number }[] = [];
  const voterOfNode = new Map(cluster.voterIds.map((v) => [controllerNode(v), v]));
  if (voterOfNode.size === 0) return crashes;
  // Told by the world as each crash strikes: nothing polled per event.
  cluster.world.onCrash((node) => {
    const voter = voterOfNode.get(node);
    if (voter !== undefined) crashes.push({ voter, time: cluster.world.now });
  });
  return crashes;
}

/** A partition log's values and leader epochs (values[i] at startOffset + i). */
interface LogCopy {
  startOffset: number;
  values: number[];
  epochs: number[];
}

/** What a crash struck: each partition log as written and the end of what was synced, and the crash mode. */
interface Struck {
  time: number;
  mode: CrashMode;
  fsyncLied: boolean;
  logs: Map<number, { written: LogCopy; syncedOffset: number }>;
}

/**
 * Watches a running cluster for broker crashes, replaced disks and leader elections, and exports what they did
 * as plain data: the records each crash cost (and whether they were synced), each log as recovered after a crash
 * (the disk-durability invariant's input), every removal of records from a replica, and what each new leader
 * held. Create it before the run; its facts are complete once the run is over.
 */
export class CrashWatch {
  readonly crashes: BrokerCrash[] = [];
  /** Unflushed tails lost in crashes, noticed when each broker started again (the loss's narrative). */
  readonly losses: Truncation[] = [];
  /** Every partition log recovered after a crash. */
  readonly recoveries: LogRecovery[] = [];
  /** Every removal of records from a replica's log, crash losses included once the broker is back. */
  private readonly removals: Removal[] = [];
  private readonly elections: ElectionFact[] = [];
  /** Every record a leader appended, with its epoch (a record no replica lost is dated by it). */
  private readonly written: Written[] = [];
  /** partition/leader epoch → the election that chose it (to attach the new leader's log). */
  private readonly electionOf = new Map<string, ElectionFact>();
  /** Log end offset per broker and partition, as the last replication event reported it. */
  private readonly logEnds = new Map<number, Map<number, number>>();
  /** Brokers that crashed (or whose disk was replaced) and have not started since: broker → that time. */
  private readonly down = new Map<number, number>();
  /** Of those, the ones whose disk was replaced. */
  private readonly replaced = new Set<number>();
  /** What each crash struck, until the broker starts again. */
  private readonly struck = new Map<number, Struck>();
  /** Each broker's logs as its events reported them (the replaced disk's loss is read from here). */
  private readonly mirror = new Map<number, Map<number, LogCopy>>();
  /**
   * broker → partition → offset → every value the broker appended there (until its disk was replaced): a
   * power loss may bring back any state the log file passed through since its last sync, so a recovered
   * record is foreign only if the broker never wrote it at that offset.
   */
  private readonly everAppended = new Map<number, Map<number, Map<number, number[]>>>();

  /**
   * `watched`: the partitions whose records it follows (by default the data topic's, where the workload's values
   * live; a txn run follows __transaction_state's with a second watch, for the coordinators' lost decisions).
   */
  constructor(
    private readonly cluster: KafkaCluster,
    private readonly watched: (partition: number) => boolean = isDataPartition,
  ) {
    const world = cluster.world;
    const brokerOfNode = new Map(cluster.brokerIds.map((id) => [cluster.nodeOf(id), id]));
    cluster.observe((e) => this.onEvent(e, world.now));
    world.onCrash((node, mode) => {
      const broker = brokerOfNode.get(node);
      if (broker !== undefined) this.onCrash(broker, mode, world.now);
    });
    const ids = cluster.brokerIds;
    const nodes = ids.map((id) => world.node(cluster.nodeOf(id)));
    const crashes = nodes.map((n) => n.crashes);
    const starts = nodes.map((n) => n.starts);
    const replacements = nodes.map((n) => n.disk.replacements);
    // A crashed broker cannot report its own death, so the world's node counters are read after every
    // event: a handful of integer reads, and the crash and the restart are seen at the time they happen.
    world.onEvent((w) => {
      for (let i = 0; i < nodes.length; i++) {
        const node = nodes[i];
        if (node.crashes !== crashes[i]) {
          crashes[i] = node.crashes;
          this.crashes.push({ broker: ids[i], time: w.now });
          this.down.set(ids[i], w.now);
        }
        if (node.disk.replacements !== replacements[i]) {
          replacements[i] = node.disk.replacements;
          // A disk failing under the broker: the crash noted just now took the disk with it.
          const crash = this.crashes.at(-1);
          if (crash !== undefined && crash.broker === ids[i] && crash.time === w.now) crash.diskReplaced = true;
          this.replaced.add(ids[i]);
          this.down.set(ids[i], w.now);
        }
        if (node.starts !== starts[i]) {
          starts[i] = node.starts;
          const crashedAt = this.down.get(ids[i]);
          const replaced = this.replaced.delete(ids[i]);
          this.down.delete(ids[i]);
          if (crashedAt !== undefined) this.compareRecovered(ids[i], crashedAt, replaced);
          const struck = this.struck.get(ids[i]);
          this.struck.delete(ids[i]);
          if (replaced) this.diskReplaced(ids[i], crashedAt ?? w.now);
          else if (struck !== undefined) this.recovered(ids[i], struck, w.now, w.events);
          this.resetMirror(ids[i]);
        }
      }
    });
  }

  /** Whether `broker` crashed at or after `time` (world time). */
  private restartedSince(broker: number, time: number): boolean {
    for (let i = this.crashes.length - 1; i >= 0 && this.crashes[i].time >= time; i--) {
      if (this.crashes[i].broker === broker) return true;
    }
    return false;
  }

  /** Facts for the loss causes (checkers/durability/causes.ts), once the run is over. */
  lossFacts(policy: LossPolicy): LossFacts {
    // Crash losses are known only at the restart but happened at the crash: in time order, stable.
    const removals = [...this.removals].sort((a, b) => a.time - b.time);
    return { policy, removals, elections: this.elections, written: this.written };
  }

  private onEvent(e: ReplicationEvent, now: number): void {
    // Internal topics' records are coordinators', never a workload's values.
    if ('partition' in e && !this.watched(e.partition)) return;
    switch (e.kind) {
      case 'log-end-offset':
        this.logEndsOf(e.broker).set(e.partition, e.logEndOffset);
        return;
      case 'append': {
        this.noteAppended(e.broker, e.partition, e.baseOffset, e.values);
        // A transaction marker holds an offset, not a workload's value: never a written record.
        if (e.asLeader && e.control === undefined) {
          const p = e.producer;
          for (let i = 0; i < e.values.length; i++) {
            const w: Written = { key: e.partition, offset: e.baseOffset + i, value: e.values[i], epoch: e.epoch };
            if (p !== undefined) w.producer = { id: p.id, epoch: p.epoch, sequence: p.baseSequence + i };
            this.written.push(w);
          }
        }
        const log = this.mirrorOf(e.broker, e.partition);
        const at = e.baseOffset - log.startOffset;
        log.values.length = at;
        log.epochs.length = at;
        for (const v of e.values) {
          log.values.push(v);
          log.epochs.push(e.epoch);
        }
        return;
      }
      case 'truncate': {
        const log = this.mirrorOf(e.broker, e.partition);
        const at = Math.max(0, e.toOffset - log.startOffset);
        if (log.values.length > at) {
          log.values.length = at;
          log.epochs.length = at;
        }
        if (e.removed.length === 0) return;
        const removed = [...e.removed].sort((a, b) => a.offset - b.offset);
        this.removals.push({
          time: now,
          broker: e.broker,
          key: e.partition,
          how: 'truncation',
          fromOffset: removed[0].offset,
          values: removed.map((r) => r.value),
          epochs: removed.map((r) => r.epoch),
        });
        return;
      }
      case 'replica-deleted':
        // A reassignment moved the replica away: what it held is neither lost nor a crash's to explain later.
        this.logEndsOf(e.broker).delete(e.partition);
        this.mirror.get(e.broker)?.delete(e.partition);
        this.everAppended.get(e.broker)?.delete(e.partition);
        // Deleted as its broker crashed (the deletion's I/O failing on a faulty disk halts the broker in the same
        // step): the log is gone by design, not for the recovery to keep.
        this.struck.get(e.broker)?.logs.delete(e.partition);
        return;
      case 'election': {
        const fact: ElectionFact = {
          time: now,
          key: e.partition,
          leader: e.leader,
          leaderEpoch: e.leaderEpoch,
          previousLeader: e.previousLeader,
          kind: e.lastKnownLeader === true ? 'last-known-leader' : e.unclean ? 'unclean' : 'clean',
          leaderLog: null,
        };
        this.elections.push(fact);
        this.electionOf.set(`${e.partition}/${e.leaderEpoch}`, fact);
        return;
      }
      case 'become-leader': {
        const key = `${e.partition}/${e.leaderEpoch}`;
        const fact = this.electionOf.get(key);
        if (fact !== undefined && fact.leader !== e.broker) return;
        const log = this.cluster.broker(e.broker)?.partitions.get(e.partition)?.log;
        const leaderLog = log === undefined ? { startOffset: 0, values: [] } : copyOf(log.all()).log;
        if (fact !== undefined && fact.leaderLog === null) {
          fact.leaderLog = leaderLog;
        } else if (fact === undefined || this.restartedSince(e.broker, fact.time)) {
          // Leadership taken up with no election: an epoch a controller bumped by shrinking the ISR around a
          // leader it kept, or the epoch it held again after a restart no controller saw. Whatever its log kept
          // is what it now leads with.
          const resumed: ElectionFact = {
            time: now,
            key: e.partition,
            leader: e.broker,
            leaderEpoch: e.leaderEpoch,
            previousLeader: -1,
            kind: 'clean',
            leaderLog,
            resumed: true,
          };
          this.elections.push(resumed);
          this.electionOf.set(key, resumed);
        }
        this.leadsAfterUncleanElection(e.partition, e.broker, e.leaderEpoch, leaderLog);
        return;
      }
      default:
        return;
    }
  }

  /**
   * An unclean (or last-known-leader) election whose leader never took up its epoch (fenced first, cut off from
   * the controller) still made it the partition's only ISR or ELR member: when that broker next leads, with nobody
   * leading between, it leads with what the unclean election gave the partition. That log is the election's.
   */
  private leadsAfterUncleanElection(
    partition: number,
    broker: number,
    epoch: number,
    leaderLog: { startOffset: number; values: number[] },
  ): void {
    for (let i = this.elections.length - 1; i >= 0; i--) {
      const f = this.elections[i];
      if (f.key !== partition || f.leaderEpoch >= epoch) continue;
      if (f.leaderLog !== null || f.leader !== broker) return;
      if (f.kind !== 'clean') {
        f.leaderLog = leaderLog;
        return;
      }
    }
  }

  /** Just before the crash: every log as written, and how far each was synced. */
  private onCrash(broker: number, mode: CrashMode, now: number): void {
    const program = this.cluster.broker(broker);
    const disk = this.cluster.world.node(this.cluster.nodeOf(broker)).disk;
    const logs = new Map<number, { written: LogCopy; syncedOffset: number }>();
    for (const [id, partition] of program?.partitions ?? []) {
      if (!this.watched(id)) continue;
      const synced = copyOf(disk.syncedRecords(partition.log.file) as RecordBatch[]).log;
      const written = copyOf(partition.log.all()).copy;
      // What the disk holds synced and unchanged since (a synced record truncated and appended again is not
      // synced: a crash may keep the truncation and only part of the appends), and the broker still holds.
      logs.set(id, { written, syncedOffset: commonPrefixEnd(synced, written) });
    }
    this.struck.set(broker, { time: now, mode, fsyncLied: disk.activeFaults.fsyncLies, logs });
  }

  /** Right after the restart: each log as recovered, against what the crash struck. */
  private recovered(broker: number, struck: Struck, now: number, step: number): void {
    const program = this.cluster.broker(broker);
    const disk = this.cluster.world.node(this.cluster.nodeOf(broker)).disk;
    for (const [partition, { written, syncedOffset }] of struck.logs) {
      const log = program?.partitions.get(partition)?.log;
      const recovered = log === undefined ? { startOffset: 0, values: [] } : copyOf(log.all()).log;
      const file = disk.fileRecords(log?.file ?? '');
      const fileValues: number[] = [];
      for (const b of file.whole as RecordBatch[]) for (const v of b.values) fileValues.push(v);
      this.recoveries.push({
        broker,
        partition,
        crashTime: struck.time,
        recoveredTime: now,
        step,
        mode: struck.mode,
        written: { startOffset: written.startOffset, values: written.values },
        syncedOffset,
        recovered,
        fileAfter: { values: fileValues, torn: file.torn },
        writtenBefore: this.writtenBeforeAt(broker, partition, written, recovered),
      });
      // The records lost: from the first offset where the recovered log stops matching what was written.
      let keep = 0;
      const n = Math.min(written.values.length, recovered.values.length);
      while (keep < n && written.values[keep] === recovered.values[keep]) keep++;
      if (keep >= written.values.length) continue;
      this.removals.push({
        time: struck.time,
        broker,
        key: partition,
        how: struck.mode === 'process' ? 'process-crash' : 'power-loss',
        fromOffset: written.startOffset + keep,
        values: written.values.slice(keep),
        epochs: written.epochs.slice(keep),
        syncedOffset,
        ...(struck.fsyncLied ? { fsyncLied: true } : {}),
      });
    }
  }

  private noteAppended(broker: number, partition: number, baseOffset: number, values: readonly number[]): void {
    let partitions = this.everAppended.get(broker);
    if (partitions === undefined) this.everAppended.set(broker, (partitions = new Map()));
    let offsets = partitions.get(partition);
    if (offsets === undefined) partitions.set(partition, (offsets = new Map()));
    for (let i = 0; i < values.length; i++) {
      const at = offsets.get(baseOffset + i);
      if (at === undefined) offsets.set(baseOffset + i, [values[i]]);
      else if (!at.includes(values[i])) at.push(values[i]);
    }
  }

  /**
   * For each offset where the recovered log differs from what was written at the crash, the values the broker
   * had written there before (an earlier state the file passed through, which a power loss may restore).
   */
  private writtenBeforeAt(
    broker: number,
    partition: number,
    written: LogCopy,
    recovered: { startOffset: number; values: number[] },
  ): Record<number, number[]> {
    const out: Record<number, number[]> = {};
    const offsets = this.everAppended.get(broker)?.get(partition);
    for (let i = 0; i < recovered.values.length; i++) {
      const offset = recovered.startOffset + i;
      const w = offset - written.startOffset;
      if (w >= 0 && w < written.values.length && written.values[w] === recovered.values[i]) continue;
      out[offset] = offsets?.get(offset) ?? [];
    }
    return out;
  }

  /** A blank drive: the broker lost every record its logs held. */
  private diskReplaced(broker: number, time: number): void {
    this.everAppended.delete(broker);
    for (const [partition, log] of this.mirror.get(broker) ?? []) {
      if (log.values.length === 0) continue;
      this.removals.push({
        time,
        broker,
        key: partition,
        how: 'disk-replaced',
        fromOffset: log.startOffset,
        values: [...log.values],
        epochs: [...log.epochs],
      });
    }
  }

  /** After a start, the mirror is the broker's logs as it loaded them. */
  private resetMirror(broker: number): void {
    const logs = new Map<number, LogCopy>();
    for (const [id, partition] of this.cluster.broker(broker)?.partitions ?? [])
      if (this.watched(id)) logs.set(id, copyOf(partition.log.all()).copy);
    this.mirror.set(broker, logs);
  }

  private mirrorOf(broker: number, partition: number): LogCopy {
    let logs = this.mirror.get(broker);
    if (logs === undefined) this.mirror.set(broker, (logs = new Map()));
    let log = logs.get(partition);
    if (log === undefined) logs.set(partition, (log = { startOffset: 0, values: [], epochs: [] }));
    return log;
  }

  private logEndsOf(broker: number): Map<number, number> {
    let m = this.logEnds.get(broker);
    if (m === undefined) {
      m = new Map();
      this.logEnds.set(broker, m);
    }
    return m;
  }

  /** Right after a restart the broker has loaded (and recovered) its logs: what is missing was lost. */
  private compareRecovered(broker: number, crashedAt: number, replaced: boolean): void {
    const program = this.cluster.broker(broker);
    const ends = this.logEndsOf(broker);
    for (const [partition, before] of ends) {
      const after = program?.partitions.get(partition)?.logEndOffset ?? 0;
      if (after < before) {
        this.losses.push({
          time: crashedAt,
          broker,
          key: partition,
          fromOffset: after,
          toOffset: before,
          cause: replaced
            ? { kind: 'disk-replaced', broker, time: crashedAt, note: `records ${after}..${before - 1} went with it` }
            : {
                kind: 'crash',
                broker,
                time: crashedAt,
                note: `records ${after}..${before - 1} were not flushed to disk`,
              },
        });
      }
      ends.set(partition, after);
    }
  }
}

/** A log's batches as plain values and epochs. */
/** The end offset of the longest prefix two logs share, offset by offset (the synced image and the log). */
function commonPrefixEnd(a: { startOffset: number; values: number[] }, b: LogCopy): number {
  if (a.values.length === 0) return 0;
  let offset = Math.max(a.startOffset, b.startOffset);
  while (true) {
    const i = offset - a.startOffset;
    const j = offset - b.startOffset;
    if (i >= a.values.length || j >= b.values.length || a.values[i] !== b.values[j]) return offset;
    offset++;
  }
}

function copyOf(batches: readonly RecordBatch[]): { copy: LogCopy; log: { startOffset: number; values: number[] } } {
  const startOffset = batches.length === 0 ? 0 : batches[0].baseOffset;
  const values: number[] = [];
  const epochs: number[] = [];
  for (const b of batches) {
    for (const v of b.values) {
      values.push(v);
      epochs.push(b.epoch);
    }
  }
  return { copy: { startOffset, values, epochs }, log: { startOffset, values } };
}

/** What the configuration under test permits to lose (checkers/durability/causes.ts). */
export function lossPolicyOf(cluster: ClusterConfig, producer: ProducerConfig, strict: boolean): LossPolicy {
  return {
    // KRaft ignored unclean.leader.election.enable before 3.9 (KAFKA-12670), as the active controller does.
    uncleanElection:
      cluster.broker['unclean.leader.election.enable'] &&
      (cluster.metadata === 'zk' || cluster.protocol.kraftUncleanElection),
    lastKnownLeaderRecovery: cluster.protocol.elr,
    uncleanShutdownExcluded: cluster.protocol.elr,
    replacedDiskFenced: cluster.metadata === 'kraft' && cluster.protocol.kip903,
    acks: producer.acks === 'all' ? 'all' : producer.acks === 1 ? 'leader' : 'none',
    strict,
    idempotence: producer['enable.idempotence'],
  };
}

type ElectionCause = Extract<Cause, { kind: 'unclean-election' | 'clean-election' }>;

/**
 * Truncations from the replication events (in event order), then the crash losses, sorted by time.
 * `replicas[p]` are the brokers holding partition p (whose crashes may explain its truncations).
 */
export function durabilityFacts(
  events: readonly ReplicationEvent[],
  crashes: readonly BrokerCrash[],
  replicas: readonly (readonly number[])[],
  crashLosses: readonly Truncation[] = [],
): DurabilityFacts {
  const truncations: Truncation[] = [];
  const lastElection = new Map<number, ElectionCause>();
  const lastCrash = new Map<number, BrokerCrash>();
  let c = 0;
  for (const e of events) {
    // Crashes up to this event's time happened before it (a crash is noted after the event causing it).
    while (c < crashes.length && crashes[c].time <= e.time) {
      lastCrash.set(crashes[c].broker, crashes[c]);
      c++;
    }
    if (e.kind === 'election') {
      const kind = e.unclean ? 'unclean-election' : 'clean-election';
      lastElection.set(e.partition, {
        kind,
        leader: e.leader,
        leaderEpoch: e.leaderEpoch,
        time: e.time,
        note: e.reason,
      });
      continue;
    }
    if (e.kind !== 'truncate' || e.toOffset >= e.fromLogEndOffset) continue;
    truncations.push({
      time: e.time,
      broker: e.broker,
      key: e.partition,
      fromOffset: e.toOffset,
      toOffset: e.fromLogEndOffset,
      cause: causeOf(e, lastElection.get(e.partition), lastCrash, replicas[e.partition] ?? []),
    });
  }
  const all = [...truncations, ...crashLosses];
  // Stable: truncations at one instant keep the simulator's order, crash losses after them.
  all.sort((a, b) => a.time - b.time);
  return { truncations: all };
}

function causeOf(
  e: Extract<ReplicationEvent, { kind: 'truncate' }>,
  election: ElectionCause | undefined,
  lastCrash: ReadonlyMap<number, BrokerCrash>,
  replicas: readonly number[],
): Cause {
  const note = `${e.reason} truncation of ${e.fromLogEndOffset - e.toOffset} record(s)`;
  // Recovery cuts what the broker's own crash left torn or unflushed.
  if (e.reason === 'recovery')
    return { kind: 'crash', broker: e.broker, time: lastCrash.get(e.broker)?.time ?? e.time, note };
  let crash: BrokerCrash | undefined;
  for (const broker of replicas) {
    const last = lastCrash.get(broker);
    if (last !== undefined && (crash === undefined || last.time > crash.time)) crash = last;
  }
  // An election usually follows the crash that caused it; on a tie the election is the nearer cause.
  if (election !== undefined && (crash === undefined || election.time >= crash.time)) {
    return { ...election, note: election.note === undefined ? note : `${note} after ${election.note}` };
  }
  if (crash !== undefined) {
    const kind = crash.diskReplaced === true ? 'disk-replaced' : 'crash';
    return { kind, broker: crash.broker, time: crash.time, note };
  }
  if (e.reason === 'high-watermark') return { kind: 'hw-truncation', broker: e.broker, time: e.time, note };
  return { kind: 'divergence', broker: e.broker, time: e.time, note };
}

/**
 * The brokers of every partition: the controller's own rule, then the replicas reassignments gave it since, now or
 * for a while (their crashes may explain its truncations too).
 */
export function replicaAssignment(cluster: KafkaCluster, events: readonly ReplicationEvent[] = []): number[][] {
  const c = cluster.config;
  const hosted = new Map<number, Set<number>>();
  for (const e of events) {
    // Every broker that ever held a replica reported it becoming leader or follower.
    if (e.kind !== 'become-leader' && e.kind !== 'become-follower') continue;
    const set = hosted.get(e.partition) ?? new Set<number>();
    set.add(e.broker);
    hosted.set(e.partition, set);
  }
  return assignReplicas(c.partitions, c.replicationFactor, c.brokers, c.racks).map((initial, p) => {
    const out = [...initial];
    const more = [...cluster.currentReplicas(p), ...[...(hosted.get(p) ?? [])].sort((a, b) => a - b)];
    for (const r of more) if (!out.includes(r)) out.push(r);
    return out;
  });
}

/**
 * The logs the final reads could have reached: each partition's leader's, or with no leader every
 * replica's. The durability checker tells an unreadable acknowledged record from a lost one with them.
 */
export function finalLogs(cluster: KafkaCluster): FinalLog[] {
  const logs: FinalLog[] = [];
  for (let p = 0; p < cluster.config.partitions; p++) {
    const leader = cluster.leaderOf(p);
    for (const id of leader >= 0 ? [leader] : cluster.brokerIds) {
      const state = cluster.broker(id)?.partitions.get(p);
      if (state === undefined) continue;
      const values: number[] = [];
      for (const batch of state.log.all()) for (const v of batch.values) values.push(v);
      logs.push({
        broker: id,
        key: p,
        highWatermark: state.highWatermark,
        startOffset: state.log.logStartOffset,
        values,
      });
    }
  }
  return logs;
}

/** Every running broker's replica of every partition, its log and high watermark, as the run left them. */
export function replicasAtRest(cluster: KafkaCluster): ReplicaAtRest[] {
  const out: ReplicaAtRest[] = [];
  for (let p = 0; p < cluster.config.partitions; p++) {
    const leader = cluster.leaderOf(p);
    const assigned = cluster.currentReplicas(p);
    for (const b of cluster.brokerIds) {
      if (cluster.world.node(cluster.nodeOf(b)).status !== 'running') continue;
      const replica = cluster.broker(b)?.partitions.get(p);
      // A stray log a reassignment left on a broker that was down when it ended (ZooKeeper mode sends StopReplica to
      // live brokers only) is no replica: nothing reads or elects it.
      if (replica === undefined || !assigned.includes(b)) continue;
      const batches = replica.log
        .all()
        .map((batch) => ({ baseOffset: batch.baseOffset, values: [...batch.values], epoch: batch.epoch }));
      out.push({ broker: b, partition: p, highWatermark: replica.highWatermark, leader: b === leader, batches });
    }
  }
  return out;
}

/**
 * Every partition of the topics created during the run, as the newest metadata and the running brokers left them:
 * the committed image of the KRaft voter furthest ahead, or ZooKeeper's topic and partition state znodes.
 */
export function createdTopicsAtRest(cluster: KafkaCluster): CreatedPartitionAtRest[] {
  const running = cluster.brokerIds.filter((b) => cluster.world.node(cluster.nodeOf(b)).status === 'running');
  const out: CreatedPartitionAtRest[] = [];
  for (const { partition, replicas, leader } of cluster.createdPartitions()) {
    const hosts = running.filter((b) => cluster.broker(b)?.partitions.get(partition) !== undefined);
    const leading = hosts.filter((b) => cluster.broker(b)?.partitions.get(partition)?.role === 'leader');
    out.push({ name: partitionName(partition), replicas, leader, hosts, leading, running });
  }
  return out;
}

/** Every running KRaft voter's metadata log, epoch by entry, and its high watermark, as the run left them. */
export function votersAtRest(cluster: KafkaCluster): VoterAtRest[] {
  const out: VoterAtRest[] = [];
  for (const v of cluster.voterIds) {
    const c = cluster.kraftController(v);
    if (c === null || cluster.world.node(controllerNode(v)).status !== 'running') continue;
    const log = c.raft.log;
    out.push({
      voter: v,
      leader: c.raft.isLeader(),
      epoch: c.raft.epoch,
      highWatermark: c.raft.highWatermark,
      startOffset: log.startOffset,
      epochs: log.entries.map((e) => e.epoch),
    });
  }
  return out;
}
