// The idempotent producer's answer to a leader that lost its last batches, as each release's TransactionManager
// and Sender give it (sim/kafka/clients/transaction-manager.ts): before KIP-360 (2.5) it gives up the batch and
// takes a new producer id, from 2.5 it bumps its epoch and numbers the partition from 0 again; KAFKA-12152
// (2.7.1, 2.8) fixes the partitions that were idle at the bump; KIP-588 (2.7) makes INVALID_PRODUCER_EPOCH
// survivable. The leader loses the batches to an unclean election (min.insync.replicas 1). Each title names the
// Kafka class and method.
import { describe, expect, it } from 'vitest';
import { ProducerScenario, UNCLEAN } from '../../helpers/producer-scenario.ts';

function scenario(version: string): { s: ProducerScenario; at: number } {
  const s = new ProducerScenario(version, { broker: { ...UNCLEAN } }).start();
  return { s, at: s.awayFromController() };
}

describe('A new leader without the producer id (ProducerAppendInfo.checkSequence, TransactionManager.canRetry)', () => {
  const expected: Record<string, string> = {
    '0.11': 'OUT_OF_ORDER_SEQUENCE_NUMBER',
    '2.4': 'UNKNOWN_PRODUCER_ID',
  };
  for (const version of ['0.11', '2.4', '2.7']) {
    it(
      `on ${version}: ` +
        (version === '2.7'
          ? 'KIP-360 accepts the next sequence; the producer goes on under its producer id'
          : `${expected[version]} fails the send (Sender.failBatch) and the producer takes a new producer id ` +
            '(TransactionManager.resetProducerId)'),
      () => {
        const { s, at } = scenario(version);
        const p = s.producer('p', { 'enable.idempotence': true });
        s.loseLeaderAfter(() => {
          expect(p.send(1, at).type).toBe('ok');
          expect(p.send(2, at).type).toBe('ok');
        }, at);
        const pid = (value: number) => s.batchOf(value, at)?.producerId;
        expect(s.log(s.leader(at), at)).toEqual([]);
        const third = p.send(3, at);
        expect(p.send(4, at).type).toBe('ok');
        if (version === '2.7') {
          expect(third.type).toBe('ok');
          expect(s.log(s.leader(at), at)).toEqual([3, 4]);
          expect(s.batchOf(3, at)).toMatchObject({ producerEpoch: 0, baseSequence: 2 });
          expect(s.batchOf(4, at)).toMatchObject({ producerEpoch: 0, baseSequence: 3 });
          expect(pid(4)).toBe(pid(3));
        } else {
          expect(third).toEqual({ type: 'fail', error: expected[version] });
          expect(s.log(s.leader(at), at)).toEqual([4]);
          expect(s.batchOf(4, at)).toMatchObject({ producerEpoch: 0, baseSequence: 0 });
        }
      },
    );
  }
});

describe('OUT_OF_ORDER_SEQUENCE_NUMBER after a gap (TransactionManager.handleFailedBatch)', () => {
  for (const version of ['2.4', '2.7']) {
    it(
      `on ${version}: ` +
        (version === '2.4'
          ? 'the send fails and the producer takes a new producer id (resetProducerId)'
          : 'KIP-360 bumps the epoch and sends the batch again from sequence 0 ' +
            '(bumpIdempotentEpochAndResetIdIfNeeded)'),
      () => {
        const { s, at } = scenario(version);
        const p = s.producer('p', { 'enable.idempotence': true });
        expect(p.send(1, at).type).toBe('ok');
        s.run(1000);
        s.loseLeaderAfter(() => expect(p.send(2, at).type).toBe('ok'), at);
        expect(s.log(s.leader(at), at)).toEqual([1]);
        const first = s.batchOf(1, at);
        const third = p.send(3, at);
        expect(p.send(4, at).type).toBe('ok');
        expect(s.log(s.leader(at), at)).toEqual(version === '2.4' ? [1, 4] : [1, 3, 4]);
        if (version === '2.4') {
          expect(third).toEqual({ type: 'fail', error: 'OUT_OF_ORDER_SEQUENCE_NUMBER' });
          expect(s.batchOf(4, at)?.producerId).not.toBe(first?.producerId);
          expect(s.batchOf(4, at)).toMatchObject({ producerEpoch: 0, baseSequence: 0 });
        } else {
          expect(third.type).toBe('ok');
          const id = first?.producerId;
          expect(s.batchOf(3, at)).toMatchObject({ producerId: id, producerEpoch: 1, baseSequence: 0 });
          expect(s.batchOf(4, at)).toMatchObject({ producerId: id, producerEpoch: 1, baseSequence: 1 });
        }
      },
    );
  }
});

describe('KAFKA-12152: a partition idle at an epoch bump (TransactionManager.maybeUpdateProducerIdAndEpoch)', () => {
  for (const version of ['2.7', '3.0']) {
    it(
      `on ${version}: ` +
        (version === '2.7'
          ? "the idle partition's next batch goes in the new epoch with its old sequence, is refused, and bumps the " +
            'epoch again'
          : 'the idle partition starts from sequence 0 in the new epoch'),
      () => {
        const { s, at } = scenario(version);
        const idle = (at + 1) % 4;
        const p = s.producer('p', { 'enable.idempotence': true });
        // `idle` takes one batch and then nothing; `at` loses its last batch and bumps the epoch.
        expect(p.send(1, idle).type).toBe('ok');
        expect(p.send(2, at).type).toBe('ok');
        s.run(1000);
        s.loseLeaderAfter(() => expect(p.send(3, at).type).toBe('ok'), at);
        expect(p.send(4, at).type).toBe('ok');
        expect(s.batchOf(4, at)).toMatchObject({ producerEpoch: 1, baseSequence: 0 });
        expect(p.send(5, idle).type).toBe('ok');
        expect(s.batchOf(5, idle)).toMatchObject(
          version === '2.7' ? { producerEpoch: 2, baseSequence: 0 } : { producerEpoch: 1, baseSequence: 0 },
        );
        expect(s.log(s.leader(idle), idle)).toEqual([1, 5]);
      },
    );
  }
});

describe('INVALID_PRODUCER_EPOCH on a produce (TransactionManager.maybeTransitionToErrorState, KIP-588)', () => {
  for (const version of ['2.4', '2.7']) {
    it(
      `on ${version}: ` +
        (version === '2.4'
          ? 'ProducerFencedException is fatal: the next send fails too, without a request'
          : 'InvalidProducerEpochException fails the send and bumps the epoch; the next send goes on'),
      () => {
        const { s, at } = scenario(version);
        const p = s.producer('p', { 'enable.idempotence': true });
        expect(p.send(1, at).type).toBe('ok');
        const producerId = s.batchOf(1, at)?.producerId ?? -1;
        // Another writer under the same producer id moves the partition to epoch 1 (six batches: the five cached
        // ones leave sequence 0 free).
        for (let seq = 0; seq < 6; seq++) {
          const batch = { producerId, producerEpoch: 1, baseSequence: seq, value: 100 + seq };
          expect(s.rawProduce(batch, at)?.error).toBe('NONE');
        }
        expect(p.send(2, at)).toEqual({ type: 'fail', error: 'INVALID_PRODUCER_EPOCH' });
        const third = p.send(3, at);
        if (version === '2.4') {
          expect(third).toEqual({ type: 'fail', error: 'INVALID_PRODUCER_EPOCH' });
          expect(s.batchOf(3, at)).toBeUndefined();
        } else {
          // Epoch 1 from sequence 0 is out of order behind the other writer's batches: a second bump, to epoch 2.
          expect(third.type).toBe('ok');
          expect(s.batchOf(3, at)).toMatchObject({ producerId, producerEpoch: 2, baseSequence: 0 });
        }
      },
    );
  }
});
