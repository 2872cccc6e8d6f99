// The leader's idempotent-producer checks as each release has them (sim/kafka/producer-state.ts), driven with
// raw Produce requests so that the producer id, epoch and sequence are the test's: the duplicate cache
// (ProducerIdEntry in 0.11.0, five batches from KAFKA-5494), a first sequence from a producer id the leader has
// no state for (KAFKA-5793, KIP-360), and the epoch rules. Each title names the Kafka class and method.
import { describe, expect, it } from 'vitest';
import { ProducerScenario } from '../../helpers/producer-scenario.ts';

const PID = 4242;

function scenario(version: string): ProducerScenario {
  return new ProducerScenario(version, { broker: { 'min.insync.replicas': 1 } }).start();
}

describe('ProducerAppendInfo.checkSequence: a first sequence other than 0 from an unknown producer id', () => {
  const expected: Record<string, string> = {
    '0.11': 'OUT_OF_ORDER_SEQUENCE_NUMBER',
    '1.1': 'UNKNOWN_PRODUCER_ID',
    '2.7': 'NONE',
  };
  for (const version of ['0.11', '1.1', '2.7']) {
    it(
      `on ${version}: ${expected[version]}` +
        (version === '2.7' ? ' (KIP-360: no current producer epoch, any sequence is accepted)' : ''),
      () => {
        const s = scenario(version);
        const r = s.rawProduce({ producerId: PID, producerEpoch: 0, baseSequence: 3, value: 1 });
        expect(r?.error).toBe(expected[version]);
        if (version === '2.7') {
          expect(s.log(s.leader())).toEqual([1]);
          // The state now exists: the next sequence follows on, a retry is a duplicate, a gap is refused.
          expect(s.rawProduce({ producerId: PID, producerEpoch: 0, baseSequence: 4, value: 2 })?.error).toBe('NONE');
          expect(s.rawProduce({ producerId: PID, producerEpoch: 0, baseSequence: 3, value: 1 })).toMatchObject({
            error: 'NONE',
            baseOffset: 0,
          });
          expect(s.rawProduce({ producerId: PID, producerEpoch: 0, baseSequence: 9, value: 3 })?.error).toBe(
            'OUT_OF_ORDER_SEQUENCE_NUMBER',
          );
          expect(s.log(s.leader())).toEqual([1, 2]);
        } else {
          expect(s.log(s.leader())).toEqual([]);
          // Sequence 0 starts a producer id in every release.
          expect(s.rawProduce({ producerId: PID, producerEpoch: 0, baseSequence: 0, value: 2 })?.error).toBe('NONE');
        }
      },
    );
  }
});

describe('Log.analyzeAndValidateProducerState: a retry of a cached batch answers its offset', () => {
  for (const version of ['0.11', '1.1']) {
    it(
      `on ${version}: ` +
        (version === '0.11'
          ? 'ProducerIdEntry.isDuplicate knows the last batch only; an older retry is OUT_OF_ORDER_SEQUENCE_NUMBER'
          : 'ProducerStateEntry.duplicateOf knows the last five batches (KAFKA-5494)'),
      () => {
        const s = scenario(version);
        for (let seq = 0; seq < 6; seq++) {
          expect(s.rawProduce({ producerId: PID, producerEpoch: 0, baseSequence: seq, value: 10 + seq })).toMatchObject(
            {
              error: 'NONE',
              baseOffset: seq,
            },
          );
        }
        // The last batch: a duplicate everywhere.
        expect(s.rawProduce({ producerId: PID, producerEpoch: 0, baseSequence: 5, value: 15 })).toMatchObject({
          error: 'NONE',
          baseOffset: 5,
        });
        const older = s.rawProduce({ producerId: PID, producerEpoch: 0, baseSequence: 2, value: 12 });
        if (version === '0.11') expect(older?.error).toBe('OUT_OF_ORDER_SEQUENCE_NUMBER');
        else expect(older).toMatchObject({ error: 'NONE', baseOffset: 2 });
        // The sixth batch back has left the cache in both: not recognised, and out of sequence.
        expect(s.rawProduce({ producerId: PID, producerEpoch: 0, baseSequence: 0, value: 10 })?.error).toBe(
          'OUT_OF_ORDER_SEQUENCE_NUMBER',
        );
        expect(s.log(s.leader())).toEqual([10, 11, 12, 13, 14, 15]);
      },
    );
  }
});

describe('ProducerAppendInfo.checkProducerEpoch and the new-epoch rule of checkSequence', () => {
  for (const version of ['0.11', '3.9']) {
    it(
      `on ${version}: an older epoch is INVALID_PRODUCER_EPOCH (` +
        (version === '0.11' ? 'ProducerFencedException' : 'InvalidProducerEpochException, KAFKA-9911') +
        '), a new epoch starts at sequence 0; a new leader rebuilds both from its log ' +
        '(ProducerStateManager.truncateAndReload)',
      () => {
        const s = scenario(version);
        const send = (producerEpoch: number, baseSequence: number, value: number) =>
          s.rawProduce({ producerId: PID, producerEpoch, baseSequence, value })?.error;
        for (let seq = 0; seq < 3; seq++) expect(send(0, seq, 20 + seq)).toBe('NONE');
        expect(send(1, 3, 30)).toBe('OUT_OF_ORDER_SEQUENCE_NUMBER');
        expect(send(1, 0, 31)).toBe('NONE');
        expect(send(0, 3, 32)).toBe('INVALID_PRODUCER_EPOCH');
        // A retry of a batch of the older epoch is no duplicate any more (ProducerStateEntry.maybeUpdateProducerEpoch).
        expect(send(0, 2, 22)).toBe('INVALID_PRODUCER_EPOCH');
        s.run(1000);
        const old = s.leader();
        s.crash(old).run(10_000);
        expect(s.leader()).not.toBe(old);
        expect(send(0, 3, 33)).toBe('INVALID_PRODUCER_EPOCH');
        expect(send(1, 0, 31)).toBe('NONE');
        expect(send(1, 1, 34)).toBe('NONE');
        expect(s.log(s.leader())).toEqual([20, 21, 22, 31, 34]);
        const last = s.batchOf(34);
        expect(last).toMatchObject({ producerId: PID, producerEpoch: 1, baseSequence: 1 });
      },
    );
  }
});
