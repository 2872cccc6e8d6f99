// sendOffsetsToTransaction end to end (KIP-98, KIP-447), as Kafka 3.9 has it: AddOffsetsToTxn adds the group's
// __consumer_offsets partition to the transaction (TransactionCoordinator.handleAddPartitionsToTransaction), the
// group coordinator keeps the TxnOffsetCommit's offsets pending (GroupMetadata.prepareTxnOffsetCommit) until the
// transaction's marker reaches that partition (KafkaApis.handleWriteTxnMarkersRequest, handleTxnCompletion), an
// OffsetFetch with requireStable meanwhile gets UNSTABLE_OFFSET_COMMIT, a new coordinator loads them as the log has
// them (doLoadGroupsAndOffsets), and a stale generation is refused (validateOffsetCommit).
import { describe, expect, it } from 'vitest';
import type { KafkaClient } from '../../../sim/kafka/clients/client.ts';
import type { ConsumerGroupMetadata } from '../../../sim/kafka/clients/consumer-coordinator.ts';
import type {
  TransactionalProducer,
  TxnOffset,
  TxnOutcome,
} from '../../../sim/kafka/clients/transactional-producer.ts';
import type { OffsetFetchResponse } from '../../../sim/kafka/group/group-messages.ts';
import type { RequestChannel } from '../../../sim/kafka/request-channel.ts';
import { CONSUMER_OFFSETS_TOPIC, coordinatorPartition, TRANSACTION_STATE_TOPIC } from '../../../sim/kafka/topics.ts';
import { pollingMember } from '../../helpers/group-member.ts';
import type { Scenario } from '../../helpers/scenario.ts';
import {
  abort,
  await_,
  commit,
  init,
  rawChannel,
  sendAll,
  txnProducer,
  txnScenario,
} from '../../helpers/txn-scenario.ts';

const GROUP_ID = 'g';
/** A commit outside the group protocol (no member, no generation): an Empty group takes it. */
const NO_MEMBER: ConsumerGroupMetadata = { groupId: GROUP_ID, generationId: -1, memberId: '', groupInstanceId: null };

function scenario(metadata: 'zk' | 'kraft', kafka?: string): Scenario {
  return txnScenario({
    metadata,
    ...(kafka === undefined ? {} : { kafka }),
    internalTopics: {
      enabled: [TRANSACTION_STATE_TOPIC, CONSUMER_OFFSETS_TOPIC],
      'transaction.state.log.num.partitions': 3,
      'offsets.topic.num.partitions': 2,
    },
  }).start();
}

function offsetsPartition(s: Scenario): number {
  return coordinatorPartition(s.cluster.config, 'GROUP', GROUP_ID) as number;
}

const offsetsOf = (...pairs: [number, number][]): TxnOffset[] =>
  pairs.map(([partition, offset]) => ({ partition, offset, leaderEpoch: -1 }));

function sendOffsets(
  s: Scenario,
  p: TransactionalProducer,
  offsets: TxnOffset[],
  group = NO_MEMBER,
): TxnOutcome | null {
  return await_<TxnOutcome>(s, (d) => p.sendOffsetsToTransaction(offsets, group, d));
}

/** What the group coordinator answers for partitions 0 and 1: the offset, or the partition's error. */
function fetched(s: Scenario, channel: RequestChannel, requireStable: boolean): (number | string)[] {
  const request = {
    type: 'OffsetFetch' as const,
    groupId: GROUP_ID,
    partitions: [0, 1],
    ...(requireStable ? { requireStable: true as const } : {}),
  };
  const coordinator = `b${s.leader(offsetsPartition(s))}`;
  const r = await_<OffsetFetchResponse | null>(s, (d) => channel.send(coordinator, request, 5000, d));
  if (r === null || r.error !== 'NONE') return [r?.error ?? 'no answer'];
  return r.partitions.map((p) => p.error ?? p.offset);
}

/** An initialised producer in a transaction that sent one record to partition 0. */
function inTransaction(s: Scenario, id: string, value: number): TransactionalProducer {
  const p = txnProducer(s, id);
  expect(init(s, p)).toEqual({ type: 'ok' });
  p.beginTransaction();
  expect(sendAll(s, p, [[0, value]]).map((o) => o.type)).toEqual(['ok']);
  return p;
}

describe.each(['zk', 'kraft'] as const)('transactional offset commits in %s mode', (metadata) => {
  it('GroupMetadata.completePendingTxnOffsetCommit: committed offsets become visible on the COMMIT marker', () => {
    const s = scenario(metadata);
    const raw = rawChannel(s);
    const p = inTransaction(s, 'tx-commit', 1);
    expect(sendOffsets(s, p, offsetsOf([0, 5], [1, 7]))).toEqual({ type: 'ok' });
    // Pending: a plain fetch returns no offset, a stable one UNSTABLE_OFFSET_COMMIT (KIP-447).
    expect(fetched(s, raw, false)).toEqual([-1, -1]);
    expect(fetched(s, raw, true)).toEqual(['UNSTABLE_OFFSET_COMMIT', 'UNSTABLE_OFFSET_COMMIT']);
    expect(commit(s, p)).toEqual({ type: 'ok' });
    s.run(1000);
    expect(fetched(s, raw, false)).toEqual([5, 7]);
    expect(fetched(s, raw, true)).toEqual([5, 7]);
    // The offsets partition holds the producer's transactional batch, then its COMMIT marker.
    const log = s.partition(s.leader(offsetsPartition(s)), offsetsPartition(s)).log.all();
    const mine = log.filter((b) => b.producerId === p.producerId);
    expect(mine.map((b) => b.control?.type ?? (b.isTransactional === true ? 'txn' : 'plain'))).toEqual([
      'txn',
      'COMMIT',
    ]);
    expect(s.monitor.violations).toEqual([]);
  });

  it('GroupMetadata.completePendingTxnOffsetCommit: offsets of an aborted transaction are never visible', () => {
    const s = scenario(metadata);
    const raw = rawChannel(s);
    const p = inTransaction(s, 'tx-abort', 1);
    expect(sendOffsets(s, p, offsetsOf([0, 3]))).toEqual({ type: 'ok' });
    expect(commit(s, p)).toEqual({ type: 'ok' });
    s.run(1000);
    p.beginTransaction();
    sendAll(s, p, [[0, 2]]);
    expect(sendOffsets(s, p, offsetsOf([0, 9], [1, 9]))).toEqual({ type: 'ok' });
    expect(fetched(s, raw, true)).toEqual(['UNSTABLE_OFFSET_COMMIT', 'UNSTABLE_OFFSET_COMMIT']);
    expect(abort(s, p)).toEqual({ type: 'ok' });
    s.run(1000);
    expect(fetched(s, raw, false)).toEqual([3, -1]);
    expect(fetched(s, raw, true)).toEqual([3, -1]);
    expect(s.monitor.violations).toEqual([]);
  });

  it.each([true, false])(
    'doLoadGroupsAndOffsets: a coordinator failover before the marker ends visible iff committed (%s)',
    (committed) => {
      const s = scenario(metadata);
      const raw = rawChannel(s);
      const p = inTransaction(s, `tx-failover-${committed}`, 1);
      expect(sendOffsets(s, p, offsetsOf([0, 4]))).toEqual({ type: 'ok' });
      const old = s.leader(offsetsPartition(s));
      s.crash(old);
      s.run(15_000);
      expect(s.leader(offsetsPartition(s))).not.toBe(old);
      // The new coordinator loaded the TxnOffsetCommit without its marker: pending, not visible.
      expect(fetched(s, raw, true)).toEqual(['UNSTABLE_OFFSET_COMMIT', -1]);
      expect(fetched(s, raw, false)).toEqual([-1, -1]);
      expect((committed ? commit : abort)(s, p)).toEqual({ type: 'ok' });
      s.run(5000);
      expect(fetched(s, raw, true)).toEqual([committed ? 4 : -1, -1]);
      // And once more from the log with its marker: the old coordinator comes back and takes over again.
      s.restart(old);
      s.run(20_000);
      const again = s.leader(offsetsPartition(s));
      s.crash(again);
      s.run(15_000);
      expect(s.leader(offsetsPartition(s))).not.toBe(again);
      expect(fetched(s, raw, true)).toEqual([committed ? 4 : -1, -1]);
      expect(s.monitor.violations).toEqual([]);
    },
  );
});

/** A subscribing consumer with no auto commit, polling for ever. */
function member(s: Scenario, id: string): () => KafkaClient {
  const group = {
    'group.id': GROUP_ID,
    'session.timeout.ms': 6000,
    'heartbeat.interval.ms': 2000,
    'max.poll.interval.ms': 10_000,
    'enable.auto.commit': false,
  };
  return pollingMember(s, id, group, [0, 1]);
}

describe('GroupCoordinator.handleTxnCommitOffsets: KIP-447 group metadata', () => {
  it('refuses a stale generation (ILLEGAL_GENERATION) and an unknown member, and the transaction aborts', () => {
    const s = scenario('kraft');
    const raw = rawChannel(s);
    const a = member(s, 'a');
    s.run(10_000);
    const stale = a().consumer.groupMetadata();
    expect(stale.generationId).toBeGreaterThan(0);
    expect(stale.memberId).not.toBe('');
    // The current generation is taken.
    const p = inTransaction(s, 'tx-generation', 1);
    expect(sendOffsets(s, p, offsetsOf([0, 1]), stale)).toEqual({ type: 'ok' });
    expect(commit(s, p)).toEqual({ type: 'ok' });
    s.run(1000);
    expect(fetched(s, raw, true)).toEqual([1, -1]);
    // A second member joins: a new generation, which the first member's old metadata is not.
    member(s, 'b');
    s.run(10_000);
    const current = a().consumer.groupMetadata();
    expect(current.generationId).toBeGreaterThan(stale.generationId);
    p.beginTransaction();
    sendAll(s, p, [[0, 2]]);
    expect(sendOffsets(s, p, offsetsOf([0, 2]), stale)).toEqual({ type: 'fail', error: 'ILLEGAL_GENERATION' });
    // The transaction can only abort (TxnOffsetCommitHandler: CommitFailedException, abortable).
    expect(commit(s, p)).toEqual({ type: 'fail', error: 'ILLEGAL_GENERATION' });
    expect(abort(s, p)).toEqual({ type: 'ok' });
    p.beginTransaction();
    sendAll(s, p, [[0, 3]]);
    const unknown = { ...current, memberId: 'nobody' };
    expect(sendOffsets(s, p, offsetsOf([0, 3]), unknown)).toEqual({ type: 'fail', error: 'UNKNOWN_MEMBER_ID' });
    expect(abort(s, p)).toEqual({ type: 'ok' });
    s.run(1000);
    expect(fetched(s, raw, true)).toEqual([1, -1]);
    expect(s.monitor.violations).toEqual([]);
  });
});

describe('before KIP-447 (2.4)', () => {
  it('TxnOffsetCommit v2 carries no group metadata: a stale generation goes unchecked', () => {
    const s = scenario('zk', '2.4');
    const raw = rawChannel(s);
    const a = member(s, 'a');
    s.run(10_000);
    const stale = a().consumer.groupMetadata();
    member(s, 'b');
    s.run(10_000);
    expect(a().consumer.groupMetadata().generationId).toBeGreaterThan(stale.generationId);
    const p = inTransaction(s, 'tx-v2', 1);
    expect(sendOffsets(s, p, offsetsOf([0, 6]), stale)).toEqual({ type: 'ok' });
    expect(commit(s, p)).toEqual({ type: 'ok' });
    s.run(1000);
    expect(fetched(s, raw, false)).toEqual([6, -1]);
    expect(s.monitor.violations).toEqual([]);
  });
});
