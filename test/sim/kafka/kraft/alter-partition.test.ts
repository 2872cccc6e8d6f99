// AlterPartition in KRaft mode, piece by piece: the controller's checks in
// ReplicationControlManager.validateAlterPartitionData's order (with ineligibleReplicasForIsr: KIP-841,
// KIP-903), the records PartitionChangeBuilder.build makes of a change, and the leader's handling of each
// answer (Partition.handleAlterPartitionUpdate / handleAlterPartitionError, shared with ZooKeeper mode).
import { describe, expect, it } from 'vitest';
import { handleAlterPartitionResult } from '../../../../sim/kafka/alter-isr-manager.ts';
import type { PartitionRegistration } from '../../../../sim/kafka/kraft/image.ts';
import { MetadataImage } from '../../../../sim/kafka/kraft/image.ts';
import { buildPartitionChange } from '../../../../sim/kafka/kraft/partition-change-builder.ts';
import type { MetadataRecord } from '../../../../sim/kafka/kraft/records.ts';
import type { AlterPartitionData } from '../../../../sim/kafka/kraft/replication-control.ts';
import { validateAlterPartitionData } from '../../../../sim/kafka/kraft/replication-control.ts';
import type { Partition } from '../../../../sim/kafka/partition.ts';
import type { KafkaBehaviours } from '../../../../sim/kafka/protocol.ts';
import { releaseOf } from '../../../../sim/kafka/releases.ts';

/**
 * Brokers 0..3 registered in epochs 10, 11, 12, 13, broker 3 fenced; partition 0 on replicas [0, 1, 2] led by
 * broker 0 in leader epoch 5, partition epoch 7, ISR [0, 1].
 */
function image(): MetadataImage {
  const img = new MetadataImage();
  const records: MetadataRecord[] = [];
  for (const id of [0, 1, 2, 3]) {
    const epoch = 10 + id;
    records.push({
      type: 'RegisterBrokerRecord',
      brokerId: id,
      brokerEpoch: epoch,
      incarnationId: 1,
      rack: null,
      fenced: true,
      cleanShutdown: true,
    });
    if (id !== 3) records.push({ type: 'UnfenceBrokerRecord', id, epoch });
  }
  records.push({
    type: 'PartitionRecord',
    partitionId: 0,
    replicas: [0, 1, 2],
    isr: [0, 1],
    leader: 0,
    leaderEpoch: 5,
    partitionEpoch: 7,
    eligibleLeaderReplicas: [],
    lastKnownElr: [],
    leaderRecoveryState: 'RECOVERED',
  });
  for (const r of records) img.apply(r);
  return img;
}

const request = (o: Partial<AlterPartitionData> = {}): AlterPartitionData => ({
  brokerId: 0,
  leaderEpoch: 5,
  partitionEpoch: 7,
  newIsr: [0, 1, 2],
  leaderRecoveryState: 'RECOVERED',
  ...o,
});

const behaviours = (version: string, o: Partial<KafkaBehaviours> = {}): KafkaBehaviours => ({
  ...releaseOf(version).behaviours,
  ...o,
});

describe('ReplicationControlManager.validateAlterPartitionData', () => {
  const img = image();
  const p = img.partitions.get(0);
  const check = (req: AlterPartitionData, version = '3.9', o: Partial<KafkaBehaviours> = {}) =>
    validateAlterPartitionData(p, req, img, behaviours(version, o));

  it('takes a valid request', () => {
    expect(check(request())).toBe('NONE');
    expect(check(request({ newIsr: [0] }))).toBe('NONE');
  });

  it('answers each rule in Kafka order, the first one broken winning', () => {
    expect(validateAlterPartitionData(undefined, request(), img, behaviours('3.9'))).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    // A newer leader or partition epoch than the controller's: "likely that this node is no longer the active
    // controller" (KAFKA-14154), before anything else.
    expect(check(request({ leaderEpoch: 6, brokerId: 2 }))).toBe('NOT_CONTROLLER');
    expect(check(request({ partitionEpoch: 8, newIsr: [1] }))).toBe('NOT_CONTROLLER');
    expect(check(request({ leaderEpoch: 4, partitionEpoch: 6, brokerId: 2 }))).toBe('FENCED_LEADER_EPOCH');
    expect(check(request({ brokerId: 1, partitionEpoch: 6 }))).toBe('INVALID_REQUEST');
    expect(check(request({ partitionEpoch: 6, newIsr: [3] }))).toBe('INVALID_UPDATE_VERSION');
    // Replicas.validateIsr, then the leader in its own ISR.
    expect(check(request({ newIsr: [0, 3] }))).toBe('INVALID_REQUEST');
    expect(check(request({ newIsr: [0, 0, 1] }))).toBe('INVALID_REQUEST');
    expect(check(request({ newIsr: [1, 2] }))).toBe('INVALID_REQUEST');
    // KIP-704: RECOVERING with more than the leader, or RECOVERED back to RECOVERING.
    expect(check(request({ leaderRecoveryState: 'RECOVERING' }))).toBe('INVALID_REQUEST');
    expect(check(request({ newIsr: [0], leaderRecoveryState: 'RECOVERING' }))).toBe('INVALID_REQUEST');
  });

  it('KIP-841 (3.3): INELIGIBLE_REPLICA for a fenced member, whoever it is; before, the ISR was written', () => {
    const fenced = image();
    const b1 = fenced.brokers.get(1);
    if (b1 !== undefined) b1.fenced = true;
    const q = fenced.partitions.get(0);
    expect(validateAlterPartitionData(q, request(), fenced, behaviours('3.4'))).toBe('INELIGIBLE_REPLICA');
    expect(validateAlterPartitionData(q, request({ newIsr: [0, 1] }), fenced, behaviours('3.4'))).toBe(
      'INELIGIBLE_REPLICA',
    );
    expect(validateAlterPartitionData(q, request({ newIsr: [0, 2] }), fenced, behaviours('3.4'))).toBe('NONE');
    expect(validateAlterPartitionData(q, request(), fenced, behaviours('3.4', { kip841: false }))).toBe('NONE');
  });

  it('KIP-841 (3.3): INELIGIBLE_REPLICA for a member in controlled shutdown ("shutting down"), once recorded', () => {
    const shutting = image();
    shutting.apply({
      type: 'BrokerRegistrationChangeRecord',
      brokerId: 2,
      brokerEpoch: 12,
      inControlledShutdown: true,
    });
    // A record for an older registration of the broker changes nothing.
    shutting.apply({ type: 'BrokerRegistrationChangeRecord', brokerId: 1, brokerEpoch: 3, inControlledShutdown: true });
    const q = shutting.partitions.get(0);
    expect(validateAlterPartitionData(q, request(), shutting, behaviours('3.4'))).toBe('INELIGIBLE_REPLICA');
    expect(validateAlterPartitionData(q, request({ newIsr: [0, 1] }), shutting, behaviours('3.4'))).toBe('NONE');
    expect(shutting.isActive(2)).toBe(false);
    expect(shutting.isLive(2)).toBe(true);
    expect(validateAlterPartitionData(q, request(), shutting, behaviours('3.4', { kip841: false }))).toBe('NONE');
  });

  it('KIP-903 (3.5): INELIGIBLE_REPLICA for a member in another broker epoch than registered; -1 unchecked', () => {
    const stale = request({
      newIsrWithEpochs: [
        { brokerId: 0, brokerEpoch: 10 },
        { brokerId: 1, brokerEpoch: 11 },
        { brokerId: 2, brokerEpoch: 9 },
      ],
    });
    expect(check(stale, '3.5')).toBe('INELIGIBLE_REPLICA');
    // 3.4's controller reads the broker ids only (AlterPartition v2).
    expect(check(stale, '3.4')).toBe('NONE');
    const unknown = request({
      newIsrWithEpochs: [
        { brokerId: 0, brokerEpoch: 10 },
        { brokerId: 1, brokerEpoch: -1 },
        { brokerId: 2, brokerEpoch: 12 },
      ],
    });
    expect(check(unknown, '3.5')).toBe('NONE');
  });

  it(
    'before KAFKA-14154 (3.3): any other leader epoch FENCED_LEADER_EPOCH, any other partition epoch ' +
      'INVALID_UPDATE_VERSION',
    () => {
      const old = { kafka14154: false };
      expect(check(request({ leaderEpoch: 6 }), '3.4', old)).toBe('FENCED_LEADER_EPOCH');
      expect(check(request({ partitionEpoch: 8 }), '3.4', old)).toBe('INVALID_UPDATE_VERSION');
    },
  );
});

describe('PartitionChangeBuilder.build', () => {
  const base = (o: Partial<PartitionRegistration> = {}): PartitionRegistration => ({
    partition: 0,
    replicas: [0, 1, 2],
    isr: [0, 1, 2],
    leader: 0,
    leaderEpoch: 5,
    partitionEpoch: 7,
    elr: [],
    lastKnownElr: [],
    leaderRecoveryState: 'RECOVERED',
    removingReplicas: [],
    addingReplicas: [],
    ...o,
  });
  const options = (o: Partial<Parameters<typeof buildPartitionChange>[1]> = {}) => ({
    targetIsr: [0, 1],
    isAcceptableLeader: (r: number) => r !== 2,
    unclean: false,
    elr: false,
    minIsr: 2,
    bumpLeaderEpochOnIsrShrink: false,
    reason: 'test',
    ...o,
  });

  it('triggerLeaderEpochBumpIfNeeded: a shrink bumps the leader epoch before KAFKA-15021 only, growth never', () => {
    expect(buildPartitionChange(base(), options())).toEqual({
      type: 'PartitionChangeRecord',
      partitionId: 0,
      reason: 'test',
      isr: [0, 1],
    });
    expect(buildPartitionChange(base(), options({ bumpLeaderEpochOnIsrShrink: true }))).toMatchObject({
      isr: [0, 1],
      leader: 0,
    });
    const grow = buildPartitionChange(
      base({ isr: [0, 1] }),
      options({ targetIsr: [0, 1, 2], bumpLeaderEpochOnIsrShrink: true }),
    );
    expect(grow?.leader).toBeUndefined();
    expect(grow?.isr).toEqual([0, 1, 2]);
  });

  it('a leader losing its last fellow ISR member keeps it without ELR, and empties into the ELR with it', () => {
    const fenced = (r: number): boolean => r !== 0 && r !== 1;
    // "We don't want to shrink the ISR to size 0": leader -1, the ISR as it was.
    expect(buildPartitionChange(base({ isr: [0] }), options({ targetIsr: [], isAcceptableLeader: fenced }))).toEqual({
      type: 'PartitionChangeRecord',
      partitionId: 0,
      reason: 'test',
      leader: -1,
    });
    // KIP-966: the ISR may be empty; the leader joins the ELR and is the last known leader.
    const p = base({ isr: [0], elr: [1] });
    expect(buildPartitionChange(p, options({ targetIsr: [], isAcceptableLeader: fenced, elr: true }))).toEqual({
      type: 'PartitionChangeRecord',
      partitionId: 0,
      reason: 'test',
      leader: -1,
      isr: [],
      eligibleLeaderReplicas: [0, 1],
      lastKnownElr: [0],
    });
  });

  it('elects from the ELR when the ISR is empty, and the last known leader only when the ELR is empty too', () => {
    const leaderless = base({ leader: -1, isr: [], elr: [1, 2], lastKnownElr: [0] });
    const live = (ids: number[]) => (r: number) => ids.includes(r);
    expect(
      buildPartitionChange(leaderless, options({ targetIsr: [], elr: true, isAcceptableLeader: live([2]) })),
    ).toEqual({
      type: 'PartitionChangeRecord',
      partitionId: 0,
      reason: 'test',
      leader: 2,
      isr: [2],
      eligibleLeaderReplicas: [1],
      lastKnownElr: [],
    });
    expect(
      buildPartitionChange(leaderless, options({ targetIsr: [], elr: true, isAcceptableLeader: live([0]) })),
    ).toBeNull();
    const empty = base({ leader: -1, isr: [], elr: [], lastKnownElr: [0] });
    expect(buildPartitionChange(empty, options({ targetIsr: [], elr: true, isAcceptableLeader: live([0]) }))).toEqual({
      type: 'PartitionChangeRecord',
      partitionId: 0,
      reason: 'test: KIP-966 last known leader',
      leader: 0,
      isr: [0],
      leaderRecoveryState: 'RECOVERING',
      lastKnownElr: [],
    });
  });
});

describe('Partition.handleAlterPartitionUpdate / handleAlterPartitionError: the leader on each answer', () => {
  /** A leader in epoch 5, partition epoch 7, committed ISR [0, 1], with [0, 1, 2] pending. */
  function leader() {
    const pending = [0, 1, 2];
    const calls: string[] = [];
    const p = {
      leaderEpoch: 5,
      partitionEpoch: 7,
      isr: [0, 1],
      pendingIsr: pending as number[] | null,
      isrChanged(isr: number[], _elr: number[], partitionEpoch: number) {
        calls.push(`committed [${isr}] at ${partitionEpoch}`);
        this.isr = isr;
        this.partitionEpoch = partitionEpoch;
        this.pendingIsr = null;
      },
      isrChangeFailed(isr: number[]) {
        calls.push('back to the committed ISR');
        if (this.pendingIsr === isr) this.pendingIsr = null;
      },
    };
    const answer = (error: string, o: { leaderEpoch?: number; partitionEpoch?: number } = {}) =>
      handleAlterPartitionResult(
        p as unknown as Partition,
        pending,
        'expand',
        {
          error,
          leaderEpoch: o.leaderEpoch ?? 5,
          partitionEpoch: o.partitionEpoch ?? 8,
          isr: [0, 1, 2],
          elr: [],
        },
        p.partitionEpoch,
      );
    return { p, calls, answer };
  }

  it('commits a success in its own leader epoch; one in a newer epoch (3.5 shrink) waits for the metadata log', () => {
    const ok = leader();
    expect(ok.answer('NONE')).toBe(false);
    expect(ok.calls).toEqual(['committed [0,1,2] at 8']);
    const bumped = leader();
    expect(bumped.answer('NONE', { leaderEpoch: 6 })).toBe(false);
    expect(bumped.calls).toEqual([]);
    expect(bumped.p.pendingIsr).toEqual([0, 1, 2]);
  });

  it(
    'gives up, pending until new metadata, on UNKNOWN_TOPIC_OR_PARTITION, FENCED_LEADER_EPOCH, ' +
      'INVALID_UPDATE_VERSION, INVALID_REQUEST',
    () => {
      for (const error of [
        'UNKNOWN_TOPIC_OR_PARTITION',
        'FENCED_LEADER_EPOCH',
        'INVALID_UPDATE_VERSION',
        'INVALID_REQUEST',
      ]) {
        const l = leader();
        expect(l.answer(error)).toBe(false);
        expect(l.calls).toEqual([]);
        expect(l.p.pendingIsr).toEqual([0, 1, 2]);
      }
    },
  );

  it('goes back to the committed ISR on INELIGIBLE_REPLICA (KIP-841), and sends anything else again', () => {
    const refused = leader();
    expect(refused.answer('INELIGIBLE_REPLICA')).toBe(false);
    expect(refused.calls).toEqual(['back to the committed ISR']);
    expect(refused.p.pendingIsr).toBeNull();
    for (const error of ['NOT_CONTROLLER', 'UNKNOWN_SERVER_ERROR']) {
      const l = leader();
      expect(l.answer(error)).toBe(true);
      expect(l.p.pendingIsr).toEqual([0, 1, 2]);
    }
  });
});
