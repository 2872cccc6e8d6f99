// The controller-move fault (ZooKeeper mode): an operator deletes /controller while the deposed controller is slow
// to hear of it. Another broker takes over in the next controller epoch; the zombie's ZooKeeper writes fail on
// /controller_epoch and brokers refuse its requests, and nothing of it shows in the verdict. In KRaft it does nothing.
import { describe, expect, it } from 'vitest';
import { runOnce } from '../../harness/index.ts';
import { runProbes } from '../../harness/probes.ts';
import { validateSchedule } from '../../nemesis/schedule.ts';
import { ConfigError } from '../../sim/world/errors.ts';

const SHAPE = { brokers: 3, partitions: 3, replicationFactor: 3 };

describe('controller-move', () => {
  it('checks its parameters', () => {
    const op = (params: unknown) => ({
      version: 1,
      ops: [{ at: 1000, kind: 'controller-move', action: 'start', id: 0, params }],
    });
    expect(validateSchedule(op({ minMs: 100, maxMs: 200 }), SHAPE).ops).toHaveLength(1);
    expect(() => validateSchedule(op({ minMs: 300, maxMs: 200 }), SHAPE)).toThrow(ConfigError);
    expect(() => validateSchedule(op({ minMs: 100, maxMs: 200, target: 'b1' }), SHAPE)).toThrow(ConfigError);
  });

  it('makes zombie controllers that are fenced: their writes fail, brokers refuse them, the runs stay valid', () => {
    let fenced = 0;
    let refused = 0;
    for (const seed of [1, 2, 3]) {
      // Kills give the zombie something to act on: broker changes it handles before it hears it was deposed.
      const nemesis = ['controller-move', 'kill'] as const;
      const run = runOnce({ seed, kafka: '3.9', metadata: 'zk', nemesis: [...nemesis], intensity: 0.8 });
      expect(run.result.valid).toBe(true);
      const moves = run.output.history.filter((op) => op.f === 'start-controller-move');
      expect(moves.length).toBeGreaterThan(0);
      const hits = runProbes(run.output.probes).hits;
      fenced += hits.zkControllerFenced;
      refused += hits.zkStaleControllerEpochRefused;
    }
    expect(fenced).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  });

  it('before AlterIsr (2.4) leaders write their ISR with the controller epoch they know: no fencing finding', () => {
    // In seed 4 a leader writes its ISR change with an older controller epoch than /controller_epoch holds.
    for (const seed of [4, 5]) {
      const nemesis = ['controller-move', 'kill', 'partition'] as const;
      const run = runOnce({
        seed,
        kafka: '2.4',
        metadata: 'zk',
        nemesis: [...nemesis],
        intensity: 0.8,
        timeSeconds: 40,
      });
      expect(run.result.anomalies.ControllerEpochFencing).toBeUndefined();
    }
  });

  it('does nothing in KRaft mode, where there is no /controller', () => {
    const run = runOnce({ seed: 1, nemesis: ['controller-move'], timeSeconds: 30 });
    expect(run.result.valid).toBe(true);
    const starts = run.output.history.filter((op) => op.f === 'start-controller-move');
    expect(starts.length).toBeGreaterThan(0);
    expect(JSON.stringify(starts[0].value)).toContain('"deposed":null');
  });
});
