// Generated kills are process crashes, or with --kill-modes mixed one in four its machines losing power.
// The crash modes come from a stream of their own: every fault's time, kind and target stay as they were.
import { describe, expect, it } from 'vitest';
import { generateSchedule, POWER_LOSS_SHARE, type Schedule } from '../../nemesis/index.ts';
import { chooseSchedule } from '../../harness/nemesis.ts';
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

describe('crash modes drawn for outages, and for swarm', () => {
  it('mixed: an outage is a process crash or, about one time in four, its machines losing power', () => {
    let outages = 0;
    let powerLosses = 0;
    for (let seed = 1; seed <= 80; seed++) {
      const options = { kinds: ['outage' as const, 'kill' as const], timeMs: 120_000, brokers: 3, partitions: 3 };
      const plain = generateSchedule(Random.root(seed).fork('schedule'), { ...options, killModes: 'process' });
      const mixed = generateSchedule(Random.root(seed).fork('schedule'), { ...options, killModes: 'mixed' });
      for (const op of plain.ops)
        if (op.action === 'start') expect((op.params as { mode: unknown }).mode).toBe('process');
      for (const op of mixed.ops) {
        if (op.action !== 'start' || op.kind !== 'outage') continue;
        outages++;
        if (op.params.mode !== 'process') {
          powerLosses++;
          expect(POWER_LOSS_MODES).toContain(op.params.mode);
        }
      }
    }
    expect(outages).toBeGreaterThan(80);
    expect(powerLosses / outages).toBeGreaterThan(POWER_LOSS_SHARE - 0.1);
    expect(powerLosses / outages).toBeLessThan(POWER_LOSS_SHARE + 0.1);
  });

  it('swarm passes the kill modes on: mixed draws power losses among its kills, process none', () => {
    const modes = (killModes: 'process' | 'mixed'): unknown[] => {
      const out: unknown[] = [];
      for (let seed = 1; seed <= 150; seed++) {
        const plan = { kinds: 'swarm' as const, intensity: undefined, killModes };
        const shape = { timeMs: 60_000, brokers: 3, partitions: 3, replicationFactor: 3 };
        const { schedule } = chooseSchedule(Random.root(seed).fork('nemesis'), { plan, ...shape });
        out.push(...modesOf(schedule));
      }
      return out;
    };
    expect(new Set(modes('process'))).toEqual(new Set(['process']));
    const mixed = modes('mixed');
    expect(mixed.length).toBeGreaterThan(40);
    expect(mixed.filter((m) => m !== 'process').length).toBeGreaterThan(0);
  });
});
