// Scenarios for the idempotent producer as a Kafka release has it: a cluster of that release, one long-lived
// producer (its producer id and epoch survive between sends, unlike Scenario.produce's fresh client per call),
// a raw client that sends Produce requests with any producer id, epoch and sequence, and the leader losing a
// producer's last batches to an unclean election.
import { replicaAssignment } from '../../harness/facts.ts';
import type { SendOutcome } from '../../sim/kafka/clients/producer.ts';
import type { ProducerConfig } from '../../sim/kafka/config.ts';
import type { ProduceResponse } from '../../sim/kafka/messages.ts';
import type { RecordBatch } from '../../sim/kafka/records.ts';
import { releaseOf } from '../../sim/kafka/releases.ts';
import { Scenario, type ScenarioOptions } from './scenario.ts';

/**
 * Producer timeouts long enough for a write to wait out an ISR shrink (replica.lag.time.max.ms, 10 s here): a send
 * never times out in these scenarios, so each ends ok or fail, never info.
 */
const PRODUCER: Partial<ProducerConfig> = { 'request.timeout.ms': 20_000, 'delivery.timeout.ms': 60_000 };

export class ProducerScenario extends Scenario {
  private raw: string | null = null;

  constructor(
    readonly version: string,
    o: Omit<ScenarioOptions, 'protocol'> = {},
  ) {
    // Four brokers and four partitions: one partition has no replica on the controller, so that cutting its
    // leader off from the followers leaves its way to the controller (AlterIsr from 2.7) open.
    super({ brokers: 4, partitions: 4, ...o, protocol: releaseOf(version).behaviours });
  }

  /** A partition with no replica on the active controller. */
  awayFromController(): number {
    const c = this.cluster.activeController()?.id ?? -1;
    const p = replicaAssignment(this.cluster).findIndex((rs) => !rs.includes(c));
    if (p < 0) throw new Error(`every partition has a replica on the controller ${c}`);
    return p;
  }

  /** A producer on its own client node, kept for the whole scenario. */
  producer(
    id: string,
    config: Partial<ProducerConfig> = {},
  ): { send: (value: number, partition?: number) => SendOutcome } {
    this.cluster.addClient(id, { producer: { ...PRODUCER, ...config } });
    this.world.start(id);
    const client = () => {
      const c = this.cluster.client(id);
      if (c === null) throw new Error(`${id} is down`);
      return c;
    };
    return {
      send: (value, partition = 0) => {
        // The producer learns leader changes from metadata, as a real one does after its first error.
        client().metadata.refresh();
        this.run(50);
        let outcome: SendOutcome | undefined;
        client().producer.send(partition, value, (o) => (outcome = o));
        this.world.runUntil(() => outcome !== undefined, { maxEvents: 5_000_000 });
        return outcome as SendOutcome;
      },
    };
  }

  /** Sends one Produce request (acks=all unless told) to the partition's leader and returns the answer. */
  rawProduce(
    batch: { producerId: number; producerEpoch: number; baseSequence: number; value: number },
    partition = 0,
    acks: 1 | -1 = -1,
  ): ProduceResponse | null {
    if (this.raw === null) {
      this.raw = 'raw';
      this.cluster.addClient(this.raw, {});
      this.world.start(this.raw);
    }
    const channel = this.cluster.client(this.raw)?.channel;
    if (channel === undefined) throw new Error('raw client is down');
    let answer: ProduceResponse | null | undefined;
    const { producerId, producerEpoch, baseSequence, value } = batch;
    const request = { type: 'Produce' as const, partition, acks, timeoutMs: 3000 };
    channel.send<ProduceResponse>(
      this.cluster.nodeOf(this.leader(partition)),
      { ...request, producerId, producerEpoch, baseSequence, values: [value] },
      3000,
      (r) => (answer = r),
    );
    this.world.runUntil(() => answer !== undefined, { maxEvents: 1_000_000 });
    return answer ?? null;
  }

  /** The batches of a partition's log on a broker. */
  batches(broker: number, partition = 0): readonly RecordBatch[] {
    return this.partition(broker, partition).log.all();
  }

  /** The batch holding `value` in the leader's log. */
  batchOf(value: number, partition = 0): RecordBatch | undefined {
    return this.batches(this.leader(partition), partition).find((b) => b.values.includes(value));
  }

  /**
   * The leader of `partition` acknowledges alone, then dies; a follower is elected uncleanly
   * (unclean.leader.election.enable, min.insync.replicas 1): the new leader lacks what the old one took alone.
   * `alone` runs once the followers, cut off, have left the ISR: a write without a producer id (acks=1, lost with
   * the leader) leaves them behind first, since a follower at the leader's log end offset never leaves
   * (KAFKA-7152), and, 2.7-3.0 not recomputing the high watermark when AlterIsr commits (KAFKA-13091), `alone`'s
   * writes are what moves it. The partition should have no replica on the controller (awayFromController).
   */
  loseLeaderAfter(alone: () => void, partition: number): { old: number; now: number } {
    const old = this.leader(partition);
    const followers = this.partition(old, partition).replicas.filter((b) => b !== old);
    for (const f of followers) this.world.net.cutBoth(this.cluster.nodeOf(old), this.cluster.nodeOf(f));
    this.rawProduce({ producerId: -1, producerEpoch: -1, baseSequence: -1, value: 0 }, partition, 1);
    this.run(15_000);
    alone();
    this.crash(old).run(10_000);
    this.world.net.heal();
    this.run(2_000);
    return { old, now: this.leader(partition) };
  }
}

/** Broker settings that let a follower be elected uncleanly and a leader acknowledge alone. */
export const UNCLEAN = { 'min.insync.replicas': 1, 'unclean.leader.election.enable': true } as const;
