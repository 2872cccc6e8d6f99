// Transactions end to end, as Kafka 3.9 has them: the coordinator (TransactionCoordinator, TransactionStateManager,
// TransactionMarkerChannelManager), the data partitions' transaction state and last stable offset
// (ProducerStateManager, UnifiedLog.lastStableOffset, collectAbortedTransactions) and the clients
// (KafkaProducer's transactional API, the consumer's isolation.level).
import { describe, expect, it } from 'vitest';
import type { TxnTransitionEvent } from '../../../sim/events/index.ts';
import { readTxnRecord } from '../../../sim/kafka/coordinator/transaction-metadata.ts';
import { partitionFor, partitionId, TRANSACTION_STATE_TOPIC } from '../../../sim/kafka/topics.ts';
import { NEWEST_BEHAVIOURS } from '../../helpers/behaviours.ts';
import { abort, commit, init, readAll, sendAll, txnProducer, txnScenario } from '../../helpers/txn-scenario.ts';

/** KIP-890 part 2 (4.0, on in the newest release): the abort after a fence bumps the fenced epoch once more. */
const ABORT_BUMP = NEWEST_BEHAVIOURS.kip890p2 ? 1 : 0;

describe.each(['zk', 'kraft'] as const)('transactions in %s mode', (metadata) => {
  it('TransactionCoordinator.handleEndTransaction: a commit is visible to read_committed, markers counted', () => {
    const s = txnScenario({ metadata }).start();
    const p = txnProducer(s, 'tx-1');
    expect(init(s, p)).toEqual({ type: 'ok' });
    p.beginTransaction();
    const sent = sendAll(s, p, [
      [0, 1],
      [1, 2],
      [0, 3],
    ]);
    expect(sent.map((o) => o.type)).toEqual(['ok', 'ok', 'ok']);
    // Open: read_committed sees nothing yet (the LSO is the transaction's first offset), read_uncommitted sees all.
    expect(readAll(s, 0, 'read_committed', 2)).toEqual([]);
    expect(readAll(s, 0, 'read_uncommitted', 2)).toEqual([1, 3]);
    expect(commit(s, p)).toEqual({ type: 'ok' });
    s.run(1000);
    expect(readAll(s, 0, 'read_committed')).toEqual([1, 3]);
    expect(readAll(s, 1, 'read_committed')).toEqual([2]);
    // The COMMIT marker takes an offset of its own, after the records.
    const log = s.partition(s.leader(0), 0).log.all();
    expect(log.map((b) => b.control?.type ?? 'data')).toEqual(['data', 'data', 'COMMIT']);
    expect(s.partition(s.leader(0), 0).lastStableOffset).toBe(3);
    expect(s.monitor.violations).toEqual([]);
  });

  it('TransactionCoordinator.handleEndTransaction: an aborted transaction is invisible to read_committed', () => {
    const s = txnScenario({ metadata }).start();
    const p = txnProducer(s, 'tx-2');
    expect(init(s, p)).toEqual({ type: 'ok' });
    p.beginTransaction();
    sendAll(s, p, [
      [0, 10],
      [0, 11],
    ]);
    expect(abort(s, p)).toEqual({ type: 'ok' });
    p.beginTransaction();
    sendAll(s, p, [[0, 12]]);
    expect(commit(s, p)).toEqual({ type: 'ok' });
    s.run(1000);
    expect(readAll(s, 0, 'read_committed')).toEqual([12]);
    expect(readAll(s, 0, 'read_uncommitted')).toEqual([10, 11, 12]);
    const leader = s.partition(s.leader(0), 0);
    expect(leader.txns.allAborted().map((a) => [a.firstOffset, a.lastOffset])).toEqual([[0, 2]]);
    expect(s.monitor.violations).toEqual([]);
  });

  it('TransactionCoordinator.prepareInitProducerIdTransit: a new instance fences the zombie, aborts its txn', () => {
    const s = txnScenario({ metadata }).start();
    const zombie = txnProducer(s, 'tx-z');
    expect(init(s, zombie)).toEqual({ type: 'ok' });
    zombie.beginTransaction();
    expect(sendAll(s, zombie, [[0, 20]]).map((o) => o.type)).toEqual(['ok']);
    const fresh = txnProducer(s, 'tx-z');
    // Ongoing: the coordinator fences the epoch, aborts (from 4.0 with one more bump), answers
    // CONCURRENT_TRANSACTIONS; the retry bumps again.
    expect(init(s, fresh)).toEqual({ type: 'ok' });
    expect(fresh.producerId).toBe(zombie.producerId);
    expect(fresh.producerEpoch).toBe(zombie.producerEpoch + 2 + ABORT_BUMP);
    // The zombie's next record meets the ABORT marker's epoch: INVALID_PRODUCER_EPOCH; its commit fails.
    expect(sendAll(s, zombie, [[0, 21]])).toEqual([{ type: 'fail', error: 'INVALID_PRODUCER_EPOCH' }]);
    expect(commit(s, zombie)?.type).toBe('fail');
    fresh.beginTransaction();
    sendAll(s, fresh, [[0, 22]]);
    expect(commit(s, fresh)).toEqual({ type: 'ok' });
    s.run(1000);
    expect(readAll(s, 0, 'read_committed')).toEqual([22]);
    expect(readAll(s, 0, 'read_uncommitted')).toEqual([20, 22]);
    expect(s.monitor.violations).toEqual([]);
  });

  it('TransactionStateManager.loadTransactionsForTxnTopicPartition: a new coordinator completes a commit', () => {
    const s = txnScenario({ metadata }).start();
    const transitions: TxnTransitionEvent[] = [];
    let crashed = -1;
    s.cluster.observe((e) => {
      if (e.kind !== 'txn-transition') return;
      transitions.push(e);
      // The coordinator dies the moment PrepareCommit is replicated: before any marker is written.
      if (e.to === 'PrepareCommit' && crashed < 0) {
        crashed = e.broker;
        s.world.schedule(0, () => s.crash(e.broker));
      }
    });
    const p = txnProducer(s, 'tx-f');
    expect(init(s, p)).toEqual({ type: 'ok' });
    p.beginTransaction();
    sendAll(s, p, [
      [0, 30],
      [1, 31],
    ]);
    // The client retries EndTxn at the new coordinator: CONCURRENT_TRANSACTIONS until it completed, then NONE.
    expect(commit(s, p)).toEqual({ type: 'ok' });
    s.run(2000);
    expect(crashed).toBeGreaterThanOrEqual(0);
    const complete = transitions.find((t) => t.to === 'CompleteCommit');
    expect(complete?.broker).not.toBe(crashed);
    expect(readAll(s, 0, 'read_committed')).toEqual([30]);
    expect(readAll(s, 1, 'read_committed')).toEqual([31]);
    const txnPartition = partitionId(TRANSACTION_STATE_TOPIC, partitionFor('tx-f', 3));
    expect(s.leader(txnPartition)).toBe(complete?.broker);
    expect(s.monitor.violations).toEqual([]);
  });

  it('TransactionMarkerChannelManager: CompleteCommit only once every partition has its marker', () => {
    const s = txnScenario({ metadata }).start();
    const transitions: TxnTransitionEvent[] = [];
    s.cluster.observe((e) => {
      if (e.kind === 'txn-transition' && e.transactionalId === 'tx-m') transitions.push(e);
    });
    const p = txnProducer(s, 'tx-m');
    expect(init(s, p)).toEqual({ type: 'ok' });
    p.beginTransaction();
    sendAll(s, p, [
      [0, 40],
      [1, 41],
    ]);
    // Partition 1's marker is held up: its leader answers the coordinator 20 s late (the link out of the leader is
    // slow, nothing lost), unless the coordinator leads partition 1 itself, then partition 0's.
    const coordinator = s.leader(partitionId(TRANSACTION_STATE_TOPIC, partitionFor('tx-m', 3)));
    const slow = [1, 0].find((x) => s.leader(x) !== coordinator);
    expect(slow).toBeDefined();
    const held = s.leader(slow as number);
    s.world.net.setLinkLatency(`b${held}`, `b${coordinator}`, { kind: 'constant', ms: 20_000 });
    expect(commit(s, p)).toEqual({ type: 'ok' });
    s.run(5_000);
    // The other partition's marker is in, this one's answer is not: the coordinator has written no CompleteCommit to
    // its log (it still owes a marker, TxnMarkerQueue), so a failover now would load PrepareCommit and send it again.
    const txnPartition = partitionId(TRANSACTION_STATE_TOPIC, partitionFor('tx-m', 3));
    const written = (): (string | undefined)[] =>
      s
        .partition(coordinator, txnPartition)
        .log.all()
        .flatMap((b) => (b.payloads ?? []).filter((r) => r.key === 'tx-m').map((r) => readTxnRecord(r)?.state));
    expect(written()).toContain('PrepareCommit');
    expect(written()).not.toContain('CompleteCommit');
    s.world.net.setLinkLatency(`b${held}`, `b${coordinator}`, null);
    s.run(30_000);
    expect(transitions.map((t) => t.to)).toContain('CompleteCommit');
    expect(readAll(s, 0, 'read_committed')).toEqual([40]);
    expect(readAll(s, 1, 'read_committed')).toEqual([41]);
  });

  it('TransactionCoordinator.abortTimedOutTransactions: a transaction past transaction.timeout.ms is aborted', () => {
    const s = txnScenario({ metadata }).start();
    const transitions: TxnTransitionEvent[] = [];
    s.cluster.observe((e) => e.kind === 'txn-transition' && transitions.push(e));
    const p = txnProducer(s, 'tx-t', 5000);
    expect(init(s, p)).toEqual({ type: 'ok' });
    p.beginTransaction();
    sendAll(s, p, [[0, 40]]);
    // Open, it holds the last stable offset back.
    expect(readAll(s, 0, 'read_committed', 2)).toEqual([]);
    // The check runs every 10 s; the transaction is older than 5 s at the second one.
    s.run(25_000);
    expect(transitions.map((t) => t.to)).toEqual(['Empty', 'Ongoing', 'PrepareAbort', 'CompleteAbort']);
    expect(transitions[2].producerEpoch).toBe(p.producerEpoch + 1 + ABORT_BUMP);
    // The client cannot tell a fence after its commit from one before it: unknown, as a ProducerFencedException.
    expect(commit(s, p)).toEqual({ type: 'info', error: 'PRODUCER_FENCED' });
    const q = txnProducer(s, 'tx-u');
    init(s, q);
    q.beginTransaction();
    sendAll(s, q, [[0, 41]]);
    expect(commit(s, q)).toEqual({ type: 'ok' });
    s.run(1000);
    expect(readAll(s, 0, 'read_committed')).toEqual([41]);
    expect(s.monitor.violations).toEqual([]);
  });
});
