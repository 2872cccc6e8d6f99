// Client crashes in `--workload txn` (workloads/txn/crash.ts), as Jepsen's :crash-clients?: a client's node dies
// and starts again empty, between transactions or in the middle of one. The transaction under way is recorded
// :info, a new process carries on under a fresh transactional.id (Jepsen's open! takes a new one per client), so
// nothing fences the abandoned transaction: the coordinator aborts it once transaction.timeout.ms has passed, and the
// run is valid. A subscribed consumer that crashes sends no LeaveGroup: it stays a member until its session expires.
import { describe, expect, it } from 'vitest';
import { runTest, testOf, type RunOptions, type TestRun } from '../../harness/index.ts';
import type { TxnTransitionEvent } from '../../sim/events/index.ts';

// No faults but the crashes, at the default crashProbability (0.005), on the newest release (transaction version
// 2: the leaders add the partitions): on seed 1 process 0 (client 0's first) crashes 3.1 s in, in a transaction
// whose first record a leader had added (Ongoing at the coordinator); its node's next process, 3, crashes between
// transactions at 9.6 s (Jepsen's :crash op), and process 4 carries on.
const OPTIONS: RunOptions = { seed: 1, workloadKind: 'txn', timeSeconds: 20, nemesis: [] };
/** The harness's transaction.timeout.ms for the txn workload's producers. */
const TRANSACTION_TIMEOUT_MS = 10_000;

function transitions(run: TestRun, transactionalId?: string): TxnTransitionEvent[] {
  return run.replicationEvents.filter(
    (e): e is TxnTransitionEvent =>
      e.kind === 'txn-transition' && (transactionalId === undefined || e.transactionalId === transactionalId),
  );
}

describe('a txn run whose clients crash', () => {
  const run = runTest(testOf(OPTIONS));
  const crashed = run.history.find(
    (op) => op.process === 0 && op.f === 'txn' && op.type === 'info' && op.error === 'CLIENT_CRASHED',
  );

  it('records the transaction under way :info, and a new process goes on under its own transactional.id', () => {
    if (crashed === undefined) throw new Error('process 0 did not crash in a transaction');
    expect(run.stats.workload.clientCrashes).toBeGreaterThan(1);
    // Process 0 is done; its node's next process (3: 0 to 2 were the first clients') commits transactions.
    expect(run.history.filter((op) => op.process === 0 && op.time > crashed.time)).toEqual([]);
    expect(run.history.some((op) => op.process === 3 && op.f === 'txn' && op.type === 'ok')).toBe(true);
    expect(transitions(run, 'txn-txn-client-0-p3').length).toBeGreaterThan(0);
  });

  it('records Jepsen s :crash op between transactions, invoked and :info, and a new process goes on', () => {
    const crashes = run.history.filter((op) => op.f === 'crash');
    expect(crashes.map((op) => [op.process, op.type, op.value])).toEqual([
      [3, 'invoke', 'txn-client-0'],
      [3, 'info', 'txn-client-0'],
    ]);
    expect(run.history.some((op) => op.process === 3 && op.index > crashes[1].index)).toBe(false);
    expect(run.history.some((op) => op.process === 4 && op.f === 'txn' && op.type === 'ok')).toBe(true);
    expect(transitions(run, 'txn-txn-client-0-p4').length).toBeGreaterThan(0);
  });

  it('leaves the abandoned transaction to the coordinator, which aborts it once transaction.timeout.ms passed', () => {
    if (crashed === undefined) throw new Error('process 0 did not crash in a transaction');
    const old = transitions(run, 'txn-txn-client-0');
    const began = old.findLast((e) => e.to === 'Ongoing' && e.from !== 'Ongoing' && e.time < crashed.time);
    expect(began?.partitions).toEqual([0]);
    const after = old.filter((e) => e.time > crashed.time).map((e) => `${e.from}->${e.to}`);
    // Nobody takes the id again: no InitProducerId fences it, only the coordinator's timeout sweep ends it.
    expect(after).toEqual(['Ongoing->PrepareAbort', 'PrepareAbort->CompleteAbort']);
    const abort = old.find((e) => e.to === 'PrepareAbort');
    expect((abort?.time ?? 0) - (began?.time ?? Infinity)).toBeGreaterThanOrEqual(TRANSACTION_TIMEOUT_MS);
  });

  it('leaves no transaction open: each ends, no last stable offset stays below its high watermark', () => {
    const byId = new Map<string, TxnTransitionEvent>();
    for (const e of transitions(run)) byId.set(e.transactionalId, e);
    expect(byId.size).toBeGreaterThan(3);
    for (const last of byId.values()) expect(['CompleteCommit', 'CompleteAbort', 'Empty']).toContain(last.to);
    expect(run.facts.durability.txn?.firstUnstable).toEqual([]);
    expect(run.stats.workload.finalReadsComplete).toBe(1);
  });

  it('is valid, with no anomaly', () => {
    expect(run.result.findings).toBe(0);
    expect(run.result.anomalies).toEqual({});
    expect(run.result.valid).toBe(true);
  });

  it('gives the same history hash on the same seed, and another without crashes', () => {
    const again = runTest(testOf(OPTIONS));
    expect(again.historyHash).toBe(run.historyHash);
    const calm = runTest(testOf({ ...OPTIONS, workload: { crashProbability: 0 } }));
    expect(calm.historyHash).not.toBe(run.historyHash);
    expect(calm.history.some((op) => op.f === 'crash' || op.error === 'CLIENT_CRASHED')).toBe(false);
  });
});

describe('a txn run whose subscribed clients crash', () => {
  it('keeps a crashed member in the group until its session expires, then rebalances without it', () => {
    const run = runTest(testOf({ ...OPTIONS, timeSeconds: 30, consumerMode: 'subscribe' }));
    expect(run.result.valid).toBe(true);
    const crashes = run.history.filter(
      (op) => op.type === 'info' && (op.error === 'CLIENT_CRASHED' || op.f === 'crash'),
    );
    expect(crashes.length).toBeGreaterThan(0);
    // Three clients, but a generation formed before the crashed members' sessions expired counts them too; a later
    // one has only the three live members.
    const sizes = run.groupEvents.map((e) => e.members.length);
    expect(Math.max(...sizes)).toBeGreaterThan(3);
    expect(sizes.at(-1)).toBe(3);
  });
});
