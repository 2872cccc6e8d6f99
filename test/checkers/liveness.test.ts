// The liveness checker on hand-built histories: every partition must take an acks=all write within the bound
// after the heal (the final-reads marker); a partition that does not is `unavailable-after-heal`, with the last
// write it took before and what the probes met.
import { describe, expect, it } from 'vitest';
import { checkLiveness, UNAVAILABLE_AFTER_HEAL } from '../../checkers/liveness/index.ts';
import type { History, Op } from '../../workloads/history/format.ts';

function history(ops: Omit<Op, 'index'>[]): History {
  return ops.map((op, index) => ({ ...op, index }));
}
const send = (process: number, time: number, key: number, value: number): Omit<Op, 'index'> => ({
  process,
  time,
  type: 'invoke',
  f: 'send',
  value: [['send', key, value]],
});
const ok = (process: number, time: number, key: number, offset: number, value: number): Omit<Op, 'index'> => ({
  process,
  time,
  type: 'ok',
  f: 'send',
  value: [['send', key, [offset, value]]],
});
const fail = (process: number, time: number, key: number, value: number, error: string): Omit<Op, 'index'> => ({
  process,
  time,
  type: 'fail',
  f: 'send',
  value: [['send', key, value]],
  error,
});
const heal = (time: number): Omit<Op, 'index'> => ({
  process: 'workload',
  time,
  type: 'info',
  f: 'final-reads',
  value: null,
});

const BOUND = { boundMs: 10_000 };

describe('liveness after the final heal', () => {
  it('is valid when every partition acknowledges a send invoked after the heal within the bound', () => {
    const h = history([
      send(0, 100, 0, 1),
      ok(0, 200, 0, 0, 1),
      heal(1000),
      send(5, 1000, 0, 2),
      ok(5, 4000, 0, 1, 2),
      send(5, 4000, 1, 3),
      fail(5, 6000, 1, 3, 'NOT_ENOUGH_REPLICAS'),
      send(5, 7000, 1, 4),
      ok(5, 10_500, 1, 0, 4),
    ]);
    const r = checkLiveness(h, BOUND);
    expect(r.valid).toBe(true);
    expect(r.stats).toEqual({ judged: 2, unavailable: 0, slowestMs: 9500 });
  });

  it('names the partition that took no write within the bound, since when, and the errors its probes met', () => {
    const h = history([
      send(0, 100, 1, 1),
      ok(0, 200, 1, 0, 1),
      // A send invoked before the heal and acknowledged after it is no probe of the healed cluster.
      send(1, 900, 1, 9),
      heal(1000),
      ok(1, 2500, 1, 1, 9),
      send(5, 1000, 0, 2),
      ok(5, 1200, 0, 0, 2),
      send(5, 1200, 1, 3),
      fail(5, 5000, 1, 3, 'NOT_ENOUGH_REPLICAS'),
      send(5, 6000, 1, 4),
      fail(5, 9000, 1, 4, 'NOT_ENOUGH_REPLICAS'),
      send(5, 10_000, 1, 5),
      ok(5, 12_000, 1, 2, 5),
    ]);
    const r = checkLiveness(h, BOUND);
    expect(r.valid).toBe(false);
    expect(r.anomalies.map((a) => [a.name, a.count])).toEqual([[UNAVAILABLE_AFTER_HEAL, 1]]);
    const example = r.anomalies[0].examples[0];
    expect(example.detail).toEqual({
      partition: 1,
      healedAt: 1000,
      unavailableSince: 2500,
      boundMs: 10_000,
      firstAckAfterHealMs: 11_000,
      attempts: 3,
      errors: { NOT_ENOUGH_REPLICAS: 2 },
    });
    expect(example.description).toBe(
      'Partition 1 took no acknowledged write within 10.000 s of the heal at 1.000 s (the first came 11.000 s ' +
        'after it); it last acknowledged a write at 2.500 s. 3 probe send(s) after the heal: ' +
        'NOT_ENOUGH_REPLICAS × 2.',
    );
  });

  it('a partition never acknowledged after the heal is unavailable, and says so', () => {
    const h = history([heal(1000), send(5, 1000, 2, 1), fail(5, 30_000, 2, 1, 'REQUEST_TIMED_OUT')]);
    const r = checkLiveness(h, BOUND);
    expect(r.anomalies[0].examples[0].description).toContain('it had acknowledged no write before.');
    expect(r.anomalies[0].examples[0].detail).toMatchObject({ firstAckAfterHealMs: null, unavailableSince: null });
  });

  it('judges nothing without a final phase (a run stopped at a violation)', () => {
    const r = checkLiveness(history([send(0, 100, 0, 1)]), BOUND);
    expect(r).toEqual({ checker: 'liveness', valid: true, anomalies: [], stats: { judged: 0 } });
  });
});
