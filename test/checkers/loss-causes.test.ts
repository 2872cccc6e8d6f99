// Each cause a configuration may allow, proven from hand-built facts, and the near misses that must stay
// findings: the durability checker (acked-write-lost) and the queue checker (lost-write, inconsistent-offsets)
// judge the same lost record the same way.
import { describe, expect, it } from 'vitest';
import { checkDurability } from '../../checkers/durability/index.ts';
import { lossExplainer } from '../../checkers/durability/causes.ts';
import type { ElectionFact, LossFacts, LossPolicy, Removal, Written } from '../../checkers/durability/facts.ts';
import { checkQueue } from '../../checkers/queue/index.ts';
import type { CheckResult } from '../../checkers/result.ts';
import type { History } from '../../workloads/history/format.ts';
import { QueueHistoryBuilder, records } from '../helpers/queue-history.ts';

/**
 * 10 and 11 acked at offsets 0 and 1 of key 0; 11 is lost, 13 is then acked at offset 1 in its place, and the
 * final reads see 10 and 13: 11 is unseen, and offset 1 inconsistent.
 */
function lostWrite(): History {
  return new QueueHistoryBuilder()
    .send(0, 0, 10, 0)
    .send(0, 0, 11, 1)
    .send(0, 0, 13, 1)
    .finalReads()
    .poll(5, { 0: records(0, 10, 13) })
    .build();
}

const POLICY: LossPolicy = { uncleanElection: false, lastKnownLeaderRecovery: true, acks: 'all', strict: false };

function powerLoss(broker: number, syncedOffset = 0, values = [11]): Removal {
  return {
    time: 7,
    broker,
    key: 0,
    how: 'power-loss',
    fromOffset: 1,
    values,
    epochs: values.map(() => 0),
    syncedOffset,
  };
}

function truncated(broker: number, values = [11]): Removal {
  return { time: 9, broker, key: 0, how: 'truncation', fromOffset: 1, values, epochs: values.map(() => 0) };
}

function election(kind: ElectionFact['kind'], leaderValues: number[], leader = 2): ElectionFact {
  return {
    time: 8,
    key: 0,
    leader,
    leaderEpoch: 1,
    previousLeader: 0,
    kind,
    leaderLog: { startOffset: 0, values: leaderValues },
  };
}

function facts(loss: Partial<Omit<LossFacts, 'policy'>> & { policy?: Partial<LossPolicy> }): LossFacts {
  return {
    policy: { ...POLICY, ...loss.policy },
    removals: loss.removals ?? [],
    elections: loss.elections ?? [],
    ...(loss.written === undefined ? {} : { written: loss.written }),
  };
}

function durability(loss: LossFacts, history = lostWrite()): CheckResult {
  return checkDurability(history, { truncations: [], loss });
}

function queue(loss: LossFacts, history = lostWrite()): CheckResult {
  return checkQueue(history, { loss: lossExplainer(loss) });
}

/** The checker's verdict and where the lost write went: [valid, finding causes, allowed causes]. */
function judged(
  result: CheckResult,
  name: string,
): [unknown, Record<string, number> | null, Record<string, number> | null] {
  const finding = result.anomalies.find((a) => a.name === name);
  const allowed = result.allowed?.find((a) => a.name === name);
  return [
    result.valid,
    finding === undefined ? null : (finding.byCause ?? {}),
    allowed === undefined ? null : (allowed.byCause ?? {}),
  ];
}

describe('a lost acknowledged write is allowed only with a cause the facts prove and the configuration permits', () => {
  it('power loss: every replica that held it lost it unflushed', () => {
    const loss = facts({ removals: [powerLoss(0), powerLoss(1), powerLoss(2)] });
    expect(judged(durability(loss), 'acked-write-lost')).toEqual([true, null, { 'power-loss': 1 }]);
    expect(judged(queue(loss), 'unseen')).toEqual([true, null, { 'power-loss': 1 }]);
    const example = durability(loss).allowed?.[0].examples[0];
    expect(example?.description).toContain('lost it unflushed in a power loss');
    expect(example?.detail).toMatchObject({ cause: 'power-loss', allowed: true });
  });

  it('near miss: a power loss took a record that was synced', () => {
    const loss = facts({ removals: [powerLoss(0), powerLoss(1, 2), powerLoss(2)] });
    expect(judged(durability(loss), 'acked-write-lost')).toEqual([false, {}, null]);
    expect(durability(loss).anomalies[0].examples[0].description).toContain('although it was synced');
  });

  it('near miss: one holder lost it in a power loss, another truncated it after a clean election', () => {
    const loss = facts({
      removals: [powerLoss(0), powerLoss(1), truncated(2)],
      elections: [election('clean', [10], 0)],
    });
    expect(judged(durability(loss), 'acked-write-lost')).toEqual([false, {}, null]);
    expect(judged(queue(loss), 'unseen')).toEqual([false, {}, null]);
    expect(durability(loss).anomalies[0].examples[0].description).toContain('a clean election made broker 0');
  });

  it("a power-lost replica that led again without KIP-966 stays a finding, named as Kafka's known bug", () => {
    // Broker 0 lost 11 in the power loss at 7 and, still in the ISR, was elected at 8; broker 2 truncated to it.
    const shape = { removals: [powerLoss(0), truncated(2)], elections: [election('clean', [10], 0)] };
    const without = durability(facts({ ...shape, policy: { uncleanShutdownExcluded: false } }));
    expect(judged(without, 'acked-write-lost')).toEqual([false, {}, null]);
    expect(without.anomalies[0].examples[0].description).toContain(
      "Kafka's last-replica-standing bug (KIP-966, which this release lacks): broker 0 lost it unflushed in a power " +
        'loss at 0.007 s and, still in the ISR, led in epoch 1',
    );
    // With KIP-966 the same facts are a plain finding: the release promises to exclude that replica.
    const withKip966 = durability(facts({ ...shape, policy: { uncleanShutdownExcluded: true } }));
    expect(withKip966.anomalies[0].examples[0].description).not.toContain('last-replica-standing');
    // A broker elected before its power loss did not lead "without it" because of that loss.
    const before = { ...election('clean', [10], 0), time: 6 };
    const early = durability(facts({ ...shape, elections: [before], policy: { uncleanShutdownExcluded: false } }));
    expect(early.anomalies[0].examples[0].description).not.toContain('last-replica-standing');
  });

  it('a replica back on a replaced disk that led again stays a finding, named as KAFKA-14139 without KIP-903', () => {
    // Seed 104 (zk 3.9 swarm): broker 0's disk failed and was replaced at 7; back before any controller saw it go,
    // it was elected at 8 in the ISR it had never left, and broker 2 truncated to it.
    const replaced: Removal = { ...powerLoss(0), how: 'disk-replaced', syncedOffset: undefined };
    const shape = { removals: [replaced, truncated(2)], elections: [election('clean', [], 0)] };
    const zk = durability(facts({ ...shape, policy: { replacedDiskFenced: false } }));
    expect(judged(zk, 'acked-write-lost')).toEqual([false, {}, null]);
    expect(zk.anomalies[0].examples[0].description).toContain(
      "Kafka's replaced-disk bug (KAFKA-14139; KIP-903's fix is KRaft's, which this release lacks): broker 0 lost " +
        'it with its replaced disk at 0.007 s and, in the ISR on the strength of its previous incarnation, led in ' +
        'epoch 1 from 0.008 s without it',
    );
    // With KIP-903 the release promises to keep it out: a plain finding. Nor is a power-loss bug named for it.
    const kraft = durability(facts({ ...shape, policy: { replacedDiskFenced: true, uncleanShutdownExcluded: false } }));
    expect(kraft.anomalies[0].examples[0].description).not.toMatch(/KAFKA-14139|last-replica-standing/);
    // A broker elected before its disk was replaced did not lead without it because of the replacement.
    const early = { ...election('clean', [], 0), time: 6 };
    const before = durability(facts({ ...shape, elections: [early], policy: { replacedDiskFenced: false } }));
    expect(before.anomalies[0].examples[0].description).not.toContain('KAFKA-14139');
    // Seed 170: it fetched the record again after the new disk and lost it once more in a power loss before it
    // led: the last loss is what it led without, so that is the bug named.
    const again = { ...replaced, time: 3 };
    const both = { policy: { replacedDiskFenced: false, uncleanShutdownExcluded: false } };
    const relost = durability(facts({ ...shape, removals: [again, powerLoss(0), truncated(2)], ...both }));
    expect(relost.anomalies[0].examples[0].description).toContain("Kafka's last-replica-standing bug");
    expect(relost.anomalies[0].examples[0].description).not.toContain('KAFKA-14139');
  });

  it('leadership taken up with no election (its epoch again after a restart) is told as such', () => {
    const resumed: ElectionFact = { ...election('clean', [10], 0), leaderEpoch: 0, resumed: true };
    const result = durability(
      facts({
        removals: [powerLoss(0), truncated(2)],
        elections: [resumed],
        policy: { uncleanShutdownExcluded: false },
      }),
    );
    expect(judged(result, 'acked-write-lost')).toEqual([false, {}, null]);
    const told = result.anomalies[0].examples[0].description;
    expect(told).toContain('with no election, broker 0 led in epoch 0 at 0.008 s without it');
    expect(told).toContain('last-replica-standing bug');
  });

  it('near miss: a process crash keeps the page cache, so a record it lost is no power loss', () => {
    const crash: Removal = { ...powerLoss(0), how: 'process-crash' };
    const loss = facts({ removals: [crash, powerLoss(1), powerLoss(2)] });
    expect(judged(durability(loss), 'acked-write-lost')).toEqual([false, {}, null]);
  });

  it('unclean election: the new leader lacked the record, and unclean election is on', () => {
    const loss = facts({
      policy: { uncleanElection: true },
      removals: [truncated(0), truncated(1)],
      elections: [election('unclean', [10])],
    });
    expect(judged(durability(loss), 'acked-write-lost')).toEqual([true, null, { 'unclean-election': 1 }]);
    expect(judged(queue(loss), 'unseen')).toEqual([true, null, { 'unclean-election': 1 }]);
  });

  it('a duplicate whose other copy an allowed loss removed is allowed, with its cause; both kept: a finding', () => {
    // Seed 4 of test/harness/kraft-runs.test.ts (stale outage, pipelined producers), by hand: 11 acknowledged at
    // offset 1 and read there; an unclean election made leader a replica whose log had 11 at offset 2 instead (a
    // zombie leader's copy of the batch, written before the retry that was acknowledged), and 12 at offset 1.
    const history = (finalLog: number[]) =>
      new QueueHistoryBuilder()
        .send(0, 0, 10, 0)
        .send(0, 0, 11, 1)
        .poll(5, { 0: records(0, 10, 11) })
        .finalReads()
        .poll(5, { 0: records(0, ...finalLog) })
        .build();
    // The leaders' appends of 11: the zombie's at offset 2 in epoch 0, the acknowledged retry's at 1 in epoch 1.
    const appends = (retryAt: number, zombieAt: number): Written[] => [
      { key: 0, offset: zombieAt, value: 11, epoch: 0 },
      { key: 0, offset: retryAt, value: 11, epoch: 1 },
    ];
    const loss = (policy: Partial<LossPolicy>, written = appends(1, 2)) =>
      facts({ policy, removals: [truncated(0), truncated(1)], elections: [election('unclean', [10])], written });
    const rewritten = history([10, 12, 11]);
    expect(judged(queue(loss({ uncleanElection: true }), rewritten), 'duplicate')).toEqual([
      true,
      null,
      { 'unclean-election': 1 },
    ]);
    const example = queue(loss({ uncleanElection: true }), rewritten).allowed?.find((a) => a.name === 'duplicate');
    expect(example?.examples[0].description).toContain('The copy at offset 1 was lost');
    expect(judged(queue(loss({ uncleanElection: false }), rewritten), 'duplicate')).toEqual([false, {}, null]);
    expect(judged(queue(loss({ uncleanElection: true, strict: true }), rewritten), 'duplicate')[0]).toBe(false);
    // The copy left is the last write (at 2, in epoch 1): the lost one at 1 was acknowledged at an offset the batch
    // had left, or the batch was appended twice. A finding, whatever took offset 1 since.
    expect(judged(queue(loss({ uncleanElection: true }, appends(2, 1)), rewritten), 'duplicate')[0]).toBe(false);
    // Both copies in the final log: no loss explains either, a duplicate with idempotence stays a finding.
    const kept = history([10, 11, 11]);
    expect(judged(queue(loss({ uncleanElection: true, idempotence: true }), kept), 'duplicate')).toEqual([
      false,
      {},
      null,
    ]);
  });

  it('near miss: an unclean election whose new leader HAD the record explains nothing', () => {
    const loss = facts({
      policy: { uncleanElection: true },
      removals: [truncated(0), truncated(1)],
      elections: [election('unclean', [10, 11])],
    });
    expect(judged(durability(loss), 'acked-write-lost')).toEqual([false, {}, null]);
  });

  it('near miss: an unclean election that the configuration forbids is a finding', () => {
    const loss = facts({ removals: [truncated(0), truncated(1)], elections: [election('unclean', [10])] });
    expect(judged(durability(loss), 'acked-write-lost')).toEqual([false, {}, null]);
    expect(durability(loss).anomalies[0].examples[0].description).toContain('although unclean election is off');
  });

  it('an election before the record was written (an older epoch than the new leader) explains nothing', () => {
    const newer: Removal = { ...truncated(0), epochs: [1] };
    const loss = facts({
      policy: { uncleanElection: true },
      removals: [newer],
      elections: [election('unclean', [10])],
    });
    expect(judged(durability(loss), 'acked-write-lost')).toEqual([false, {}, null]);
  });

  it("KIP-966's last-known-leader recovery is a cause of its own, allowed with eligible leader replicas", () => {
    const removals = [truncated(0), powerLoss(1), powerLoss(2)];
    const on = facts({ removals, elections: [election('last-known-leader', [10])] });
    expect(judged(durability(on), 'acked-write-lost')).toEqual([true, null, { 'last-known-leader': 1 }]);
    const off = facts({
      policy: { lastKnownLeaderRecovery: false },
      removals,
      elections: [election('last-known-leader', [10])],
    });
    expect(judged(durability(off), 'acked-write-lost')).toEqual([false, {}, null]);
  });

  it('acks=1: a new leader without the record took over', () => {
    const loss = facts({
      policy: { acks: 'leader' },
      removals: [truncated(0)],
      elections: [election('clean', [10])],
    });
    expect(judged(durability(loss), 'acked-write-lost')).toEqual([true, null, { 'acks-failover': 1 }]);
  });

  it('near miss: acks=all lost with a clean election is a finding', () => {
    const loss = facts({ removals: [truncated(0)], elections: [election('clean', [10])] });
    expect(judged(durability(loss), 'acked-write-lost')).toEqual([false, {}, null]);
  });

  it('near miss: a loss no replica is known to have suffered is a finding', () => {
    expect(judged(durability(facts({})), 'acked-write-lost')).toEqual([false, {}, null]);
  });

  it('--strict makes every allowed loss a finding, keeping its cause', () => {
    const loss = facts({ policy: { strict: true }, removals: [powerLoss(0), powerLoss(1), powerLoss(2)] });
    expect(judged(durability(loss), 'acked-write-lost')).toEqual([false, { 'power-loss': 1 }, null]);
    expect(judged(queue(loss), 'unseen')).toEqual([false, { 'power-loss': 1 }, null]);
  });

  it('inconsistent offsets that follow from an allowed loss are allowed; from an unexplained one, a finding', () => {
    // 11 read at offset 1, then lost in power losses everywhere, and 13 written at offset 1 in its place.
    const history = new QueueHistoryBuilder()
      .send(0, 0, 10, 0)
      .send(0, 0, 11, 1)
      .poll(5, { 0: records(0, 10, 11) })
      .send(0, 0, 13, 1)
      .finalReads()
      .poll(5, { 0: records(0, 10, 13) })
      .build();
    const allowed = facts({ removals: [powerLoss(0), powerLoss(1), powerLoss(2)] });
    expect(judged(queue(allowed, history), 'inconsistent-offsets')).toEqual([true, null, { 'power-loss': 1 }]);
    const finding = facts({ removals: [powerLoss(0), powerLoss(1), truncated(2)] });
    expect(judged(queue(finding, history), 'inconsistent-offsets')).toEqual([false, {}, null]);
  });

  it('duplicates are allowed without idempotence only; with it, or judged strictly, they are findings', () => {
    // 11 sent once, acknowledged at offset 1, and read at offsets 1 and 2: a retried batch written twice.
    const history = new QueueHistoryBuilder()
      .send(0, 0, 10, 0)
      .send(0, 0, 11, 1)
      .finalReads()
      .poll(5, { 0: records(0, 10, 11, 11) })
      .build();
    const duplicate = (policy: Partial<LossPolicy>): [unknown, boolean, boolean] => {
      const result = queue(facts({ policy }), history);
      const allowed = result.allowed?.find((a) => a.name === 'duplicate');
      return [result.valid, result.anomalies.some((a) => a.name === 'duplicate'), allowed !== undefined];
    };
    expect(duplicate({ idempotence: false })).toEqual([true, false, true]);
    expect(duplicate({ idempotence: true })).toEqual([false, true, false]);
    expect(duplicate({ idempotence: false, strict: true })).toEqual([false, true, false]);
    // Policy silent on idempotence: a duplicate stays a finding.
    expect(duplicate({})).toEqual([false, true, false]);
    const example = queue(facts({ policy: { idempotence: false } }), history).allowed?.[0].examples[0];
    expect(example?.description).toContain('enable.idempotence=false');
  });
});

describe('a later send at a lower offset whose earlier record no replica lost (acks=1 failing over)', () => {
  // Seeds 7 and 204 of the swarm-config fuzz, by hand: the leader of epoch 0 acknowledged 10, 11 and 12 at offsets
  // 0 to 2 and kept them (down, or cut off from the controllers as a zombie); broker 2, elected in epoch 1 with
  // only 10, gave 13 offset 1. The earlier record 12 was never removed from any replica, so only its append dates
  // it.
  const history = new QueueHistoryBuilder()
    .send(0, 0, 10, 0)
    .send(0, 0, 11, 1)
    .send(0, 0, 12, 2)
    .send(0, 0, 13, 1)
    .build();
  const written = (epoch = 0): Written[] => [10, 11, 12].map((value, offset) => ({ key: 0, offset, value, epoch }));
  const sends = (loss: LossFacts): [Record<string, number> | null, Record<string, number> | null, string] => {
    const result = queue(loss, history);
    const finding = result.anomalies.find((a) => a.name === 'nonmonotonic-send');
    const allowed = result.allowed?.find((a) => a.name === 'nonmonotonic-send');
    const told = (finding ?? allowed)?.examples[0].description ?? '';
    return [finding === undefined ? null : (finding.byCause ?? {}), allowed?.byCause ?? null, told];
  };

  it('acks=1: a leader of a later epoch that lacked it took over, proven by its append and the election', () => {
    const [finding, allowed, told] = sends(
      facts({ policy: { acks: 'leader' }, written: written(), elections: [election('clean', [10])] }),
    );
    expect([finding, allowed]).toEqual([null, { 'acks-failover': 1 }]);
    expect(told).toContain(
      'no replica lost it (written in epoch 0), but it was sent with acks=1 and broker 2 took over without it in ' +
        'epoch 1',
    );
  });

  it('near miss: with acks=all the same shape is a finding', () => {
    const [finding, allowed, told] = sends(facts({ written: written(), elections: [election('clean', [10])] }));
    expect([finding, allowed]).toEqual([{}, null]);
    expect(told).toContain('nothing the configuration allows explains it: no replica lost it (written in epoch 0)');
  });

  it('near miss: an election no later than its epoch, one whose leader held it, or no append known: findings', () => {
    const acks1 = { acks: 'leader' } as const;
    const same = facts({ policy: acks1, written: written(1), elections: [election('clean', [10])] });
    expect(sends(same).slice(0, 2)).toEqual([{}, null]);
    const had = facts({ policy: acks1, written: written(), elections: [election('clean', [10, 11, 12])] });
    expect(sends(had).slice(0, 2)).toEqual([{}, null]);
    const unknown = facts({ policy: acks1, elections: [election('clean', [10])] });
    expect(sends(unknown)).toEqual([{}, null, expect.stringContaining('no replica is known to have held it')]);
  });
});

describe('KAFKA-14034 named behind a duplicate', () => {
  const append = (offset: number, epoch: number, sequence: number, id = 7): Written => ({
    key: 1,
    offset,
    value: 192,
    epoch: 3,
    producer: { id, epoch, sequence },
  });
  const policy: LossPolicy = { uncleanElection: false, lastKnownLeaderRecovery: true, acks: 'all', strict: false };
  const judgeOf = (written: Written[]) => lossExplainer({ policy, removals: [], elections: [], written });

  it('names it when one producer wrote the value again in a later producer epoch', () => {
    const judge = judgeOf([append(54, 6, 14), append(60, 8, 0)]);
    const told = judge.knownDuplicateBug(1, 192);
    expect(told).toContain('KAFKA-14034');
    expect(told).toContain('offset 54 in producer epoch 6 (sequence 14)');
    expect(told).toContain('again at offset 60 in epoch 8 (sequence 0)');
  });

  it('does not name it for two producers, one epoch, or appends without producer state', () => {
    const two = judgeOf([append(54, 6, 14), append(60, 8, 0, 9)]);
    expect(two.knownDuplicateBug(1, 192)).toBe('');
    const same = judgeOf([append(54, 6, 14), append(60, 6, 15)]);
    expect(same.knownDuplicateBug(1, 192)).toBe('');
    const plain = judgeOf([
      { key: 1, offset: 54, value: 192, epoch: 3 },
      { key: 1, offset: 60, value: 192, epoch: 3 },
    ]);
    expect(plain.knownDuplicateBug(1, 192)).toBe('');
  });
});
