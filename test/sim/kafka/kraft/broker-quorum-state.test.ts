// A KRaft broker is an observer of the metadata quorum, and Kafka persists an observer's election state as it does
// a voter's (QuorumState.transitionToFollower -> durableTransitionTo, FileQuorumStateStore, 3.9.0): a restarted
// broker knows the epoch it had reached even when its metadata log lost the records of that epoch.
import { describe, expect, it } from 'vitest';
import { readQuorumState } from '../../../../sim/kafka/kraft/raft-log.ts';
import { KraftScenario } from '../../../helpers/kraft-scenario.ts';

describe('a KRaft broker persists the quorum epoch and leader it follows', () => {
  it('writes quorum-state on each new leader, and starts from it after a crash', () => {
    const s = new KraftScenario().start();
    const first = s.activeController();
    s.crashController(first).run(6000);
    const active = s.activeController();
    const epoch = s.controller(active).raft.epoch;
    const disk = s.world.node(s.cluster.nodeOf(0)).disk;
    expect(readQuorumState(disk)).toEqual({ leaderEpoch: epoch, leaderId: active, votedId: -1 });
    expect(s.cluster.broker(0)?.kraft?.metadata.leaderEpoch).toBe(epoch);

    s.crash(0, 'lose-unsynced').restart(0);
    const back = s.cluster.broker(0)?.kraft?.metadata;
    // Before any fetch: the epoch comes from the file, whatever the recovered log's last epoch is.
    expect(back?.leaderEpoch).toBe(epoch);
    expect(back!.log.lastEpoch()).toBeLessThanOrEqual(epoch);
    s.run(3000);
    expect(s.cluster.broker(0)?.kraft?.metadata.leaderId).toBe(active);
    expect(s.raft.violations).toEqual([]);
  });
});
