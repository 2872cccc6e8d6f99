// The opt-in slow-control-link fault: seconds of latency between chosen brokers and the metadata nodes
// (ZooKeeper here; the KRaft controllers), the brokers' links to each other left alone, until it stops.
import { describe, expect, it } from 'vitest';
import { applySchedule, healAll } from '../../nemesis/apply.ts';
import { EVERY_FAULT_KIND, FAULT_KINDS, generateSchedule, validateSchedule } from '../../nemesis/schedule.ts';
import { ConfigError } from '../../sim/world/errors.ts';
import { Random } from '../../sim/world/random.ts';
import { testCluster } from '../helpers/nemesis-cluster.ts';
import { pair, schedule } from '../helpers/nemesis-schedule.ts';

const SHAPE = { brokers: 3, partitions: 3, replicationFactor: 3 };

describe('slow-control-link', () => {
  it('is opt-in, and its generated schedules validate', () => {
    expect(EVERY_FAULT_KIND as readonly string[]).toContain('slow-control-link');
    expect(FAULT_KINDS as readonly string[]).not.toContain('slow-control-link');
    for (let seed = 0; seed < 10; seed++) {
      const s = generateSchedule(Random.root(seed), { kinds: ['slow-control-link'], timeMs: 120_000, ...SHAPE });
      expect(s.ops.length).toBeGreaterThan(0);
      expect(validateSchedule(JSON.parse(JSON.stringify(s)), SHAPE)).toEqual(s);
    }
  });

  it('checks its parameters', () => {
    const op = (params: unknown) => ({
      version: 1,
      ops: [{ at: 1000, kind: 'slow-control-link', action: 'start', id: 0, params }],
    });
    expect(() =>
      validateSchedule(op({ target: { target: 'zk' }, direction: 'in', minMs: 1, maxMs: 2 }), SHAPE),
    ).toThrow(ConfigError);
    expect(() =>
      validateSchedule(op({ target: { target: 'random', count: 1 }, direction: 'in', minMs: 5, maxMs: 2 }), SHAPE),
    ).toThrow(/maxMs/);
  });

  it('slows the links between the target and ZooKeeper, only those, until it stops or all heal', () => {
    const t = testCluster(33);
    const params = { target: { target: 'nodes', nodes: ['b1'] }, direction: 'both', minMs: 2000, maxMs: 2000 };
    applySchedule(t.cluster, schedule(pair(3, 'slow-control-link', 1000, 9000, params)), t.record);
    const net = t.cluster.world.net;
    t.cluster.world.runUntil(2000);
    expect(t.op('start-slow-control-link', 3)).toEqual({
      id: 3,
      nodes: ['b1'],
      links: [
        ['zk', 'b1'],
        ['b1', 'zk'],
      ],
      minMs: 2000,
      maxMs: 2000,
    });
    expect(net.connection('zk', 'b1').latency).toEqual({ kind: 'uniform', min: 2000, max: 2000 });
    expect(net.connection('b1', 'zk').latency).toEqual({ kind: 'uniform', min: 2000, max: 2000 });
    expect(net.connection('b0', 'b1').latency).toBeNull();
    expect(net.connection('zk', 'b0').latency).toBeNull();
    t.cluster.world.runUntil(10000);
    expect(net.connection('zk', 'b1').latency).toBeNull();
    expect(t.op('stop-slow-control-link', 3)).toEqual({ id: 3, nodes: ['b1'], restored: 2 });

    const u = testCluster(34);
    applySchedule(u.cluster, schedule(pair(4, 'slow-control-link', 1000, 50000, params)), u.record);
    u.cluster.world.runUntil(2000);
    expect(u.cluster.world.net.connection('b1', 'zk').latency).not.toBeNull();
    healAll(u.cluster, u.record);
    expect(u.cluster.world.net.connection('b1', 'zk').latency).toBeNull();
  });
});
