// The opt-in slow-link fault: generated only when named (or by swarm's extra draw, from streams of its own), so
// that `all`, swarm's base draw and every existing kind list draw exactly the schedules they drew before it
// existed; and what it does to the network.
import { describe, expect, it } from 'vitest';
import { applySchedule, healAll } from '../../nemesis/apply.ts';
import {
  EVERY_FAULT_KIND,
  FAULT_KINDS,
  generateSchedule,
  OPT_IN_FAULT_KINDS,
  parseNemesisOption,
  validateSchedule,
} from '../../nemesis/schedule.ts';
import { swarm } from '../../nemesis/swarm.ts';
import { ConfigError } from '../../sim/world/errors.ts';
import { Random } from '../../sim/world/random.ts';
import { testCluster } from '../helpers/nemesis-cluster.ts';
import { pair, schedule } from '../helpers/nemesis-schedule.ts';

const SHAPE = { brokers: 3, partitions: 3, replicationFactor: 3 };

describe('opt-in fault kinds', () => {
  it("are left out of all and of swarm's base draw, and named ones come after the others", () => {
    expect(OPT_IN_FAULT_KINDS).toContain('slow-link');
    expect(FAULT_KINDS as readonly string[]).not.toContain('slow-link');
    expect(parseNemesisOption('all')).toEqual([...FAULT_KINDS]);
    expect(parseNemesisOption('slow-link,kill')).toEqual(['kill', 'slow-link']);
    expect(parseNemesisOption('all,slow-link,controller-move,slow-control-link,reassign,create-topic')).toEqual([
      ...EVERY_FAULT_KIND,
    ]);
    expect(parseNemesisOption('all,slow-link')).toEqual([...FAULT_KINDS, 'slow-link']);
    for (let seed = 0; seed < 50; seed++) expect(swarm(Random.root(seed)).kinds).not.toContain('slow-link');
  });

  it('leave schedules of the other kinds as they were when not named', () => {
    // A kind list's schedule depends only on its own draws: naming no opt-in kind changes nothing, and a
    // schedule with one still validates and holds only the kinds asked for.
    for (let seed = 0; seed < 20; seed++) {
      const options = { kinds: [...FAULT_KINDS], timeMs: 120_000, ...SHAPE, intensity: (seed % 10) / 10 };
      const all = parseNemesisOption('all');
      if (all === 'swarm') throw new Error('all parsed as swarm');
      expect(generateSchedule(Random.root(seed), options)).toEqual(
        generateSchedule(Random.root(seed), { ...options, kinds: all }),
      );
      const withSlow = generateSchedule(Random.root(seed), { ...options, kinds: ['kill', 'slow-link'] });
      expect(validateSchedule(JSON.parse(JSON.stringify(withSlow)), SHAPE)).toEqual(withSlow);
      expect(withSlow.ops.every((op) => op.kind === 'kill' || op.kind === 'slow-link')).toBe(true);
    }
  });
});

describe('slow-link', () => {
  it('checks its parameters', () => {
    const op = (params: unknown) => ({
      version: 1,
      ops: [{ at: 1000, kind: 'slow-link', action: 'start', id: 0, params }],
    });
    expect(() =>
      validateSchedule(op({ target: { target: 'zk' }, direction: 'in', minMs: 1, maxMs: 2 }), SHAPE),
    ).toThrow(ConfigError);
    expect(() =>
      validateSchedule(
        op({ target: { target: 'random', count: 1 }, direction: 'sideways', minMs: 1, maxMs: 2 }),
        SHAPE,
      ),
    ).toThrow(/direction/);
    expect(() =>
      validateSchedule(op({ target: { target: 'random', count: 1 }, direction: 'in', minMs: 5, maxMs: 2 }), SHAPE),
    ).toThrow(/maxMs/);
    expect(
      validateSchedule(
        op({ target: { target: 'nodes', nodes: ['b1'] }, direction: 'both', minMs: 100, maxMs: 200 }),
        SHAPE,
      ).ops,
    ).toHaveLength(1);
  });

  it('slows the links between the target and the other brokers, only those, until it stops', () => {
    const t = testCluster(31);
    const params = { target: { target: 'nodes', nodes: ['b1'] }, direction: 'in', minMs: 2000, maxMs: 2000 };
    applySchedule(t.cluster, schedule(pair(3, 'slow-link', 1000, 9000, params)), t.record);
    const net = t.cluster.world.net;
    t.cluster.world.runUntil(2000);
    expect(t.op('start-slow-link', 3)).toEqual({
      id: 3,
      nodes: ['b1'],
      links: [
        ['b0', 'b1'],
        ['b2', 'b1'],
      ],
      minMs: 2000,
      maxMs: 2000,
    });
    expect(net.connection('b0', 'b1').latency).toEqual({ kind: 'uniform', min: 2000, max: 2000 });
    expect(net.connection('b1', 'b0').latency).toBeNull();
    expect(net.connection('zk', 'b1').latency).toBeNull();
    t.cluster.world.runUntil(10000);
    expect(net.connection('b0', 'b1').latency).toBeNull();
    expect(t.op('stop-slow-link', 3)).toEqual({ id: 3, nodes: ['b1'], restored: 2 });
  });

  it('is undone by healAll', () => {
    const t = testCluster(32);
    applySchedule(
      t.cluster,
      schedule(
        pair(4, 'slow-link', 1000, 50000, {
          target: { target: 'random', count: 3 },
          direction: 'both',
          minMs: 500,
          maxMs: 900,
        }),
      ),
      t.record,
    );
    t.cluster.world.runUntil(2000);
    expect(t.cluster.world.net.connection('b2', 'b0').latency).not.toBeNull();
    healAll(t.cluster, t.record);
    for (const [a, b] of [
      ['b0', 'b1'],
      ['b1', 'b0'],
      ['b2', 'b0'],
      ['b0', 'b2'],
    ])
      expect(t.cluster.world.net.connection(a, b).latency).toBeNull();
  });
});
