// Coverage probes (sim/kafka/probes.ts): a static registry, every probe named at a site of the simulator, hits
// counted where a scenario passes them, and each run's counts its own, the same for the same seed.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runProbes } from '../../../harness/probes.ts';
import {
  P,
  PROBE_DESCRIPTIONS,
  PROBE_NAMES,
  probe,
  probeCountsSince,
  probeMark,
  probeMetadataMode,
  probeRecord,
} from '../../../sim/kafka/probes.ts';
import { ProducerScenario } from '../../helpers/producer-scenario.ts';
import { repoRoot } from '../../helpers/paths.ts';
import { runOptions } from '../../helpers/run.ts';

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const PID = 4242;

describe('coverage probes', () => {
  it('are declared once each, with a meaning, and each is named at a site of the simulator', () => {
    expect(new Set(PROBE_NAMES).size).toBe(PROBE_NAMES.length);
    expect(PROBE_NAMES.length).toBeGreaterThanOrEqual(40);
    PROBE_NAMES.forEach((name, i) => {
      expect(P[name]).toBe(i);
      expect(PROBE_DESCRIPTIONS[name].length).toBeGreaterThan(10);
    });
    const sources = tsFiles(join(repoRoot, 'sim'))
      .filter((f) => !f.endsWith('probes.ts'))
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    const named = new Set([...sources.matchAll(/\bprobe\(\s*P\.(\w+)/g)].map((m) => m[1]));
    // Some sites choose between two probes (`probe(cond ? P.a : P.b)`).
    for (const m of sources.matchAll(/\bP\.(\w+)/g)) named.add(m[1]);
    expect(PROBE_NAMES.filter((n) => !named.has(n))).toEqual([]);
    expect(probeMetadataMode('zkControllerFenced')).toBe('zk');
    expect(probeMetadataMode('raftFollowerTruncated')).toBe('kraft');
    expect(probeMetadataMode('logRecoveryTornTail')).toBe(null);
  });

  it('count a hit where a scenario passes: a producer retrying an older batch is answered as a duplicate', () => {
    const s = new ProducerScenario('3.9', { broker: { 'min.insync.replicas': 1 } }).start();
    for (let seq = 0; seq < 3; seq++) {
      expect(s.rawProduce({ producerId: PID, producerEpoch: 0, baseSequence: seq, value: seq })?.error).toBe('NONE');
    }
    const mark = probeMark();
    // Sequence 0 is an older cached batch: a duplicate, answered with its offset.
    expect(s.rawProduce({ producerId: PID, producerEpoch: 0, baseSequence: 0, value: 0 })).toMatchObject({
      error: 'NONE',
      baseOffset: 0,
    });
    let hits = probeRecord(probeCountsSince(mark));
    expect(hits.idempotentDuplicateOlderBatch).toBe(1);
    expect(hits.idempotentDuplicateLastBatch).toBe(0);
    // Sequence 2, the last one, is the other probe; a gap is a third.
    s.rawProduce({ producerId: PID, producerEpoch: 0, baseSequence: 2, value: 2 });
    expect(s.rawProduce({ producerId: PID, producerEpoch: 0, baseSequence: 9, value: 9 })?.error).toBe(
      'OUT_OF_ORDER_SEQUENCE_NUMBER',
    );
    hits = probeRecord(probeCountsSince(mark));
    expect(hits).toMatchObject({
      idempotentDuplicateOlderBatch: 1,
      idempotentDuplicateLastBatch: 1,
      idempotentOutOfOrderSequence: 1,
    });
  });

  it("give each run its own counts, the same for the same seed whatever ran before, and don't move its hash", () => {
    const options = { seed: 11, timeSeconds: 20, nemesis: ['kill', 'partition'] as const, kafka: '3.9' };
    const a = runOptions({ ...options, nemesis: [...options.nemesis], metadata: 'zk' });
    // Hits outside any run, and another run in between, are not this run's.
    for (let i = 0; i < 5; i++) probe(P.zkControllerFenced);
    runOptions({ seed: 12, timeSeconds: 10, nemesis: ['kill'] });
    const b = runOptions({ ...options, nemesis: [...options.nemesis], metadata: 'zk' });
    expect(b.historyHash).toBe(a.historyHash);
    expect(b.probes).toEqual(a.probes);
    expect(a.probes).toHaveLength(PROBE_NAMES.length);
    const report = runProbes(a.probes);
    expect(report.reached).toBeGreaterThan(3);
    expect(report.hits.isrExpandProposed).toBeGreaterThan(0);
    expect(report.hits.zkControllerFenced).toBe(a.probes[P.zkControllerFenced]);
  });
});
