// The consumer-group invariants on the coordinators' group-stable events: one owner per partition and generation,
// one assignment per generation, and cooperative assignors never handing over a partition still owned.
import { describe, expect, it } from 'vitest';
import { InvariantMonitor } from '../../checkers/invariants/index.ts';
import type { GroupStableEvent } from '../../sim/events/index.ts';

const stable = (
  generationId: number,
  members: GroupStableEvent['members'],
  protocol = 'range',
  broker = 0,
): GroupStableEvent => ({
  kind: 'group-stable',
  time: generationId,
  broker,
  partition: 200_000,
  groupId: 'g',
  generationId,
  protocol,
  members,
});

const names = (m: InvariantMonitor) => m.violations.map((v) => v.invariant);

describe('group invariants', () => {
  it('take disjoint assignments and flag a partition given to two members of one generation', () => {
    const m = new InvariantMonitor();
    m.observe(
      stable(1, [
        { memberId: 'a', partitions: [0, 1], owned: [] },
        { memberId: 'b', partitions: [2], owned: [] },
      ]),
    );
    expect(names(m)).toEqual([]);
    m.observe(
      stable(2, [
        { memberId: 'a', partitions: [0, 1], owned: [] },
        { memberId: 'b', partitions: [1, 2], owned: [] },
      ]),
    );
    expect(names(m)).toEqual(['GroupAssignmentExclusive']);
  });

  it('flag one generation stored twice with different assignments', () => {
    const m = new InvariantMonitor();
    m.observe(stable(3, [{ memberId: 'a', partitions: [0, 1, 2], owned: [] }], 'range', 0));
    m.observe(stable(3, [{ memberId: 'a', partitions: [0, 1, 2], owned: [] }], 'range', 1));
    expect(names(m)).toEqual([]);
    m.observe(stable(3, [{ memberId: 'b', partitions: [0, 1, 2], owned: [] }], 'range', 2));
    expect(names(m)).toEqual(['GroupAssignmentExclusive']);
  });

  it('flag a cooperative generation that hands over a partition its owner has not revoked', () => {
    const m = new InvariantMonitor();
    m.observe(
      stable(
        4,
        [
          { memberId: 'a', partitions: [0, 1], owned: [0, 1, 2] },
          { memberId: 'b', partitions: [], owned: [] },
        ],
        'cooperative-sticky',
      ),
    );
    expect(names(m)).toEqual([]);
    m.observe(
      stable(
        5,
        [
          { memberId: 'a', partitions: [0, 1], owned: [0, 1, 2] },
          { memberId: 'b', partitions: [2], owned: [] },
        ],
        'cooperative-sticky',
      ),
    );
    expect(names(m)).toEqual(['CooperativeRevokeFirst']);
  });
});
