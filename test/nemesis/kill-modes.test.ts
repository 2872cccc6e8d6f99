// Generated kills are process crashes, or with --kill-modes mixed one in four its machines losing power.
// The crash modes come from a stream of their own: every fault's time, kind and target stay as they were.
import { describe, expect, it } from 'vitest';
import { generateSchedule, POWER_LOSS_SHARE, type Schedule } from '../../nemesis/index.ts';
import { POWER_LOSS_MODES, Random } from '../../sim/world/index.ts';

const shape = {
  kinds: ['kill' as const, 'partition' as const, 'pause' as const],
  timeMs: 600_000,
  brokers: 5,
  partitions: 3,
};

function modesOf(s: Schedule): unknown[] {
  return s.ops
    .filter((op) => op.action === 'start' && op.kind === 'kill')
    .map((op) => (op.params as { mode: unknown }).mode);
}

describe('kill modes', () => {
  it('process: every generated kill is a process crash', () => {
    const s = generateSchedule(Random.root(3).fork('schedule'), { ...shape, killModes: 'process' });
    expect(modesOf(s).length).toBeGreaterThan(5);
    expect(new Set(modesOf(s))).toEqual(new Set(['process']));
  });

  it('mixed: about one kill in four loses power, and nothing else about the schedule moves', () => {
    let kills = 0;
    let powerLosses = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const plain = generateSchedule(Random.root(seed).fork('schedule'), { ...shape, killModes: 'process' });
      const mixed = generateSchedule(Random.root(seed).fork('schedule'), { ...shape, killModes: 'mixed' });
      const strip = (s: Schedule) => s.ops.map((op) => ({ ...op, params: { ...op.params, mode: undefined } }));
      expect(strip(mixed)).toEqual(strip(plain));
      for (const m of modesOf(mixed)) {
        kills++;
        if (m !== 'process') {
          powerLosses++;
          expect(POWER_LOSS_MODES).toContain(m);
        }
      }
    }
    expect(kills).toBeGreaterThan(200);
    expect(powerLosses / kills).toBeGreaterThan(POWER_LOSS_SHARE - 0.08);
    expect(powerLosses / kills).toBeLessThan(POWER_LOSS_SHARE + 0.08);
  });
});
