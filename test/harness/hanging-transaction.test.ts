// The hanging transaction KIP-890 fixed (KAFKA-14402), as plain fuzzing found it: `kafkasim fuzz --workload txn
// --kafka 3.5 --nemesis swarm`, seed 73, shrunk to one fault (examples/bugfind/bug-12.min.json). A power loss on
// every broker takes `__transaction_state` records Kafka never fsyncs; the reloaded coordinator has the producer's
// transaction Ongoing without a partition it had added, and the producer's next record there opens a transaction no
// marker will ever end: the partition's last stable offset stays put. From 3.6 the leader verifies the partition
// with the coordinator first (KIP-890 part 1) and refuses the record.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRepro, reproRunOptions, runOnce } from '../../harness/index.ts';
import { repoRoot } from '../helpers/paths.ts';

const repro = readRepro(join(repoRoot, 'examples/bugfind/bug-12.min.json'));

describe('the hanging transaction (KAFKA-14402) on the shrunk fuzz schedule', () => {
  it('hangs on 3.5 and names the bug', () => {
    const run = runOnce(reproRunOptions(repro));
    expect(run.result.anomalies).toMatchObject({ HangingTransaction: 1 });
    expect(run.result.historyHash).toBe(repro.expectedHistoryHash);
  });

  it.each(['3.7', '4.4'])('does not hang on %s, whose leaders verify first', (kafka) => {
    const run = runOnce({ ...reproRunOptions(repro), kafka });
    expect(run.result.anomalies).not.toHaveProperty('HangingTransaction');
  });
});
