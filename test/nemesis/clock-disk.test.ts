// Clock and disk faults on a real cluster: each takes effect while active and is undone by its stop.
import { describe, expect, it } from 'vitest';
import { applySchedule } from '../../nemesis/apply.ts';
import { faultState } from '../../nemesis/state.ts';
import { RESTART_HALTED_AFTER_MS } from '../../sim/kafka/cluster.ts';
import { testCluster } from '../helpers/nemesis-cluster.ts';
import { pair, schedule } from '../helpers/nemesis-schedule.ts';

describe('clock', () => {
  it('jumps and drifts the chosen clocks, and the stop resets them', () => {
    const t = testCluster(5);
    applySchedule(
      t.cluster,
      schedule(
        pair(0, 'clock', 10000, 20000, {
          target: { target: 'nodes', nodes: ['b1', 'b2'] },
          jumpMs: -7000,
          drift: 0.05,
        }),
      ),
      t.record,
    );
    const offset = (n: string): number => t.cluster.world.node(n).clock.offsetAt(t.cluster.world.now);
    t.cluster.world.runUntil(10000);
    expect(t.op('start-clock', 0)).toEqual({ id: 0, nodes: ['b1', 'b2'], jumpMs: -7000, drift: 0.05 });
    expect(offset('b1')).toBe(-7000);
    t.cluster.world.runUntil(19000);
    expect(offset('b2')).toBeCloseTo(-7000 + 0.05 * 9000, 6);
    expect(offset('b0')).toBe(0);
    expect(faultState(t.cluster).clocks).toEqual(['b1', 'b2']);
    t.cluster.world.runUntil(20000);
    expect(offset('b1')).toBe(0);
    expect(t.cluster.world.node('b2').clock.currentDrift).toBe(0);
    expect(faultState(t.cluster).clocks).toEqual([]);
  });

  it("a jump of ZooKeeper's clock past the session timeout expires every broker's session", () => {
    const t = testCluster(5);
    applySchedule(
      t.cluster,
      schedule(pair(0, 'clock', 10000, 20000, { target: { target: 'zk' }, jumpMs: 20000, drift: 0 })),
      t.record,
    );
    t.cluster.world.runUntil(12000);
    const expired = t.events.flatMap((e) =>
      e.kind === 'broker-state' && e.state === 'zk-session-expired' ? [e.broker] : [],
    );
    expect(expired.sort()).toEqual([0, 1, 2]);
  });
});

describe('disk', () => {
  it(
    'a full disk on the leader halts it (its log directory failed); another replica takes over and the supervisor ' +
      'restarts it',
    () => {
      const t = testCluster(5);
      t.produce(2000, 40000);
      applySchedule(
        t.cluster,
        schedule(
          pair(0, 'disk', 10000, 20000, {
            target: { target: 'leader-of', partition: 0 },
            fsyncLies: false,
            ioErrorRate: 0,
            full: true,
          }),
        ),
        t.record,
      );
      t.cluster.world.runUntil(9999);
      const oldLeader = t.cluster.leaderOf(0);
      t.cluster.world.runUntil(10100);
      const nodes = t.op('start-disk', 0).nodes as string[];
      expect(nodes).toEqual([`b${oldLeader}`]);
      const node = t.cluster.world.node(nodes[0]);
      // The first append failed with ENOSPC: Kafka halts a broker whose only log directory failed.
      expect(node.status).toBe('down');
      expect(node.crashes).toBe(1);
      expect(t.cluster.world.trace.entries().some((e) => e.node === nodes[0] && e.kind === 'halt')).toBe(true);
      // The supervisor starts it again after RESTART_HALTED_AFTER_MS, disk still full.
      t.cluster.world.runUntil(10000 + RESTART_HALTED_AFTER_MS + 100);
      expect(node.starts).toBe(2);
      t.cluster.world.runUntil(19999);
      const newLeader = t.cluster.leaderOf(0);
      expect(newLeader).toBeGreaterThanOrEqual(0);
      expect(newLeader).not.toBe(oldLeader);
      const before = t.acked.length;
      t.cluster.world.runUntil(30000);
      expect(t.cluster.world.node(nodes[0]).disk.activeFaults).toEqual({
        fsyncLies: false,
        ioErrorRate: 0,
        full: false,
      });
      expect(t.acked.length).toBeGreaterThan(before + 100);
    },
  );

  it('I/O errors on the leader slow acknowledgements down', () => {
    const acked = (rate: number): number => {
      const t = testCluster(5);
      t.produce(2000, 20000);
      applySchedule(
        t.cluster,
        schedule(
          pair(0, 'disk', 10000, 20000, {
            target: { target: 'leader-of', partition: 0 },
            fsyncLies: false,
            ioErrorRate: rate,
            full: false,
          }),
        ),
        t.record,
      );
      t.cluster.world.runUntil(20000);
      return t.acked.length;
    };
    expect(acked(0.5)).toBeLessThan(acked(0) - 50);
  });

  it('a lying fsync lets a crash take data the broker had synced', () => {
    // flush.messages=1: every append is fsynced, so normally a crash loses nothing.
    const t = testCluster(6, { 'flush.messages': 1 });
    t.produce(2000, 30000);
    let sizeAtFault = -1;
    let sizeAfterCrash = -1;
    let node = '';
    applySchedule(
      t.cluster,
      schedule(
        pair(0, 'disk', 10000, 16000, {
          target: { target: 'leader-of', partition: 0 },
          fsyncLies: true,
          ioErrorRate: 0,
          full: false,
        }),
        pair(1, 'kill', 15000, 20000, { target: { target: 'leader-of', partition: 0 }, mode: 'lose-unsynced' }),
      ),
      (op) => {
        t.record(op);
        if (op.f === 'start-disk') {
          node = (t.op('start-disk', 0).nodes as string[])[0];
          sizeAtFault = t.cluster.world.node(node).disk.size('log-0');
        }
        if (op.f === 'start-kill') sizeAfterCrash = t.cluster.world.node(node).disk.size('log-0');
      },
    );
    t.cluster.world.runUntil(14999);
    expect(t.cluster.world.node(node).disk.size('log-0')).toBeGreaterThan(sizeAtFault);
    t.cluster.world.runUntil(15000);
    expect(t.op('start-kill', 1).nodes).toEqual([node]);
    expect(sizeAtFault).toBeGreaterThan(0);
    expect(sizeAfterCrash).toBe(sizeAtFault);
  });

  // Reported to the lead: a DiskError thrown by a follower's append (fetch response path) escapes the
  // broker and aborts World.runUntil; Kafka would fail the partition (log directory offline) instead.
  it('a full disk on a follower does not abort the simulation', () => {
    const t = testCluster(5);
    t.produce(2000, 20000);
    applySchedule(
      t.cluster,
      schedule(
        pair(0, 'disk', 10000, 20000, {
          target: { target: 'follower-of', partition: 0 },
          fsyncLies: false,
          ioErrorRate: 0,
          full: true,
        }),
      ),
      t.record,
    );
    t.cluster.world.runUntil(20000);
  });
});
