// The liveness probe of the final phase (workloads/queue/liveness-probe.ts) is done only once every partition has
// acknowledged a probe: the send in flight counts as pending. Found on swarm seed 15131 (newest Kafka, KRaft): the
// last partition's probe was in flight when the settle period ended, the probe looked done, the workload stopped
// it, and when that send failed nothing tried again for the rest of the 70 s bound.
import { describe, expect, it } from 'vitest';
import { KafkaCluster } from '../../sim/kafka/cluster.ts';
import { clusterConfig } from '../../sim/kafka/config.ts';
import { FINAL_READS_F } from '../../workloads/history/format.ts';
import { HistoryRecorder } from '../../workloads/history-recorder.ts';
import { QueueWorkload, queueWorkloadOptions } from '../../workloads/queue/index.ts';

describe('liveness probe', () => {
  it('tries the last partition again after its probe fails, though it was in flight when the settle ended', () => {
    const cluster = new KafkaCluster({
      seed: 7,
      config: clusterConfig({ partitions: 1, broker: { 'min.insync.replicas': 2 } }),
    });
    const world = cluster.world;
    const recorder = new HistoryRecorder(() => world.now);
    const workload = new QueueWorkload(cluster, recorder, queueWorkloadOptions({ partitions: 1 }));
    cluster.start();
    world.runUntil((w) => cluster.leaderOf(0) >= 0 || w.now > 30000);
    workload.start();
    world.runUntil(world.now + 5000);
    // The "heal" leaves one broker of three for 15 s: below min.insync.replicas, the first probe cannot be
    // acknowledged (delivery.timeout.ms 10 s) and is in flight when the settle period (10 s) ends.
    workload.beginFinalPhase(() => {
      world.crash('b1');
      world.crash('b2');
      world.schedule(15_000, () => {
        world.start('b1');
        world.start('b2');
      });
    });
    world.runUntil((w) => workload.finished || w.now >= workload.finalReadsDeadline + 1000);
    const heal = recorder.history.find((op) => op.f === FINAL_READS_F)?.time ?? Infinity;
    const probes = recorder.history.filter(
      (op) =>
        op.f === 'send' && op.time >= heal && typeof op.process === 'number' && op.process >= workload.probeProcess,
    );
    const outcomes = probes.filter((op) => op.type !== 'invoke').map((op) => op.type);
    expect(outcomes[0]).not.toBe('ok');
    expect(outcomes[outcomes.length - 1]).toBe('ok');
    expect(probes.filter((op) => op.type === 'invoke').length).toBeGreaterThan(1);
  });
});
