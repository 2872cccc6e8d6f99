// The classic group coordinator against GroupCoordinator.scala (3.9.0): joins, generations, syncs, member expiry,
// offset commits fenced by generation, and the group and its offsets surviving a coordinator failover.
import { describe, expect, it } from 'vitest';
import type { GroupCoordinator } from '../../../../sim/kafka/group/group-coordinator.ts';
import type { GroupError } from '../../../../sim/kafka/group/group-messages.ts';
import type { JoinResult, SyncResult } from '../../../../sim/kafka/group/group-metadata.ts';
import { coordinatorOn, ManualClock, MemoryGroupLog } from '../../../helpers/group-harness.ts';

const G = 'g';
const SESSION = 10_000;
const REBALANCE = 30_000;
const protocols = [{ name: 'range', metadata: { partitions: [0, 1, 2, 3], ownedPartitions: [], generation: -1 } }];

function setup(version = '3.9') {
  const clock = new ManualClock();
  const log = new MemoryGroupLog(clock);
  const c = coordinatorOn(clock, log, version);
  c.onElection(0, 1);
  clock.advance(1);
  return { clock, log, c };
}

function join(c: GroupCoordinator, memberId: string, clientId = 'c'): { result: JoinResult | null } {
  const box: { result: JoinResult | null } = { result: null };
  c.handleJoinGroup(
    {
      groupId: G,
      memberId,
      clientId,
      sessionTimeoutMs: SESSION,
      rebalanceTimeoutMs: REBALANCE,
      protocols,
      requireKnownMemberId: true,
    },
    (r) => (box.result = r),
  );
  return box;
}

/** KIP-394: the first JoinGroup is answered MEMBER_ID_REQUIRED with the id to come back with. */
function newMember(c: GroupCoordinator, clientId: string): string {
  const first = join(c, '', clientId).result as JoinResult;
  expect(first.error).toBe('MEMBER_ID_REQUIRED');
  return first.memberId;
}

function sync(c: GroupCoordinator, memberId: string, generationId: number, assignments: [string, number[]][] = []) {
  const box: { result: SyncResult | null } = { result: null };
  const list = assignments.map(([m, partitions]) => ({ memberId: m, partitions }));
  c.handleSyncGroup({ groupId: G, memberId, generationId, assignments: list }, (r) => (box.result = r));
  return box;
}

function heartbeat(c: GroupCoordinator, memberId: string, generationId: number): GroupError {
  let e: GroupError | null = null;
  c.handleHeartbeat({ groupId: G, memberId, generationId }, (r) => (e = r));
  return e as unknown as GroupError;
}

function commit(c: GroupCoordinator, memberId: string, generationId: number, offset: number) {
  const box: { errors: GroupError[] | null } = { errors: null };
  c.handleCommitOffsets(
    { groupId: G, memberId, generationId, offsets: [{ partition: 0, offset, leaderEpoch: 0 }] },
    (r) => {
      box.errors = r.map((x) => x.error);
    },
  );
  return box;
}

function fetched(c: GroupCoordinator, requireStable = false): { error: GroupError; offset: number } {
  let out = { error: 'NONE' as GroupError, offset: -2 };
  const req = { groupId: G, partitions: [0], ...(requireStable ? { requireStable: true as const } : {}) };
  c.handleFetchOffsets(req, (error, ps) => (out = { error: ps[0]?.error ?? error, offset: ps[0]?.offset ?? -2 }));
  return out;
}

/** Two members through generation 1 to Stable, a's assignment [0,1], b's [2,3]. */
function stableGroupOfTwo(s: ReturnType<typeof setup>) {
  const { clock, c } = s;
  const a = newMember(c, 'a');
  const b = newMember(c, 'b');
  const ja = join(c, a);
  const jb = join(c, b);
  // group.initial.rebalance.delay.ms: an Empty group waits 3 s (and again while members keep arriving).
  clock.advance(2999);
  expect(ja.result).toBeNull();
  clock.advance(3001);
  expect(ja.result?.error).toBe('NONE');
  expect(jb.result?.generationId).toBe(1);
  expect(ja.result?.leaderId).toBe(a);
  expect(ja.result?.members.map((m) => m.memberId)).toEqual([a, b]);
  expect(jb.result?.members).toEqual([]);
  const sb = sync(c, b, 1);
  const sa = sync(c, a, 1, [
    [a, [0, 1]],
    [b, [2, 3]],
  ]);
  expect(sa.result).toBeNull();
  clock.advance(1);
  expect(sa.result).toEqual({ error: 'NONE', assignment: [0, 1] });
  expect(sb.result).toEqual({ error: 'NONE', assignment: [2, 3] });
  return { a, b };
}

describe('group coordinator (GroupCoordinator.scala, 3.9.0)', () => {
  it('brings two members through a generation to Stable with the leader assignment', () => {
    const s = setup();
    stableGroupOfTwo(s);
    expect(s.c.manager.groups.get(G)?.state).toBe('Stable');
    expect(s.log.records.filter((r) => r.kind === 'group')).toHaveLength(1);
  });

  it('before KIP-394 (2.1) a member joins at once without MEMBER_ID_REQUIRED', () => {
    const s = setup('2.1');
    const r = join(s.c, '', 'a');
    expect(r.result).toBeNull();
    s.clock.advance(3000);
    expect(r.result?.error).toBe('NONE');
    expect(r.result?.generationId).toBe(1);
  });

  it('removes a member that stops heartbeating after session.timeout.ms and rebalances the rest', () => {
    const s = setup();
    const { a, b } = stableGroupOfTwo(s);
    for (let t = 0; t < 3; t++) {
      s.clock.advance(3000);
      expect(heartbeat(s.c, a, 1)).toBe('NONE');
    }
    // b has been silent for 9 s of its 10 s session; a's heartbeats do not keep it.
    expect(s.c.manager.groups.get(G)?.has(b)).toBe(true);
    s.clock.advance(1001);
    expect(s.c.manager.groups.get(G)?.has(b)).toBe(false);
    expect(s.c.manager.groups.get(G)?.state).toBe('PreparingRebalance');
    expect(heartbeat(s.c, a, 1)).toBe('REBALANCE_IN_PROGRESS');
    const ja = join(s.c, a);
    // All remaining members rejoined: DelayedJoin completes at once.
    expect(ja.result?.generationId).toBe(2);
    expect(ja.result?.members.map((m) => m.memberId)).toEqual([a]);
    expect(heartbeat(s.c, b, 1)).toBe('UNKNOWN_MEMBER_ID');
  });

  it('fences offset commits by generation and refuses them while the assignment is being synced', () => {
    const s = setup();
    const { a, b } = stableGroupOfTwo(s);
    const ok = commit(s.c, a, 1, 5);
    s.clock.advance(1);
    expect(ok.errors).toEqual(['NONE']);
    expect(fetched(s.c).offset).toBe(5);
    expect(commit(s.c, a, 0, 6).errors).toEqual(['ILLEGAL_GENERATION']);
    expect(commit(s.c, 'stranger', 1, 6).errors).toEqual(['UNKNOWN_MEMBER_ID']);
    // a rejoins (the leader): PreparingRebalance still takes commits of generation 1.
    join(s.c, a);
    const during = commit(s.c, b, 1, 7);
    s.clock.advance(1);
    expect(during.errors).toEqual(['NONE']);
    join(s.c, b);
    expect(s.c.manager.groups.get(G)?.state).toBe('CompletingRebalance');
    expect(commit(s.c, b, 2, 8).errors).toEqual(['REBALANCE_IN_PROGRESS']);
    expect(commit(s.c, b, 1, 8).errors).toEqual(['ILLEGAL_GENERATION']);
    expect(fetched(s.c).offset).toBe(7);
  });

  it('makes a commit visible only once the offsets partition acknowledged it', () => {
    const s = setup();
    const { a } = stableGroupOfTwo(s);
    s.log.ackMs = 100;
    const r = commit(s.c, a, 1, 9);
    s.clock.advance(50);
    expect(r.errors).toBeNull();
    expect(fetched(s.c).offset).toBe(-1);
    // KIP-447: appended, not yet acknowledged, so pending: a stable fetch waits (hasPendingOffsetCommits).
    expect(fetched(s.c, true)).toEqual({ error: 'UNSTABLE_OFFSET_COMMIT', offset: -1 });
    s.clock.advance(50);
    expect(fetched(s.c).offset).toBe(9);
    expect(fetched(s.c, true)).toEqual({ error: 'NONE', offset: 9 });
    s.log.failWith = 'NOT_LEADER_OR_FOLLOWER';
    const lost = commit(s.c, a, 1, 10);
    s.clock.advance(100);
    expect(lost.errors).toEqual(['NOT_COORDINATOR']);
    expect(fetched(s.c).offset).toBe(9);
    // A failed write is no longer pending (failPendingOffsetWrite).
    expect(fetched(s.c, true)).toEqual({ error: 'NONE', offset: 9 });
  });

  it('hands the group and its offsets to the next coordinator through the log', () => {
    const s = setup();
    const { a, b } = stableGroupOfTwo(s);
    commit(s.c, a, 1, 4);
    s.clock.advance(1);
    // a rejoins: the old coordinator fails its pending join, then resigns.
    const pending = join(s.c, a);
    s.c.onResignation(0);
    expect(pending.result?.error).toBe('NOT_COORDINATOR');
    expect(heartbeat(s.c, a, 1)).toBe('NOT_COORDINATOR');
    const next = coordinatorOn(s.clock, s.log);
    next.onElection(0, 2);
    // Loading: heartbeats are taken, offsets are not served yet.
    expect(heartbeat(next, a, 1)).toBe('NONE');
    expect(fetched(next).error).toBe('COORDINATOR_LOAD_IN_PROGRESS');
    s.clock.advance(1);
    const g = next.manager.groups.get(G);
    expect(g?.state).toBe('Stable');
    expect(g?.generationId).toBe(1);
    expect(g?.get(b).assignment).toEqual([2, 3]);
    expect(fetched(next).offset).toBe(4);
    expect(heartbeat(next, b, 1)).toBe('NONE');
    // Loaded members must heartbeat within their session from the load on.
    s.clock.advance(SESSION + 1);
    expect(next.manager.groups.get(G)?.members.size).toBe(0);
  });

  it('answers NOT_COORDINATOR for a group whose offsets partition it does not lead', () => {
    const clock = new ManualClock();
    const c = coordinatorOn(clock, new MemoryGroupLog(clock));
    expect(join(c, '', 'a').result?.error).toBe('NOT_COORDINATOR');
  });

  for (const [version, removed] of [
    ['3.9', true],
    ['2.7', false],
  ] as const) {
    it(`on ${version} a member that heartbeats but never sends SyncGroup is ${removed ? '' : 'not '}removed`, () => {
      // KAFKA-12890 (3.0, DelayedSync): otherwise the group stays in CompletingRebalance.
      const s = setup(version);
      const a = newMember(s.c, 'a');
      const b = newMember(s.c, 'b');
      join(s.c, a);
      join(s.c, b);
      // b joined during the initial delay, which therefore runs twice.
      s.clock.advance(6000);
      // Only b syncs; the leader a heartbeats but never syncs.
      sync(s.c, b, 1);
      for (let t = 0; t <= REBALANCE; t += 3000) {
        s.clock.advance(3000);
        heartbeat(s.c, a, 1);
        heartbeat(s.c, b, 1);
      }
      const g = s.c.manager.groups.get(G);
      expect(g?.has(a)).toBe(!removed);
      expect(g?.state).toBe(removed ? 'PreparingRebalance' : 'CompletingRebalance');
    });
  }
});
