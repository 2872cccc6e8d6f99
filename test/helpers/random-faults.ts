// A harness run with serial faults (nemesis/serial.ts: one crash with power loss, pause, isolation or
// ZooKeeper cut at a time) on two partitions, the replica invariants online. Used by a test (a sample of
// seeds) and by bench/invariants.ts (1,000 seeds).
import type { CheckResult } from '../../checkers/result.ts';
import { runOnce } from '../../harness/index.ts';
import { serialFaultSchedule } from '../../nemesis/index.ts';
import { Random } from '../../sim/world/index.ts';

export interface RandomFaultRun {
  seed: number;
  /** The replica invariants' verdict, violations explained (notes) and not (anomalies). */
  invariants: CheckResult;
  acked: number;
  elections: number;
  uncleanElections: number;
  faults: number;
  events: number;
  historyHash: string;
}

export function runRandomFaults(
  seed: number,
  opts: { simSeconds?: number; unclean?: boolean; protocol?: string } = {},
): RandomFaultRun {
  const timeSeconds = opts.simSeconds ?? 60;
  const schedule = serialFaultSchedule(Random.root(seed).fork('serial-faults'), {
    timeMs: timeSeconds * 1000,
    brokers: 3,
  });
  const run = runOnce({
    seed,
    partitions: 2,
    timeSeconds,
    schedule,
    unclean: opts.unclean ?? false,
    protocol: opts.protocol ?? '',
    broker: { 'leader.imbalance.check.interval.seconds': 30 },
  });
  const elections = run.output.replicationEvents.filter((e) => e.kind === 'election');
  const invariants = run.result.checkers.find((c) => c.checker === 'invariants');
  if (invariants === undefined) throw new Error('every run has the invariants checker');
  return {
    seed,
    invariants,
    acked: run.result.stats.acked,
    elections: elections.length,
    // KIP-966's last-known-leader recovery is unclean too, but Kafka does it with unclean election off.
    uncleanElections: elections.filter((e) => e.kind === 'election' && e.unclean && e.lastKnownLeader !== true).length,
    faults: new Set(schedule.ops.map((op) => op.id)).size,
    events: run.result.stats.events,
    historyHash: run.result.historyHash,
  };
}

const DATA_LOSS = new Set(['LeaderCompleteness', 'ConsistentCommittedData', 'LogMatching']);

/**
 * What the modern protocol with clean election must never show: a violation nothing explains, or lost
 * committed data of any cause but one. A crash losing a follower's unsynced tail may break WeakIsr or
 * StrongIsr for a while (Kafka acknowledges on fetch, before fsync) and is reported, but is not a bug;
 * nor is a power loss on every ISR member, after which KIP-966 elects the last known leader with what its
 * disk kept (flush.messages is never: Kafka's design).
 */
export function protocolBugs(invariants: CheckResult): string[] {
  const bugs = invariants.anomalies.flatMap((a) => a.examples.map((e) => `${a.name}: ${e.description}`));
  for (const note of invariants.notes ?? []) {
    if (!DATA_LOSS.has(note.name)) continue;
    for (const e of note.examples) {
      const cause = e.detail?.causedBy as { lastKnownLeader?: boolean } | null | undefined;
      if (cause?.lastKnownLeader !== true) bugs.push(`${note.name}: ${e.description}`);
    }
  }
  return bugs;
}
