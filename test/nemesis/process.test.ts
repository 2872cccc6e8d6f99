// Process faults on a real cluster: kill (per crash mode), kill-all (power loss with an ordered
// restart), pause (a zombie leader fenced on resume) and outage (every replica down, the stalest back
// first: an unclean election when allowed, an offline partition when not).
import { describe, expect, it } from 'vitest';
import { applySchedule } from '../../nemesis/apply.ts';
import type { ReplicationEvent } from '../../sim/events/index.ts';
import { testCluster } from '../helpers/nemesis-cluster.ts';
import { pair, schedule } from '../helpers/nemesis-schedule.ts';

function elections(events: ReplicationEvent[]): Extract<ReplicationEvent, { kind: 'election' }>[] {
  return events.filter((e): e is Extract<ReplicationEvent, { kind: 'election' }> => e.kind === 'election');
}

describe('kill', () => {
  /** Kills the leader at 10 s and restarts it at 20 s; returns its log file size just before and after the crash. */
  function killLeader(mode: string): {
    before: number;
    after: number;
    unsynced: number;
    t: ReturnType<typeof testCluster>;
    leader: string;
  } {
    const t = testCluster(2);
    t.produce(2000, 40000);
    let before = -1;
    let unsynced = -1;
    let after = -1;
    let leader = '';
    t.cluster.world.at(10000, () => {
      leader = `b${t.cluster.leaderOf(0)}`;
      before = t.cluster.world.node(leader).disk.size('log-0');
      unsynced = t.cluster.world.node(leader).disk.unsyncedBytes();
    });
    applySchedule(
      t.cluster,
      schedule(pair(0, 'kill', 10000, 20000, { target: { target: 'leader-of', partition: 0 }, mode })),
      (op) => {
        t.record(op);
        if (op.f === 'start-kill') after = t.cluster.world.node(leader).disk.size('log-0');
      },
    );
    t.cluster.world.runUntil(10000);
    return { before, after, unsynced, t, leader };
  }

  it('lose-unsynced: the killed leader loses its whole unsynced tail, and comes back at stop', () => {
    const { before, after, unsynced, t, leader } = killLeader('lose-unsynced');
    expect(before).toBeGreaterThan(0);
    // Kafka never fsyncs the log by default (flush.messages), so the whole log was in the page cache.
    expect(unsynced).toBeGreaterThanOrEqual(before);
    expect(after).toBe(0);
    expect(t.op('start-kill', 0)).toEqual({ id: 0, nodes: [leader], mode: 'lose-unsynced' });
    expect(t.cluster.world.node(leader).status).toBe('down');
    t.cluster.world.runUntil(19999);
    expect(t.cluster.leaderOf(0)).not.toBe(Number(leader.slice(1)));
    t.cluster.world.runUntil(30000);
    expect(t.op('stop-kill', 0)).toEqual({ id: 0, restarted: [leader] });
    expect(t.cluster.world.node(leader).status).toBe('running');
    // Back as a follower that fetched everything it lost from the new leader.
    const p = t.cluster.broker(Number(leader.slice(1)))?.partitions.get(0);
    expect(p?.role).toBe('follower');
    expect(p?.logEndOffset).toBe(t.cluster.broker(t.cluster.leaderOf(0))?.partitions.get(0)?.logEndOffset);
  });

  it('torn-last: everything but part of the last write survives', () => {
    const { before, after } = killLeader('torn-last');
    expect(after).toBeGreaterThan(0);
    expect(after).toBeLessThan(before);
  });

  it('picks random victims only among brokers that are up', () => {
    const t = testCluster(3);
    applySchedule(
      t.cluster,
      schedule(
        pair(0, 'kill', 1000, 5000, { target: { target: 'nodes', nodes: ['b0'] }, mode: 'lose-unsynced' }),
        pair(1, 'kill', 2000, 5000, { target: { target: 'random', count: 3 }, mode: 'lose-unsynced' }),
      ),
      t.record,
    );
    t.cluster.world.runUntil(2000);
    expect(t.op('start-kill', 1).nodes).toEqual(['b1', 'b2']);
  });
});

describe('kill-all', () => {
  function powerLoss(protocol = {}): ReturnType<typeof testCluster> {
    const t = testCluster(4, {}, 3, protocol);
    t.produce(1000, 30000);
    applySchedule(
      t.cluster,
      schedule(pair(0, 'kill-all', 8000, 12000, { mode: 'random-suffix', order: ['b2', 'b0'], gapMs: 3000 })),
      t.record,
    );
    return t;
  }

  it('crashes every broker and restarts them in the chosen order with gaps', () => {
    const t = powerLoss();
    const status = (): string[] => ['b0', 'b1', 'b2', 'zk'].map((n) => t.cluster.world.node(n).status);
    t.cluster.world.runUntil(8000);
    expect(status()).toEqual(['down', 'down', 'down', 'running']);
    t.cluster.world.runUntil(12000);
    expect(status()).toEqual(['down', 'down', 'running', 'running']);
    expect(t.op('stop-kill-all', 0)).toEqual({ id: 0, gapMs: 3000, restarted: ['b2'], pending: ['b0', 'b1'] });
    t.cluster.world.runUntil(15000);
    expect(status()).toEqual(['running', 'down', 'running', 'running']);
    t.cluster.world.runUntil(18000);
    expect(status()).toEqual(['running', 'running', 'running', 'running']);
    expect(t.ops.map((o) => `${o.time} ${o.f}`)).toEqual([
      '8000 start-kill-all',
      '12000 stop-kill-all',
      '15000 step-kill-all',
      '18000 step-kill-all',
    ]);
  });

  it('without KIP-966, the partition has a leader again once the brokers are back', () => {
    const t = powerLoss({ strictMinIsr: false, elr: false });
    t.cluster.world.runUntil(40000);
    expect(t.cluster.leaderOf(0)).toBeGreaterThanOrEqual(0);
  });

  // Every replica is back from an unclean shutdown, so none stays in the ISR or the ELR; KIP-966's
  // Balanced recovery elects the last known leader (uncleanly) rather than leaving the partition offline.
  it('with the modern protocol, the partition has a leader again once the brokers are back', () => {
    const t = powerLoss();
    t.cluster.world.runUntil(40000);
    expect(t.cluster.leaderOf(0)).toBeGreaterThanOrEqual(0);
    const recovery = t.events.find((e) => e.kind === 'election' && e.partition === 0 && e.lastKnownLeader === true);
    expect(recovery).toMatchObject({ unclean: true });
  });
});

describe('pause', () => {
  it('a leader paused past the session timeout comes back a zombie and is fenced', () => {
    const t = testCluster(3);
    t.produce(2000, 40000);
    applySchedule(
      t.cluster,
      schedule(pair(0, 'pause', 10000, 20000, { target: { target: 'leader-of', partition: 0 } })),
      t.record,
    );
    t.cluster.world.runUntil(10000);
    const old = t.cluster.leaderOf(0);
    const oldEpoch = t.cluster.broker(old)?.partitions.get(0)?.leaderEpoch ?? -1;
    expect(t.op('start-pause', 0)).toEqual({ id: 0, nodes: [`b${old}`] });
    t.cluster.world.runUntil(19999);
    // Frozen: it still believes it leads, while the controller elected another broker.
    expect(t.cluster.world.node(`b${old}`).status).toBe('paused');
    expect(t.cluster.broker(old)?.partitions.get(0)?.role).toBe('leader');
    const newLeader = t.cluster.leaderOf(0);
    expect(newLeader).not.toBe(old);
    t.cluster.world.runUntil(30000);
    expect(t.op('stop-pause', 0)).toEqual({ id: 0, resumed: [`b${old}`] });
    const zombie = t.cluster.broker(old)?.partitions.get(0);
    const leader = t.cluster.broker(newLeader)?.partitions.get(0);
    expect(zombie?.role).toBe('follower');
    expect(leader?.role).toBe('leader');
    expect(leader?.leaderEpoch).toBeGreaterThan(oldEpoch);
    expect(zombie?.leaderEpoch).toBe(leader?.leaderEpoch);
    expect(
      t.events.some((e) => e.kind === 'broker-state' && e.broker === old && e.state === 'zk-session-expired'),
    ).toBe(true);
  });
});

describe('outage', () => {
  /**
   * A follower is isolated from 5 s (the ISR drops it and writes go on without it), then at 24 s every
   * replica crashes; the isolation heals at 24.5 s; from 30 s they return stalest first, 15 s apart.
   */
  function staleOutage(unclean: boolean, protocol = {}): ReturnType<typeof testCluster> {
    const t = testCluster(4, { 'unclean.leader.election.enable': unclean }, 3, protocol);
    t.produce(2000, 60000);
    applySchedule(
      t.cluster,
      schedule(
        pair(0, 'partition', 5000, 24500, { mode: 'isolate', target: { target: 'follower-of', partition: 0 } }),
        pair(1, 'outage', 24000, 30000, { partition: 0, mode: 'torn-last', order: 'stale-first', gapMs: 15000 }),
      ),
      t.record,
    );
    t.cluster.world.runUntil(30000);
    return t;
  }

  it('restarts the stalest replica first, and with unclean election on it leads, losing acknowledged writes', () => {
    const t = staleOutage(true);
    const isolated = (t.op('start-partition', 0).nodes as string[])[0];
    const start = t.op('start-outage', 1) as { crashed: { node: string; logEndOffset: number }[]; plan: string[][] };
    const stale = start.crashed.reduce((a, b) => (b.logEndOffset < a.logEndOffset ? b : a));
    expect(stale.node).toBe(isolated);
    expect(start.plan[0]).toEqual([isolated]);
    expect(t.op('stop-outage', 1)).toMatchObject({ restarted: [isolated] });
    t.cluster.world.runUntil(44000);
    const unclean = elections(t.events).filter((e) => e.unclean);
    expect(unclean).toHaveLength(1);
    expect(`b${unclean[0].leader}`).toBe(isolated);
    expect(t.cluster.leaderOf(0)).toBe(unclean[0].leader);
    // When the others return they truncate to the stale leader: acknowledged records are gone.
    t.cluster.world.runUntil(70000);
    const lost = t.events.filter(
      (e) => e.kind === 'truncate' && e.reason === 'leader-epoch' && e.removed.some((r) => t.acked.includes(r.value)),
    );
    expect(lost.length).toBeGreaterThan(0);
  });

  it('with unclean election off, the partition stays offline while only the stale replica is back', () => {
    const t = staleOutage(false);
    t.cluster.world.runUntil(44000);
    expect(elections(t.events).filter((e) => e.time > 24000)).toEqual([]);
    expect(t.events.some((e) => e.kind === 'offline' && e.time > 24000)).toBe(true);
    expect(t.cluster.leaderOf(0)).toBe(-1);
  });

  it('with unclean election off (and no KIP-966), the ISR member the controller kept leads when it returns', () => {
    const t = staleOutage(false, { strictMinIsr: false, elr: false });
    t.cluster.world.runUntil(44000);
    expect(t.cluster.leaderOf(0)).toBe(-1);
    // ReplicaStateMachine.doRemoveReplicasFromIsr took the dead members out one by one and kept the last.
    const isr = t.cluster.activeController()?.controller?.describe().partitions[0].isr ?? [];
    expect(isr).toHaveLength(1);
    t.cluster.world.runUntil(70000);
    const after = elections(t.events).filter((e) => e.time > 24000);
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ unclean: false, leader: isr[0] });
    expect(t.cluster.leaderOf(0)).toBe(isr[0]);
  });
});

describe('outage, one replica after another', () => {
  /**
   * From 5 s the followers of partition 0 fail 10 s apart, then the leader, which ran alone for 10 s (min ISR 1);
   * they come back stalest first from 30 s, 15 s apart: the first follower to fail is the first back.
   */
  function oneByOne(unclean: boolean): ReturnType<typeof testCluster> {
    const t = testCluster(7, { 'unclean.leader.election.enable': unclean, 'min.insync.replicas': 1 });
    t.produce(2000, 70000);
    applySchedule(
      t.cluster,
      schedule(
        pair(0, 'outage', 5000, 30000, {
          partition: 0,
          mode: 'process',
          order: 'stale-first',
          gapMs: 15000,
          failOrder: 'leader-last',
          failGapsMs: [10000],
        }),
      ),
      t.record,
    );
    return t;
  }

  it('fails the followers first while writes go on, the ISR shrinking to the leader, which fails last', () => {
    const t = oneByOne(true);
    t.cluster.world.runUntil(4999);
    const leader = t.cluster.leaderOf(0);
    t.cluster.world.runUntil(5000);
    const first = (t.op('start-outage', 0).crashed as { node: string }[])[0].node;
    expect(first).not.toBe(`b${leader}`);
    expect(t.op('start-outage', 0)).toMatchObject({ failOrder: 'leader-last', pendingFailures: 2 });
    t.cluster.world.runUntil(24999);
    const steps = t.ops.filter((o) => o.f === 'step-outage').map((o) => o.value as { failed: string });
    expect(steps.map((s) => s.failed)).toEqual([expect.not.stringMatching(`^b${leader}$`)]);
    // Running on its last replica: the leader's ISR is itself, and it still acknowledges writes.
    const p = t.cluster.broker(leader)?.partitions.get(0);
    expect(p?.isr).toEqual([leader]);
    const ackedAlone = t.acked.length;
    const ackedBefore = t.acked.slice();
    t.cluster.world.runUntil(25000);
    expect(t.ops.filter((o) => o.f === 'step-outage').map((o) => (o.value as { failed: string }).failed)).toContain(
      `b${leader}`,
    );
    expect(ackedAlone).toBeGreaterThan(0);
    t.cluster.world.runUntil(30000);
    expect(t.op('stop-outage', 0)).toMatchObject({ restarted: [first] });
    expect((t.op('stop-outage', 0).plan as string[][])[0]).toEqual([first]);
    // Unclean election: the first back, which failed first, leads, and the others truncate to it.
    t.cluster.world.runUntil(90000);
    const unclean = elections(t.events).filter((e) => e.unclean);
    expect(unclean.length).toBeGreaterThan(0);
    expect(`b${unclean[0].leader}`).toBe(first);
    const lost = t.events.filter(
      (e) =>
        e.kind === 'truncate' && e.reason === 'leader-epoch' && e.removed.some((r) => ackedBefore.includes(r.value)),
    );
    expect(lost.length).toBeGreaterThan(0);
  });

  it('with unclean election off, nothing acknowledged is lost: the partition waits for its last leader', () => {
    const t = oneByOne(false);
    t.cluster.world.runUntil(4999);
    const leader = t.cluster.leaderOf(0);
    t.cluster.world.runUntil(90000);
    // KIP-966's recovery may elect the last known leader back (flagged unclean): it holds everything.
    expect(elections(t.events).filter((e) => e.unclean && e.lastKnownLeader !== true)).toEqual([]);
    const after = elections(t.events).filter((e) => e.time > 25000);
    expect(after.length).toBeGreaterThan(0);
    expect(after[0].leader).toBe(leader);
    const removedAcked = t.events.filter(
      (e) => e.kind === 'truncate' && e.removed.some((r) => t.acked.includes(r.value)),
    );
    expect(removedAcked).toEqual([]);
  });

  it('a stop before every failure was due cancels the rest and restarts those that failed', () => {
    const t = testCluster(7, { 'min.insync.replicas': 1 });
    applySchedule(
      t.cluster,
      schedule(
        pair(0, 'outage', 5000, 8000, {
          partition: 0,
          mode: 'process',
          order: 'random',
          gapMs: 1000,
          failOrder: ['b1', 'b0'],
          failGapsMs: [4000, 1000],
        }),
      ),
      t.record,
    );
    t.cluster.world.runUntil(20000);
    expect(t.op('start-outage', 0).crashed).toEqual([{ node: 'b1', logEndOffset: expect.any(Number) }]);
    expect(t.ops.filter((o) => o.f === 'step-outage' && 'failed' in (o.value as object))).toEqual([]);
    expect(t.op('stop-outage', 0)).toMatchObject({ restarted: ['b1'], pending: [] });
    for (const b of ['b0', 'b1', 'b2']) expect(t.cluster.world.node(b).status).toBe('running');
  });
});
