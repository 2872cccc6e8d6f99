// Nemeses reach the KRaft controller quorum: kill and pause of the active controller or of named
// controllers, kill-all of the whole cluster (brokers and controllers), partitions that split the quorum
// or isolate a controller, and brokers cut off from the quorum only. Each fault is applied through the
// nemesis schedule machinery, exactly as a run applies it.
import { describe, expect, it } from 'vitest';
import { applySchedule } from '../../../../nemesis/apply.ts';
import type { Value } from '../../../../workloads/history/format.ts';
import { controllerNode } from '../../../../sim/kafka/kraft/config.ts';
import { KraftScenario } from '../../../helpers/kraft-scenario.ts';
import { pair, schedule } from '../../../helpers/nemesis-schedule.ts';

type Op = { f: string; value: { [key: string]: Value }; time: number };

function withFaults(...faults: Parameters<typeof schedule>): { s: KraftScenario; ops: Op[]; t0: number } {
  const s = new KraftScenario().start();
  const t0 = s.world.now;
  const ops: Op[] = [];
  const shifted = faults.map((f) => f.map((op) => ({ ...op, at: op.at + t0 })));
  applySchedule(s.cluster, schedule(...shifted), (op) => ops.push(op as Op));
  return { s, ops, t0 };
}

const status = (s: KraftScenario, node: string): string => s.world.node(node).status;

describe('nemeses reach the KRaft controllers', () => {
  it('kill of the active controller: a new one is elected, the old one comes back as follower', () => {
    const { s, ops, t0 } = withFaults(
      pair(0, 'kill', 1000, 8000, { target: { target: 'controller' }, mode: 'process' }),
    );
    const old = s.activeController();
    s.world.runUntil(t0 + 1001);
    expect(ops.find((o) => o.f === 'start-kill')?.value.nodes).toEqual([controllerNode(old)]);
    expect(status(s, controllerNode(old))).toBe('down');
    s.world.runUntil(t0 + 7000);
    const now = s.activeController();
    expect(now).toBeGreaterThan(0);
    expect(now).not.toBe(old);
    s.world.runUntil(t0 + 15_000);
    expect(s.controller(old).raft.role).toBe('follower');
    expect(s.raft.violations).toEqual([]);
  });

  it('kill of a majority of named controllers: no active controller until they return', () => {
    const { s, t0 } = withFaults(
      pair(0, 'kill', 1000, 10_000, { target: { target: 'nodes', nodes: ['ctl1', 'ctl2'] }, mode: 'process' }),
    );
    s.world.runUntil(t0 + 8000);
    expect(status(s, 'ctl1')).toBe('down');
    expect(status(s, 'ctl2')).toBe('down');
    // ctl3 alone cannot lead: it resigns (check quorum) or never wins an election.
    expect(s.activeController()).toBe(-1);
    s.world.runUntil(t0 + 20_000);
    expect(s.activeController()).toBeGreaterThan(0);
    expect(s.acked(s.produce(5))).toHaveLength(5);
    expect(s.raft.violations).toEqual([]);
  });

  it('kill-all crashes every broker and every controller; the quorum comes back first, then the brokers', () => {
    const { s, ops, t0 } = withFaults(
      pair(0, 'kill-all', 1000, 5000, { mode: 'process', order: 'stale-first', gapMs: 2000 }),
    );
    s.acked(s.produce(10, { maxMs: 900 }));
    s.world.runUntil(t0 + 1001);
    for (const node of [...s.cluster.brokerNodes(), ...s.cluster.controllerNodes()])
      expect(status(s, node)).toBe('down');
    expect(ops.find((o) => o.f === 'start-kill-all')?.value.controllers).toEqual(['ctl1', 'ctl2', 'ctl3']);
    s.world.runUntil(t0 + 5001);
    expect(ops.find((o) => o.f === 'stop-kill-all')?.value.controllersRestarted).toEqual(['ctl1', 'ctl2', 'ctl3']);
    for (const node of s.cluster.controllerNodes()) expect(status(s, node)).toBe('running');
    s.world.runUntil(t0 + 30_000);
    for (const node of s.cluster.brokerNodes()) expect(status(s, node)).toBe('running');
    expect(s.activeController()).toBeGreaterThan(0);
    expect(s.acked(s.produce(5))).toHaveLength(5);
    s.run(15_000);
    expect(s.isr()).toEqual([0, 1, 2]);
    expect(s.raft.violations).toEqual([]);
  });

  it(
    'pause of the metadata nodes (target zk) pauses the whole quorum; pause of the controller only the active ' + 'one',
    () => {
      const { s, t0 } = withFaults(
        pair(0, 'pause', 1000, 4000, { target: { target: 'zk' } }),
        pair(1, 'pause', 8000, 20_000, { target: { target: 'controller' } }),
      );
      s.world.runUntil(t0 + 1001);
      for (const node of s.cluster.controllerNodes()) expect(status(s, node)).toBe('paused');
      s.world.runUntil(t0 + 7000);
      const active = s.activeController();
      expect(active).toBeGreaterThan(0);
      s.world.runUntil(t0 + 8001);
      expect(status(s, controllerNode(active))).toBe('paused');
      expect(s.cluster.controllerNodes().filter((n) => status(s, n) === 'paused')).toEqual([controllerNode(active)]);
      s.world.runUntil(t0 + 30_000);
      expect(s.activeController()).toBeGreaterThan(0);
      expect(s.acked(s.produce(5))).toHaveLength(5);
      expect(s.raft.violations).toEqual([]);
    },
  );

  it('partition isolating the active controller: it resigns and the majority elects another', () => {
    const { s, t0 } = withFaults(
      pair(0, 'partition', 1000, 12_000, { mode: 'isolate', target: { target: 'controller' } }),
    );
    const old = s.activeController();
    s.world.runUntil(t0 + 11_000);
    expect(s.activeController()).not.toBe(old);
    expect(s.activeController()).toBeGreaterThan(0);
    expect(s.controller(old).isActive).toBe(false);
    s.world.runUntil(t0 + 20_000);
    expect(s.controller(old).raft.role).toBe('follower');
    expect(s.raft.violations).toEqual([]);
  });

  it('minority-majority splits the quorum with the brokers: the controllers end up on both sides', () => {
    const { s, ops, t0 } = withFaults(
      pair(0, 'partition', 1000, 12_000, { mode: 'minority-majority', zk: 'majority' }),
    );
    s.world.runUntil(t0 + 1001);
    const start = ops.find((o) => o.f === 'start-partition')?.value as { minority: string[]; majority: string[] };
    const controllers = (side: string[]): string[] => side.filter((n) => n.startsWith('ctl'));
    expect(controllers(start.minority)).toHaveLength(1);
    expect(controllers(start.majority)).toHaveLength(2);
    s.world.runUntil(t0 + 11_000);
    expect(start.majority).toContain(s.cluster.activeControllerNode());
    s.world.runUntil(t0 + 25_000);
    expect(s.acked(s.produce(5))).toHaveLength(5);
    expect(s.raft.violations).toEqual([]);
  });

  it('zk cuts a broker off from the quorum: fenced after broker.session.timeout.ms, unfenced once healed', () => {
    const { s, t0 } = withFaults(pair(0, 'zk', 1000, 12_000, { target: { target: 'leader-of', partition: 0 } }));
    const leader = s.leader();
    s.world.runUntil(t0 + 10_000);
    expect(s.controller(s.activeController()).committed.brokers.get(leader)?.fenced).toBe(true);
    expect(s.leader()).not.toBe(leader);
    s.world.runUntil(t0 + 25_000);
    expect(s.controller(s.activeController()).committed.brokers.get(leader)?.fenced).toBe(false);
    expect(s.monitor.violations).toEqual([]);
    expect(s.raft.violations).toEqual([]);
  });
});
