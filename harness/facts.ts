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
import type { BrokerCrash } from '../sim/events/index.ts';
import type { KafkaCluster } from '../sim/kafka/cluster.ts';
import type { ReplicationEvent } from '../sim/events/index.ts';
import { controllerNode } from '../sim/kafka/kraft/config.ts';
import { assignReplicas } from '../sim/kafka/zk-layout.ts';

/** Watches a running cluster for broker crashes and the records they cost. Create it before the run. */
/** KRaft mode: each controller voter's crashes, as the world saw them (a crashed voter cannot report it). */
export function watchControllerCrashes(cluster: KafkaCluster): { voter: number; time: number }[] {
  const crashes: { voter: number; time: number }[] = [];
  const voters = cluster.voterIds;
  if (voters.length === 0) return crashes;
  const nodes = voters.map((v) => cluster.world.node(controllerNode(v)));
  const seen = nodes.map((n) => n.crashes);
  cluster.world.onEvent((world) => {
    for (let i = 0; i < nodes.length; i++) {
      if (nodes[i].crashes === seen[i]) continue;
      seen[i] = nodes[i].crashes;
      crashes.push({ voter: voters[i], time: world.now });
    }
  });
  return crashes;
}

export class CrashWatch {
  readonly crashes: BrokerCrash[] = [];
  /** Unflushed tails lost in crashes, noticed when each broker started again. */
  readonly losses: Truncation[] = [];
  /** Log end offset per broker and partition, as the last replication event reported it. */
  private readonly logEnds = new Map<number, Map<number, number>>();
  /** Brokers that crashed (or whose disk was replaced) and have not started since: broker → that time. */
  private readonly down = new Map<number, number>();
  /** Of those, the ones whose disk was replaced. */
  private readonly replaced = new Set<number>();

  constructor(private readonly cluster: KafkaCluster) {
    cluster.observe((e) => {
      if (e.kind === 'log-end-offset') this.logEndsOf(e.broker).set(e.partition, e.logEndOffset);
    });
    const ids = cluster.brokerIds;
    const nodes = ids.map((id) => cluster.world.node(cluster.nodeOf(id)));
    const crashes = nodes.map((n) => n.crashes);
    const starts = nodes.map((n) => n.starts);
    const replacements = nodes.map((n) => n.disk.replacements);
    // A crashed broker cannot report its own death, so the world's node counters are read after every
    // event: a handful of integer reads, and the crash and the restart are seen at the time they happen.
    cluster.world.onEvent((world) => {
      for (let i = 0; i < nodes.length; i++) {
        const node = nodes[i];
        if (node.crashes !== crashes[i]) {
          crashes[i] = node.crashes;
          this.crashes.push({ broker: ids[i], time: world.now });
          this.down.set(ids[i], world.now);
        }
        if (node.disk.replacements !== replacements[i]) {
          replacements[i] = node.disk.replacements;
          this.replaced.add(ids[i]);
          this.down.set(ids[i], world.now);
        }
        if (node.starts !== starts[i]) {
          starts[i] = node.starts;
          const crashedAt = this.down.get(ids[i]);
          const replaced = this.replaced.delete(ids[i]);
          this.down.delete(ids[i]);
          if (crashedAt !== undefined) this.compareRecovered(ids[i], crashedAt, replaced);
        }
      }
    });
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
  const lastCrash = new Map<number, number>();
  let c = 0;
  for (const e of events) {
    // Crashes up to this event's time happened before it (a crash is noted after the event causing it).
    while (c < crashes.length && crashes[c].time <= e.time) {
      lastCrash.set(crashes[c].broker, crashes[c].time);
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
  lastCrash: ReadonlyMap<number, number>,
  replicas: readonly number[],
): Cause {
  const note = `${e.reason} truncation of ${e.fromLogEndOffset - e.toOffset} record(s)`;
  // Recovery cuts what the broker's own crash left torn or unflushed.
  if (e.reason === 'recovery')
    return { kind: 'crash', broker: e.broker, time: lastCrash.get(e.broker) ?? e.time, note };
  let crash: BrokerCrash | undefined;
  for (const broker of replicas) {
    const time = lastCrash.get(broker);
    if (time !== undefined && (crash === undefined || time > crash.time)) crash = { broker, time };
  }
  // An election usually follows the crash that caused it; on a tie the election is the nearer cause.
  if (election !== undefined && (crash === undefined || election.time >= crash.time)) {
    return { ...election, note: election.note === undefined ? note : `${note} after ${election.note}` };
  }
  if (crash !== undefined) return { kind: 'crash', broker: crash.broker, time: crash.time, note };
  if (e.reason === 'high-watermark') return { kind: 'hw-truncation', broker: e.broker, time: e.time, note };
  return { kind: 'divergence', broker: e.broker, time: e.time, note };
}

/** The replica assignment of every partition, by the controller's own rule. */
export function replicaAssignment(cluster: KafkaCluster): number[][] {
  const c = cluster.config;
  return assignReplicas(c.partitions, c.replicationFactor, c.brokers, c.racks);
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
    for (const b of cluster.brokerIds) {
      if (cluster.world.node(cluster.nodeOf(b)).status !== 'running') continue;
      const replica = cluster.broker(b)?.partitions.get(p);
      if (replica === undefined) continue;
      const batches = replica.log
        .all()
        .map((batch) => ({ baseOffset: batch.baseOffset, values: [...batch.values], epoch: batch.epoch }));
      out.push({ broker: b, partition: p, highWatermark: replica.highWatermark, leader: b === leader, batches });
    }
  }
  return out;
}
