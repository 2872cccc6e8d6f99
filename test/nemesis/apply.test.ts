// Applying schedules: what gets recorded, lone stops, checking a schedule against its cluster, healAll
// leaving nothing active, and a generated schedule running deterministically to a quiet end.
import { describe, expect, it } from 'vitest';
import { applySchedule, healAll } from '../../nemesis/apply.ts';
import { FAULT_KINDS, generateSchedule } from '../../nemesis/schedule.ts';
import { faultState, isQuiet } from '../../nemesis/state.ts';
import { ConfigError } from '../../sim/world/errors.ts';
import { Random } from '../../sim/world/random.ts';
import { testCluster } from '../helpers/nemesis-cluster.ts';
import { pair, schedule } from '../helpers/nemesis-schedule.ts';

describe('applySchedule', () => {
  it('records start-<kind> and stop-<kind> with the concrete targets, at the op times', () => {
    const t = testCluster(21);
    applySchedule(
      t.cluster,
      schedule(pair(7, 'pause', 4000, 6500, { target: { target: 'nodes', nodes: ['b2'] } })),
      t.record,
    );
    t.cluster.world.runUntil(10000);
    expect(t.ops).toEqual([
      { f: 'start-pause', value: { id: 7, nodes: ['b2'] }, time: 4000 },
      { f: 'stop-pause', value: { id: 7, resumed: ['b2'] }, time: 6500 },
    ]);
  });

  it('records a stop whose start never happened, or that already ran, as a no-op', () => {
    const t = testCluster(21);
    const ops = pair(1, 'kill', 2000, 3000, { target: { target: 'nodes', nodes: ['b1'] }, mode: 'lose-unsynced' });
    applySchedule(t.cluster, { version: 1, ops: [ops[1]] }, t.record);
    applySchedule(
      t.cluster,
      schedule(pair(2, 'clock', 1000, 1500, { target: { target: 'zk' }, jumpMs: 5, drift: 0 })),
      t.record,
    );
    applySchedule(
      t.cluster,
      { version: 1, ops: [{ at: 1800, kind: 'clock', action: 'stop', id: 2, params: {} }] },
      t.record,
    );
    t.cluster.world.runUntil(5000);
    expect(t.ops.map((o) => [o.time, o.f, o.value])).toEqual([
      [1000, 'start-clock', { id: 2, nodes: ['zk'], jumpMs: 5, drift: 0 }],
      [1500, 'stop-clock', { id: 2, reset: ['zk'] }],
      [1800, 'stop-clock', { id: 2, noop: true, reason: 'fault 2 is not active' }],
      [3000, 'stop-kill', { id: 1, noop: true, reason: 'fault 1 is not active' }],
    ]);
    expect(t.cluster.world.node('b1').status).toBe('running');
  });

  it('resolves a role that nobody holds to no target at all', () => {
    const t = testCluster(22);
    // At time 0 nothing is elected yet.
    applySchedule(
      t.cluster,
      schedule(pair(0, 'kill', 0, 100, { target: { target: 'leader-of', partition: 0 }, mode: 'torn-last' })),
      t.record,
    );
    t.cluster.world.runUntil(200);
    expect(t.ops.map((o) => o.value)).toEqual([
      { id: 0, nodes: [], mode: 'torn-last' },
      { id: 0, restarted: [] },
    ]);
  });

  it('checks the schedule against the cluster before scheduling anything', () => {
    const t = testCluster(23);
    const bad = schedule(
      pair(0, 'pause', 1000, 2000, { target: { target: 'nodes', nodes: ['b1'] } }),
      pair(1, 'kill', 1000, 2000, { target: { target: 'nodes', nodes: ['b3'] }, mode: 'torn-last' }),
    );
    expect(() => applySchedule(t.cluster, bad, t.record)).toThrow(ConfigError);
    expect(() => applySchedule(t.cluster, bad, t.record)).toThrow('no broker node "b3" in a 3-broker cluster');
    t.cluster.world.runUntil(3000);
    expect(t.ops).toEqual([]);
  });
});

describe('healAll', () => {
  it('ends every active fault at once and leaves nothing active', () => {
    // Without KIP-966: with it, a partition whose replicas all crashed stays offline (reported).
    const t = testCluster(24, {}, 3, { strictMinIsr: false, elr: false });
    t.produce(1000, 60000);
    applySchedule(
      t.cluster,
      schedule(
        pair(0, 'partition', 5000, 50000, { mode: 'majorities-ring' }),
        pair(1, 'zk', 5000, 50000, { target: { target: 'nodes', nodes: ['b0'] } }),
        pair(2, 'pause', 5000, 50000, { target: { target: 'zk' } }),
        pair(3, 'clock', 5000, 50000, { target: { target: 'zk' }, jumpMs: -3000, drift: 0.1 }),
        pair(4, 'disk', 5000, 50000, {
          target: { target: 'nodes', nodes: ['b2'] },
          fsyncLies: true,
          ioErrorRate: 0,
          full: false,
        }),
        pair(5, 'packet', 5000, 50000, { scope: 'links', links: [['b2', 'b0']], loss: 1, duplicate: 0, delay: null }),
        pair(6, 'outage', 6000, 8000, { partition: 0, mode: 'lose-unsynced', order: 'fresh-first', gapMs: 20000 }),
      ),
      t.record,
    );
    t.cluster.world.runUntil(9000);
    const during = faultState(t.cluster);
    expect(during.active).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(during.down).toHaveLength(2); // the outage's second and third replicas are still waiting
    expect(isQuiet(during)).toBe(false);

    healAll(t.cluster, t.record);
    const after = faultState(t.cluster);
    expect(after).toEqual({ active: [], cuts: [], paused: [], down: [], clocks: [], disks: [], packetLinks: [] });
    expect(isQuiet(after)).toBe(true);
    const heal = t.ops[t.ops.length - 1];
    expect(heal.f).toBe('heal-all');
    expect(heal.time).toBe(9000);
    expect(heal.value).toMatchObject({
      faults: [0, 1, 2, 3, 4, 5, 6].map((id) => ({ id })),
      resumed: ['zk'],
      clocksReset: ['zk'],
      disksCleared: ['b2'],
      packetFaults: 'cleared',
    });
    // Each fault's own stop is recorded too, so a report can close every band.
    expect(t.ops.filter((o) => o.f.startsWith('stop-') && o.time === 9000)).toHaveLength(6);
    expect(t.ops.filter((o) => o.f === 'step-outage' && o.time === 9000)).toHaveLength(2);

    // The cancelled restarts never fire, and the schedule's later stops are no-ops.
    const count = t.ops.length;
    t.cluster.world.runUntil(60000);
    expect(
      t.ops
        .slice(count)
        .every(
          (o) => typeof o.value === 'object' && o.value !== null && !Array.isArray(o.value) && o.value.noop === true,
        ),
    ).toBe(true);
    expect(t.ops.slice(count)).toHaveLength(6);
    expect(isQuiet(faultState(t.cluster))).toBe(true);
    // And the cluster works again.
    expect(t.cluster.leaderOf(0)).toBeGreaterThanOrEqual(0);
  });

  it('also sweeps damage the nemesis did not cause', () => {
    const t = testCluster(25);
    t.cluster.world.runUntil(1000);
    t.cluster.world.net.cutBoth('b0', 'b1');
    t.cluster.world.crash('b2');
    t.cluster.world.pause('zk');
    healAll(t.cluster, t.record);
    expect(isQuiet(faultState(t.cluster))).toBe(true);
    expect(t.ops).toEqual([
      {
        f: 'heal-all',
        value: {
          faults: [],
          linksHealed: 2,
          resumed: ['zk'],
          restarted: ['b2'],
          clocksReset: [],
          disksCleared: [],
          packetFaults: 'cleared',
        },
        time: 1000,
      },
    ]);
  });
});

describe('a generated schedule on a real cluster', () => {
  // Disk faults are left out: on a follower they abort the run (a simulator bug, reported).
  const kinds = FAULT_KINDS.filter((k) => k !== 'disk');

  function run(seed: number): { ops: string; events: number; quiet: boolean } {
    const t = testCluster(seed);
    const timeMs = 120_000;
    t.produce(1000, timeMs - 10_000, 100);
    const s = generateSchedule(Random.root(seed).fork('schedule'), {
      kinds,
      timeMs,
      brokers: 3,
      partitions: 1,
      replicationFactor: 3,
      intensity: 0.8,
    });
    applySchedule(t.cluster, s, t.record);
    t.cluster.world.runUntil(timeMs);
    return { ops: JSON.stringify(t.ops), events: t.cluster.world.events, quiet: isQuiet(faultState(t.cluster)) };
  }

  it('runs the same way twice and ends with no fault active', () => {
    for (const seed of [31, 32]) {
      const a = run(seed);
      expect(run(seed)).toEqual(a);
      expect(a.quiet).toBe(true);
      expect(JSON.parse(a.ops).length).toBeGreaterThan(8);
    }
  });
});
