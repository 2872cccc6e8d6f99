// Liveness after the final heal, on whole runs: the workload's acks=all probes reach every partition once the
// faults are healed, and a cluster deliberately left unable to take acks=all writes is `unavailable-after-heal`.
import { describe, expect, it } from 'vitest';
import { runTest, testOf } from '../../harness/index.ts';
import { FINAL_READS_F } from '../../workloads/history/format.ts';

describe('liveness after the final heal', () => {
  it('probes every partition with acks=all after the heal; each is acknowledged and read', () => {
    const run = runTest(testOf({ seed: 3, nemesis: ['kill', 'partition'], timeSeconds: 30 }));
    const heal = run.history.find((op) => op.f === FINAL_READS_F)?.time ?? Infinity;
    const probes = run.history.filter((op) => op.f === 'send' && op.type === 'invoke' && op.time >= heal);
    expect(new Set(probes.map((op) => (op.value as [[string, number, number]])[0][1]))).toEqual(new Set([0, 1, 2]));
    const liveness = run.result.checkers.find((c) => c.checker === 'liveness');
    expect(liveness).toMatchObject({ valid: true, stats: { judged: 3, unavailable: 0 } });
    expect(run.result.valid).toBe(true);
  });

  it('a cluster left with one broker after the heal takes no acks=all write: unavailable-after-heal', () => {
    const run = runTest(testOf({ seed: 3, nemesis: [], timeSeconds: 20 }), {
      // Deliberately wrong for a healed cluster: two of three brokers gone for good, below min.insync.replicas 2.
      onFinalPhase: (cluster) => {
        cluster.world.crash('b1');
        cluster.world.crash('b2');
      },
    });
    const liveness = run.result.checkers.find((c) => c.checker === 'liveness');
    expect(liveness?.valid).toBe(false);
    expect(run.result.anomalies['unavailable-after-heal']).toBe(3);
    const example = liveness?.anomalies[0].examples[0];
    expect(example?.detail).toMatchObject({ partition: 0, firstAckAfterHealMs: null, boundMs: 70_000 });
    expect(example?.description).toMatch(/^Partition 0 took no acknowledged write within 70\.000 s of the heal/);
  });

  it('is not judged for a workload without producers (it sends no probes)', () => {
    const test = testOf({ seed: 3, nemesis: [], timeSeconds: 5, workload: { producers: 0 } });
    expect(test.checkers.map((c) => c.name)).not.toContain('liveness');
    expect(testOf({ seed: 3 }).checkers.map((c) => c.name)).toContain('liveness');
  });
});
