// Swarm's extra draw of the opt-in kinds (slow links, a controller move): from streams of their own, so a seed that
// draws no extra keeps exactly the schedule it had, and one that does keeps its base faults and gains the extras.
import { describe, expect, it } from 'vitest';
import { chooseSchedule } from '../../harness/nemesis.ts';
import { overlaySchedule, swarmExtras, SWARM_EXTRA_SHARE } from '../../nemesis/swarm.ts';
import { generateSchedule, validateSchedule } from '../../nemesis/schedule.ts';
import { swarm } from '../../nemesis/swarm.ts';
import { Random } from '../../sim/world/random.ts';

const SHAPE = { timeMs: 60_000, brokers: 3, partitions: 3, replicationFactor: 3 };
const plan = { kinds: 'swarm' as const, intensity: undefined, killModes: 'process' as const };

/** The schedule swarm generated for a seed before the extras existed. */
function baseOf(seed: number) {
  const random = Random.root(seed).fork('nemesis');
  const picked = swarm(random.fork('swarm'));
  return generateSchedule(random.fork('schedule'), {
    ...SHAPE,
    kinds: picked.kinds,
    intensity: picked.intensity,
    killModes: plan.killModes,
  });
}

describe('swarm extras', () => {
  it('keep every seed base schedule; seeds with extras add only the opt-in kinds, after the base ids', () => {
    let withExtras = 0;
    for (let seed = 1; seed <= 60; seed++) {
      for (const metadata of ['zk', 'kraft'] as const) {
        const chosen = chooseSchedule(Random.root(seed).fork('nemesis'), { plan, ...SHAPE, metadata });
        const base = baseOf(seed);
        const extras = swarmExtras(Random.root(seed).fork('nemesis').fork('swarm-extras'), metadata);
        if (extras.length === 0) {
          expect(chosen.schedule).toEqual(base);
          continue;
        }
        withExtras++;
        const baseIds = new Set(base.ops.map((op) => op.id));
        expect(chosen.schedule.ops.filter((op) => baseIds.has(op.id))).toEqual(base.ops);
        const added = chosen.schedule.ops.filter((op) => !baseIds.has(op.id));
        expect(added.every((op) => extras.includes(op.kind))).toBe(true);
        expect(chosen.swarmDescription).toContain(`plus ${extras.join(', ')}`);
        expect(validateSchedule(JSON.parse(JSON.stringify(chosen.schedule)), SHAPE)).toEqual(chosen.schedule);
        if (metadata === 'kraft') expect(extras).not.toContain('controller-move');
      }
    }
    // About 1 - (1 - share)^5 of ZooKeeper seeds and 1 - (1 - share)^4 of KRaft ones draw something (controller-move
    // is ZooKeeper's only): 0.88 and 0.82 at 0.35, 102 of 120; never all.
    const expected = 60 * (2 - (1 - SWARM_EXTRA_SHARE) ** 5 - (1 - SWARM_EXTRA_SHARE) ** 4);
    expect(withExtras).toBeGreaterThan(expected * 0.85);
    expect(withExtras).toBeLessThan(Math.min(120, expected * 1.15));
  });

  it('overlaySchedule renumbers the extra faults after the base ones and keeps time order', () => {
    const base = generateSchedule(Random.root(7), { kinds: ['kill'], ...SHAPE });
    const extra = generateSchedule(Random.root(8), { kinds: ['slow-link'], ...SHAPE });
    const both = overlaySchedule(base, extra);
    expect(both.ops).toHaveLength(base.ops.length + extra.ops.length);
    const times = both.ops.map((op) => op.at);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const maxBase = Math.max(...base.ops.map((op) => op.id));
    expect(both.ops.filter((op) => op.kind === 'slow-link').every((op) => op.id > maxBase)).toBe(true);
    expect(overlaySchedule(base, { version: 1, ops: [] })).toBe(base);
  });
});
