// The active controller on its own, with a hand-driven metadata log: what it answers, and when.
import { describe, expect, it } from 'vitest';
import { clusterConfig } from '../../../../sim/kafka/config.ts';
import { ActiveController, type ActiveControllerHost } from '../../../../sim/kafka/kraft/active-controller.ts';
import type { AlterPartitionRequest, AlterPartitionResponse } from '../../../../sim/kafka/kraft/controller-messages.ts';
import { MetadataImage } from '../../../../sim/kafka/kraft/image.ts';
import type { MetadataRecord } from '../../../../sim/kafka/kraft/records.ts';

/** Three unfenced brokers and partition 0 led by broker 0 alone in its ISR, in leader epoch 1, partition epoch 1. */
function committedImage(): MetadataImage {
  const image = new MetadataImage();
  const records: MetadataRecord[] = [];
  for (const id of [0, 1, 2]) {
    records.push({
      type: 'RegisterBrokerRecord',
      brokerId: id,
      brokerEpoch: id,
      incarnationId: 1,
      rack: null,
      fenced: true,
      cleanShutdown: true,
    });
    records.push({ type: 'UnfenceBrokerRecord', id, epoch: id });
  }
  records.push({ type: 'TopicRecord', name: 'test', partitions: 1 });
  records.push({
    type: 'PartitionRecord',
    partitionId: 0,
    replicas: [0, 1, 2],
    isr: [0],
    leader: 0,
    leaderEpoch: 1,
    partitionEpoch: 1,
    eligibleLeaderReplicas: [],
    lastKnownElr: [],
    leaderRecoveryState: 'RECOVERED',
  });
  for (const r of records) image.apply(r);
  return image;
}

/** A controller whose log the test commits by hand; the answers it sends, in order. */
function controller() {
  const sent: AlterPartitionResponse[] = [];
  const log = { end: 20, hw: 20 };
  const host: ActiveControllerHost = {
    now: () => 0,
    setTimer: () => ({ cancel() {}, cancelled: false }),
    send: (_to, msg) => sent.push(msg as AlterPartitionResponse),
    trace: () => {},
    config: clusterConfig({ metadata: 'kraft' }),
    append: (records) => (log.end += records.length),
    logEndOffset: () => log.end,
    highWatermark: () => log.hw,
    reportIsrAccepted: () => {},
  };
  const active = new ActiveController(host, committedImage(), 2);
  let correlationId = 0;
  const alterPartition = (partitionEpoch: number, newIsr: number[]): void =>
    active.handle('b0', {
      type: 'AlterPartition',
      correlationId: ++correlationId,
      brokerId: 0,
      brokerEpoch: 0,
      partition: 0,
      leaderEpoch: 1,
      partitionEpoch,
      newIsr,
      leaderRecoveryState: 'RECOVERED',
    } satisfies AlterPartitionRequest);
  const commit = (): void => {
    log.hw = log.end;
    active.onCommitted(log.hw);
  };
  return { active, sent, alterPartition, commit };
}

describe('ActiveController', () => {
  it('answers AlterPartition once its record is committed', () => {
    const c = controller();
    c.alterPartition(1, [0, 1]);
    expect(c.sent).toEqual([]);
    c.commit();
    expect(c.sent.map((r) => [r.correlationId, r.error, r.partitionEpoch, r.isr])).toEqual([[1, 'NONE', 2, [0, 1]]]);
  });

  it('refuses a retry on the uncommitted partition epoch only once that epoch is committed', () => {
    // The first request's answer was lost; the leader retries with the partition epoch it still has.
    const c = controller();
    c.alterPartition(1, [0, 1]);
    c.alterPartition(1, [0, 1]);
    expect(c.sent).toEqual([]);
    c.commit();
    expect(c.sent.map((r) => [r.correlationId, r.error])).toEqual([
      [1, 'NONE'],
      [2, 'INVALID_UPDATE_VERSION'],
    ]);
  });

  it('answers NOT_CONTROLLER, not a refusal, when it stops before that epoch is committed (the leader retries)', () => {
    // Had it answered INVALID_UPDATE_VERSION at once, the leader would wait for a partition record that the
    // next controller never writes: the uncommitted change is gone with this one's leadership.
    const c = controller();
    c.alterPartition(1, [0, 1]);
    c.alterPartition(1, [0, 1]);
    c.active.stop();
    expect(c.sent.map((r) => [r.correlationId, r.error])).toEqual([
      [1, 'NOT_CONTROLLER'],
      [2, 'NOT_CONTROLLER'],
    ]);
  });

  it('refuses at once when nothing it wrote is waiting to be committed', () => {
    const c = controller();
    c.alterPartition(0, [0, 1]);
    expect(c.sent.map((r) => [r.correlationId, r.error])).toEqual([[1, 'INVALID_UPDATE_VERSION']]);
  });
});
