// The fuzz's worker pool (harness/fuzz/pool.ts) with a scripted worker in place of the simulator: each worker
// holds a seed queued behind the one in flight, and when a worker dies, the seed in flight becomes a
// harness crash while the queued one, never started, runs on the worker that replaces it.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SeedOutcome, SeedTask, WorkerSetup } from '../../harness/fuzz/outcome.ts';
import { runPool } from '../../harness/fuzz/pool.ts';

const entry = new URL('../helpers/scripted-fuzz-worker.mjs', import.meta.url);
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface WorkerEvent {
  what: 'recv' | 'start' | 'done';
  pid: number;
  seed: number;
}

interface PoolRun {
  outcomes: SeedOutcome[];
  /** What the workers received and started, in order. */
  events: WorkerEvent[];
  started: WorkerEvent[];
}

async function runSeeds(seeds: number[], jobs: number, die: number[], runMs = 5): Promise<PoolRun> {
  const outDir = mkdtempSync(join(tmpdir(), 'kafkasim-pool-'));
  dirs.push(outDir);
  const logFile = join(outDir, 'started.log');
  process.env.SCRIPTED_WORKER_DIE = die.join(',');
  process.env.SCRIPTED_WORKER_LOG = logFile;
  process.env.SCRIPTED_WORKER_MS = String(runMs);
  const options = { partitions: 1, nemesis: [], timeSeconds: 1 };
  const setup: WorkerSetup = { options, outDir, runFlags: [] };
  const queue = [...seeds];
  const outcomes: SeedOutcome[] = [];
  try {
    await runPool(
      { entry, execArgv: [] },
      jobs,
      setup,
      {
        next: (): SeedTask | undefined => {
          const seed = queue.shift();
          return seed === undefined ? undefined : { seed, twice: false };
        },
        done: (o) => outcomes.push(o),
      },
      60_000,
    );
  } finally {
    delete process.env.SCRIPTED_WORKER_DIE;
    delete process.env.SCRIPTED_WORKER_LOG;
    delete process.env.SCRIPTED_WORKER_MS;
  }
  const events = readFileSync(logFile, 'utf8')
    .trim()
    .split('\n')
    .map((line): WorkerEvent => {
      const [what, pid, seed] = line.split(' ');
      return { what: what as WorkerEvent['what'], pid: Number(pid), seed: Number(seed) };
    });
  return { outcomes, events, started: events.filter((e) => e.what === 'start') };
}

describe('fuzz worker pool', () => {
  it('keeps one seed queued behind the one in flight, never more, and gives each seed one outcome', async () => {
    const { outcomes, events } = await runSeeds([1, 2, 3, 4, 5], 1, [], 20);
    expect(outcomes.map((o) => o.seed)).toEqual([1, 2, 3, 4, 5]);
    expect(new Set(events.map((e) => e.pid)).size).toBe(1);
    // The worker starts with two seeds: the second arrives before the first is done.
    const at = (what: WorkerEvent['what'], seed: number): number =>
      events.findIndex((e) => e.what === what && e.seed === seed);
    expect(at('recv', 2)).toBeLessThan(at('done', 1));
    // It never holds more than the seed it runs and one queued.
    let held = 0;
    let most = 0;
    for (const e of events) {
      if (e.what === 'recv') most = Math.max(most, ++held);
      if (e.what === 'done') held--;
    }
    expect(most).toBe(2);
  });

  it(
    'reports the seed a worker died in as a harness crash and reruns the seed queued behind it ' + 'elsewhere',
    async () => {
      // One worker: it holds seeds 1 and 2 from the start and gets 3 when 1 is done, so 3 is queued when 2
      // kills it.
      const { outcomes, started } = await runSeeds([1, 2, 3, 4], 1, [2]);
      expect(outcomes.map((o) => [o.seed, o.findings])).toEqual([
        [1, []],
        [2, ['harness-crash']],
        [3, []],
        [4, []],
      ]);
      expect(outcomes[1].error).toBe('worker exited with code 70');
      // Seed 3 never started in the worker that died: it started once, in its replacement.
      const [first, second] = [...new Set(started.map((s) => s.pid))];
      expect(started.filter((s) => s.seed === 3)).toEqual([{ what: 'start', pid: second, seed: 3 }]);
      expect(started.filter((s) => s.pid === first).map((s) => s.seed)).toEqual([1, 2]);
    },
  );

  it('with several workers and several deaths, still runs every seed once', async () => {
    const seeds = Array.from({ length: 40 }, (_, i) => i + 1);
    const die = [3, 4, 17, 30, 31, 40];
    const { outcomes, started } = await runSeeds(seeds, 3, die);
    expect(outcomes.map((o) => o.seed).sort((a, b) => a - b)).toEqual(seeds);
    expect(
      outcomes
        .filter((o) => o.findings.includes('harness-crash'))
        .map((o) => o.seed)
        .sort((a, b) => a - b),
    ).toEqual(die);
    expect(started.map((s) => s.seed).sort((a, b) => a - b)).toEqual(seeds);
  });
});
