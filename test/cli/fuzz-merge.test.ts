// Merging shard outputs: the union of their seeds, the failing seeds' directories copied, and a clear
// refusal (before anything is written) of summaries that do not belong together.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mergeDirs, missingShards } from '../../cli/fuzz/merge.ts';
import type { SeedOutcome } from '../../harness/fuzz/outcome.ts';
import { totalsOf, type FuzzSummary } from '../../harness/fuzz/summary.ts';
import { UsageError } from '../../cli/usage-error.ts';

function outcome(seed: number, failing: boolean): SeedOutcome {
  return failing
    ? {
        seed,
        valid: false,
        anomalies: { unseen: 2 },
        historyHash: '0'.repeat(16),
        wallMs: 10,
        events: 5,
        findings: ['anomaly'],
        dir: `seeds/${seed}`,
      }
    : { seed, valid: true, anomalies: {}, historyHash: '1'.repeat(16), wallMs: 10, events: 5, findings: [] };
}

/** A fuzz output directory for shard `index` of `count` over 1..10, seeds in `failing` failing. */
function shardDir(index: number, count: number, failing: number[], options: object = { timeSeconds: 10 }): string {
  const dir = mkdtempSync(join(tmpdir(), 'kafkasim-merge-'));
  const runs: SeedOutcome[] = [];
  for (let s = 1 + index; s <= 10; s += count) runs.push(outcome(s, failing.includes(s)));
  for (const s of failing) {
    mkdirSync(join(dir, `seeds/${s}`), { recursive: true });
    writeFileSync(join(dir, `seeds/${s}/repro.json`), `{"seed":${s}}`);
  }
  const summary: FuzzSummary = {
    kafkasim: '0.3.0',
    startedAt: `2025-01-01T00:00:0${index}.000Z`,
    options: options as FuzzSummary['options'],
    runFlags: ['--time', '10'],
    shards: [{ index, count }],
    seeds: { from: 1, to: 10, planned: runs.length, run: runs.length },
    runs,
    totals: totalsOf(runs),
    seedsPerSecond: 5,
    wallSeconds: 1 + index,
    jobs: 2,
    stoppedBy: 'done',
    interrupted: false,
  };
  writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary));
  return dir;
}

const fresh = (): string => join(mkdtempSync(join(tmpdir(), 'kafkasim-merged-')), 'out');

describe('merge', () => {
  it('writes the union of the shards, their totals, junit.xml and copies of the failing seeds', () => {
    const a = shardDir(0, 2, [3]);
    const b = shardDir(1, 2, [4, 8]);
    const out = fresh();
    const merged = mergeDirs([a, b], out);
    expect(merged.runs.map((r) => r.seed)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(merged.totals).toMatchObject({ runs: 10, invalid: 3, findings: 3, byAnomaly: { unseen: 3 } });
    expect(merged.seeds).toEqual({ from: 1, to: 10, planned: 10, run: 10 });
    expect(merged.shards).toEqual([
      { index: 0, count: 2 },
      { index: 1, count: 2 },
    ]);
    expect(merged.seedsPerSecond).toBe(10);
    expect(merged.wallSeconds).toBe(2);
    expect(missingShards(merged)).toEqual([]);
    expect(readdirSync(join(out, 'seeds')).sort()).toEqual(['3', '4', '8']);
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'))).toEqual(merged);
    expect(readFileSync(join(out, 'junit.xml'), 'utf8')).toContain('tests="10" failures="3"');
  });

  it('names the shards that are missing', () => {
    const merged = mergeDirs([shardDir(0, 3, []), shardDir(2, 3, [])], fresh());
    expect(missingShards(merged)).toEqual(['1/3']);
  });

  it.each([
    ['overlapping seeds', () => [shardDir(0, 2, []), shardDir(0, 2, [])], /seed 1 is in both/],
    [
      'other run options',
      () => [shardDir(0, 2, []), shardDir(1, 2, [], { timeSeconds: 20 })],
      /ran with other options/,
    ],
    [
      'a directory without a summary',
      () => [shardDir(0, 2, []), mkdtempSync(join(tmpdir(), 'kafkasim-empty-'))],
      /no summary\.json there/,
    ],
  ])('refuses %s and writes nothing', (_what, dirs, message) => {
    const out = fresh();
    expect(() => mergeDirs(dirs(), out)).toThrow(UsageError);
    expect(() => mergeDirs(dirs(), out)).toThrow(message);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses a summary naming a seed directory outside its own seeds/ folder, or one that is missing', () => {
    const a = shardDir(0, 1, [2]);
    const text = readFileSync(join(a, 'summary.json'), 'utf8');
    writeFileSync(join(a, 'summary.json'), text.replace('"seeds/2"', '"../../etc"'));
    expect(() => mergeDirs([a], fresh())).toThrow(/expected "seeds\/2"/);
    const b = shardDir(0, 1, []);
    writeFileSync(
      join(b, 'summary.json'),
      readFileSync(join(b, 'summary.json'), 'utf8').replace('"findings":[]', '"findings":["anomaly"],"dir":"seeds/1"'),
    );
    expect(() => mergeDirs([b], fresh())).toThrow(/seeds\/1 is missing/);
  });

  it('refuses an output directory that already holds results, or is one of the inputs', () => {
    const a = shardDir(0, 1, []);
    expect(() => mergeDirs([a], a)).toThrow(/is also an input/);
    const out = fresh();
    mergeDirs([a], out);
    expect(() => mergeDirs([shardDir(0, 1, [])], out)).toThrow(/already holds fuzz results/);
  });
});
