// KIP-890 part 1 (3.6.0) against the hanging transaction of KAFKA-14402. A transactional producer's record to one
// partition is held on a slow link past delivery.timeout.ms; the producer gives it up and aborts, the coordinator
// writes the ABORT marker, and only then does the record reach the leader. Before 3.6 the leader appends it after
// the marker: a transaction the coordinator will never end, the last stable offset stuck there and read_committed
// consumers stalled (HangingTransaction). From 3.6 the leader verifies it with the coordinator
// (ReplicaManager.appendRecords, AddPartitionsToTxnManager, handleVerifyPartitionsInTransaction) and refuses it.
import { describe, expect, it } from 'vitest';
import { probeCountsSince, probeMark, probeRecord } from '../../../sim/kafka/probes.ts';
import type { ProduceResponse } from '../../../sim/kafka/messages.ts';
import type { KafkaBehaviours } from '../../../sim/kafka/protocol.ts';
import { NEWEST_RELEASE, releaseOf } from '../../../sim/kafka/releases.ts';
import { partitionFor, partitionId, TRANSACTION_STATE_TOPIC } from '../../../sim/kafka/topics.ts';
import type { Scenario } from '../../helpers/scenario.ts';
import { abort, commit, init, readAll, sendAll, txnProducer, txnScenario } from '../../helpers/txn-scenario.ts';
import { rawChannel, txnProduceRequest } from '../../helpers/txn-scenario.ts';

/** The transactional id's coordinator (the leader of its __transaction_state partition; 3 partitions). */
function coordinatorOf(s: Scenario, transactionalId: string): number {
  return s.leader(partitionId(TRANSACTION_STATE_TOPIC, partitionFor(transactionalId, 3)));
}

const PRODUCER = { 'request.timeout.ms': 5_000, 'delivery.timeout.ms': 10_000 };
const SLOW_MS = 30_000;

/**
 * The schedule: a record to data partition `x` held SLOW_MS on the producer's link to its leader (a slow link, nothing
 * lost, order kept), given up after delivery.timeout.ms, the transaction aborted, then the record delivered.
 */
function lateProduceAfterAbort(protocol: KafkaBehaviours, metadata: 'zk' | 'kraft') {
  const s = txnScenario({ metadata, protocol }).start();
  const x = 0;
  // A transactional id coordinated elsewhere than x's leader, so that only the produce is slow.
  const ids = ['tx-a', 'tx-b', 'tx-c', 'tx-d', 'tx-e', 'tx-f'];
  const transactionalId = ids.find((id) => coordinatorOf(s, id) !== s.leader(x)) as string;
  const node: { id?: string } = {};
  const p = txnProducer(s, transactionalId, 60_000, PRODUCER, node);
  expect(init(s, p)).toEqual({ type: 'ok' });
  p.beginTransaction();
  const link = [node.id as string, `b${s.leader(x)}`] as const;
  s.world.net.setLinkLatency(link[0], link[1], { kind: 'constant', ms: SLOW_MS });
  const sent = sendAll(s, p, [[x, 7]]);
  s.world.net.setLinkLatency(link[0], link[1], null);
  const aborted = abort(s, p);
  const abortedAt = s.world.now;
  // The record and its retries arrive now, after the ABORT marker.
  s.run(SLOW_MS + 10_000);
  const leader = s.partition(s.leader(x), x);
  return { s, x, sent, aborted, abortedAt, leader };
}

/** Another producer commits `value` to partition `x` in a transaction of its own. */
function otherProducerCommits(s: Scenario, x: number, value: number): void {
  const other = txnProducer(s, 'tx-other');
  expect(init(s, other)).toEqual({ type: 'ok' });
  other.beginTransaction();
  expect(sendAll(s, other, [[x, value]]).map((o) => o.type)).toEqual(['ok']);
  expect(commit(s, other)).toEqual({ type: 'ok' });
}

function hangs(protocol: KafkaBehaviours, metadata: 'zk' | 'kraft'): void {
  const { s, x, sent, aborted, leader } = lateProduceAfterAbort(protocol, metadata);
  expect(sent).toEqual([{ type: 'fail', error: 'DELIVERY_TIMEOUT' }]);
  expect(aborted).toEqual({ type: 'ok' });
  // The record landed after the marker: an open transaction no marker will end.
  const log = leader.log.all();
  expect(log.map((b) => b.control?.type ?? 'data')).toEqual(['ABORT', 'data']);
  const stuckAt = log[1].baseOffset;
  expect(leader.lastStableOffset).toBe(stuckAt);
  const hanging = s.monitor.violations.filter((v) => v.invariant === 'HangingTransaction');
  expect(hanging).toHaveLength(1);
  expect(hanging[0].partition).toBe(x);
  expect(hanging[0].description).toContain('read_committed consumers stall');
  expect(s.monitor.violations.filter((v) => v.invariant !== 'HangingTransaction')).toEqual([]);
  // What users see: another producer's committed transaction stays invisible to read_committed, for good.
  otherProducerCommits(s, x, 8);
  s.run(300_000);
  expect(leader.lastStableOffset).toBe(stuckAt);
  expect(readAll(s, x, 'read_committed')).toEqual([]);
  expect(readAll(s, x, 'read_uncommitted')).toEqual([7, 8]);
}

function refused(protocol: KafkaBehaviours, metadata: 'zk' | 'kraft', markers = ['ABORT']): void {
  const { s, x, sent, aborted, leader } = lateProduceAfterAbort(protocol, metadata);
  expect(sent).toEqual([{ type: 'fail', error: 'DELIVERY_TIMEOUT' }]);
  expect(aborted).toEqual({ type: 'ok' });
  // The late record was verified with the coordinator, which had ended the transaction: refused.
  expect(leader.log.all().map((b) => b.control?.type ?? 'data')).toEqual(markers);
  expect(leader.lastStableOffset).toBe(leader.log.logEndOffset);
  otherProducerCommits(s, x, 8);
  s.run(1_000);
  expect(readAll(s, x, 'read_committed')).toEqual([8]);
  expect(s.monitor.violations).toEqual([]);
}

describe('KIP-890: a produce that arrives after its transaction was aborted', () => {
  it('3.5 (zk): the leader appends it after the ABORT marker, the partition hangs, HangingTransaction fires', () => {
    hangs(releaseOf('3.5').behaviours, 'zk');
  });

  it('3.5 (kraft): the same hang', () => {
    hangs(releaseOf('3.5').behaviours, 'kraft');
  });

  it('3.7 (zk): ReplicaManager.appendRecords verifies it with the coordinator and refuses it', () => {
    refused(releaseOf('3.7').behaviours, 'zk');
  });

  it('newest release (kraft): refused, no hang', () => {
    // Transaction version 2: the client added no partition itself and no leader added x before the abort, so the
    // coordinator aborted an empty transaction (no marker); the late record, asking to be added in the old epoch,
    // is fenced.
    const mark = probeMark();
    refused(releaseOf(NEWEST_RELEASE).behaviours, 'kraft', []);
    const probes = probeRecord(probeCountsSince(mark));
    expect(probes.txnEmptyAbort).toBe(1);
    expect(probes.txnProduceRefusedAfterVerification).toBeGreaterThanOrEqual(1);
  });

  it('3.5 with +kip890 does not hang; 3.7 with -kip890 hangs', () => {
    refused({ ...releaseOf('3.5').behaviours, kip890: true }, 'zk');
    hangs({ ...releaseOf('3.7').behaviours, kip890: false }, 'zk');
  });
});

/**
 * A produce of a committed transaction's producer and epoch, with the next sequence, sent straight to the leader
 * after the commit (what a request replayed by the network after the transaction ended looks like: no epoch bump
 * between, so only the coordinator knows it is late). Answered with what the leader says.
 */
function replayAfterCommit(protocol: KafkaBehaviours) {
  const s = txnScenario({ protocol }).start();
  const p = txnProducer(s, 'tx-commit');
  expect(init(s, p)).toEqual({ type: 'ok' });
  p.beginTransaction();
  expect(sendAll(s, p, [[0, 1]]).map((o) => o.type)).toEqual(['ok']);
  expect(commit(s, p)).toEqual({ type: 'ok' });
  s.run(1_000);
  const channel = rawChannel(s);
  const request = txnProduceRequest('tx-commit', p, 1, 2);
  let answer: ProduceResponse | null | undefined;
  channel.send<ProduceResponse>(`b${s.leader(0)}`, request, 30_000, (r) => (answer = r));
  s.world.runUntil(() => answer !== undefined, { maxEvents: 5_000_000 });
  s.run(1_000);
  return { s, answer: answer as ProduceResponse | null, leader: s.partition(s.leader(0), 0) };
}

describe('KIP-890: a transactional produce replayed after its transaction committed', () => {
  it('3.5: appended after the COMMIT marker, the partition hangs', () => {
    const { s, answer, leader } = replayAfterCommit(releaseOf('3.5').behaviours);
    expect(answer?.error).toBe('NONE');
    expect(leader.log.all().map((b) => b.control?.type ?? 'data')).toEqual(['data', 'COMMIT', 'data']);
    expect(leader.lastStableOffset).toBe(2);
    expect(s.monitor.violations.map((v) => v.invariant)).toEqual(['HangingTransaction']);
  });

  it('3.7: TransactionCoordinator.handleVerifyPartitionsInTransaction answers INVALID_TXN_STATE', () => {
    const { s, answer, leader } = replayAfterCommit(releaseOf('3.7').behaviours);
    expect(answer?.error).toBe('INVALID_TXN_STATE');
    expect(leader.log.all().map((b) => b.control?.type ?? 'data')).toEqual(['data', 'COMMIT']);
    expect(leader.lastStableOffset).toBe(2);
    expect(s.monitor.violations).toEqual([]);
  });
});

describe('KIP-890: the verification guard (UnifiedLog.analyzeAndValidateProducerState, 3.6.0)', () => {
  /** A leader that verified producer 900's first batch, then took a marker before the append. */
  function markerBetween(protocol: KafkaBehaviours) {
    const s = txnScenario({ protocol }).start();
    const leader = s.partition(s.leader(0), 0);
    const batch = { producerId: 900, producerEpoch: 0, baseSequence: 0, transactional: true };
    const guard = leader.maybeStartTransactionVerification(900, 0, 0);
    expect(typeof guard).toBe('number');
    // The same verification, asked again before it completes, keeps its guard.
    expect(leader.maybeStartTransactionVerification(900, 0, 0)).toBe(guard);
    leader.appendMarkerAsLeader(900, 0, { type: 'ABORT', coordinatorEpoch: 0 }, -5);
    const late = leader.appendAsLeader(batch, [1], -1, undefined, guard as number);
    return { s, leader, batch, late };
  }

  it('a marker between the verification and the append clears the guard: INVALID_TXN_STATE', () => {
    const { leader, batch, late } = markerBetween(releaseOf(NEWEST_RELEASE).behaviours);
    expect(late.error).toBe('INVALID_TXN_STATE');
    // A new verification gives a new guard, under which the batch opens a transaction; later ones need none.
    const again = leader.maybeStartTransactionVerification(900, 0, 0) as number;
    expect(leader.appendAsLeader(batch, [1], -1, undefined, again).error).toBe('NONE');
    expect(leader.maybeStartTransactionVerification(900, 1, 0)).toBeNull();
    expect(leader.appendAsLeader({ ...batch, baseSequence: 1 }, [2], -1).error).toBe('NONE');
  });

  it('without KIP-890 (3.5) the same append is taken', () => {
    const { late } = markerBetween(releaseOf('3.5').behaviours);
    expect(late.error).toBe('NONE');
  });

  it('VerificationStateEntry.lowestSequence: a higher sequence waits behind the one being verified', () => {
    const s = txnScenario({ protocol: releaseOf(NEWEST_RELEASE).behaviours }).start();
    const leader = s.partition(s.leader(0), 0);
    const guard = leader.maybeStartTransactionVerification(901, 0, 0) as number;
    const batch = { producerId: 901, producerEpoch: 0, baseSequence: 1, transactional: true };
    expect(leader.appendAsLeader(batch, [1], -1, undefined, guard).error).toBe('OUT_OF_ORDER_SEQUENCE_NUMBER');
  });
});
