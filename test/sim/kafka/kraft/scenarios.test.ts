// Deterministic scenarios in KRaft mode: the controller quorum's own faults (leader crash, a partitioned
// voter coming back), broker fencing after missed heartbeats, and clean and unclean elections as in
// ZooKeeper mode. Replica invariants and Raft invariants are checked at every step.
import { describe, expect, it } from 'vitest';
import { controllerNode } from '../../../../sim/kafka/kraft/config.ts';
import { releaseOf } from '../../../../sim/kafka/releases.ts';
import { KraftScenario } from '../../../helpers/kraft-scenario.ts';

describe('KRaft mode scenarios (modern protocol)', () => {
  it('elects an active controller, registers and unfences every broker, and replicates acks=all writes', () => {
    const s = new KraftScenario().start();
    expect(s.activeController()).toBeGreaterThan(0);
    const image = s.controller(s.activeController()).committed;
    expect(
      [...image.brokers.values()].map((b) => [b.id, b.fenced]).sort((x, y) => Number(x[0]) - Number(y[0])),
    ).toEqual([
      [0, false],
      [1, false],
      [2, false],
    ]);
    const results = s.produce(20);
    expect(s.acked(results)).toHaveLength(20);
    s.run(2000);
    for (const b of [0, 1, 2]) expect(s.log(b)).toEqual(results.map((r) => r.value));
    expect(s.isr()).toEqual([0, 1, 2]);
    expect(s.monitor.violations).toEqual([]);
    expect(s.raft.violations).toEqual([]);
  });

  it('survives the active controller crashing: a new one in a higher epoch, brokers unaffected', () => {
    const s = new KraftScenario().start();
    const before = s.acked(s.produce(10));
    const old = s.activeController();
    const epoch = s.controller(old).raft.epoch;
    const leader = s.leader();
    const leaderEpoch = s.partition(leader).leaderEpoch;
    s.crashController(old).run(6000);
    const now = s.activeController();
    expect(now).toBeGreaterThan(0);
    expect(now).not.toBe(old);
    expect(s.controller(now).raft.epoch).toBeGreaterThan(epoch);
    // Partition leadership did not move: brokers kept their sessions with the new active controller.
    expect(s.leader()).toBe(leader);
    expect(s.partition(leader).leaderEpoch).toBe(leaderEpoch);
    expect(s.elections()).toEqual([]);
    const after = s.acked(s.produce(10));
    expect(after).toHaveLength(10);
    // The old controller comes back as a follower and catches up with the metadata log.
    s.restartController(old).run(5000);
    const back = s.controller(old);
    expect(back.raft.role).toBe('follower');
    expect(back.raft.leaderId).toBe(now);
    expect(back.raft.log.endOffset).toBe(s.controller(now).raft.log.endOffset);
    expect(s.log(leader)).toEqual([...before, ...after]);
    expect(s.monitor.violations).toEqual([]);
    expect(s.raft.violations).toEqual([]);
  });

  it('a partitioned controller returns without disrupting the quorum (Pre-Vote, KIP-996)', () => {
    const s = new KraftScenario().start();
    const active = s.activeController();
    const epoch = s.controller(active).raft.epoch;
    const follower = s.voters.find((v) => v !== active) as number;
    s.isolate(controllerNode(follower)).run(15_000);
    // Cut off, it keeps asking for pre-votes, which nobody grants; it never bumps its epoch.
    const own = s.raftEvents.filter((e) => e.kind === 'raft-state' && e.voter === follower);
    expect(own.some((e) => e.kind === 'raft-state' && e.role === 'prospective')).toBe(true);
    expect(own.some((e) => e.kind === 'raft-state' && e.role === 'candidate')).toBe(false);
    expect(s.controller(follower).raft.epoch).toBe(epoch);
    s.world.net.heal();
    s.run(5000);
    // Back: it follows the same leader in the same epoch; the leader was never deposed.
    expect(s.activeController()).toBe(active);
    expect(s.maxEpoch()).toBe(epoch);
    expect(s.controller(follower).raft.role).toBe('follower');
    expect(s.controller(follower).raft.leaderId).toBe(active);
    expect(
      s.raftEvents
        .filter((e) => e.kind === 'raft-state' && e.role === 'leader')
        .map((e) => e.kind === 'raft-state' && e.voter),
    ).toEqual([active]);
    expect(s.raft.violations).toEqual([]);
  });

  it('an isolated active controller resigns (check quorum); the majority elects a new one', () => {
    const s = new KraftScenario().start();
    const old = s.activeController();
    const epoch = s.controller(old).raft.epoch;
    s.isolate(controllerNode(old)).run(10_000);
    const now = s.activeController();
    expect(now).not.toBe(old);
    expect(now).toBeGreaterThan(0);
    expect(s.controller(now).raft.epoch).toBeGreaterThan(epoch);
    expect(s.controller(old).isActive).toBe(false);
    s.world.net.heal();
    s.run(5000);
    expect(s.controller(old).raft.role).toBe('follower');
    expect(s.acked(s.produce(5))).toHaveLength(5);
    expect(s.monitor.violations).toEqual([]);
    expect(s.raft.violations).toEqual([]);
  });

  it('a broker ignores a fetch answered by a deposed leader in an older epoch (KafkaRaftClient)', () => {
    const s = new KraftScenario().start();
    s.produce(5);
    const stale = s.activeController();
    expect(stale).toBe(s.voters[0]);
    const epoch = s.controller(stale).raft.epoch;
    // Frozen while leading (a GC pause): the other two elect a leader in a newer epoch, which the brokers follow.
    s.world.pause(controllerNode(stale));
    s.run(8000);
    const fresh = s.activeController();
    expect(fresh).not.toBe(stale);
    expect(s.controller(fresh).raft.epoch).toBeGreaterThan(epoch);
    // The new leader dies: with no leader known, brokers ask every voter in turn, the frozen one too. Its
    // answers wait until it resumes, still leader of its old epoch, with a log that ends in that epoch.
    const answered: number[] = [];
    const raft = s.controller(stale).raft;
    const handle = raft.handleRequest.bind(raft);
    raft.handleRequest = (from, msg) => {
      if (msg.type === 'MetadataFetch' && !s.voters.includes(msg.replicaId) && raft.isLeader())
        answered.push(raft.epoch);
      handle(from, msg);
    };
    s.crashController(fresh, 'process').run(3000);
    // A broker restarted meanwhile knows the newer epoch from its own log's last record (QuorumState.initialize).
    const freshEpoch = s.controller(s.voters.find((v) => v !== stale && v !== fresh) as number).raft.epoch;
    // Its first fetch goes to the first voter, the frozen one here, whose answer comes once it resumes.
    s.crash(0, 'process').restart(0);
    expect(s.cluster.broker(0)?.kraft?.metadata.leaderEpoch).toBe(freshEpoch);
    s.world.resume(controllerNode(stale));
    s.run(15_000);
    expect(answered.length).toBeGreaterThan(0);
    expect(answered.every((e) => e === epoch)).toBe(true);
    // Brokers told to truncate by that leader would have thrown; they follow the quorum's leader instead.
    const leader = s.controller(s.activeController()).raft;
    for (const b of [0, 1, 2]) {
      const metadata = s.cluster.broker(b)?.kraft?.metadata;
      expect(metadata?.leaderEpoch).toBe(leader.epoch);
      expect(metadata?.offset).toBe(leader.highWatermark);
    }
    expect(s.acked(s.produce(5))).toHaveLength(5);
    expect(s.monitor.violations).toEqual([]);
    expect(s.raft.violations).toEqual([]);
  });

  it('fences a broker cut off from the quorum after broker.session.timeout.ms and moves its leaderships', () => {
    const s = new KraftScenario({ partitions: 3 }).start();
    s.produce(5);
    const b = s.leader(0);
    s.cutFromQuorum(b).run(10_000);
    const active = s.controller(s.activeController());
    expect(active.committed.brokers.get(b)?.fenced).toBe(true);
    const election = s.elections(0).at(-1);
    expect(election?.reason).toBe(`broker failure [${b}]`);
    expect(election?.unclean).toBe(false);
    expect(election?.leader).not.toBe(b);
    expect(active.committed.partitions.get(0)?.isr).not.toContain(b);
    // The data path still works around the fenced broker.
    expect(s.acked(s.produce(5))).toHaveLength(5);
    s.world.net.heal();
    s.run(15_000);
    // Heartbeats resume: unfenced, it follows the new leader, catches up and rejoins the ISR.
    expect(s.controller(s.activeController()).committed.brokers.get(b)?.fenced).toBe(false);
    expect(s.partition(b, 0).role).toBe('follower');
    expect(s.isr(0)).toContain(b);
    expect(s.log(b, 0)).toEqual(s.log(s.leader(0), 0));
    expect(s.monitor.violations).toEqual([]);
    expect(s.raft.violations).toEqual([]);
  });

  it('elects a clean leader from the ISR when the leader crashes, losing nothing acknowledged', () => {
    const s = new KraftScenario().start();
    const before = s.acked(s.produce(10));
    const old = s.leader();
    s.crash(old).run(10_000); // past broker.session.timeout.ms (6 s)
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
    expect(s.raft.violations).toEqual([]);
  });

  for (const unclean of [false, true]) {
    it(
      `all replicas down, the stale one restarted first: ` +
        (unclean
          ? 'unclean election loses acknowledged writes, RECOVERING until its leader reports in'
          : 'clean election keeps the partition offline'),
      () => {
        const s = new KraftScenario({
          broker: { 'unclean.leader.election.enable': unclean, 'min.insync.replicas': 1 },
        }).start();
        s.acked(s.produce(5));
        const leader = s.leader();
        const stale = [0, 1, 2].find((b) => b !== leader) as number;
        const third = [0, 1, 2].find((b) => b !== leader && b !== stale) as number;
        s.world.net.cutBoth(s.cluster.nodeOf(leader), s.cluster.nodeOf(stale));
        s.run(15_000);
        const acked = s.acked(s.produce(5));
        expect(acked).toHaveLength(5);
        s.world.net.heal();
        s.crash(stale).run(1000);
        s.world.shutdown(s.cluster.nodeOf(third));
        s.run(1000);
        s.world.shutdown(s.cluster.nodeOf(leader));
        s.run(10_000);
        s.restart(stale).run(15_000);
        if (!unclean) {
          expect(s.leader()).toBe(-1);
          expect(s.events.some((e) => e.kind === 'offline')).toBe(true);
          expect(s.monitor.violations).toEqual([]);
          expect(s.raft.violations).toEqual([]);
          return;
        }
        expect(s.leader()).toBe(stale);
        const election = s.elections().at(-1);
        expect(election?.unclean).toBe(true);
        // KIP-704: the unclean election wrote RECOVERING; the new leader reported RECOVERED since.
        const log = s.controller(s.activeController()).raft.log.entries.map((e) => e.record);
        const recovering = log.findIndex(
          (r) => r.type === 'PartitionChangeRecord' && r.leaderRecoveryState === 'RECOVERING',
        );
        expect(recovering).toBeGreaterThan(0);
        expect(
          log
            .slice(recovering + 1)
            .some(
              (r) =>
                r.type === 'PartitionChangeRecord' &&
                r.reason === 'AlterPartition' &&
                r.leaderRecoveryState === 'RECOVERED',
            ),
        ).toBe(true);
        expect(s.controller(s.activeController()).committed.partitions.get(0)?.leaderRecoveryState).toBe('RECOVERED');
        s.restart(leader).restart(third).run(15_000);
        for (const b of [0, 1, 2]) for (const v of acked) expect(s.log(b)).not.toContain(v);
        const completeness = s.monitor.violations.filter((v) => v.invariant === 'LeaderCompleteness');
        expect(completeness.length).toBeGreaterThan(0);
        expect(completeness.every((v) => v.causedBy?.leader === stale)).toBe(true);
        expect(s.monitor.unexplained()).toEqual([]);
        expect(s.raft.violations).toEqual([]);
      },
    );
  }

  it('fences a paused (zombie) leader by its leader epoch after it resumes', () => {
    const s = new KraftScenario().start();
    s.produce(5);
    const zombie = s.leader();
    const epoch = s.partition(zombie).leaderEpoch;
    s.world.pause(s.cluster.nodeOf(zombie));
    s.run(15_000);
    const leader = s.leader();
    expect(leader).not.toBe(zombie);
    expect(s.partition(leader).leaderEpoch).toBeGreaterThan(epoch);
    s.world.resume(s.cluster.nodeOf(zombie));
    s.run(15_000);
    expect(s.partition(zombie).role).toBe('follower');
    expect(s.partition(zombie).leaderEpoch).toBe(s.partition(leader).leaderEpoch);
    expect(s.acked(s.produce(5))).toHaveLength(5);
    s.run(2000);
    expect(s.log(zombie)).toEqual(s.log(leader));
    expect(s.monitor.violations).toEqual([]);
    expect(s.raft.violations).toEqual([]);
  });
});

describe('KRaft before Pre-Vote (3.9): KafkaRaftClient.handleVoteRequest', () => {
  it('a partitioned controller returns in a newer epoch and deposes the leader, though its stale log loses', () => {
    // Kafka 3.9.0: a voter whose fetch timeout expires becomes a candidate at once (pollFollowerAsVoter:
    // transitionToCandidate), so cut off it bumps its epoch at every election timeout. handleVoteRequest moves every
    // voter, the leader included, to the epoch of a newer Vote (transitionToUnattached) before the log check refuses
    // it: the quorum elects again. The same cut-off voter on 4.x never leaves its epoch (the test above).
    const s = new KraftScenario({ protocol: releaseOf('3.9').behaviours }).start();
    const active = s.activeController();
    const epoch = s.controller(active).raft.epoch;
    const follower = s.voters.find((v) => v !== active) as number;
    s.isolate(controllerNode(follower)).run(15_000);
    const stale = s.controller(follower).raft;
    const own = s.raftEvents.filter((e) => e.kind === 'raft-state' && e.voter === follower);
    expect(own.some((e) => e.kind === 'raft-state' && e.role === 'prospective')).toBe(false);
    expect(stale.role).toBe('candidate');
    expect(stale.epoch).toBeGreaterThan(epoch + 3);
    // Meanwhile the leader kept committing (KIP-835 no-op records): the cut-off voter is behind by committed entries.
    expect(stale.log.endOffset).toBeLessThan(s.controller(active).raft.highWatermark);
    const healedAt = s.raftEvents.length;
    s.world.net.heal();
    s.run(5000);
    const after = s.raftEvents.slice(healedAt).flatMap((e) => (e.kind === 'raft-state' ? [e] : []));
    // Its Vote reached the leader: the leader stepped down to the candidate's epoch, with no vote to give.
    const deposed = after.find((e) => e.voter === active && e.role === 'unattached');
    expect(deposed?.epoch).toBeGreaterThan(epoch);
    expect(deposed?.votedFor).toBe(-1);
    // Nobody voted for the stale log; an up-to-date voter leads a still newer epoch, the cut-off one follows it.
    expect(after.filter((e) => e.voter !== follower && e.votedFor === follower)).toEqual([]);
    const leaders = after.filter((e) => e.role === 'leader');
    expect(leaders.map((e) => e.voter)).not.toContain(follower);
    expect(leaders.at(-1)?.epoch).toBeGreaterThan(deposed?.epoch ?? Infinity);
    expect(s.activeController()).not.toBe(follower);
    expect(s.controller(follower).raft.role).toBe('follower');
    expect(s.raft.violations).toEqual([]);
  });

  it('no voter ever asks for pre-votes: a leader resigned by check quorum stands as candidate at once', () => {
    // Kafka 3.9.0 pollResigned and pollUnattachedAsVoter call transitionToCandidate when the election timeout
    // expires; there is no Prospective state before 4.0 (KIP-996).
    const s = new KraftScenario({ protocol: releaseOf('3.9').behaviours }).start();
    const old = s.activeController();
    s.isolate(controllerNode(old)).run(10_000);
    s.world.net.heal();
    s.run(5000);
    const roles = s.raftEvents.flatMap((e) => (e.kind === 'raft-state' ? [`${e.voter} ${e.role}`] : []));
    expect(roles).toContain(`${old} resigned`);
    expect(roles).toContain(`${old} candidate`);
    expect(roles.filter((r) => r.endsWith('prospective'))).toEqual([]);
    expect(s.activeController()).toBeGreaterThan(0);
    expect(s.raft.violations).toEqual([]);
  });
});
