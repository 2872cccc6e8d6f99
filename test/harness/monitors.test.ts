// Monitors online: the replica and Raft invariants run inside every run, and a violation names the world
// event in which it happened. The injected fault is one Raft does not survive: a controller's disk is
// replaced while it is down, so it comes back at epoch 0 with an empty log (what KIP-853's directory ids
// guard against). The Raft monitor must see the epoch go back at the restart's world event.
import { describe, expect, it } from 'vitest';
import { runOnce, type JudgedRun, type RunOptions } from '../../harness/index.ts';
import type { KafkaCluster } from '../../sim/kafka/cluster.ts';

const OPTIONS: RunOptions = { seed: 11, metadata: 'kraft', nemesis: [], timeSeconds: 20 };
const CONTROLLER = 'ctl2';

/** Replaces ctl2's disk at 15 s and starts it again at 16 s; returns where the restart happened. */
function withReplacedDisk(options: RunOptions): { run: JudgedRun; restart: { step: number; time: number } } {
  const restart = { step: -1, time: -1 };
  const onCluster = (cluster: KafkaCluster): void => {
    const world = cluster.world;
    world.at(15_000, () => {
      world.crash(CONTROLLER, 'process');
      const disk = world.node(CONTROLLER).disk;
      for (const file of disk.list()) disk.delete(file);
    });
    world.at(16_000, () => {
      // The world event running now: the one whose number a violation must name.
      restart.step = world.events + 1;
      restart.time = world.now;
      world.start(CONTROLLER);
    });
  };
  return { run: runOnce(options, { onCluster }), restart };
}

describe('monitors online', () => {
  it('a KRaft run carries the Raft checker, valid when nothing breaks Raft', () => {
    const run = runOnce(OPTIONS);
    const raft = run.result.checkers.find((c) => c.checker === 'raft-invariants');
    expect(raft?.valid).toBe(true);
    expect(run.result.valid).toBe(true);
    expect(run.result.config.checkers).toContain('raft-invariants');
    // ZooKeeper mode has no quorum to check.
    const zk = runOnce({ ...OPTIONS, kafka: '3.9', metadata: 'zk' });
    expect(zk.result.config.checkers).not.toContain('raft-invariants');
  });

  it('a Raft violation makes the run invalid and names the world event and time it happened at', () => {
    const { run, restart } = withReplacedDisk(OPTIONS);
    expect(restart.step).toBeGreaterThan(0);
    expect(run.result.valid).toBe(false);
    const raft = run.result.checkers.find((c) => c.checker === 'raft-invariants');
    const epoch = raft?.anomalies.find((a) => a.name === 'RaftMonotonicEpoch');
    expect(epoch, JSON.stringify(raft?.anomalies.map((a) => a.name))).toBeDefined();
    expect(run.result.anomalies.RaftMonotonicEpoch).toBeGreaterThan(0);
    expect(epoch?.examples[0].detail).toMatchObject({ step: restart.step, time: restart.time });
    // The run went on to the end: the history and the report are whole.
    expect(run.result.stoppedAt).toBeUndefined();
    expect(run.output.stats.workload.finalReadsComplete).toBeGreaterThan(0);
  });

  it('with stopOnViolation, the run ends right after that world event', () => {
    const { run, restart } = withReplacedDisk({ ...OPTIONS, stopOnViolation: true });
    expect(run.result.stoppedAt).toEqual({ checker: 'raft-invariants', step: restart.step, time: restart.time });
    expect(run.result.stats.events).toBe(restart.step);
    expect(run.result.valid).toBe(false);
    expect(run.output.stats.workload.finalReadsComplete).toBe(0);
    // The same seed and injection stop at the same event again.
    expect(withReplacedDisk({ ...OPTIONS, stopOnViolation: true }).run.result.historyHash).toBe(run.result.historyHash);
  });

  it('does not change the world: the same history hash with or without anything watching', () => {
    const watched = runOnce({ ...OPTIONS, nemesis: ['kill', 'partition'] });
    const events: unknown[] = [];
    const again = runOnce(
      { ...OPTIONS, nemesis: ['kill', 'partition'] },
      { onCluster: (c) => void c.observeRaft((e) => events.push(e)) },
    );
    expect(again.result.historyHash).toBe(watched.result.historyHash);
    expect(events.length).toBeGreaterThan(0);
  });
});
