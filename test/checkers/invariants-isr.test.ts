// The replica invariants fed by hand: ISR membership checked at every ISR change (WeakIsr for the leader's own
// ISR, StrongIsr for the controller's), and no acks=all append below min.insync.replicas (MinIsrOnAppend). Each
// wrong state must trip its invariant; the states Kafka allows must not.
import { describe, expect, it } from 'vitest';
import { InvariantMonitor } from '../../checkers/invariants/index.ts';
import type { ReplicationEvent } from '../../sim/events/index.ts';

const P = 0;
let t = 0;
const at = (): number => (t += 1);

const append = (broker: number, baseOffset: number, values: number[], asLeader = false, acks?: 0 | 1 | -1, epoch = 0) =>
  ({
    kind: 'append',
    time: at(),
    broker,
    partition: P,
    baseOffset,
    values,
    epoch,
    asLeader,
    ...(acks === undefined ? {} : { acks }),
  }) as ReplicationEvent;
const hw = (broker: number, highWatermark: number): ReplicationEvent => ({
  kind: 'high-watermark',
  time: at(),
  broker,
  partition: P,
  highWatermark,
});
const leader = (broker: number, isr: number[], leaderEpoch = 0): ReplicationEvent => ({
  kind: 'become-leader',
  time: at(),
  broker,
  partition: P,
  leaderEpoch,
  isr,
});
const isrChange = (broker: number, isr: number[], partitionEpoch: number): ReplicationEvent => ({
  kind: 'isr-change',
  time: at(),
  broker,
  partition: P,
  isr,
  partitionEpoch,
  change: 'shrink',
});
const controllerIsr = (lead: number, isr: number[], partitionEpoch: number): ReplicationEvent => ({
  kind: 'controller-isr',
  time: at(),
  controller: 9,
  partition: P,
  leader: lead,
  leaderEpoch: 0,
  isr,
  partitionEpoch,
});
const truncate = (broker: number, toOffset: number, reason: 'recovery' | 'leader-epoch'): ReplicationEvent => ({
  kind: 'truncate',
  time: at(),
  broker,
  partition: P,
  toOffset,
  fromLogEndOffset: 3,
  reason,
  removed: [],
});

/** Leader 0 with followers 1 and 2 holding [10, 11, 12], committed up to 3; ISR [0, 1, 2] everywhere. */
function healthy(minIsr = 2): InvariantMonitor {
  const m = new InvariantMonitor(null, { minInsyncReplicas: minIsr, replicationFactor: 3 });
  for (const e of [
    controllerIsr(0, [0, 1, 2], 0),
    leader(0, [0, 1, 2]),
    append(0, 0, [10, 11, 12], true, -1),
    append(1, 0, [10, 11, 12]),
    append(2, 0, [10, 11, 12]),
    hw(0, 3),
  ])
    m.observe(e);
  return m;
}

const names = (m: InvariantMonitor) => m.violations.map((v) => [v.invariant, v.causedBy?.kind ?? null]);

describe('ISR membership at every ISR change', () => {
  it('a healthy shrink and a controller change trip nothing', () => {
    const m = healthy();
    m.observe(controllerIsr(0, [0, 1], 1));
    m.observe(isrChange(0, [0, 1], 1));
    expect(m.violations).toEqual([]);
  });

  it('a member staying in the ISR without a record below the high watermark trips WeakIsr and StrongIsr', () => {
    const m = healthy();
    // Deliberately wrong: follower 1 loses offset 2 with no crash, yet stays in both ISRs as 2 is dropped.
    m.observe(truncate(1, 2, 'leader-epoch'));
    m.observe(controllerIsr(0, [0, 1], 1));
    m.observe(isrChange(0, [0, 1], 1));
    expect(names(m)).toEqual([
      ['StrongIsr', null],
      ['WeakIsr', null],
    ]);
    expect(m.violations[0].description).toContain('replica 1 stayed in the controller');
    expect(m.violations[0].detail).toMatchObject({ offset: 2, leaderValue: 12, memberValue: null, joining: false });
    expect(m.findings()).toBe(2);
  });

  it('a replica a reassignment deleted stops counting, though a stale leader still lists it in its ISR', () => {
    const m = healthy();
    m.observe({ kind: 'replica-deleted', time: at(), broker: 2, partition: P, logEndOffset: 3 });
    // The leader has not applied the completed reassignment yet: its ISR still names 2 as records commit.
    m.observe(append(0, 3, [13], true, -1));
    m.observe(append(1, 3, [13]));
    m.observe(hw(0, 4));
    m.observe(isrChange(0, [0, 1, 2], 1));
    expect(m.violations).toEqual([]);
    // Assigned there again, it counts from its first event, empty: joining the ISR so is a finding.
    m.observe(append(2, 0, [10]));
    m.observe(isrChange(0, [0, 1, 2], 2));
    expect(names(m)).toEqual([['WeakIsr', null]]);
  });

  it('a member that lost its unflushed tail in a crash and is still in the ISR is explained by the crash', () => {
    const m = healthy();
    m.observe(truncate(1, 1, 'recovery'));
    m.observe(controllerIsr(0, [0, 1], 1));
    expect(names(m)).toEqual([['StrongIsr', 'crash']]);
    expect(m.findings()).toBe(0);
  });

  it('a replica joining without a record is a finding even after a crash emptied it (KAFKA-14139)', () => {
    const m = healthy();
    m.observe(controllerIsr(0, [0, 1], 1));
    m.observe(truncate(2, 0, 'recovery'));
    m.observe(controllerIsr(0, [0, 1, 2], 2));
    expect(names(m)).toEqual([['StrongIsr', null]]);
    expect(m.violations[0].detail).toMatchObject({ offset: 0, joining: true });
  });

  describe('a change the KRaft controller accepted before a crash and committed after it (seed 4309)', () => {
    // Leader 0 proposes to add 2 on partition epoch 1; the active controller accepts it (writes it, uncommitted).
    const proposed: ReplicationEvent = {
      kind: 'isr-proposed',
      time: 0,
      broker: 0,
      partition: P,
      leaderEpoch: 0,
      partitionEpoch: 1,
      isr: [0, 1, 2],
    };
    const accepted: ReplicationEvent = {
      kind: 'isr-accepted',
      time: 0,
      controller: 9,
      partition: P,
      leader: 0,
      partitionEpoch: 1,
      isr: [0, 1, 2],
    };
    const committed = (): ReplicationEvent => ({
      kind: 'controller-isr',
      time: at(),
      controller: 9,
      partition: P,
      leader: 0,
      leaderEpoch: 0,
      isr: [0, 1, 2],
      partitionEpoch: 2,
      alterPartitionOn: 1,
    });
    const adopted = (): ReplicationEvent => ({
      kind: 'isr-change',
      time: at(),
      broker: 0,
      partition: P,
      isr: [0, 1, 2],
      partitionEpoch: 2,
      change: 'expand',
      proposedAtPartitionEpoch: 1,
    });
    /** 2 drops out of both ISRs while it holds everything, then the leader asks to have it back. */
    function proposing(): InvariantMonitor {
      const m = healthy();
      m.observe(controllerIsr(0, [0, 1], 1));
      m.observe(isrChange(0, [0, 1], 1));
      m.observe({ ...proposed, time: at() });
      return m;
    }

    it('a member that lost the records in a crash after the controller accepted it is explained by that crash', () => {
      const m = proposing();
      m.observe({ ...accepted, time: at() });
      m.observe(truncate(2, 1, 'recovery'));
      m.observe(committed());
      m.observe(adopted());
      expect(names(m)).toEqual([
        ['StrongIsr', 'crash'],
        ['WeakIsr', 'crash'],
      ]);
      expect(m.violations[0].causedBy).toMatchObject({ kind: 'crash', broker: 2 });
      expect(m.violations[0].detail).toMatchObject({ offset: 1, joining: true, acceptedAt: t - 3 });
      expect(m.violations[0].description).toContain('(the controller accepted it at');
      expect(m.findings()).toBe(0);
    });

    it('near miss: a crash seen before the controller accepted the change stays a finding (KAFKA-14139)', () => {
      const m = proposing();
      m.observe(truncate(2, 1, 'recovery'));
      m.observe({ ...accepted, time: at() });
      m.observe(committed());
      m.observe(adopted());
      expect(names(m)).toEqual([
        ['StrongIsr', null],
        ['WeakIsr', null],
      ]);
      expect(m.findings()).toBe(2);
    });

    it('near miss: a crash after the acceptance that did not take the missing offset does not excuse it', () => {
      const m = proposing();
      // Deliberately wrong: 2 loses offset 2 by a truncation, no crash; the leader loses offset 3 in a crash.
      m.observe(truncate(2, 2, 'leader-epoch'));
      m.observe({ ...accepted, time: at() });
      m.observe(append(0, 3, [13], true, -1));
      m.observe(truncate(0, 3, 'recovery'));
      m.observe(committed());
      expect(names(m)).toEqual([['StrongIsr', null]]);
    });

    it('near miss: a member lacking a record when the controller accepted it is not excused by a later crash', () => {
      const m = proposing();
      // Deliberately wrong: 2 lacks offset 2 (a truncation, no crash) when the controller accepts it, then crashes.
      m.observe(truncate(2, 2, 'leader-epoch'));
      m.observe({ ...accepted, time: at() });
      m.observe(truncate(2, 1, 'recovery'));
      m.observe(committed());
      expect(names(m)).toEqual([['StrongIsr', null]]);
    });

    it('near miss: an acceptance of another ISR on the same state does not excuse the one committed', () => {
      const m = proposing();
      m.observe({ ...accepted, time: at(), isr: [0, 2] });
      m.observe(truncate(2, 1, 'recovery'));
      m.observe(committed());
      expect(names(m)).toEqual([['StrongIsr', null]]);
    });
  });

  it('a follower behind the log end but at the high watermark is in sync: nothing trips', () => {
    const m = healthy();
    m.observe(append(0, 3, [13, 14], true, -1));
    m.observe(controllerIsr(0, [0, 2], 1));
    m.observe(isrChange(0, [0, 2], 1));
    expect(m.violations).toEqual([]);
  });
});

describe('MinIsrOnAppend', () => {
  it('an acks=all append while the ISR is below min.insync.replicas trips it, whatever else happened', () => {
    const m = healthy(2);
    m.observe(isrChange(0, [0], 1));
    m.observe(append(0, 3, [13], true, -1));
    expect(names(m)).toEqual([['MinIsrOnAppend', null]]);
    expect(m.violations[0].detail).toMatchObject({ offset: 3, isr: [0], minInsyncReplicas: 2 });
    expect(m.result().anomalies.map((a) => a.name)).toEqual(['MinIsrOnAppend']);
  });

  it('acks=1 appends, follower appends and appends at min ISR are allowed', () => {
    const m = healthy(2);
    m.observe(isrChange(0, [0, 1], 1));
    m.observe(append(0, 3, [13], true, -1));
    m.observe(append(1, 3, [13]));
    m.observe(isrChange(0, [0], 2));
    m.observe(append(0, 4, [14], true, 1));
    m.observe(append(0, 5, [15], true, 0));
    expect(m.violations).toEqual([]);
  });

  it('counts at most the replication factor of min.insync.replicas, as Kafka does', () => {
    const m = new InvariantMonitor(null, { minInsyncReplicas: 3, replicationFactor: 1 });
    m.observe(leader(0, [0]));
    m.observe(append(0, 0, [1], true, -1));
    expect(m.violations).toEqual([]);
  });

  it('without the configuration (recorded events judged elsewhere) it says nothing', () => {
    const m = new InvariantMonitor();
    m.observe(leader(0, [0]));
    m.observe(append(0, 0, [1], true, -1));
    expect(m.violations).toEqual([]);
  });
});

describe('causes are ordered by what the monitor saw first, not by event times', () => {
  it('an unclean election stamped by a controller whose clock a fault set ahead still explains what follows', () => {
    const m = healthy();
    // The controller's clock runs 60 s ahead of the brokers' (a clock fault): its election bears a later time than
    // the broker events it causes.
    m.observe({
      kind: 'election',
      time: t + 60_000,
      controller: 9,
      controllerEpoch: 1,
      partition: P,
      leader: 1,
      leaderEpoch: 1,
      isr: [1],
      unclean: true,
      previousLeader: 0,
      reason: 'test',
    });
    m.observe(leader(1, [1], 1));
    m.observe(truncate(1, 1, 'leader-epoch'));
    m.observe(append(1, 1, [20, 21], true));
    m.observe(hw(1, 3));
    expect(names(m)).toEqual([
      ['ConsistentCommittedData', 'unclean-election'],
      ['ConsistentCommittedData', 'unclean-election'],
    ]);
    expect(m.findings()).toBe(0);
  });
});

describe('zombie controllers (ZooKeeper mode)', () => {
  const state = (controllerEpoch: number, currentControllerEpoch: number): ReplicationEvent => ({
    kind: 'zk-partition-state',
    time: at(),
    partition: P,
    leader: 1,
    leaderEpoch: 4,
    controllerEpoch,
    currentControllerEpoch,
  });
  const follows = (broker: number, controllerEpoch: number, previous: number): ReplicationEvent => ({
    kind: 'broker-controller-epoch',
    time: at(),
    broker,
    controllerEpoch,
    previous,
  });

  it("a partition state written by a deposed controller is a finding nothing excuses (KAFKA-6082's fencing)", () => {
    const m = healthy();
    m.observe(state(3, 3));
    expect(m.violations).toEqual([]);
    m.observe(state(2, 3));
    expect(names(m)).toEqual([['ControllerEpochFencing', null]]);
    expect(m.violations[0].description).toContain('written by a controller of epoch 2 while /controller_epoch held 3');
    expect(m.findings()).toBe(1);
  });

  it('a broker moving on to a newer controller is fine; going back to an older one is a finding', () => {
    const m = healthy();
    m.observe(follows(1, 2, 1));
    m.observe(follows(1, 3, 2));
    expect(m.violations).toEqual([]);
    m.observe(follows(1, 2, 3));
    expect(names(m)).toEqual([['MonotonicControllerEpoch', null]]);
    expect(m.violations[0].description).toContain('broker 1 went back from controller epoch 3 to 2');
  });
});

describe('LeaderEpochStartRecorded', () => {
  it('a leader whose epoch cache does not end with its own epoch is a finding; one that does passes', () => {
    const m = healthy();
    const becomes = (leaderEpoch: number, latestCachedEpoch: number): ReplicationEvent => ({
      kind: 'become-leader',
      time: at(),
      broker: 0,
      partition: P,
      leaderEpoch,
      isr: [0, 1, 2],
      latestCachedEpoch,
    });
    m.observe(becomes(1, 1));
    expect(m.violations).toEqual([]);
    m.observe(becomes(2, 1));
    expect(names(m)).toEqual([['LeaderEpochStartRecorded', null]]);
    expect(m.violations[0].description).toContain('took up leader epoch 2 of partition 0 with 1 the latest epoch');
  });
});

describe('a zombie leader committing after an unclean election (acks=1, min ISR 1)', () => {
  const election = (leaderEpoch: number, unclean: boolean): ReplicationEvent => ({
    kind: 'election',
    time: at(),
    controller: 9,
    controllerEpoch: 1,
    partition: P,
    leader: 1,
    leaderEpoch,
    isr: [1],
    unclean,
    previousLeader: 0,
    reason: 'test',
  });
  const appendIn = (broker: number, baseOffset: number, values: number[], epoch: number): ReplicationEvent =>
    append(broker, baseOffset, values, true, 1, epoch);

  /**
   * Seed 97 of the swarm-config fuzz, by hand: broker 0 leads epoch 0 alone in its ISR; broker 1 is elected in
   * epoch 1 and commits 20 and 21 at offsets 1 and 2; then broker 0, in epoch `zombieEpoch`, appends 30 and 31
   * there and, alone in its ISR, commits them.
   */
  function zombie(unclean: boolean, zombieEpoch = 0): InvariantMonitor {
    const m = new InvariantMonitor(null, { minInsyncReplicas: 1, replicationFactor: 2 });
    for (const e of [
      controllerIsr(0, [0], 0),
      leader(0, [0]),
      appendIn(0, 0, [10], 0),
      hw(0, 1),
      election(1, unclean),
      leader(1, [1], 1),
      appendIn(1, 0, [10], 0),
      appendIn(1, 1, [20, 21], 1),
      hw(1, 3),
      ...(zombieEpoch > 0 ? [leader(0, [0], zombieEpoch)] : []),
      appendIn(0, 1, [30, 31], zombieEpoch),
      hw(0, 3),
    ])
      m.observe(e);
    return m;
  }

  it('a leader still in an epoch older than the unclean election is explained by it', () => {
    const m = zombie(true);
    // Offsets 1 and 2.
    expect(names(m)).toEqual([
      ['ConsistentCommittedData', 'unclean-election'],
      ['ConsistentCommittedData', 'unclean-election'],
    ]);
    expect(m.findings()).toBe(0);
  });

  it('near miss: after a clean election the same commit is a finding', () => {
    const m = zombie(false);
    expect(names(m)).toEqual([
      ['ConsistentCommittedData', null],
      ['ConsistentCommittedData', null],
    ]);
    expect(m.findings()).toBe(2);
  });

  it('near miss: a leader that took up a later epoch than the unclean election is no zombie: a finding', () => {
    const m = zombie(true, 2);
    expect(names(m)).toEqual([
      ['ConsistentCommittedData', null],
      ['ConsistentCommittedData', null],
    ]);
    expect(m.findings()).toBe(2);
  });
});
