// A harness run on a cluster with both internal topics: their partitions elect, replicate and take part in the
// faults, yet nothing of them reaches the workload's facts, the durability checker or the reports, and the run
// keeps the verdict of the same run without them.
import { describe, expect, it } from 'vitest';
import { runTest, testOf } from '../../harness/index.ts';
import { isDataPartition } from '../../sim/events/topics.ts';
import { clusterConfig } from '../../sim/kafka/config.ts';
import { CONSUMER_OFFSETS_TOPIC, TRANSACTION_STATE_TOPIC } from '../../sim/kafka/topics.ts';

describe('a harness run with internal topics', () => {
  const plain = testOf({ seed: 5, timeSeconds: 30, nemesis: ['kill', 'partition'] });
  const cluster = clusterConfig({
    ...plain.cluster,
    internalTopics: {
      enabled: [TRANSACTION_STATE_TOPIC, CONSUMER_OFFSETS_TOPIC],
      'transaction.state.log.num.partitions': 4,
      'offsets.topic.num.partitions': 4,
    },
  });
  let internalLeaders = 0;
  const run = runTest(
    { ...plain, cluster },
    {
      onEnd: (c) => {
        for (const id of c.brokerIds) {
          for (const [p, replica] of c.broker(id)?.partitions ?? []) {
            if (!isDataPartition(p) && replica.role === 'leader') internalLeaders++;
          }
        }
      },
    },
  );

  it('runs the internal partitions beside the data topic', () => {
    expect(internalLeaders).toBeGreaterThanOrEqual(8);
  });

  it('keeps their events out of what the reports and durability read', () => {
    expect(run.replicationEvents.every((e) => !('partition' in e) || isDataPartition(e.partition))).toBe(true);
    expect((run.facts.durability.finalLogs ?? []).every((l) => isDataPartition(l.key))).toBe(true);
  });

  it('finds nothing the same run without them would not', () => {
    expect(run.result.findings).toBe(0);
    expect(run.result.valid).toBe(true);
  });
});
