// The shrinker's fault minimisation beyond ddmin: windows of faults close in time, small subsets, merging
// two faults of one kind. Judged here by stand-in predicates, so each step's effect is plain.
import { describe, expect, it } from 'vitest';
import {
  ddmin,
  faultSpans,
  faultWindows,
  mergeFaults,
  minimizeFaults,
  minimizeSchedule,
} from '../../harness/shrink.ts';
import type { Schedule } from '../../nemesis/schedule.ts';
import { validateSchedule } from '../../nemesis/schedule.ts';
import { pair, schedule } from '../helpers/nemesis-schedule.ts';

const PAUSE = { target: { target: 'nodes', nodes: ['b1'] } };

/** n pause faults, fault i from 10 s + 5 s·i, lasting 3 s (so none overlaps the next). */
function pauses(n: number): Schedule {
  return schedule(
    ...Array.from({ length: n }, (_, i) => pair(i, 'pause', 10_000 + 5000 * i, 13_000 + 5000 * i, PAUSE)),
  );
}

describe('faultWindows', () => {
  it('lists runs of faults close in time, each with the faults still active when it begins, smallest first', () => {
    const s = schedule(
      pair(0, 'kill', 1000, 30_000, {}),
      pair(1, 'pause', 2000, 3000, PAUSE),
      pair(2, 'pause', 4000, 5000, PAUSE),
    );
    const windows = faultWindows(faultSpans(s), 2);
    expect(windows.slice(0, 3)).toEqual([[0], [1], [2]]);
    expect(windows).toContainEqual([0, 1]);
    expect(windows).toContainEqual([1, 2]);
    expect(windows).toContainEqual([0, 2]);
    expect(windows.every((w) => w.length <= 2)).toBe(true);
  });
});

describe('minimizeFaults', () => {
  it('finds a small group that ddmin, which only removes, misses', () => {
    // A chaotic stand-in: the failure needs faults 5 and 6 together, but any set that still holds fault 2
    // or 9 fails "by another path" so that ddmin from the whole set stops early.
    const fails = (ids: number[]): boolean =>
      (ids.includes(5) && ids.includes(6) && !ids.includes(3)) ||
      (ids.includes(2) && ids.includes(9) && ids.includes(3));
    const s = pauses(12);
    const all = s.ops.filter((op) => op.action === 'start').map((op) => op.id);
    expect(ddmin(all, fails)).toEqual([2, 3, 9]);
    expect(minimizeFaults(s, fails)).toEqual([5, 6]);
  });
});

describe('mergeFaults and minimizeSchedule', () => {
  it('merges two faults of one kind into one that lasts from the first start to the second stop', () => {
    const merged = mergeFaults(pauses(3), 0, 2);
    expect(validateSchedule(merged).ops.map((op) => [op.at, op.id, op.action])).toEqual([
      [10_000, 0, 'start'],
      [15_000, 1, 'start'],
      [18_000, 1, 'stop'],
      [23_000, 0, 'stop'],
    ]);
  });

  it('keeps a merge that still fails: one long fault instead of two short ones', () => {
    // Fails while some pause covers both 11 s and 21 s.
    const covered = (s: Schedule, t: number): boolean => faultSpans(s).some((f) => f.startMs <= t && t < f.stopMs);
    const s = pauses(3);
    const min = minimizeSchedule(s, (c) => covered(c, 11_000) && covered(c, 21_000));
    expect(faultSpans(min)).toEqual([{ id: 0, startMs: 10_000, stopMs: 23_000 }]);
  });
});
