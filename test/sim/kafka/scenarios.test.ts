// Deterministic scenarios of Kafka's replication protocol (ZooKeeper mode), with every invariant
// checked at every step.
import { describe, expect, it } from 'vitest';
import { Scenario } from '../../helpers/scenario.ts';

describe('replication scenarios (ZooKeeper mode, modern protocol)', () => {
  it('replicates acks=all writes to every replica of an RF 3 partition', () => {
    const s = new Scenario().start();
    const results = s.produce(20);
    expect(s.acked(results)).toHaveLength(20);
    s.run(2000);
    for (const b of [0, 1, 2]) {
      expect(s.log(b)).toEqual(results.map((r) => r.value));
      expect(s.partition(b).highWatermark).toBe(20);
    }
    expect(s.isr()).toEqual([0, 1, 2]);
    expect(s.monitor.violations).toEqual([]);
  });

  it('elects a clean leader from the ISR when the leader crashes, losing nothing acknowledged', () => {
    const s = new Scenario().start();
    const before = s.acked(s.produce(10));
    const old = s.leader();
    s.crash(old).run(10_000); // past zookeeper.session.timeout.ms (6 s)
    const leader = s.leader();
    expect(leader).not.toBe(old);
    expect(leader).toBeGreaterThanOrEqual(0);
    const election = s.elections().at(-1);
    expect(election?.unclean).toBe(false);
    expect(election?.previousLeader).toBe(old);
    const after = s.acked(s.produce(10));
    expect(after).toHaveLength(10);
    expect(s.log(leader)).toEqual(expect.arrayContaining([...before, ...after]));
    s.restart(old).run(10_000);
    expect(s.log(old)).toEqual(s.log(leader));
    expect(s.isr()).toContain(old);
    expect(s.monitor.violations).toEqual([]);
  });

  it('drops a slow follower from the ISR after replica.lag.time.max.ms and adds it back when caught up', () => {
    const s = new Scenario().start();
    const leader = s.leader();
    const slow = [0, 1, 2].find((b) => b !== leader) as number;
    // Cut the follower off from the leader on the data path only; it keeps its ZooKeeper session.
    s.world.net.cutBoth(s.cluster.nodeOf(leader), s.cluster.nodeOf(slow));
    s.produce(5, { everyMs: 500 });
    s.run(15_000);
    expect(s.isr()).not.toContain(slow);
    expect(s.events.some((e) => e.kind === 'isr-change' && e.change === 'shrink' && !e.isr.includes(slow))).toBe(true);
    s.world.net.heal();
    s.run(5_000);
    expect(s.isr()).toContain(slow);
    expect(s.log(slow)).toEqual(s.log(leader));
    expect(s.monitor.violations).toEqual([]);
  });

  it('refuses acks=all writes with NOT_ENOUGH_REPLICAS when the ISR is below min.insync.replicas', () => {
    const s = new Scenario({ broker: { 'min.insync.replicas': 3 } }).start();
    const leader = s.leader();
    const follower = [0, 1, 2].find((b) => b !== leader) as number;
    s.crash(follower).run(10_000);
    expect(s.isr()).toHaveLength(2);
    const results = s.produce(3, { producer: { 'delivery.timeout.ms': 3000, 'request.timeout.ms': 1000 } });
    expect(results.every((r) => r.outcome.type === 'fail' && r.outcome.error === 'NOT_ENOUGH_REPLICAS')).toBe(true);
    expect(s.log(leader)).toEqual([]);
    // acks=1 does not care about min.insync.replicas.
    const one = s.produce(2, { producer: { acks: 1 } });
    expect(s.acked(one)).toHaveLength(2);
    expect(s.monitor.violations).toEqual([]);
  });

  for (const unclean of [false, true]) {
    it(
      `all replicas down, the stale one restarted first: ` +
        (unclean
          ? 'unclean election loses acknowledged writes, blamed on it'
          : 'clean election keeps the partition offline'),
      () => {
        const s = new Scenario({
          broker: { 'unclean.leader.election.enable': unclean, 'min.insync.replicas': 1 },
        }).start();
        s.acked(s.produce(5));
        const leader = s.leader();
        const stale = [0, 1, 2].find((b) => b !== leader) as number;
        const third = [0, 1, 2].find((b) => b !== leader && b !== stale) as number;
        // Make `stale` fall behind: it is cut off while more writes are acknowledged.
        s.world.net.cutBoth(s.cluster.nodeOf(leader), s.cluster.nodeOf(stale));
        s.run(15_000);
        const acked = s.acked(s.produce(5));
        expect(acked).toHaveLength(5);
        s.world.net.heal();
        // The stale replica crashes; the in-sync ones shut down cleanly, so their logs survive on disk.
        s.crash(stale).run(1000);
        s.world.shutdown(s.cluster.nodeOf(third));
        s.run(1000);
        s.world.shutdown(s.cluster.nodeOf(leader));
        s.run(10_000);
        // Every replica is down; bring back the stale one first.
        s.restart(stale).run(15_000);
        if (!unclean) {
          expect(s.leader()).toBe(-1);
          expect(s.events.some((e) => e.kind === 'offline')).toBe(true);
          expect(s.monitor.violations).toEqual([]);
          return;
        }
        expect(s.leader()).toBe(stale);
        expect(s.elections().at(-1)?.unclean).toBe(true);
        s.restart(leader).restart(third).run(15_000);
        // The old leader truncated to the stale leader's log: the acknowledged writes are gone everywhere.
        for (const b of [0, 1, 2]) for (const v of acked) expect(s.log(b)).not.toContain(v);
        const truncations = s.events.filter(
          (e) => e.kind === 'truncate' && e.removed.some((r) => acked.includes(r.value)),
        );
        expect(truncations.length).toBeGreaterThan(0);
        const completeness = s.monitor.violations.filter((v) => v.invariant === 'LeaderCompleteness');
        expect(completeness.length).toBeGreaterThan(0);
        expect(completeness.every((v) => v.causedBy?.leader === stale)).toBe(true);
        expect(s.monitor.unexplained()).toEqual([]);
      },
    );
  }

  it('fences a paused (zombie) leader by its leader epoch after it resumes', () => {
    const s = new Scenario().start();
    s.produce(5);
    const zombie = s.leader();
    const epoch = s.partition(zombie).leaderEpoch;
    s.world.pause(s.cluster.nodeOf(zombie));
    s.run(15_000); // the ZooKeeper session expires; a new leader is elected
    const leader = s.leader();
    expect(leader).not.toBe(zombie);
    expect(s.partition(leader).leaderEpoch).toBeGreaterThan(epoch);
    s.world.resume(s.cluster.nodeOf(zombie));
    s.run(15_000);
    // The zombie learns the new epoch and follows; nothing it might still have accepted survives.
    expect(s.partition(zombie).role).toBe('follower');
    expect(s.partition(zombie).leaderEpoch).toBe(s.partition(leader).leaderEpoch);
    const after = s.acked(s.produce(5));
    expect(after).toHaveLength(5);
    s.run(2000);
    expect(s.log(zombie)).toEqual(s.log(leader));
    expect(s.monitor.violations).toEqual([]);
  });

  it('fences a zombie controller by controller_epoch', () => {
    const s = new Scenario().start();
    const zombie = s.cluster.activeController();
    expect(zombie).not.toBeNull();
    const zombieId = (zombie as NonNullable<typeof zombie>).id;
    const oldEpoch = zombie?.controller?.epoch ?? -1;
    s.world.pause(s.cluster.nodeOf(zombieId));
    s.run(15_000);
    const active = s.cluster.activeController();
    expect(active?.id).not.toBe(zombieId);
    expect(active?.controller?.epoch).toBeGreaterThan(oldEpoch);
    // The zombie wakes up still believing it is controller; its requests carry the old epoch.
    s.world.resume(s.cluster.nodeOf(zombieId));
    const successor = s.cluster.broker(active?.id ?? 0);
    s.run(15_000);
    expect(s.cluster.activeController()?.id).toBe(active?.id);
    expect(successor?.controllerEpochSeen).toBeGreaterThan(oldEpoch);
    expect(s.cluster.broker(zombieId)?.controller?.isActive ?? false).toBe(false);
    expect(s.monitor.violations).toEqual([]);
  });
});
