// Fuzz workers run the simulator from one esbuild bundle instead of through tsx's loader (start-up speed,
// harness/fuzz/worker-bundle.ts). The bundle must be the same program: a seed's history hash from a worker
// equals the hash of the same seed run here under tsx, and a crash's stack names TypeScript lines.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { FuzzRun } from '../../harness/fuzz/fuzz-run.ts';
import { fuzzWorkerEntry, TSX_WORKER_BOOT } from '../../harness/fuzz/worker-bundle.ts';
import { flagWordsOf, runOnce, type RunOptions } from '../../harness/index.ts';

const options: Omit<RunOptions, 'seed'> = {
  partitions: 2,
  nemesis: ['partition', 'kill', 'pause', 'clock'],
  timeSeconds: 8,
};
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function fuzz(from: number, to: number): FuzzRun {
  const outDir = mkdtempSync(join(tmpdir(), 'kafkasim-bundle-'));
  dirs.push(outDir);
  return new FuzzRun({
    options,
    runFlags: flagWordsOf(options).words,
    range: { from, to },
    shard: null,
    jobs: 2,
    outDir,
  });
}

describe('the fuzz worker bundle', () => {
  it('is built into node_modules/.cache, named by its content, the same file every time', async () => {
    const entry = await fuzzWorkerEntry();
    expect(entry.href).not.toBe(TSX_WORKER_BOOT.href);
    expect(fileURLToPath(entry)).toMatch(/node_modules\/\.cache\/kafkasim\/fuzz-worker-[0-9a-f]{16}\.mjs$/);
    const text = readFileSync(entry, 'utf8');
    // The simulator is inside: no import of the project's own files is left; npm packages stay imports
    // that resolve from node_modules.
    expect(text).toContain('KafkaCluster');
    expect(text).not.toMatch(/from ["']\.\.?\//);
    expect(text).toMatch(/from ["']seedrandom["']/);
    expect((await fuzzWorkerEntry()).href).toBe(entry.href);
  });

  it('runs each seed to the history hash the sources give under tsx', async () => {
    const summary = await fuzz(1, 6).run();
    expect(summary.runs).toHaveLength(6);
    for (const run of summary.runs) {
      expect(run.findings).not.toContain('harness-crash');
      expect(run.historyHash).toBe(runOnce({ ...options, seed: run.seed }).result.historyHash);
    }
  }, 60_000);
});
