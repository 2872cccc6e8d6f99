// One partition's replica driven by hand (sim/kafka/partition.ts), for tests that read Kafka's Partition rules one
// at a time: partition 0 with replicas [0, 1, 2], the newest release's behaviours, a clock stopped at 0, ISR changes
// recorded and never answered, and every follower eligible for the ISR.
import { expect } from 'vitest';
import { BROKER_DEFAULTS } from '../../sim/kafka/config.ts';
import type { PartitionState } from '../../sim/kafka/messages.ts';
import type { KafkaBehaviours } from '../../sim/kafka/protocol.ts';
import { ObserverHub } from '../../sim/kafka/observer.ts';
import { Partition } from '../../sim/kafka/partition.ts';
import { NO_PRODUCER } from '../../sim/kafka/records.ts';
import { Disk, Random } from '../../sim/world/index.ts';
import { NEWEST_BEHAVIOURS } from './behaviours.ts';

export interface HandPartitionOptions {
  /** The broker it lives on (0 unless told). */
  brokerId?: number;
  /** Its disk: a blank one unless told (a disk a replica lived on before, for a restart). */
  disk?: Disk;
  /** The high watermark the broker's checkpoint holds for it at start. */
  checkpointedHighWatermark?: number;
  /** The release behaviours it follows (the newest release's unless told). */
  protocol?: KafkaBehaviours;
}

/** Partition 0's replica on a broker; the ISR changes it proposes are in `proposals`. */
export function handPartition(options: HandPartitionOptions = {}) {
  const brokerId = options.brokerId ?? 0;
  const disk = options.disk ?? new Disk(`b${String(brokerId)}`, Random.root(1));
  const proposals: { isr: number[]; change: 'shrink' | 'expand' }[] = [];
  const p = new Partition(
    0,
    {
      brokerId,
      disk,
      config: { ...BROKER_DEFAULTS },
      protocol: options.protocol ?? NEWEST_BEHAVIOURS,
      now: () => 0,
      observe: new ObserverHub(),
      proposeIsr: (_p, isr, change) => proposals.push({ isr, change }),
      onHighWatermark: () => {},
      onAppend: () => {},
      useAlterIsr: true,
      isReplicaIsrEligible: () => true,
    },
    options.checkpointedHighWatermark ?? 0,
  );
  /** Appends one record per value as leader with acks=1, without a producer id. */
  const append = (...values: number[]): void => {
    for (const v of values) {
      const r = p.appendAsLeader({ producerId: NO_PRODUCER, producerEpoch: -1, baseSequence: -1 }, [v], 1);
      expect(r.error).toBe('NONE');
    }
  };
  const values = (): number[] => p.log.all().flatMap((b) => b.values);
  return { disk, p, proposals, append, values };
}

/** Partition 0's state from the controller: `leader` in `leaderEpoch` with `isr`, replicas [0, 1, 2]. */
export function partitionState(leader: number, leaderEpoch: number, isr: number[]): PartitionState {
  return { partition: 0, leader, leaderEpoch, isr, partitionEpoch: leaderEpoch, replicas: [0, 1, 2], elr: [] };
}
