// The two end-of-run checkers, on small hand-made data: divergence at rest (replicas that still disagree
// below both high watermarks) and a consumer's reads against the final log (consumer-poll-skip).
import { describe, expect, it } from 'vitest';
import type { ReplicaAtRest } from '../../checkers/checker.ts';
import { checkDivergenceAtRest } from '../../checkers/invariants/at-rest.ts';
import { lossExplainer } from '../../checkers/durability/causes.ts';
import type { LossFacts, Removal } from '../../checkers/durability/facts.ts';
import { checkFinalLogReads } from '../../checkers/queue/final-log-reads.ts';
import { QueueHistoryBuilder } from '../helpers/queue-history.ts';

const replica = (
  broker: number,
  leader: boolean,
  highWatermark: number,
  values: number[],
  epochs: number[],
): ReplicaAtRest => ({
  broker,
  partition: 0,
  highWatermark,
  leader,
  batches: values.map((v, i) => ({ baseOffset: i, values: [v], epoch: epochs[i] })),
});

describe('divergence at rest', () => {
  it('is silent when the replicas agree below their high watermarks, whatever lies above', () => {
    const r = checkDivergenceAtRest(
      [replica(0, true, 2, [1, 2, 3], [0, 0, 1]), replica(1, false, 2, [1, 2, 9], [0, 0, 0])],
      100,
    );
    expect(r.valid).toBe(true);
    expect(r.anomalies).toEqual([]);
  });

  it('names the offset two replicas disagree on below both high watermarks', () => {
    const r = checkDivergenceAtRest(
      [replica(1, false, 3, [1, 2, 9], [0, 0, 0]), replica(0, true, 3, [1, 2, 3], [0, 0, 1])],
      100,
    );
    expect(r.valid).toBe(false);
    expect(r.anomalies.map((a) => [a.name, a.count])).toEqual([['divergence-at-rest', 1]]);
    // The leader is compared first, so the follower is the one that disagrees.
    expect(r.anomalies[0].examples[0].detail).toMatchObject({ partition: 0, brokers: [0, 1] });
    expect(r.anomalies[0].examples[0].description).toMatch(/offset 2/);
  });
});

describe('reads against the final log', () => {
  /** A consumer reads offsets 0..2, then (no seek) offset 3; the final log is `final`. */
  function history(final: [number, number][]) {
    return new QueueHistoryBuilder()
      .assign(0, [0])
      .poll(0, {
        0: [
          [0, 1],
          [1, 2],
          [2, 3],
        ],
      })
      .poll(0, { 0: [[3, 10]] })
      .finalReads()
      .assign(1, [0])
      .poll(1, { 0: final })
      .build();
  }

  it('is silent when every record a consumer read is still in the final log', () => {
    const r = checkFinalLogReads(
      history([
        [0, 1],
        [1, 2],
        [2, 3],
        [3, 10],
      ]),
    );
    expect(r.valid).toBe(true);
    expect(r.stats).toEqual({ vanishedReads: 0 });
  });

  it('finds a consumer that read on past a truncation without reading the refilled offset', () => {
    // Offset 2 held 3 when the consumer read it; after a truncation it holds 9, which the consumer never read.
    const r = checkFinalLogReads(
      history([
        [0, 1],
        [1, 2],
        [2, 9],
        [3, 10],
      ]),
    );
    expect(r.valid).toBe(false);
    expect(r.anomalies.map((a) => [a.name, a.count])).toEqual([['consumer-poll-skip', 1]]);
    expect(r.stats).toEqual({ vanishedReads: 1 });
  });

  it('counts no skip across a seek: the application chose the position (KIP-320 rewinds are seeks)', () => {
    const withSeek = (seek: boolean) => {
      const b = new QueueHistoryBuilder().assign(0, [0]).poll(0, {
        0: [
          [0, 1],
          [1, 2],
          [2, 3],
        ],
      });
      if (seek) b.op(0, 'invoke', 'seek', [[0, 4]]).op(0, 'ok', 'seek', [[0, 4]]);
      return b
        .poll(0, { 0: [[4, 11]] })
        .finalReads()
        .assign(1, [0])
        .poll(1, {
          0: [
            [0, 1],
            [1, 2],
            [2, 9],
            [3, 10],
            [4, 11],
          ],
        })
        .build();
    };
    expect(checkFinalLogReads(withSeek(true)).valid).toBe(true);
    expect(checkFinalLogReads(withSeek(false)).anomalies.map((a) => a.name)).toEqual(['consumer-poll-skip']);
  });

  describe('a skip after a loss the configuration allows', () => {
    // Seed 294 of `fuzz --nemesis swarm --kafka 3.9 --metadata zk`: the consumer read 3 at offset 2 (leader epoch 1);
    // every replica lost it in a power loss, the leader came back in epoch 1 and wrote 9 there. Its consumer's
    // position (3, epoch 1) stays valid for Kafka: KIP-320 validates only on a leader or epoch change, and epoch 1
    // ends past it. Written again in epoch 2 instead, the consumer could tell (a finding).
    const lost = (how: Removal['how'], broker: number): Removal => ({
      time: 5,
      broker,
      key: 0,
      how,
      fromOffset: 2,
      values: [3],
      epochs: [1],
      ...(how === 'power-loss' ? { syncedOffset: 0 } : {}),
    });
    const facts = (how: Removal['how'], strict = false): LossFacts => ({
      policy: { uncleanElection: false, lastKnownLeaderRecovery: false, acks: 'all', strict },
      removals: [lost(how, 0), lost(how, 1)],
      elections: [],
    });
    const final: [number, number][] = [
      [0, 1],
      [1, 2],
      [2, 9],
      [3, 10],
    ];
    const atRest = (rewrittenIn: number): ReplicaAtRest[] => [
      replica(0, true, 4, [1, 2, 9, 10], [0, 0, rewrittenIn, rewrittenIn]),
      replica(1, false, 4, [1, 2, 9, 10], [0, 0, rewrittenIn, rewrittenIn]),
    ];
    const judged = (how: Removal['how'], rewrittenIn: number, strict = false) =>
      checkFinalLogReads(history(final), {
        loss: lossExplainer(facts(how, strict)),
        replicasAtRest: atRest(rewrittenIn),
      });

    it("is allowed when the offset was written again in the lost record's epoch", () => {
      const r = judged('power-loss', 1);
      expect(r.valid).toBe(true);
      expect(r.anomalies).toEqual([]);
      expect(r.allowed?.map((a) => [a.name, a.count, a.byCause])).toEqual([
        ['consumer-poll-skip', 1, { 'power-loss': 1 }],
      ]);
      expect(r.allowed?.[0].examples[0].description).toMatch(/it had read 3 at offset 2, lost since: every replica/);
      expect(r.allowed?.[0].examples[0].detail).toMatchObject({ cause: 'power-loss', allowed: true });
    });

    it('is a finding when the offset was written again in a later epoch, which KIP-320 detects', () => {
      const r = judged('power-loss', 2);
      expect(r.valid).toBe(false);
      expect(r.anomalies.map((a) => [a.name, a.count])).toEqual([['consumer-poll-skip', 1]]);
      expect(r.anomalies[0].examples[0].description).toMatch(/written again in a later epoch \(leader epoch 2/);
      expect(r.allowed).toBeUndefined();
    });

    it('is a finding when the loss itself is not allowed, or under --strict', () => {
      for (const r of [judged('truncation', 1), judged('power-loss', 1, true)]) {
        expect(r.valid).toBe(false);
        expect(r.anomalies.map((a) => [a.name, a.count])).toEqual([['consumer-poll-skip', 1]]);
        expect(r.allowed).toBeUndefined();
      }
    });
  });
});
