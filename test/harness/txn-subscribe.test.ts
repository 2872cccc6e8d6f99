// `--workload txn --consumer-mode subscribe`: Jepsen's transactional workload with :sub-via #{:subscribe}. Each
// client's consumer joins one group over __consumer_offsets, its transactions poll what the group gave it, ops
// that went through a rebalance carry Jepsen's :rebalance-log, and after a rebalance a partition's new owner starts
// at the offsets the last committed transactions committed with sendOffsetsToTransaction (Jepsen's send-offsets!).
// Deterministic and valid on the default configuration.
import { describe, expect, it } from 'vitest';
import { runTest, testOf } from '../../harness/index.ts';
import { CONSUMER_OFFSETS_TOPIC, TRANSACTION_STATE_TOPIC } from '../../sim/kafka/topics.ts';
import type { Op } from '../../workloads/history/format.ts';

// The default nemesis kills brokers (and partitions and pauses them): clients whose commit is unknown reopen as new
// members, those stuck in a transaction past max.poll.interval.ms leave, and the group rebalances. 150 s: on seed 1
// the group reaches generation 3 and moves partitions that committed transactions had committed offsets for.
// Without client crashes (test/harness/txn-crash.test.ts has them): the history these tests were written on.
const OPTIONS = {
  seed: 1,
  workloadKind: 'txn',
  timeSeconds: 150,
  consumerMode: 'subscribe',
  workload: { crashProbability: 0 },
} as const;

/** The first offset each key's records in an op's polls begin at. */
function firstPolled(op: Op): Map<string, number> {
  const out = new Map<string, number>();
  if (!Array.isArray(op.value)) return out;
  for (const mop of op.value) {
    // A failed or crashed op records its invocation: polls without results.
    if (!Array.isArray(mop) || mop[0] !== 'poll' || mop[1] === undefined) continue;
    for (const [k, rs] of Object.entries(mop[1] as Record<string, number[][]>))
      if (rs.length > 0 && !out.has(k)) out.set(k, rs[0][0]);
  }
  return out;
}

describe('a txn run whose consumers subscribe', () => {
  const first = runTest(testOf(OPTIONS));

  it('creates both internal topics, subscribes every process and is valid', () => {
    expect(first.test.cluster.internalTopics.enabled).toEqual([TRANSACTION_STATE_TOPIC, CONSUMER_OFFSETS_TOPIC]);
    const subscribes = first.history.filter((op) => op.f === 'subscribe' && op.type === 'ok');
    const processes = new Set(first.history.filter((op) => op.f === 'txn').map((op) => op.process));
    // Every process that ran a transaction subscribed first (a reopened client subscribes anew).
    for (const p of processes) expect(subscribes.some((op) => op.process === p)).toBe(true);
    expect(first.history.filter((op) => op.f === 'txn' && op.type === 'ok').length).toBeGreaterThan(50);
    expect(first.result.checkers.map((c) => c.checker)).toContain('jepsen-kafka');
    expect(first.result.valid).toBe(true);
    expect(first.result.findings).toBe(0);
    expect(first.stats.workload.finalReadsComplete).toBe(1);
  });

  it('rebalances, records them and restarts moved partitions at the committed offsets', () => {
    expect(first.history.some((op) => op.f === 'start-kill')).toBe(true);
    expect(Math.max(...first.groupEvents.map((e) => e.generationId))).toBeGreaterThan(1);
    const rebalanced = first.history.filter((op) => op.f === 'txn' && op.rebalanceLog !== undefined);
    expect(rebalanced.length).toBeGreaterThan(0);
    // Each member polls only the partitions the group gave it, not every key.
    const polledBy = new Map<Op['process'], Set<string>>();
    for (const op of first.history.filter((o) => o.f === 'txn' && o.type === 'ok'))
      for (const k of firstPolled(op).keys()) polledBy.set(op.process, (polledBy.get(op.process) ?? new Set()).add(k));
    expect([...polledBy.values()].some((keys) => keys.size < first.test.cluster.partitions)).toBe(true);
    // Some op polled a partition assigned in a later generation from past offset 0: a committed offset.
    const fromCommitted = rebalanced.some((op) =>
      (op.rebalanceLog as { type: string; keys: number[]; generation: number }[]).some(
        (e) =>
          e.type === 'assigned' && e.generation > 1 && e.keys.some((k) => (firstPolled(op).get(String(k)) ?? 0) > 0),
      ),
    );
    expect(fromCommitted).toBe(true);
    // The offsets commit with their transaction (KIP-98) and a new owner's OffsetFetch waits for a pending one
    // (requireStable, KIP-447): no committed transaction's records are read again after a rebalance. With
    // commitSync after the commit (before sendOffsetsToTransaction was modelled) this seed re-read one.
    expect(first.result.allowed.anomalies['nonmonotonic-poll'] ?? 0).toBe(0);
    expect(first.result.allowed.anomalies['poll-skip'] ?? 0).toBe(0);
  });

  it('gives the same history hash on the same seed, and another than assign mode', () => {
    const again = runTest(testOf(OPTIONS));
    expect(again.historyHash).toBe(first.historyHash);
    expect(again.history.length).toBe(first.history.length);
    const assigned = runTest(testOf({ ...OPTIONS, consumerMode: 'assign' }));
    expect(assigned.historyHash).not.toBe(first.historyHash);
    expect(assigned.history.some((op) => op.f === 'subscribe')).toBe(false);
  });
});

describe('a txn swarm seed whose ABORT marker was lost and a later COMMIT of the same producer covered it', () => {
  it('is valid, the aborted read allowed as the power loss (subscribe seed 66)', () => {
    // Client 2's transaction (75 to key 2) was aborted by its coordinator at epoch 1; the ABORT marker at offset 35
    // of partition 2 was lost unflushed from every replica in a power loss 1.7 s later, and the client's next
    // transaction (epoch 2) wrote 86 and a COMMIT marker at 35 and 36, which end the transaction 75 began: the
    // final reads return 75, a record of a failed transaction (Jepsen's G1a).
    // As found, before clients crashed and before KIP-890 part 2's leaders added the partitions.
    const options = {
      seed: 66,
      workloadKind: 'txn',
      nemesis: 'swarm',
      consumerMode: 'subscribe',
      workload: { crashProbability: 0 },
      protocol: '-kip890p2Add',
    } as const;
    const run = runTest(testOf(options));
    expect(run.historyHash).toBe('3cf8a6c57ac1468c');
    expect(run.facts.durability.txn?.revivedByCommit).toEqual([
      { key: 2, offset: 34, value: 75, producerId: 3001000000, abort: { offset: 35, value: -200000100000081 } },
    ]);
    expect(run.result.valid).toBe(true);
    const g1a = run.result.checkers.flatMap((c) => c.allowed ?? []).find((a) => a.name === 'G1a');
    expect(g1a?.byCause).toEqual({ 'power-loss': 1 });
    const strict = runTest(testOf({ ...options, strict: true }));
    expect(strict.result.valid).toBe(false);
    expect(strict.result.anomalies.G1a).toBe(1);
  });
});

describe('a txn swarm seed whose coordinator broker had its clock stepped back (subscribe seed 895)', () => {
  it('dates the coordinator records by the world clock, so the forgotten transaction is found', () => {
    // A clock fault stepped the coordinator's broker back 22 s. Producer 1001000000's leader-added Ongoing record
    // for key 0 (world 8.77 s, its broker's clock -13.23 s) was lost with KIP-966's last-known-leader recovery of
    // __transaction_state, so record 136 stayed open and held key 0's last stable offset. Dated by the broker's
    // clock, the record seemed older than the transaction and the loss went unexplained (unseen x 3, a finding).
    const run = runTest(testOf({ seed: 895, workloadKind: 'txn', nemesis: 'swarm', consumerMode: 'subscribe' }));
    expect(run.historyHash).toBe('1a2576860529527e');
    expect(run.result.valid).toBe(true);
    expect(run.result.allowed.lostByCause).toEqual({ 'last-known-leader': 6 });
    const ongoing = run.facts.durability.txn?.coordinatorRecords?.find(
      (r) => r.producerId === 1001000000 && r.state === 'Ongoing' && !r.kept && r.time > 8_700 && r.time < 8_800,
    );
    expect(ongoing).toBeDefined();
  });
});

describe('a txn swarm seed whose coordinator forgot a partition a later COMMIT ended (subscribe seed 683)', () => {
  it('is valid, the aborted reads allowed as the power loss that took the record adding the partition', () => {
    // The coordinator's Ongoing record that added key 2 to txn-txn-client-1's transaction (12.06 s, epoch 41) was
    // lost unflushed in the power loss at 20.4-23.7 s; reloaded, the coordinator knew the id as CompleteCommit, and
    // the transaction's abort (its sendOffsetsToTransaction answered UNKNOWN_MEMBER_ID) named only __consumer_offsets.
    // Records 188 and 189 stayed open on key 2 until the producer's next COMMIT there ended them (G1a x 6).
    const options = { seed: 683, workloadKind: 'txn', nemesis: 'swarm', consumerMode: 'subscribe' } as const;
    const run = runTest(testOf(options));
    expect(run.historyHash).toBe('32a03287e118c213');
    expect(run.result.valid).toBe(true);
    expect(run.result.allowed.anomalies.G1a).toBe(6);
    expect(runTest(testOf({ ...options, strict: true })).result.anomalies.G1a).toBe(6);
  });
});
