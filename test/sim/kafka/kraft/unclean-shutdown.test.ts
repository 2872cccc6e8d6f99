// KIP-966's unclean-shutdown exclusion, on the active controller driven by hand: a broker whose previous run ended
// in a crash may have lost records it had acknowledged (Kafka acknowledges before fsync), so when it registers again
// it leaves the ISR and the eligible leader replicas of every partition. Kafka 3.9.0: ClusterControlManager
// .registerBroker hands a new incarnation to ReplicationControlManager.handleBrokerUncleanShutdown, which does
// nothing unless the metadata version supports ELR (isElrSupported) and otherwise runs generateLeaderAndIsrUpdates
// with the broker as brokerWithUncleanShutdown over the partitions with it in the ISR, then in the ELR. (kafkasim
// calls it, as KIP-966 has it, for a registration that says its previous run did not shut down cleanly.)
import { describe, expect, it } from 'vitest';
import { clusterConfig } from '../../../../sim/kafka/config.ts';
import { ActiveController, type ActiveControllerHost } from '../../../../sim/kafka/kraft/active-controller.ts';
import type { PartitionRegistration } from '../../../../sim/kafka/kraft/image.ts';
import { MetadataImage } from '../../../../sim/kafka/kraft/image.ts';
import type { MetadataRecord } from '../../../../sim/kafka/kraft/records.ts';

/** Brokers 0..2 registered in incarnation 1 and fenced (all down); partition 0 on [0, 1, 2] as `p` says. */
function imageWith(p: Pick<PartitionRegistration, 'isr' | 'elr' | 'lastKnownElr'>): MetadataImage {
  const image = new MetadataImage();
  const records: MetadataRecord[] = [];
  for (const id of [0, 1, 2]) {
    const common = { brokerId: id, brokerEpoch: id, incarnationId: 1, rack: null };
    records.push({ type: 'RegisterBrokerRecord', ...common, fenced: true, cleanShutdown: true });
  }
  records.push({ type: 'TopicRecord', name: 'test', partitions: 1 });
  records.push({
    type: 'PartitionRecord',
    partitionId: 0,
    replicas: [0, 1, 2],
    isr: p.isr,
    leader: -1,
    leaderEpoch: 3,
    partitionEpoch: 6,
    eligibleLeaderReplicas: p.elr,
    lastKnownElr: p.lastKnownElr,
    leaderRecoveryState: 'RECOVERED',
  });
  for (const r of records) image.apply(r);
  return image;
}

/** Broker 1 registers again, in incarnation 2, after a clean or an unclean shutdown; partition 0 afterwards. */
function registerBroker1(kafka: string, image: MetadataImage, cleanShutdown: boolean) {
  const written: MetadataRecord[] = [];
  const host: ActiveControllerHost = {
    now: () => 0,
    setTimer: () => ({ cancel() {}, cancelled: false }),
    send: () => {},
    trace: () => {},
    config: clusterConfig({ metadata: 'kraft', kafka, broker: { 'min.insync.replicas': 2 } }),
    append: (records) => {
      written.push(...records);
      return 100 + written.length;
    },
    logEndOffset: () => 100 + written.length,
    highWatermark: () => 100,
    reportIsrAccepted: () => {},
  };
  const active = new ActiveController(host, image, 2);
  active.handle('b1', {
    type: 'BrokerRegistration',
    correlationId: 1,
    brokerId: 1,
    incarnationId: 2,
    rack: null,
    cleanShutdown,
  });
  const p = active.image.partitions.get(0) as PartitionRegistration;
  return { written, isr: p.isr, elr: p.elr, leader: p.leader };
}

describe('ReplicationControlManager.handleBrokerUncleanShutdown (KIP-966)', () => {
  // All three replicas failed, broker 1 (the leader) last: the partition is leaderless, its ISR emptied into the
  // ELR, broker 1 its last known leader.
  const allFailed = () => imageWith({ isr: [], elr: [0, 1], lastKnownElr: [1] });

  it('with ELR (4.4): a broker back from an unclean shutdown leaves the ELR, so it cannot be elected from it', () => {
    const r = registerBroker1('4.4', allFailed(), false);
    expect(r.elr).toEqual([0]);
    expect(r.isr).toEqual([]);
    expect(r.leader).toBe(-1);
    expect(r.written.map((w) => w.type)).toEqual(['RegisterBrokerRecord', 'PartitionChangeRecord']);
  });

  it('with ELR (4.4): a broker back from a clean shutdown stays eligible', () => {
    const r = registerBroker1('4.4', allFailed(), true);
    expect(r.elr).toEqual([0, 1]);
    expect(r.written.map((w) => w.type)).toEqual(['RegisterBrokerRecord']);
  });

  it('without ELR (3.9): the last ISR member keeps its place after an unclean shutdown, as before KIP-966', () => {
    // Before KIP-966 a fenced broker that was the last ISR member stays in the ISR (and may lead again).
    const r = registerBroker1('3.9', imageWith({ isr: [1], elr: [], lastKnownElr: [] }), false);
    expect(r.isr).toEqual([1]);
    expect(r.elr).toEqual([]);
    expect(r.written.map((w) => w.type)).toEqual(['RegisterBrokerRecord']);
  });
});
