// The two end-of-run checkers, on small hand-made data: divergence at rest (replicas that still disagree
// below both high watermarks) and a consumer's reads against the final log (consumer-poll-skip).
import { describe, expect, it } from 'vitest';
import type { ReplicaAtRest } from '../../checkers/checker.ts';
import { checkDivergenceAtRest } from '../../checkers/invariants/at-rest.ts';
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
});
