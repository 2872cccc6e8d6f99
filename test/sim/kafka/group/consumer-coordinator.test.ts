// Members (ConsumerCoordinator, 3.9.0) against the group coordinator: eager and cooperative rebalances never give
// one partition to two members at once, a silent member loses its partitions after session.timeout.ms, a member
// that stops polling leaves after max.poll.interval.ms, and commits survive a coordinator failover.
import { describe, expect, it } from 'vitest';
import type { GroupCoordinator } from '../../../../sim/kafka/group/group-coordinator.ts';
import { coordinatorOn, ManualClock, MemoryGroupLog, TestMember } from '../../../helpers/group-harness.ts';

function cluster() {
  const clock = new ManualClock();
  const log = new MemoryGroupLog(clock);
  const box = { c: coordinatorOn(clock, log) as GroupCoordinator };
  box.c.onElection(0, 1);
  clock.advance(1);
  return { clock, log, box };
}

/**
 * Fails if two members of one generation own one partition now. Across generations Kafka promises nothing: a
 * member that missed a rebalance owns its partitions until it hears of it (a zombie).
 */
function exclusive(members: TestMember[]): void {
  const owner = new Map<string, string>();
  for (const m of members) {
    for (const p of m.owned) {
      const key = `${m.member.generation}/${p}`;
      expect(owner.get(key), `partition ${p} owned twice in generation ${m.member.generation}`).toBeUndefined();
      owner.set(key, m.member.memberId);
    }
  }
}

/** Every member polls once per round; exclusivity is checked after each poll. */
function rounds(clock: ManualClock, members: TestMember[], n: number, skip: TestMember[] = []): void {
  for (let i = 0; i < n; i++) {
    for (const m of members) {
      if (!skip.includes(m)) m.poll(clock);
      exclusive(members);
    }
  }
}

const union = (ms: TestMember[]) => ms.flatMap((m) => m.owned).sort((a, b) => a - b);

describe('consumer group members', () => {
  for (const strategy of ['range', 'cooperative-sticky']) {
    it(`${strategy}: members join, a third arrives, partitions are never owned twice`, () => {
      const { clock, box } = cluster();
      const a = new TestMember(clock, () => box.c, 'a', [strategy]);
      const b = new TestMember(clock, () => box.c, 'b', [strategy]);
      rounds(clock, [a, b], 40);
      expect(a.owned.length).toBe(2);
      expect(union([a, b])).toEqual([0, 1, 2, 3]);
      const c = new TestMember(clock, () => box.c, 'c', [strategy]);
      rounds(clock, [a, b, c], 120);
      expect(union([a, b, c])).toEqual([0, 1, 2, 3]);
      expect(c.owned.length).toBeGreaterThan(0);
      const generations = new Set([a, b, c].map((m) => m.member.generation));
      expect(generations.size).toBe(1);
      if (strategy === 'range') {
        // Eager: every member revoked everything before the rebalance.
        expect(a.events.filter((e) => e.kind === 'revoked').at(-1)?.partitions.length).toBe(2);
      } else {
        // Cooperative: a member keeps what stays with it, and two rebalances hand over what moves.
        expect(a.events.filter((e) => e.kind === 'revoked').every((e) => e.partitions.length <= 1)).toBe(true);
        expect(a.member.generation).toBeGreaterThanOrEqual(3);
      }
    });
  }

  it('a member silent past session.timeout.ms loses its partitions to the others, then rejoins', () => {
    const { clock, box } = cluster();
    const a = new TestMember(clock, () => box.c, 'a', ['range']);
    const b = new TestMember(clock, () => box.c, 'b', ['range']);
    rounds(clock, [a, b], 40);
    expect(b.owned.length).toBe(2);
    b.paused = true;
    // 3.9's session.timeout.ms is 45 s: a keeps polling for 50 s, b is neither heard nor polls.
    rounds(clock, [a, b], 500, [b]);
    expect(a.owned).toEqual([0, 1, 2, 3]);
    expect(box.c.manager.groups.get('kafkasim')?.members.size).toBe(1);
    const held = b.events.length;
    b.paused = false;
    rounds(clock, [a, b], 200);
    // b learns only as it rejoins: it gives up what it held (revoked, as its generation was not yet reset).
    expect(b.events.slice(held).find((e) => e.kind !== 'assigned')?.partitions).toEqual([2, 3]);
    expect(b.owned.length).toBe(2);
  });

  it('a member that stops polling for max.poll.interval.ms leaves the group', () => {
    const { clock, box } = cluster();
    const a = new TestMember(clock, () => box.c, 'a', ['range']);
    const b = new TestMember(clock, () => box.c, 'b', ['range']);
    rounds(clock, [a, b], 40);
    // b's heartbeats go on (its heartbeat thread), but its application does not poll for 300 s.
    rounds(clock, [a, b], 3100, [b]);
    expect(b.member.memberId).toBe('');
    expect(a.owned).toEqual([0, 1, 2, 3]);
  });

  it('commits survive the coordinator failing over, and stale-generation commits are refused', () => {
    const { clock, log, box } = cluster();
    const a = new TestMember(clock, () => box.c, 'a', ['range']);
    rounds(clock, [a], 40);
    a.positions.set(0, 17);
    let error: string | null = null;
    a.member.commit(a.member.generation >= 0 ? [{ partition: 0, offset: 17, leaderEpoch: 0 }] : [], (e) => (error = e));
    clock.advance(10);
    expect(error).toBe('NONE');
    box.c.onResignation(0);
    box.c = coordinatorOn(clock, log);
    box.c.onElection(0, 2);
    rounds(clock, [a], 100);
    let fetched: number | undefined;
    a.member.fetchCommitted([0], (m) => (fetched = m?.get(0)?.offset));
    clock.advance(10);
    expect(fetched).toBe(17);
    // The group was loaded Stable in generation 1; a kept its membership across the failover.
    expect(a.member.generation).toBe(1);
    expect(box.c.manager.groups.get('kafkasim')?.state).toBe('Stable');
  });
});
