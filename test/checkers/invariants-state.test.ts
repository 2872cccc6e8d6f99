// The replica invariants that judge state the replicas report, fed by hand: an idempotent-producer state that
// outlives the records it came from (ProducerStateFromLog), an answer to a request of another leader epoch
// (LeaderEpochFencing), and an ISR change made on a state the leader never proposed it from
// (IsrChangeOnCurrentState). Each wrong state must trip its invariant; what Kafka does must not.
import { describe, expect, it } from 'vitest';
import { InvariantMonitor } from '../../checkers/invariants/index.ts';
import type { ReplicationEvent } from '../../sim/events/index.ts';

const P = 0;
let t = 0;
const at = (): number => (t += 1);
const names = (m: InvariantMonitor) => m.violations.map((v) => [v.invariant, v.causedBy?.kind ?? null]);

describe('ProducerStateFromLog', () => {
  const truncate = (toOffset: number, producerStateEndOffset: number): ReplicationEvent => ({
    kind: 'truncate',
    time: at(),
    broker: 1,
    partition: P,
    toOffset,
    fromLogEndOffset: 8,
    reason: 'leader-epoch',
    removed: [],
    producerStateEndOffset,
  });

  it('a state within the truncated log passes; one remembering a removed batch is a finding', () => {
    const m = new InvariantMonitor();
    m.observe(truncate(5, 5));
    m.observe(truncate(5, 0));
    expect(m.violations).toEqual([]);
    m.observe(truncate(5, 8));
    expect(names(m)).toEqual([['ProducerStateFromLog', null]]);
    expect(m.violations[0].description).toContain('still remembers batches up to offset 7');
  });
});

describe('LeaderEpochFencing', () => {
  it('an answer to a fetch of another leader epoch is a finding, whoever asked', () => {
    const m = new InvariantMonitor();
    const served = (requester: number, currentLeaderEpoch: number): ReplicationEvent => ({
      kind: 'other-epoch-served',
      time: at(),
      broker: 0,
      partition: P,
      requester,
      request: 'fetch',
      currentLeaderEpoch,
      leaderEpoch: 4,
    });
    m.observe(served(2, 3));
    m.observe(served(-1, 2));
    expect(names(m)).toEqual([
      ['LeaderEpochFencing', null],
      ['LeaderEpochFencing', null],
    ]);
    expect(m.violations[0].description).toContain('answered a fetch of replica 2 in leader epoch 3');
    expect(m.violations[1].description).toContain('of a consumer in leader epoch 2');
  });
});

describe('IsrChangeOnCurrentState', () => {
  const proposed = (partitionEpoch: number, isr: number[]): ReplicationEvent => ({
    kind: 'isr-proposed',
    time: at(),
    broker: 0,
    partition: P,
    leaderEpoch: 3,
    partitionEpoch,
    isr,
  });
  const controllerIsr = (isr: number[], partitionEpoch: number, alterPartitionOn?: number): ReplicationEvent => ({
    kind: 'controller-isr',
    time: at(),
    controller: 9,
    partition: P,
    leader: 0,
    leaderEpoch: 3,
    isr,
    partitionEpoch,
    ...(alterPartitionOn === undefined ? {} : { alterPartitionOn }),
  });
  const adopted = (isr: number[], partitionEpoch: number, proposedAtPartitionEpoch?: number): ReplicationEvent => ({
    kind: 'isr-change',
    time: at(),
    broker: 0,
    partition: P,
    isr,
    partitionEpoch,
    change: 'expand',
    ...(proposedAtPartitionEpoch === undefined ? {} : { proposedAtPartitionEpoch }),
  });

  it('a proposal made on the state it replaced, and adopted at the next epoch, passes', () => {
    const m = new InvariantMonitor();
    m.observe(controllerIsr([0, 1], 5));
    m.observe(proposed(5, [0, 1, 2]));
    m.observe(controllerIsr([0, 1, 2], 6, 5));
    m.observe(adopted([0, 1, 2], 6, 5));
    // The controller's own changes name no proposal: nothing to check.
    m.observe(controllerIsr([0, 2], 7));
    expect(m.violations).toEqual([]);
  });

  it('the controller taking a proposal of an older partition epoch is a finding', () => {
    const m = new InvariantMonitor();
    m.observe(proposed(5, [0, 1, 2]));
    // The controller removed broker 1 (epoch 6), then took the stale proposal: broker 1 is back.
    m.observe(controllerIsr([0, 2], 6));
    m.observe(controllerIsr([0, 1, 2], 7, 6));
    expect(names(m)).toEqual([['IsrChangeOnCurrentState', null]]);
    expect(m.violations[0].description).toContain('which the leader never proposed on that state');
  });

  it('a change the leader adopts two partition epochs past its proposal is a finding', () => {
    const m = new InvariantMonitor();
    m.observe(adopted([0, 1, 2], 7, 5));
    expect(names(m)).toEqual([['IsrChangeOnCurrentState', null]]);
    expect(m.violations[0].description).toContain('at partition epoch 5 and it was made at 7');
  });
});
