// Network faults on a real cluster: the partition shapes, the 2013 leader-data-path cut, ZooKeeper cuts
// and packet faults. Each start is checked against the network's cuts and each stop must undo exactly it.
import { describe, expect, it } from 'vitest';
import { applySchedule } from '../../nemesis/apply.ts';
import { faultState } from '../../nemesis/state.ts';
import { testCluster } from '../helpers/nemesis-cluster.ts';
import { pair, schedule } from '../helpers/nemesis-schedule.ts';

/** Undirected cut pairs as "a|b" with a < b, for comparing shapes. */
function cutPairs(cuts: [string, string][]): string[] {
  const out = new Set<string>();
  for (const [a, b] of cuts) out.add(a < b ? `${a}|${b}` : `${b}|${a}`);
  return [...out].sort();
}

describe('partition', () => {
  it('isolate cuts one node off from every other cluster node, not from clients, and the stop heals it', () => {
    const t = testCluster(11);
    applySchedule(
      t.cluster,
      schedule(pair(0, 'partition', 3000, 6000, { mode: 'isolate', target: { target: 'controller' } })),
      t.record,
    );
    t.cluster.world.runUntil(3000);
    const start = t.op('start-partition', 0);
    const node = (start.nodes as string[])[0];
    expect(node).toBe(`b${t.cluster.activeController()?.id}`);
    const others = ['b0', 'b1', 'b2', 'zk'].filter((n) => n !== node);
    expect(cutPairs(t.cluster.world.net.cuts())).toEqual(
      others.map((o) => (node < o ? `${node}|${o}` : `${o}|${node}`)).sort(),
    );
    expect(t.cluster.world.net.isCut(node, 'c0')).toBe(false);
    t.cluster.world.runUntil(6000);
    expect(t.cluster.world.net.cuts()).toEqual([]);
    expect(t.op('stop-partition', 0)).toEqual({ id: 0, mode: 'isolate', healed: 6 });
  });

  it('minority-majority puts ZooKeeper on the side asked for', () => {
    const t = testCluster(12, {}, 5);
    applySchedule(
      t.cluster,
      schedule(pair(0, 'partition', 1000, 2000, { mode: 'minority-majority', zk: 'minority' })),
      t.record,
    );
    t.cluster.world.runUntil(1000);
    const { minority, majority } = t.op('start-partition', 0) as { minority: string[]; majority: string[] };
    expect(minority).toContain('zk');
    expect(minority.length - 1).toBeGreaterThanOrEqual(1);
    expect(minority.length - 1).toBeLessThanOrEqual(2);
    expect([...minority, ...majority].sort()).toEqual(['b0', 'b1', 'b2', 'b3', 'b4', 'zk']);
    const net = t.cluster.world.net;
    for (const a of minority) for (const b of majority) expect(net.isCut(a, b) && net.isCut(b, a)).toBe(true);
    expect(net.cuts()).toHaveLength(2 * minority.length * majority.length);
  });

  it('majorities-ring lets every node see a majority, each a different one', () => {
    const t = testCluster(13, {}, 4); // 4 brokers + ZooKeeper: a ring of 5
    applySchedule(t.cluster, schedule(pair(0, 'partition', 1000, 2000, { mode: 'majorities-ring' })), t.record);
    t.cluster.world.runUntil(1000);
    const { ring } = t.op('start-partition', 0) as { ring: string[] };
    expect([...ring].sort()).toEqual(['b0', 'b1', 'b2', 'b3', 'zk']);
    const net = t.cluster.world.net;
    const sees = ring.map((a) =>
      ring
        .filter((b) => a === b || !net.isCut(a, b))
        .sort()
        .join(','),
    );
    for (const s of sees) expect(s.split(',')).toHaveLength(3);
    expect(new Set(sees).size).toBe(5);
    t.cluster.world.runUntil(2000);
    expect(net.cuts()).toEqual([]);
  });

  it('bridge keeps one node connected to two halves that cannot see each other', () => {
    const t = testCluster(14, {}, 4);
    applySchedule(t.cluster, schedule(pair(0, 'partition', 1000, 2000, { mode: 'bridge' })), t.record);
    t.cluster.world.runUntil(1000);
    const { halves, bridge } = t.op('start-partition', 0) as { halves: string[][]; bridge: string };
    expect(halves[0]).toHaveLength(2);
    expect(halves[1]).toHaveLength(2);
    const net = t.cluster.world.net;
    for (const n of [...halves[0], ...halves[1]]) expect(net.isCut(bridge, n) || net.isCut(n, bridge)).toBe(false);
    for (const a of halves[0]) for (const b of halves[1]) expect(net.isCut(a, b) && net.isCut(b, a)).toBe(true);
  });

  it('overlapping partitions: healing one keeps the links the other still holds cut', () => {
    const t = testCluster(15);
    applySchedule(
      t.cluster,
      schedule(
        pair(0, 'partition', 1000, 3000, { mode: 'isolate', target: { target: 'nodes', nodes: ['b1'] } }),
        pair(1, 'zk', 2000, 4000, { target: { target: 'nodes', nodes: ['b1', 'b2'] } }),
      ),
      t.record,
    );
    const net = t.cluster.world.net;
    t.cluster.world.runUntil(3000);
    // The isolation is over, but the zk fault still cuts b1 and b2 from ZooKeeper.
    expect(cutPairs(net.cuts())).toEqual(['b1|zk', 'b2|zk']);
    t.cluster.world.runUntil(4000);
    expect(net.cuts()).toEqual([]);
  });
});

describe('leader-data-path', () => {
  it("shrinks the leader's ISR to itself while it stays leader with its ZooKeeper session", () => {
    const t = testCluster(1);
    t.produce(2000, 45000);
    applySchedule(t.cluster, schedule(pair(0, 'leader-data-path', 5000, 30000, { partition: 0 })), t.record);
    t.cluster.world.runUntil(5000);
    const leader = t.cluster.leaderOf(0);
    const node = `b${leader}`;
    const start = t.op('start-leader-data-path', 0);
    expect(start.leader).toBe(node);
    expect(cutPairs(t.cluster.world.net.cuts())).toHaveLength(2);
    expect(t.cluster.world.net.isCut(node, 'zk')).toBe(false);

    t.cluster.world.runUntil(29000);
    const p = t.cluster.broker(leader)?.partitions.get(0);
    expect(p?.role).toBe('leader');
    expect(p?.isr).toEqual([leader]);
    expect(t.cluster.leaderOf(0)).toBe(leader);
    expect(
      t.events.some(
        (e) => e.kind === 'isr-change' && e.broker === leader && e.change === 'shrink' && e.isr.length === 1,
      ),
    ).toBe(true);
    expect(t.events.some((e) => e.kind === 'election' && e.time > 5000)).toBe(false);
    expect(t.events.some((e) => e.kind === 'broker-state' && e.state === 'zk-session-expired')).toBe(false);

    // Healed: the followers fetch again and rejoin the ISR.
    t.cluster.world.runUntil(45000);
    expect(t.cluster.world.net.cuts()).toEqual([]);
    expect(t.cluster.broker(leader)?.partitions.get(0)?.isr).toEqual([0, 1, 2]);
  });
});

describe('zk', () => {
  it('expires the sessions of brokers cut off from ZooKeeper, then lets them back', () => {
    const t = testCluster(16);
    applySchedule(
      t.cluster,
      schedule(pair(0, 'zk', 3000, 15000, { target: { target: 'leader-of', partition: 0 } })),
      t.record,
    );
    t.cluster.world.runUntil(3000);
    const leader = t.cluster.leaderOf(0);
    expect(t.op('start-zk', 0).nodes).toEqual([`b${leader}`]);
    t.cluster.world.runUntil(15000);
    // The controller saw the session go and moved leadership away.
    expect(t.events.some((e) => e.kind === 'election' && e.previousLeader === leader && e.leader !== leader)).toBe(
      true,
    );
    expect(t.cluster.world.net.isCut(`b${leader}`, 'b0') || t.cluster.world.net.isCut(`b${leader}`, 'b1')).toBe(false);
    t.cluster.world.runUntil(30000);
    expect(t.cluster.world.net.cuts()).toEqual([]);
    expect(
      t.events.some((e) => e.kind === 'broker-state' && e.broker === leader && e.state === 'running' && e.time > 15000),
    ).toBe(true);
  });
});

describe('packet', () => {
  it(
    'with TCP semantics, delays messages by retransmissions while active (never drops or doubles them), and not ' +
      'after the stop',
    () => {
      const t = testCluster(5);
      t.produce(2000, 40000);
      applySchedule(
        t.cluster,
        schedule(
          pair(0, 'packet', 10000, 20000, {
            scope: 'all',
            loss: 0.3,
            duplicate: 0.2,
            delay: { kind: 'uniform', min: 1, max: 50 },
          }),
        ),
        t.record,
      );
      const stats = t.cluster.world.net.stats;
      t.cluster.world.runUntil(9999);
      expect([stats.dropped, stats.duplicated, stats.retransmitted]).toEqual([0, 0, 0]);
      t.cluster.world.runUntil(20000);
      expect(stats.retransmitted).toBeGreaterThan(0);
      expect([stats.dropped, stats.duplicated]).toEqual([0, 0]);
      const after = { ...stats };
      t.cluster.world.runUntil(40000);
      expect(stats.retransmitted).toBe(after.retransmitted);
      expect(stats.delivered).toBeGreaterThan(after.delivered);
    },
  );

  it("on chosen nodes, sets and clears exactly those nodes' links", () => {
    const t = testCluster(6);
    applySchedule(
      t.cluster,
      schedule(
        pair(0, 'packet', 1000, 2000, {
          scope: 'nodes',
          target: { target: 'nodes', nodes: ['b2'] },
          loss: 0.5,
          duplicate: 0,
          delay: null,
        }),
      ),
      t.record,
    );
    t.cluster.world.runUntil(1000);
    const links = faultState(t.cluster).packetLinks;
    expect(links.length).toBeGreaterThan(0);
    expect(links.every(([a, b]) => a === 'b2' || b === 'b2')).toBe(true);
    expect(links).toContainEqual(['b2', 'c0']);
    t.cluster.world.runUntil(2000);
    expect(faultState(t.cluster).packetLinks).toEqual([]);
  });
});
