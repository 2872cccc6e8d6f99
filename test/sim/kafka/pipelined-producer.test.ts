// An idempotent producer with several batches in flight to one partition (max.in.flight.requests.per.connection
// 5, Kafka's default) through a truncation and leader changes, as the queue workload's producers now drive it
// (issue 18). Kafka 3.9.0's client: RecordAccumulator.drain hands out batches in sequence order and, once a batch
// is retried, one at a time (shouldStopDrainBatchesForPartition: only the first in flight); Sender.completeBatch
// re-enqueues a failed batch with its sequence (reenqueueBatch, insertInSequenceOrder). Its broker: the leader
// answers a retry of any of a producer's last five batches with that batch's offset, appending nothing
// (UnifiedLog.analyzeAndValidateProducerState, ProducerStateEntry.findDuplicateBatch), and a truncation rebuilds
// the producers' state from the log (UnifiedLog.truncateTo, rebuildProducerState), so a batch truncated away is
// taken as new (ProducerAppendInfo.checkSequence) and a copy fetched again is found where the log now holds it.
import { describe, expect, it } from 'vitest';
import type { SendOutcome } from '../../../sim/kafka/clients/producer.ts';
import type { ProducerConfig } from '../../../sim/kafka/config.ts';
import { P, probeCountsSince, probeMark } from '../../../sim/kafka/probes.ts';
import { Scenario } from '../../helpers/scenario.ts';

/** Long enough that no send expires in these scenarios; requests time out within seconds, so retries come soon. */
const PIPELINED: Partial<ProducerConfig> = {
  'enable.idempotence': true,
  'max.in.flight.requests.per.connection': 5,
  'request.timeout.ms': 3000,
  'delivery.timeout.ms': 120_000,
};

/** A producer client whose sends do not wait for each other: each outcome lands in `outcomes` by value, in order. */
function pipelinedProducer(s: Scenario, id: string) {
  s.cluster.addClient(id, { producer: PIPELINED });
  s.world.start(id);
  const outcomes = new Map<number, SendOutcome>();
  return {
    outcomes,
    send(value: number, partition = 0): void {
      const client = s.cluster.client(id);
      if (client === null) throw new Error(`${id} is down`);
      client.producer.send(partition, value, (o) => outcomes.set(value, o));
    },
    waitFor(values: number[], maxMs = 60_000): void {
      const until = s.world.now + maxMs;
      s.world.runUntil((w) => values.every((v) => outcomes.has(v)) || w.now >= until, { maxEvents: 5_000_000 });
    },
  };
}

/** Runs until `done` holds (or maxMs), failing the test if it never does. */
function runUntil(s: Scenario, done: () => boolean, what: string, maxMs = 60_000): void {
  const until = s.world.now + maxMs;
  s.world.runUntil((w) => done() || w.now >= until, { maxEvents: 5_000_000 });
  expect(done(), what).toBe(true);
}

/** Hits of the idempotent producer's duplicate probes since `mark`. */
function duplicates(mark: Float64Array): { older: number; last: number } {
  const counts = probeCountsSince(mark);
  return { older: counts[P.idempotentDuplicateOlderBatch], last: counts[P.idempotentDuplicateLastBatch] };
}

describe('a pipelined idempotent producer through a truncation and a leader change (Kafka 3.9.0)', () => {
  it(
    'retries its batches in sequence order; the new leader answers the older ones as duplicates at their ' +
      'offsets (ProducerStateEntry.findDuplicateBatch) and appends the one a follower truncated ' +
      '(ProducerAppendInfo.checkSequence)',
    () => {
      // Broker 0 leads partition 0 (replicas 0, 1, 2); its answers to the producer are lost, so every batch
      // stays in flight in the producer however far it got.
      const s = new Scenario({ broker: { 'min.insync.replicas': 1 } }).start();
      expect(s.leader()).toBe(0);
      const p = pipelinedProducer(s, 'p');
      s.world.net.cut(s.cluster.nodeOf(0), 'p');
      // Three batches pipelined, sequences 0, 1, 2: every replica gets them.
      for (const v of [1, 2, 3]) p.send(v);
      runUntil(s, () => [1, 2].every((b) => s.log(b).length === 3), 'the followers fetch 1, 2 and 3');
      // A fourth, sequence 3, while broker 1 is cut off from the leader: only broker 2 fetches it.
      s.world.net.cutBoth(s.cluster.nodeOf(0), s.cluster.nodeOf(1));
      p.send(4);
      runUntil(s, () => s.log(2).length === 4, 'broker 2 fetches 4');
      expect(s.log(1)).toEqual([1, 2, 3]);
      // The leader dies; broker 1, first of the ISR, is elected without 4 and broker 2 truncates it.
      s.crash(0);
      s.world.net.heal();
      const mark = probeMark();
      runUntil(s, () => s.leader() === 1, 'broker 1 leads');
      runUntil(s, () => s.log(2).length === 3, 'broker 2 truncates 4');
      const truncations = s.events.filter((e) => e.kind === 'truncate' && e.broker === 2 && e.removed.length > 0);
      expect(truncations.map((e) => (e.kind === 'truncate' ? e.removed.map((r) => r.value) : []))).toEqual([[4]]);
      // Every request to broker 0 times out; the producer sends them again to broker 1, first to last.
      p.waitFor([1, 2, 3, 4]);
      expect([1, 2, 3, 4].map((v) => p.outcomes.get(v))).toEqual(
        [0, 1, 2, 3].map((offset) => ({ type: 'ok', offset })),
      );
      // Sequences 0 and 1 were older than the producer's last batch on broker 1 (2), which was the last; 3 was new.
      expect(duplicates(mark)).toEqual({ older: 2, last: 1 });
      runUntil(s, () => s.log(2).length === 4, 'broker 2 fetches 4 again');
      for (const b of [1, 2]) expect(s.log(b)).toEqual([1, 2, 3, 4]);
      const batches = s.partition(1).log.all();
      expect(new Set(batches.map((b) => b.producerId)).size).toBe(1);
      expect(batches.map((b) => [b.producerEpoch, b.baseSequence, b.epoch])).toEqual([
        [0, 0, 0],
        [0, 1, 0],
        [0, 2, 0],
        [0, 3, 1],
      ]);
      expect(s.monitor.violations).toEqual([]);
    },
  );

  it(
    'a leader that truncated a batch and fetched it again at another offset answers its retry with the offset ' +
      'its log holds (UnifiedLog.truncateTo rebuilds the producer state)',
    () => {
      // The path the fuzz found mutant 07 on: broker 2 holds the producer's batch at offset 0, truncates it when
      // broker 1 leads without it, and fetches it back at offset 1 (after another client's record); the batch's
      // answer from broker 1 is lost, so the producer sends it again to broker 2, the next leader.
      const s = new Scenario({ broker: { 'min.insync.replicas': 1 } }).start();
      const p = pipelinedProducer(s, 'p');
      const q = pipelinedProducer(s, 'q');
      s.world.net.cutBoth(s.cluster.nodeOf(0), s.cluster.nodeOf(1));
      p.send(1);
      runUntil(s, () => s.log(2).length === 1, 'broker 2 fetches 1');
      // The producer cannot reach broker 1 yet, so that another client writes first on it: offset 0 holds that
      // client's record, and broker 2 truncates the producer's batch to follow it.
      s.world.net.cut('p', s.cluster.nodeOf(1));
      s.crash(0);
      runUntil(s, () => s.leader() === 1, 'broker 1 leads');
      q.send(9);
      q.waitFor([9]);
      expect(q.outcomes.get(9)).toEqual({ type: 'ok', offset: 0 });
      runUntil(s, () => s.log(2).length === 1 && s.log(2)[0] === 9, 'broker 2 truncates 1 and fetches 9');
      // Now the producer's retry reaches broker 1 but its answer is lost; broker 2 fetches the batch at offset 1.
      s.world.net.healLink('p', s.cluster.nodeOf(1));
      s.world.net.cut(s.cluster.nodeOf(1), 'p');
      runUntil(s, () => s.log(2).length === 2, 'broker 2 fetches the retry of 1');
      expect(s.log(2)).toEqual([9, 1]);
      s.crash(1);
      s.world.net.heal();
      runUntil(s, () => s.leader() === 2, 'broker 2 leads');
      const mark = probeMark();
      p.waitFor([1]);
      expect(p.outcomes.get(1)).toEqual({ type: 'ok', offset: 1 });
      expect(duplicates(mark)).toEqual({ older: 0, last: 1 });
      expect(s.log(2)).toEqual([9, 1]);
    },
  );

  it(
    'a request that times out closes its connection and fails the later ones in flight on it, retried in order ' +
      '(NetworkClient.handleTimedOutRequests)',
    () => {
      const s = new Scenario().start();
      const p = pipelinedProducer(s, 'p');
      p.send(0);
      p.waitFor([0]);
      // The followers stop (a GC pause): the high watermark stays, and acks=all sends wait in the produce purgatory.
      for (const f of [1, 2]) s.world.pause(s.cluster.nodeOf(f));
      const mark = probeMark();
      const t0 = s.world.now;
      p.send(1);
      s.run(100);
      p.send(2);
      // The first request times out at 3 s; the second would wait until 3.1 s, but the followers resume at 3.05 s.
      s.world.runUntil(t0 + 3050);
      for (const f of [1, 2]) s.world.resume(s.cluster.nodeOf(f));
      runUntil(s, () => p.outcomes.has(1) && p.outcomes.has(2), 'both sends end');
      for (const v of [1, 2]) expect(p.outcomes.get(v)).toEqual({ type: 'ok', offset: v });
      const counts = probeCountsSince(mark);
      expect(counts[P.producerConnectionTimedOut]).toBe(1);
      // Both were sent again, the first one first (until the followers fetch again, more than once): a duplicate of
      // an older batch, then of the last.
      const { older, last } = duplicates(mark);
      expect(older).toBeGreaterThan(0);
      expect(last).toBeGreaterThan(0);
      // Outcomes in sequence order: without the connection closing, 2 was acknowledged at the heal, before 1.
      expect([...p.outcomes.keys()]).toEqual([0, 1, 2]);
    },
  );
});
