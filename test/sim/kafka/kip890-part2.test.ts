// KIP-890 part 2 (4.0, transaction.version 2): the coordinator bumps the producer epoch on every commit and abort, so
// a late produce of one transaction cannot land in the producer's next one. The late produce here is a copy of the
// producer's request held by the network (a raw client sends it with the producer's id and epoch over a slow link)
// while the producer commits its transaction and starts the next. Idempotence drops a late copy whose sequence the
// partition already holds; the one that gets through is a copy whose sequence is still ahead (here the one after the
// next transaction's first record), which only the epoch tells apart. Part 1 (3.6) does not help: the partition is
// in the producer's ongoing transaction, so the leader has nothing to verify. On 3.9 the copy joins the next
// transaction and read_committed readers see, as committed by it, a record it never wrote; from 4.0 the copy
// carries the previous epoch and the leader refuses it INVALID_PRODUCER_EPOCH (ProducerAppendInfo.checkProducerEpoch).
import { describe, expect, it } from 'vitest';
import type { ProduceResponse } from '../../../sim/kafka/messages.ts';
import type { KafkaBehaviours } from '../../../sim/kafka/protocol.ts';
import { probeCountsSince, probeMark, probeRecord } from '../../../sim/kafka/probes.ts';
import { NEWEST_RELEASE, releaseOf } from '../../../sim/kafka/releases.ts';
import { commit, init, rawChannel, readAll, sendAll, txnProduceRequest } from '../../helpers/txn-scenario.ts';
import { txnProducer, txnScenario } from '../../helpers/txn-scenario.ts';

const LATE = 99;
const SLOW_MS = 20_000;

function lateProduceIntoNextTransaction(protocol: KafkaBehaviours) {
  const s = txnScenario({ metadata: 'kraft', protocol }).start();
  const p = txnProducer(s, 'tx-late');
  expect(init(s, p)).toEqual({ type: 'ok' });
  const firstEpoch = p.producerEpoch;
  p.beginTransaction();
  expect(sendAll(s, p, [[0, 1]]).map((o) => o.type)).toEqual(['ok']);
  // The copy leaves now, in the first transaction, with its producer id and epoch.
  const channel = rawChannel(s);
  const leader = `b${s.leader(0)}`;
  s.world.net.setLinkLatency('raw', leader, { kind: 'constant', ms: SLOW_MS });
  const request = txnProduceRequest('tx-late', { producerId: p.producerId, producerEpoch: firstEpoch }, 2, LATE);
  let answer: ProduceResponse | null | undefined;
  channel.send<ProduceResponse>(leader, request, 60_000, (r) => (answer = r));
  const sentAt = s.world.now;
  expect(commit(s, p)).toEqual({ type: 'ok' });
  const secondEpoch = p.producerEpoch;
  // The next transaction writes to the same partition, then waits for the copy before it commits.
  p.beginTransaction();
  expect(sendAll(s, p, [[0, 10]]).map((o) => o.type)).toEqual(['ok']);
  expect(s.world.now).toBeLessThan(sentAt + SLOW_MS);
  s.world.runUntil(() => answer !== undefined, { maxEvents: 5_000_000 });
  expect(commit(s, p)).toEqual({ type: 'ok' });
  s.run(1_000);
  const log = s.partition(s.leader(0), 0).log.all();
  return { s, answer: answer as ProduceResponse | null, log, firstEpoch, secondEpoch, thirdEpoch: p.producerEpoch };
}

describe('KIP-890 part 2: a late produce of a committed transaction', () => {
  it('3.9 (part 1 only): it lands in the next transaction, which read_committed shows as committing it', () => {
    const { s, answer, log, firstEpoch, secondEpoch, thirdEpoch } = lateProduceIntoNextTransaction(
      releaseOf('3.9').behaviours,
    );
    expect([secondEpoch, thirdEpoch]).toEqual([firstEpoch, firstEpoch]);
    expect(answer?.error).toBe('NONE');
    // [1] COMMIT [10, 99] COMMIT: the copy of the first transaction committed with the second.
    expect(log.map((b) => b.control?.type ?? b.values[0])).toEqual([1, 'COMMIT', 10, LATE, 'COMMIT']);
    expect(log.map((b) => b.producerEpoch)).toEqual([0, 0, 0, 0, 0].map(() => firstEpoch));
    expect(readAll(s, 0, 'read_committed')).toEqual([1, 10, LATE]);
    // No invariant sees it: the log alone cannot tell (one producer, one epoch); a history of what the producer
    // sent in which transaction can.
    expect(s.monitor.violations).toEqual([]);
  });

  it('4.4: every EndTxn bumps the epoch, markers carry it, the copy is refused INVALID_PRODUCER_EPOCH', () => {
    const { s, answer, log, firstEpoch, secondEpoch, thirdEpoch } = lateProduceIntoNextTransaction(
      releaseOf('4.4').behaviours,
    );
    expect([secondEpoch, thirdEpoch]).toEqual([firstEpoch + 1, firstEpoch + 2]);
    expect(answer?.error).toBe('INVALID_PRODUCER_EPOCH');
    expect(log.map((b) => b.control?.type ?? b.values[0])).toEqual([1, 'COMMIT', 10, 'COMMIT']);
    // Each marker carries the epoch its EndTxn bumped to; the second transaction wrote with the first bump.
    expect(log.map((b) => b.producerEpoch)).toEqual([firstEpoch, secondEpoch, secondEpoch, thirdEpoch]);
    expect(readAll(s, 0, 'read_committed')).toEqual([1, 10]);
    expect(s.monitor.violations).toEqual([]);
  });

  it('4.4 with -kip890p2 lets the copy in, 3.9 with +kip890p2 refuses it', () => {
    expect(lateProduceIntoNextTransaction({ ...releaseOf('4.4').behaviours, kip890p2: false }).answer?.error).toBe(
      'NONE',
    );
    const refused = lateProduceIntoNextTransaction({ ...releaseOf('3.9').behaviours, kip890p2: true });
    expect(refused.answer?.error).toBe('INVALID_PRODUCER_EPOCH');
  });
});

/** A transaction of one record to partition 0, committed; the probe counts it hit and the partition's log. */
function oneRecordCommitted(protocol: KafkaBehaviours) {
  const mark = probeMark();
  const s = txnScenario({ metadata: 'kraft', protocol }).start();
  const p = txnProducer(s, 'tx-add');
  expect(init(s, p)).toEqual({ type: 'ok' });
  p.beginTransaction();
  expect(sendAll(s, p, [[0, 1]]).map((o) => o.type)).toEqual(['ok']);
  expect(commit(s, p)).toEqual({ type: 'ok' });
  s.run(1_000);
  const log = s.partition(s.leader(0), 0).log.all();
  return { probes: probeRecord(probeCountsSince(mark)), log: log.map((b) => b.control?.type ?? b.values[0]) };
}

describe('KIP-890 part 2: the partition leader adds the partition to the transaction', () => {
  it('4.4: the client sends no AddPartitionsToTxn; the leader adds it, and the COMMIT marker reaches it', () => {
    const { probes, log } = oneRecordCommitted(releaseOf(NEWEST_RELEASE).behaviours);
    expect(probes.txnPartitionAddedByLeader).toBe(1);
    expect(probes.txnPartitionVerified).toBe(0);
    expect(log).toEqual([1, 'COMMIT']);
  });

  it('3.9: the client adds it and the leader only verifies', () => {
    const { probes, log } = oneRecordCommitted(releaseOf('3.9').behaviours);
    expect(probes.txnPartitionAddedByLeader).toBe(0);
    expect(probes.txnPartitionVerified).toBe(1);
    expect(log).toEqual([1, 'COMMIT']);
  });
});
