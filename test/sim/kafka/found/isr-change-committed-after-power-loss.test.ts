// Found by fuzzing, not told: a StrongIsr finding on the default configuration (seed 4309 of `kafkasim fuzz
// --nemesis swarm --seed 1 --count 10000`, Kafka 4.4 in KRaft mode). Not a simulator bug, nor a Kafka bug: a power
// loss taking unflushed records, which flush.messages=never allows, between the active controller accepting an ISR
// change and its commit.
//
// Leader 0 of partition 2 (leader epoch 1, partition epoch 1, ISR [0, 1], high watermark 59) saw follower 2 fetch
// at 60 and asked to add it (AlterPartition, [0, 1, 2]). Controller 3002, active in quorum epoch 1, accepted it and
// wrote the record at metadata offset 66, past the quorum's high watermark (65). Before any voter fetched it, every
// broker and controller lost power: broker 2's log of partition 2 came back with 23 of its 60 records, leader 0's
// with 37. A second power loss followed before the quorum elected anyone; once back, 3002 led epoch 2 and committed
// its log, record 66 included (KafkaRaftClient: a new leader commits its predecessors' records with its own epoch's
// first; QuorumController.handleCommit). Kafka would do the same: the controller replays a record into its state
// before Raft replicates it (QuorumController.ControllerWriteEvent.run, 3.9.0-rc3), so the decision was made on
// broker 2 as it was, and KIP-903's broker epochs could not tell, broker 2 not having registered again. The join is
// the power loss's doing; the records it lost below the high watermark are judged as the power loss's too.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runOnce } from '../../../../harness/index.ts';
import { loadSchedule } from '../../../../nemesis/index.ts';
import type { ReplicationEvent } from '../../../../sim/events/index.ts';
import { repoRoot } from '../../../helpers/paths.ts';

describe('an ISR change the controller accepted before a power loss and committed after it', () => {
  it('seed 4309 (swarm, KRaft): replica 2 joins without offsets 23-36, the crash that took them named', () => {
    const file = join(repoRoot, 'test/harness/fixtures/kraft-4309.schedule.json');
    const events: ReplicationEvent[] = [];
    const run = runOnce(
      { seed: 4309, kafka: '4.4', schedule: loadSchedule(readFileSync(file, 'utf8')) },
      { onCluster: (cluster) => cluster.observe((e) => 'partition' in e && e.partition === 2 && events.push(e)) },
    );
    expect(run.output.historyHash).toBe('eec3311f0594499f');
    expect(run.result.anomalies).toEqual({});
    // The controller accepted the change 32 ms before the power loss (26065 ms); it committed at 45177 ms.
    const accepted = events.findIndex((e) => e.kind === 'isr-accepted');
    expect(events[accepted]).toMatchObject({ leader: 0, partitionEpoch: 1, isr: [0, 1, 2], controller: 3002 });
    expect(events[accepted].time).toBeCloseTo(26032.916, 3);
    const lost = events.findIndex((e, i) => i > accepted && e.kind === 'truncate' && e.broker === 2);
    expect(events[lost]).toMatchObject({ time: 31737, reason: 'recovery', toOffset: 23 });
    const committed = events.findIndex((e) => e.kind === 'controller-isr' && e.alterPartitionOn === 1);
    expect(events[committed]).toMatchObject({ leader: 0, isr: [0, 1, 2], partitionEpoch: 2 });
    expect(accepted).toBeLessThan(lost);
    expect(lost).toBeLessThan(committed);
    // The violation stays on record, attributed to broker 2's crash, not a finding.
    const invariants = run.result.checkers.find((c) => c.checker === 'invariants');
    const strong = invariants?.notes?.find((a) => a.name === 'StrongIsr');
    const joined = strong?.examples.find((x) => x.detail?.joining === true);
    expect(joined?.description).toContain(
      "replica 2 joined the controller's ISR of partition 2 without offset 23 (61) below leader 0's high " +
        'watermark 37 (the controller accepted it at 26033 ms) — caused by the crash of broker 2',
    );
    expect(joined?.detail).toMatchObject({ causedBy: { kind: 'crash', broker: 2 }, step: 4980 });
  });
});
