// Found by fuzzing, not told: a duplicate with enable.idempotence=true on the default configuration (seed 10191 of
// `kafkasim fuzz --nemesis swarm --seed 10000 --count 10000`, Kafka 4.4 in KRaft mode, pipelined producers). Batches
// of one partition time out on a slow link and are retried; one fails for good and the producer asks for an epoch
// bump at once (TransactionManager.handleFailedBatch -> requestEpochBumpForPartition, Kafka 3.9) rather than after
// the batches still in flight complete (markSequenceUnresolved, KAFKA-14034's proposed fix, never merged). The bump
// renumbers those batches from sequence 0 in the new epoch (startSequencesAtBeginning), and the leader, which had
// appended one of them already, takes it again as the first batch of a new epoch (ProducerAppendInfo.checkSequence).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runOnce } from '../../../../harness/index.ts';
import { loadSchedule } from '../../../../nemesis/index.ts';
import type { RecordBatch } from '../../../../sim/kafka/records.ts';
import { repoRoot } from '../../../helpers/paths.ts';

describe('KAFKA-14034: the idempotent producer renumbers a batch the leader already holds', () => {
  it('seed 10191 (swarm, KRaft): value 192 at offsets 54 and 60 of partition 1, one producer, two epochs', () => {
    const file = join(repoRoot, 'test/harness/fixtures/kraft-10191.schedule.json');
    const copies: (RecordBatch | undefined)[] = [];
    const run = runOnce(
      { seed: 10191, kafka: '4.4', schedule: loadSchedule(readFileSync(file, 'utf8')) },
      {
        onEnd: (cluster) => {
          for (const id of cluster.brokerIds) {
            const p = cluster.broker(id)?.partitions.get(1);
            if (p?.role === 'leader') copies.push(p.log.batchAt(54), p.log.batchAt(60));
          }
        },
      },
    );
    expect(run.result.anomalies).toEqual({ duplicate: 1 });
    // The verdict keeps it a finding and names the bug, with the two appends it was checked against.
    const queue = run.result.checkers.find((c) => c.checker === 'queue');
    const example = queue?.anomalies.find((a) => a.name === 'duplicate')?.examples[0];
    expect(example?.description).toContain('(KAFKA-14034): producer 1001000003 wrote it at offset 54');
    expect(example?.detail).toMatchObject({ knownBug: 'KAFKA-14034' });
    const [first, second] = copies;
    expect(first?.values).toEqual([192]);
    expect(second?.values).toEqual([192]);
    // Same producer, same leader epoch; the second copy is the renumbered retry: a later producer epoch, sequence 0.
    expect(second?.producerId).toBe(first?.producerId);
    expect(second?.epoch).toBe(first?.epoch);
    expect(second!.producerEpoch).toBeGreaterThan(first!.producerEpoch);
    expect([first?.baseSequence, second?.baseSequence]).toEqual([14, 0]);
  });
});
