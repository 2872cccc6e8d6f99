// The KRaft quorum's Raft in small pieces: the on-disk log (divergence lookup, torn tails), the vote
// rules (an out-of-date log cannot win, a 5-voter quorum survives two losses), the high watermark by
// majority, and the Raft invariant checker itself.
import { describe, expect, it } from 'vitest';
import { RaftMonitor } from '../../../../checkers/invariants/raft.ts';
import { controllerNode } from '../../../../sim/kafka/kraft/config.ts';
import { RaftLog } from '../../../../sim/kafka/kraft/raft-log.ts';
import type { RaftEntry } from '../../../../sim/kafka/kraft/records.ts';
import { World } from '../../../../sim/world/world.ts';
import { KraftScenario } from '../../../helpers/kraft-scenario.ts';

function disk() {
  const world = new World({ seed: 1 });
  world.addNode('x', () => ({ onMessage() {} }));
  return world.node('x').disk;
}

const entry = (offset: number, epoch: number): RaftEntry => ({
  offset,
  epoch,
  record: { type: 'LeaderChange', leaderId: 3001, voters: [3001] },
});

describe('RaftLog', () => {
  it('finds where a follower diverges by epoch (endOffsetForEpoch)', () => {
    const log = new RaftLog(disk(), true);
    log.append([entry(0, 1), entry(1, 1), entry(2, 3), entry(3, 3), entry(4, 4)]);
    expect(log.endOffsetForEpoch(1)).toEqual({ epoch: 1, endOffset: 2 });
    expect(log.endOffsetForEpoch(2)).toEqual({ epoch: 1, endOffset: 2 });
    expect(log.endOffsetForEpoch(3)).toEqual({ epoch: 3, endOffset: 4 });
    expect(log.endOffsetForEpoch(9)).toEqual({ epoch: 4, endOffset: 5 });
    expect(log.endOffsetForEpoch(0)).toEqual({ epoch: 0, endOffset: 0 });
    log.truncateTo(3);
    expect(log.endOffset).toBe(3);
    expect(log.lastEpoch()).toBe(3);
  });

  it('survives a restart from disk, cutting a torn last line', () => {
    const d = disk();
    const log = new RaftLog(d, true);
    log.append([entry(0, 1), entry(1, 2)]);
    d.append('__cluster_metadata-0.log', '{"offset":2,"ep');
    const again = new RaftLog(d, true);
    expect(again.endOffset).toBe(2);
    expect(again.lastEpoch()).toBe(2);
    again.append([entry(2, 2)]);
    expect(new RaftLog(d, true).endOffset).toBe(3);
  });
});

describe('Raft votes and the high watermark', () => {
  it('a voter with an out-of-date log cannot win; it truncates nothing committed and catches up', () => {
    const s = new KraftScenario().start();
    const leader = s.activeController();
    const [stale, fresh] = s.voters.filter((v) => v !== leader);
    s.isolate(controllerNode(stale));
    // Metadata moves on without it: a broker is fenced (after 6 s) and its partitions change.
    s.crash(2).run(8000);
    const end = s.controller(leader).raft.log.endOffset;
    expect(s.controller(stale).raft.log.endOffset).toBeLessThan(end);
    expect(s.controller(fresh).raft.log.endOffset).toBe(end);
    // The leader dies and the stale voter is back: only the fresh one can gather a majority.
    s.crashController(leader);
    s.world.net.heal();
    s.run(8000);
    expect(s.activeController()).toBe(fresh);
    expect(s.controller(stale).raft.log.endOffset).toBe(s.controller(fresh).raft.log.endOffset);
    expect(s.controller(stale).raft.log.entries).toEqual(s.controller(fresh).raft.log.entries);
    expect(s.raft.violations).toEqual([]);
  });

  it('commits by majority: with one follower cut off the leader still commits, never past what two voters hold', () => {
    const s = new KraftScenario().start();
    const leader = s.activeController();
    const [cut] = s.voters.filter((v) => v !== leader);
    s.isolate(controllerNode(cut));
    s.crash(1).run(8000);
    const l = s.controller(leader).raft;
    expect(l.highWatermark).toBe(l.log.endOffset);
    expect(s.controller(cut).raft.log.endOffset).toBeLessThan(l.highWatermark);
    const ends = s.voters.map((v) => s.controller(v).raft.log.endOffset).sort((a, b) => b - a);
    expect(l.highWatermark).toBeLessThanOrEqual(ends[1]);
    expect(s.raft.violations).toEqual([]);
  });

  it('a 5-voter quorum loses its leader and another voter and still elects, with brokers unaffected', () => {
    const s = new KraftScenario({ kraft: { 'controller.quorum.voters': 5 } }).start();
    expect(s.voters).toHaveLength(5);
    const leader = s.activeController();
    const other = s.voters.find((v) => v !== leader) as number;
    const partitionLeader = s.leader();
    s.crashController(leader).crashController(other).run(8000);
    const now = s.activeController();
    expect(now).toBeGreaterThan(0);
    expect([leader, other]).not.toContain(now);
    expect(s.leader()).toBe(partitionLeader);
    expect(s.acked(s.produce(5))).toHaveLength(5);
    // A third loss leaves 2 of 5: no majority, the leader resigns, metadata stands still.
    s.crashController(now).run(8000);
    expect(s.activeController()).toBe(-1);
    expect(s.raft.violations).toEqual([]);
  });

  it('is deterministic: the same seed gives the same Raft history', () => {
    const run = () => {
      const s = new KraftScenario({ seed: 7 }).start();
      s.crashController(s.activeController()).run(5000);
      s.produce(5);
      return JSON.stringify(s.raftEvents);
    };
    expect(run()).toBe(run());
  });
});

describe('RaftMonitor', () => {
  it('flags two leaders in one epoch, an epoch going back, and a high watermark going back', () => {
    const m = new RaftMonitor([1, 2, 3]);
    m.observe({ kind: 'raft-state', time: 0, voter: 1, epoch: 2, role: 'leader', leader: 1, votedFor: 1 });
    m.observe({ kind: 'raft-state', time: 1, voter: 2, epoch: 2, role: 'leader', leader: 2, votedFor: 2 });
    m.observe({ kind: 'raft-state', time: 2, voter: 1, epoch: 1, role: 'follower', leader: 3, votedFor: -1 });
    const entries = () => [
      { offset: 0, digest: 'a' },
      { offset: 1, digest: 'b' },
    ];
    m.observe({ kind: 'raft-append', time: 3, voter: 1, entries: entries() });
    m.observe({ kind: 'raft-append', time: 3, voter: 2, entries: entries() });
    m.observe({ kind: 'raft-hw', time: 4, voter: 1, leader: true, epoch: 2, highWatermark: 2 });
    m.observe({ kind: 'raft-hw', time: 5, voter: 2, leader: true, epoch: 3, highWatermark: 1 });
    expect(m.violations.map((v) => v.invariant)).toEqual([
      'RaftSingleLeader',
      'RaftMonotonicEpoch',
      'RaftMonotonicHighWatermark',
    ]);
  });

  it('lets a leader deposed unawares lag behind the newer leader, not the newest leader go back', () => {
    // Seed 322: voter 1, leader of epoch 3, paused; voters 2 and 3 elected voter 2 in epoch 4, which committed
    // up to 3. Voter 1 resumed and counted a fetch voter 3 had sent it before: high watermark 2 in epoch 3.
    const m = new RaftMonitor([1, 2, 3]);
    const entries = (from: number, to: number, epoch: number) =>
      Array.from({ length: to - from }, (_, i) => ({ offset: from + i, digest: `${epoch}:${from + i}` }));
    m.observe({ kind: 'raft-state', time: 0, voter: 1, epoch: 3, role: 'leader', leader: 1, votedFor: 1 });
    for (const v of [1, 2, 3]) m.observe({ kind: 'raft-append', time: 1, voter: v, entries: entries(0, 2, 3) });
    m.observe({ kind: 'raft-hw', time: 2, voter: 1, leader: true, epoch: 3, highWatermark: 1 });
    m.observe({ kind: 'raft-state', time: 3, voter: 2, epoch: 4, role: 'leader', leader: 2, votedFor: 2 });
    for (const v of [2, 3]) m.observe({ kind: 'raft-append', time: 4, voter: v, entries: entries(2, 3, 4) });
    m.observe({ kind: 'raft-hw', time: 5, voter: 2, leader: true, epoch: 4, highWatermark: 3 });
    m.observe({ kind: 'raft-hw', time: 6, voter: 1, leader: true, epoch: 3, highWatermark: 2 });
    expect(m.violations).toEqual([]);
    // The newest leader going back is still a violation.
    m.observe({ kind: 'raft-hw', time: 7, voter: 2, leader: true, epoch: 4, highWatermark: 2 });
    expect(m.violations.map((v) => v.invariant)).toEqual(['RaftMonotonicHighWatermark', 'RaftMonotonicHighWatermark']);
  });

  it('flags a commit held by a minority, a changed committed entry, and a broker applying uncommitted metadata', () => {
    const m = new RaftMonitor([1, 2, 3]);
    m.observe({ kind: 'raft-append', time: 0, voter: 1, entries: [{ offset: 0, digest: 'a' }] });
    m.observe({ kind: 'raft-hw', time: 1, voter: 1, leader: true, epoch: 1, highWatermark: 1 });
    m.observe({ kind: 'raft-append', time: 2, voter: 2, entries: [{ offset: 0, digest: 'z' }] });
    m.observe({ kind: 'raft-hw', time: 3, voter: 2, leader: false, epoch: 1, highWatermark: 1 });
    m.observe({ kind: 'metadata-reset', time: 4, broker: 0 });
    m.observe({ kind: 'metadata-applied', time: 5, broker: 0, offset: 0, digest: 'a' });
    m.observe({ kind: 'metadata-applied', time: 6, broker: 0, offset: 1, digest: 'q' });
    expect(m.violations.map((v) => v.invariant)).toEqual([
      'RaftMajorityHoldsCommitted',
      'RaftCommittedNeverChanges',
      'BrokerMetadataIsCommittedPrefix',
    ]);
  });
});
