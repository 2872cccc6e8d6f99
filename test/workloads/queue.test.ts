// The queue workload on a real simulated cluster (no faults, no runner): what it records must follow
// Jepsen's conventions, satisfy the checkers, and end with complete final reads.
import { describe, expect, it } from 'vitest';
import { checkDurability } from '../../checkers/durability/index.ts';
import { checkQueue } from '../../checkers/queue/index.ts';
import { KafkaCluster } from '../../sim/kafka/cluster.ts';
import { clusterConfig } from '../../sim/kafka/config.ts';
import { FINAL_READS_F, isClientProcess, WORKLOAD_PROCESS, type History } from '../../workloads/history/format.ts';
import { HistoryRecorder } from '../../workloads/history-recorder.ts';
import { expectProcessDiscipline } from '../helpers/process-discipline.ts';
import { QueueWorkload, queueWorkloadOptions, type QueueWorkloadOverrides } from '../../workloads/queue/index.ts';

const PARTITIONS = 3;

function runQueue(
  seed: number,
  overrides: QueueWorkloadOverrides,
  mainMs: number,
): { history: History; workload: QueueWorkload; healCalls: number } {
  const cluster = new KafkaCluster({
    seed,
    config: clusterConfig({ partitions: PARTITIONS, broker: { 'min.insync.replicas': 2 } }),
  });
  const world = cluster.world;
  const recorder = new HistoryRecorder(() => world.now);
  const workload = new QueueWorkload(cluster, recorder, queueWorkloadOptions({ partitions: PARTITIONS, ...overrides }));
  cluster.start();
  world.runUntil((w) => [0, 1, 2].every((p) => cluster.leaderOf(p) >= 0) || w.now > 30000);
  workload.start();
  world.runUntil(world.now + mainMs);
  let healCalls = 0;
  workload.beginFinalPhase(() => healCalls++);
  const stopAt = workload.finalReadsDeadline + 1000;
  world.runUntil((w) => workload.finished || w.now >= stopAt);
  return { history: recorder.history, workload, healCalls };
}

function markerIndex(history: History): number {
  return history.findIndex((op) => op.process === WORKLOAD_PROCESS && op.f === FINAL_READS_F);
}

/** Values each key's ok polls returned after position `from`. */
function valuesReadAfter(history: History, from: number): Map<number, Set<number>> {
  const read = new Map<number, Set<number>>();
  for (const op of history.slice(from)) {
    if (op.f !== 'poll' || op.type !== 'ok') continue;
    const byKey = (op.value as [string, Record<string, [number, number][]>][])[0][1];
    for (const key of Object.keys(byKey)) {
      const set = read.get(Number(key)) ?? new Set<number>();
      for (const [, value] of byKey[key]) set.add(value);
      read.set(Number(key), set);
    }
  }
  return read;
}

function ackedSends(history: History, before: number): [key: number, offset: number, value: number][] {
  return history
    .slice(0, before)
    .filter((op) => op.f === 'send' && op.type === 'ok')
    .map((op) => {
      const [, key, [offset, value]] = (op.value as [string, number, [number, number]][])[0];
      return [key, offset, value];
    });
}

describe('queue workload without faults', () => {
  const { history, workload, healCalls } = runQueue(7, {}, 20000);

  it('is valid for the queue and durability checkers', () => {
    const queue = checkQueue(history);
    expect(queue.anomalies).toEqual([]);
    expect(queue.valid).toBe(true);
    expect(queue.stats?.acked).toBeGreaterThan(300);
    expect(checkDurability(history).valid).toBe(true);
  });

  it('sends at about the configured rate, and every send is acknowledged', () => {
    const stats = workload.stats();
    // 20 sends per second for 20 s, minus the generator's waits for a free producer.
    expect(stats.sends).toBeGreaterThan(300);
    expect(stats.sends).toBeLessThan(500);
    expect(stats.acked).toBe(stats.sends);
    expect(stats.abandonedOps).toBe(0);
  });

  it('reads every acknowledged send in the final phase, each where it was acknowledged', () => {
    const marker = markerIndex(history);
    expect(marker).toBeGreaterThan(0);
    const read = valuesReadAfter(history, marker);
    const acked = ackedSends(history, marker);
    expect(acked.length).toBeGreaterThan(300);
    for (const [key, , value] of acked) expect(read.get(key)?.has(value), `value ${value} of key ${key}`).toBe(true);
    expect(workload.stats().finalReadsComplete).toBe(2);
  });

  it('records the final phase: heal, marker, then each consumer assigns everything and seeks to 0', () => {
    expect(healCalls).toBe(1);
    const marker = markerIndex(history);
    expect(history.filter((op) => op.f === FINAL_READS_F)).toHaveLength(1);
    const after = history.slice(marker + 1);
    // The producers send nothing more; the liveness probe sends acks=all to each partition until acknowledged.
    const probes = after.filter((op) => op.f === 'send' && op.type === 'invoke');
    expect(new Set(probes.map((op) => op.process))).toEqual(new Set([workload.probeProcess]));
    expect(probes.map((op) => (op.value as [[string, number, number]])[0][1])).toEqual([0, 1, 2]);
    for (const slot of workload.consumerSlots) {
      // A poll in flight when the phase began completes first.
      const ops = after.filter((op) => op.process === slot.process && op.f !== 'poll');
      expect(ops.slice(0, 4).map((op) => [op.type, op.f, op.value])).toEqual([
        ['invoke', 'assign', [0, 1, 2]],
        ['ok', 'assign', [0, 1, 2]],
        [
          'invoke',
          'seek',
          [
            [0, 0],
            [1, 0],
            [2, 0],
          ],
        ],
        [
          'ok',
          'seek',
          [
            [0, 0],
            [1, 0],
            [2, 0],
          ],
        ],
      ]);
    }
  });

  it('stamps ops with non-decreasing world time and dense indices', () => {
    history.forEach((op, i) => expect(op.index).toBe(i));
    for (let i = 1; i < history.length; i++) expect(history[i].time).toBeGreaterThanOrEqual(history[i - 1].time);
  });
});

describe('client crashes', () => {
  const { history, workload } = runQueue(11, { crashProbability: 0.05 }, 10000);

  it('record a crash op (invoke, then info) and replace the process on the same node', () => {
    const crashes = history.filter((op) => op.f === 'crash');
    expect(crashes.length).toBeGreaterThan(10);
    for (let i = 0; i < crashes.length; i += 2) {
      expect([crashes[i].type, crashes[i + 1].type]).toEqual(['invoke', 'info']);
      expect(crashes[i + 1].process).toBe(crashes[i].process);
      expect(String(crashes[i].value)).toMatch(/^(producer|consumer)-\d+$/);
      // The crashed process never acts again.
      expect(history.slice(crashes[i + 1].index + 1).some((op) => op.process === crashes[i].process)).toBe(false);
    }
    expect(workload.stats().clientCrashes).toBe(crashes.length / 2);
    // Each info completion hands its node a fresh id: ids are allocated in order, never reused.
    // The final phase's probe takes one more when it begins.
    const initial = workload.producerSlots.length + workload.consumerSlots.length + 1;
    const infos = history.filter((op) => isClientProcess(op.process) && op.type === 'info').length;
    const used = new Set(history.filter((op) => isClientProcess(op.process)).map((op) => op.process as number));
    for (const p of used) expect(p).toBeLessThan(initial + infos);
    const current = [...workload.producerSlots, ...workload.consumerSlots].map((s) => s.process);
    expect(new Set(current).size).toBe(current.length);
    expect(current.some((p) => p >= initial)).toBe(true);
  });

  it('keeps Jepsen process discipline', () => {
    expectProcessDiscipline(history);
  });

  it('still gives a history the checkers find valid', () => {
    expect(checkQueue(history).anomalies).toEqual([]);
    expect(checkDurability(history).valid).toBe(true);
  });
});
