// A partition log's recovery after a power loss tore its last write (PartitionLog over a simulated disk), as Kafka
// 3.9.0's LogSegment.recover does it: every valid batch is read, and the segment file is truncated to the valid
// bytes (log.truncateTo(validBytes)), so that what is appended next follows the last valid batch.
import { describe, expect, it } from 'vitest';
import { batchSizeInBytes, PartitionLog } from '../../../sim/kafka/log.ts';
import type { RecordBatch } from '../../../sim/kafka/records.ts';
import { NO_PRODUCER } from '../../../sim/kafka/records.ts';
import { Disk, Random } from '../../../sim/world/index.ts';

const FILE = 'log-0';

const batch = (baseOffset: number, values: number[]): RecordBatch => ({
  baseOffset,
  epoch: 0,
  producerId: NO_PRODUCER,
  producerEpoch: -1,
  baseSequence: -1,
  values,
});

const valuesOf = (log: PartitionLog): number[] => log.all().flatMap((b) => b.values);

describe('LogSegment.recover: a torn tail is cut off the file', () => {
  it('truncates the file to its last whole batch, so that later appends survive the next restart', () => {
    const disk = new Disk('b0', Random.root(3));
    const first = batch(0, [1, 2, 3]);
    const log = new PartitionLog(disk, FILE, Infinity);
    log.append(first);
    log.flush();
    log.append(batch(3, [4, 5, 6]));
    // Power loss in the middle of the second batch's write.
    disk.crash('torn-last');
    const recovered = new PartitionLog(disk, FILE, Infinity);
    expect(valuesOf(recovered)).toEqual([1, 2, 3]);
    expect(recovered.recoveredTornBytes).toBeGreaterThan(0);
    // The damage is gone from the file, not only from memory.
    expect(disk.size(FILE)).toBe(batchSizeInBytes(first));
    expect(disk.fileRecords(FILE).torn).toBe(0);
    // New records go right after the valid ones, and the next start reads them back.
    recovered.append(batch(3, [7, 8]));
    expect(disk.fileRecords(FILE)).toEqual({ whole: [first, batch(3, [7, 8])], torn: 0 });
    disk.crash('process');
    const again = new PartitionLog(disk, FILE, Infinity);
    expect(valuesOf(again)).toEqual([1, 2, 3, 7, 8]);
    expect(again.logEndOffset).toBe(5);
    expect(again.recoveredTornBytes).toBe(0);
  });
});
