// Found by fuzzing, not told: a duplicate with enable.idempotence=true on Kafka 3.9 in ZooKeeper mode (seed 9427
// of the 10,000-seed ZooKeeper fuzz, issue 17). Not a simulator bug: Kafka's own producer does this.
//
// A zombie leader (broker 1, leader epoch 0, its ZooKeeper session lost) appends value 139 (producer sequence 12)
// at offset 48; broker 0, which has not yet heard of epoch 1, replicates it. The producer's request times out.
// Its retry reaches broker 2, leader in epoch 1, which never had sequence 11: OUT_OF_ORDER_SEQUENCE_NUMBER for the
// batch that follows the last acknowledged one, a real gap. Kafka 3.9's idempotent producer then bumps its epoch
// locally and renumbers the batch from sequence 0 (TransactionManager.canRetry, requestEpochBumpForPartition,
// bumpIdempotentProducerEpoch; KIP-360, 2.5.0). Broker 0 becomes leader in epoch 2 still holding offset 48; the
// batch, now epoch 1 sequence 0, is new to it (ProducerAppendInfo.checkSequence accepts sequence 0 for a new
// epoch), so it is appended again at 51. librdkafka #4953 and redpanda #3039 report the same exchange.
import { describe, expect, it } from 'vitest';
import { runOnce } from '../../../../harness/index.ts';
import { FAULT_KINDS } from '../../../../nemesis/fault-kinds.ts';
import type { RecordBatch } from '../../../../sim/kafka/records.ts';

// The nemesis is every kind `all` has but the two that lose data by design (power-loss, replace-disk).
describe('idempotent producer: a KIP-360 epoch bump after a zombie leader duplicates a batch (Kafka 3.9, zk)', () => {
  it('seed 9427 writes value 139 at offsets 48 and 51 of partition 1, once per producer epoch', () => {
    let finalLeaderLog: readonly RecordBatch[] = [];
    const run = runOnce(
      {
        seed: 9427,
        kafka: '3.9',
        metadata: 'zk',
        nemesis: FAULT_KINDS.filter((k) => k !== 'power-loss' && k !== 'replace-disk'),
        // Found with one send open per producer, before issue 18's pipelined producers: kept so, the run this one.
        workload: { sendsInFlight: 1 },
      },
      {
        onEnd: (cluster) => {
          const leader = cluster.broker(0)?.partitions.get(1);
          finalLeaderLog = leader?.log.all() ?? [];
        },
      },
    );
    expect(run.result.valid).toBe(false);
    expect(run.result.anomalies).toEqual({ duplicate: 1 });
    const copies = finalLeaderLog.filter((b) => b.values.includes(139));
    expect(copies.map((b) => b.baseOffset)).toEqual([48, 51]);
    const [first, second] = copies;
    // One producer id, two epochs: the retry was renumbered from sequence 0 in the bumped epoch.
    expect(second.producerId).toBe(first.producerId);
    expect([first.producerEpoch, first.baseSequence]).toEqual([0, 12]);
    expect([second.producerEpoch, second.baseSequence]).toEqual([1, 0]);
    // Offset 48 was written by the zombie leader in epoch 0, offset 51 by broker 0 leading epoch 2.
    expect([first.epoch, second.epoch]).toEqual([0, 2]);
  });
});
