// The operator's faults: rolling-restart (every broker in turn, stopped with controlled shutdown, the next once the
// cluster is fully replicated again, each wait bounded) and replace-disk (a broker back on an empty disk).
import { describe, expect, it } from 'vitest';
import { runOnce } from '../../harness/index.ts';
import { applySchedule, faultState, healAll, isQuiet } from '../../nemesis/index.ts';
import { pair, schedule } from '../helpers/nemesis-schedule.ts';
import { testCluster } from '../helpers/nemesis-cluster.ts';

const steps = (t: ReturnType<typeof testCluster>, f: string) =>
  t.ops.filter((o) => o.f === f).map((o) => o.value as { [key: string]: unknown });

describe('rolling-restart', () => {
  it(
    'restarts every broker in turn, each through KafkaServer.controlledShutdown, the next one only once no ' +
      'partition is under-replicated; no leadership is lost to a broker failure and nothing acknowledged is lost',
    () => {
      const t = testCluster(7);
      t.produce(1000, 45000);
      const roll = { order: 'by-id', downMs: 1000, timeoutMs: 20000 };
      applySchedule(t.cluster, schedule(pair(0, 'rolling-restart', 5000, 55000, roll)), t.record);
      t.cluster.world.runUntil(60000);
      expect(t.op('start-rolling-restart', 0)).toEqual({
        id: 0,
        brokers: ['b0', 'b1', 'b2'],
        downMs: 1000,
        timeoutMs: 20000,
      });
      const done = steps(t, 'step-rolling-restart');
      const stopped = done.filter((s) => s.stopped !== undefined);
      expect(stopped.map((s) => [s.broker, s.stopped])).toEqual([
        ['b0', 'cleanly'],
        ['b1', 'cleanly'],
        ['b2', 'cleanly'],
      ]);
      // Each broker stops only after the previous one's cluster was fully replicated again.
      const order = done.map((s) => (s.stopped !== undefined ? 'stop' : s.replicatedAfterMs !== undefined ? 'ok' : ''));
      expect(order.filter((o) => o !== '')).toEqual(['stop', 'ok', 'stop', 'ok', 'stop', 'ok']);
      expect(done.at(-1)).toEqual({ id: 0, done: true });
      expect(t.op('stop-rolling-restart', 0)).toEqual({ id: 0, killed: [], restarted: [] });
      const reasons = t.events.filter((e) => e.kind === 'election').map((e) => e.kind === 'election' && e.reason);
      expect(reasons.filter((r) => r === 'controlled shutdown').length).toBeGreaterThan(0);
      expect(reasons.filter((r) => typeof r === 'string' && r.startsWith('broker failure'))).toEqual([]);
      const leader = t.cluster.broker(t.cluster.leaderOf(0));
      const log = [...(leader?.partitions.get(0)?.log.all() ?? [])].flatMap((b) => b.values);
      expect(log).toEqual(expect.arrayContaining(t.acked));
      expect(t.acked.length).toBeGreaterThan(500);
    },
  );

  it('waits for a healthy cluster before each stop, gives up after timeoutMs; its stop restarts what it took', () => {
    const t = testCluster(8);
    // b1 cannot reach ZooKeeper from 13 s on: it leaves the ISR and never comes back.
    const cut = { target: { target: 'nodes', nodes: ['b1'] } };
    const roll = { order: 'by-id', downMs: 3000, timeoutMs: 10000 };
    applySchedule(
      t.cluster,
      schedule(pair(0, 'rolling-restart', 12000, 50000, roll), pair(1, 'zk', 13000, 58000, cut)),
      t.record,
    );
    t.cluster.world.runUntil(50000);
    const done = steps(t, 'step-rolling-restart');
    expect(done.map((s) => [s.broker, Object.keys(s).filter((k) => k !== 'id' && k !== 'broker')[0]])).toEqual([
      ['b0', 'stopped'],
      ['b0', 'started'],
      ['b0', 'gaveUp'],
    ]);
    expect(done.at(-1)?.gaveUp).toBe('not fully replicated after 10000 ms');
    // A second roll finds the cluster unhealthy from the start and stops nobody.
    const again = testCluster(8);
    applySchedule(
      again.cluster,
      schedule(pair(0, 'zk', 2000, 58000, cut), pair(1, 'rolling-restart', 12000, 50000, roll)),
      again.record,
    );
    again.cluster.world.runUntil(50000);
    expect(steps(again, 'step-rolling-restart')).toEqual([
      { id: 1, broker: null, gaveUp: 'not fully replicated after 10000 ms' },
    ]);
    healAll(again.cluster, again.record);
    expect(isQuiet(faultState(again.cluster))).toBe(true);
  });

  it('kills a broker whose controlled shutdown outlasts timeoutMs (SIGKILL after TimeoutStopSec), then goes on', () => {
    // KRaft: b0 cut off from the quorum would wait 5 minutes for the controller's ShouldShutDown.
    const r = runOnce({
      seed: 1,
      timeSeconds: 60,
      schedule: schedule(
        pair(0, 'zk', 5000, 20000, { target: { target: 'nodes', nodes: ['b0'] } }),
        pair(1, 'rolling-restart', 6000, 55000, { order: ['b0', 'b1'], downMs: 1000, timeoutMs: 8000 }),
      ),
    });
    const ops = r.output.history.filter((o) => o.f === 'step-rolling-restart').map((o) => o.value);
    expect(ops[0]).toMatchObject({ broker: 'b0', stopped: 'killed', afterMs: 8000 });
    expect(ops.some((v) => typeof v === 'object' && v !== null && !Array.isArray(v) && v.done === true)).toBe(true);
    expect(r.result.valid).toBe(true);
  });
});

describe('replace-disk', () => {
  it(
    'controlled: the broker leaves leadership and ISR by controlled shutdown, comes back on an empty disk and ' +
      'fetches everything again; nothing acknowledged is lost',
    () => {
      const t = testCluster(9);
      t.produce(1000, 25000);
      t.cluster.world.runUntil(9000);
      const leader = t.cluster.leaderOf(0);
      const node = t.cluster.nodeOf(leader);
      applySchedule(
        t.cluster,
        schedule(
          pair(0, 'replace-disk', 10000, 14000, {
            target: { target: 'leader-of', partition: 0 },
            mode: 'controlled',
            whenReplicated: true,
          }),
        ),
        t.record,
      );
      t.cluster.world.runUntil(13000);
      expect(t.op('start-replace-disk', 0)).toEqual({ id: 0, nodes: [node], mode: 'controlled', replaced: [] });
      expect(steps(t, 'step-replace-disk')).toEqual([{ id: 0, broker: node, replaced: true }]);
      expect(t.cluster.world.node(node).disk.list()).toEqual([]);
      t.cluster.world.runUntil(14000);
      expect(t.op('stop-replace-disk', 0)).toEqual({ id: 0, killed: [], restarted: [node] });
      t.cluster.world.runUntil(40000);
      const back = t.cluster.broker(leader)?.partitions.get(0);
      const current = t.cluster.broker(t.cluster.leaderOf(0))?.partitions.get(0);
      expect(back?.logEndOffset).toBe(current?.logEndOffset);
      expect(current?.isr).toEqual([0, 1, 2]);
      const log = [...(current?.log.all() ?? [])].flatMap((b) => b.values);
      expect(log).toEqual(expect.arrayContaining(t.acked));
    },
  );

  it('whenReplicated: nothing happens while a partition is under-replicated (one disk at a time)', () => {
    const t = testCluster(10);
    const cut = { target: { target: 'nodes', nodes: ['b1'] } };
    const replace = { target: { target: 'nodes', nodes: ['b2'] }, mode: 'controlled', whenReplicated: true };
    applySchedule(
      t.cluster,
      schedule(pair(0, 'zk', 2000, 30000, cut), pair(1, 'replace-disk', 15000, 20000, replace)),
      t.record,
    );
    t.cluster.world.runUntil(21000);
    expect(t.op('start-replace-disk', 1)).toEqual({
      id: 1,
      nodes: [],
      mode: 'controlled',
      replaced: [],
      skipped: 'under-replicated',
    });
    expect(t.cluster.world.node('b2').disk.replacements).toBe(0);
  });

  it('disk-failure (KRaft, 3.9): the broker dies, registers again in a new broker epoch; nothing is lost', () => {
    const epochs = new Set<number>();
    const r = runOnce(
      {
        seed: 2,
        kafka: '3.9',
        timeSeconds: 40,
        schedule: schedule(
          pair(0, 'replace-disk', 10000, 15000, {
            target: { target: 'nodes', nodes: ['b1'] },
            mode: 'disk-failure',
            whenReplicated: false,
          }),
        ),
      },
      {
        // Read only: every broker epoch broker 1's registrations had, as the active controller committed them.
        onCluster: (cluster) =>
          void cluster.world.onEvent(() => {
            const node = cluster.activeControllerNode();
            const v = cluster.voterIds.find((id) => node === `ctl${id - 3000}`);
            const epoch = v === undefined ? undefined : cluster.kraftController(v)?.committed.brokers.get(1)?.epoch;
            if (epoch !== undefined) epochs.add(epoch);
          }),
      },
    );
    expect(epochs.size).toBe(2);
    const start = r.output.history.find((o) => o.f === 'start-replace-disk');
    expect(start?.value).toEqual({ id: 0, nodes: ['b1'], mode: 'disk-failure', replaced: ['b1'] });
    expect(r.result.valid).toBe(true);
    expect(r.result.stats.lost).toBe(0);
  });
});
