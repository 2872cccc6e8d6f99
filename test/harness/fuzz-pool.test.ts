// The fuzz's worker pool (harness/fuzz/pool.ts) with a scripted worker in place of the simulator: each worker
// holds a seed queued behind the one in flight, and when a worker dies, the seed in flight becomes a
// harness crash while the queued one, never started, runs on the worker that replaces it. The races of a
// worker's end are forced, not waited for: the test's `done` hook blocks the pool's event loop until the
// worker has died, or until its watchdog has expired, so that what follows meets the state it would meet
// on a busy machine.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  what: 'boot' | 'recv' | 'start' | 'done';
  pid: number;
  seed: number;
}

function readEvents(logFile: string): WorkerEvent[] {
  if (!existsSync(logFile)) return [];
  return readFileSync(logFile, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line): WorkerEvent => {
      const [what, pid, seed] = line.split(' ');
      return { what: what as WorkerEvent['what'], pid: Number(pid), seed: Number(seed) };
    });
}

/** Blocks this thread (and so the pool's event loop) until `ready()`, for at most 20 s. */
function blockUntil(ready: () => boolean): void {
  const nap = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + 20_000;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error('blockUntil: gave up after 20 s');
    Atomics.wait(nap, 0, 0, 5);
  }
}

/** Whether a process has exited: gone, or a zombie its parent has not reaped yet (Linux). */
function exited(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8')
      .replace(/^.*\) /s, '')
      .startsWith('Z');
  } catch {
    return true;
  }
}

/** Whether a process is still there at all, zombie or not. */
function present(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

interface PoolOptions {
  jobs?: number;
  /** Seeds that kill their worker when they start. */
  die?: number[];
  /** Wall milliseconds each seed runs. */
  runMs?: number;
  seedTimeoutMs?: number;
  /** Workers read no message until this file exists. */
  hold?: string;
  stop?: AbortSignal;
  /** Called with each outcome, and the log so far, before the pool goes on. */
  onDone?: (outcome: SeedOutcome, events: () => WorkerEvent[]) => void;
}

interface PoolRun {
  outcomes: SeedOutcome[];
  outDir: string;
  /** What the workers received and started, in order. */
  events: WorkerEvent[];
  started: WorkerEvent[];
  /** The workers that were started, in order. */
  pids: number[];
}

/** A fresh output directory and the worker log in it. */
function scratch(): { outDir: string; logFile: string } {
  const outDir = mkdtempSync(join(tmpdir(), 'kafkasim-pool-'));
  dirs.push(outDir);
  return { outDir, logFile: join(outDir, 'started.log') };
}

async function runSeeds(seeds: number[], o: PoolOptions = {}, where = scratch()): Promise<PoolRun> {
  const { outDir, logFile } = where;
  const env = {
    SCRIPTED_WORKER_DIE: (o.die ?? []).join(','),
    SCRIPTED_WORKER_LOG: logFile,
    SCRIPTED_WORKER_MS: String(o.runMs ?? 5),
    ...(o.hold !== undefined ? { SCRIPTED_WORKER_HOLD: o.hold } : {}),
  };
  Object.assign(process.env, env);
  const options = { partitions: 1, nemesis: [], timeSeconds: 1 };
  const setup: WorkerSetup = { options, outDir, runFlags: [] };
  const queue = [...seeds];
  const outcomes: SeedOutcome[] = [];
  try {
    await runPool(
      { entry, execArgv: [] },
      o.jobs ?? 1,
      setup,
      {
        next: (): SeedTask | undefined => {
          const seed = queue.shift();
          return seed === undefined ? undefined : { seed, twice: false };
        },
        done: (outcome) => {
          outcomes.push(outcome);
          o.onDone?.(outcome, () => readEvents(logFile));
        },
      },
      o.seedTimeoutMs ?? 60_000,
      o.stop,
    );
  } finally {
    for (const key of Object.keys(env)) delete process.env[key];
  }
  const events = readEvents(logFile);
  return {
    outcomes,
    outDir,
    events,
    started: events.filter((e) => e.what === 'start'),
    pids: events.filter((e) => e.what === 'boot').map((e) => e.pid),
  };
}

const findingsOf = (outcomes: SeedOutcome[]): [number, string[]][] => outcomes.map((o) => [o.seed, o.findings]);

describe('fuzz worker pool', () => {
  it('keeps one seed queued behind the one in flight, never more, and gives each seed one outcome', async () => {
    const { outcomes, events, pids } = await runSeeds([1, 2, 3, 4, 5], { runMs: 20 });
    expect(outcomes.map((o) => o.seed)).toEqual([1, 2, 3, 4, 5]);
    expect(pids).toHaveLength(1);
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
      const { outcomes, started, pids } = await runSeeds([1, 2, 3, 4], { die: [2] });
      expect(findingsOf(outcomes)).toEqual([
        [1, []],
        [2, ['harness-crash']],
        [3, []],
        [4, []],
      ]);
      expect(outcomes[1].error).toBe('worker exited with code 70');
      // Seed 3 never started in the worker that died: it started once, in its replacement.
      const [first, second] = pids;
      expect(started.filter((s) => s.seed === 3)).toEqual([{ what: 'start', pid: second, seed: 3 }]);
      expect(started.filter((s) => s.pid === first).map((s) => s.seed)).toEqual([1, 2]);
    },
  );

  it('with several workers and several deaths, still runs every seed once', async () => {
    const seeds = Array.from({ length: 40 }, (_, i) => i + 1);
    const die = [3, 4, 17, 30, 31, 40];
    const { outcomes, started } = await runSeeds(seeds, { jobs: 3, die });
    expect(outcomes.map((o) => o.seed).sort((a, b) => a - b)).toEqual(seeds);
    expect(
      outcomes
        .filter((o) => o.findings.includes('harness-crash'))
        .map((o) => o.seed)
        .sort((a, b) => a - b),
    ).toEqual(die);
    expect(started.map((s) => s.seed).sort((a, b) => a - b)).toEqual(seeds);
  });

  it.runIf(existsSync('/proc/self/stat'))(
    "records a worker's exit code, not the failed send, when it dies while the next seed is sent to it",
    async () => {
      // The worker sends seed 1's outcome, starts seed 2 and exits 70 at once. The pool's answer to that
      // outcome is to send it seed 3: held back here until the worker has exited, that send meets a closed
      // channel (EPIPE) before the pool has heard of the exit.
      const { outcomes, outDir } = await runSeeds([1, 2, 3, 4], {
        die: [2],
        onDone: (o, events) => {
          if (o.seed !== 1) return;
          blockUntil(() => {
            const dying = events().find((e) => e.what === 'start' && e.seed === 2);
            return dying !== undefined && exited(dying.pid);
          });
        },
      });
      expect(findingsOf(outcomes)).toEqual([
        [1, []],
        [2, ['harness-crash']],
        [3, []],
        [4, []],
      ]);
      expect(outcomes[1].error).toBe('worker exited with code 70');
      expect(readFileSync(join(outDir, 'seeds/2/crash.txt'), 'utf8')).toMatch(
        /^the worker process exited with code 70 /,
      );
    },
  );

  it('counts a seed that finishes as its watchdog fires as finished, and reruns the seed after it', async () => {
    // Seed 2's watchdog is set when seed 1's outcome comes in; holding the pool past it while seed 2
    // finishes puts the watchdog's kill and seed 2's outcome side by side. The kill goes first (timers run
    // before the next poll), then the outcome, then the exit, with seed 3 sent and in flight.
    const seedTimeoutMs = 1000;
    const { outcomes, pids, started } = await runSeeds([1, 2, 3], {
      runMs: 100,
      seedTimeoutMs,
      onDone: (o, events) => {
        if (o.seed !== 1) return;
        const since = Date.now();
        blockUntil(
          () => Date.now() - since > seedTimeoutMs + 100 && events().some((e) => e.what === 'done' && e.seed === 2),
        );
      },
    });
    expect(findingsOf(outcomes)).toEqual([
      [1, []],
      [2, []],
      [3, []],
    ]);
    // The watchdog did kill the first worker: seed 3 ran to its end in the second.
    expect(pids).toHaveLength(2);
    expect(started.filter((s) => s.seed === 3).at(-1)?.pid).toBe(pids[1]);
  });

  it('when stopped, kills its workers mid-seed and resolves once they are gone, with no finding', async () => {
    const where = scratch();
    const stop = new AbortController();
    // Both workers hold seeds that would run for a minute; stop once both have started one.
    const watcher = setInterval(() => {
      if (readEvents(where.logFile).filter((e) => e.what === 'start').length === 2) stop.abort();
    }, 10);
    const run = await runSeeds([1, 2, 3, 4, 5, 6], { jobs: 2, runMs: 60_000, stop: stop.signal }, where).finally(() =>
      clearInterval(watcher),
    );
    expect(run.outcomes).toEqual([]);
    expect(run.pids).toHaveLength(2);
    // Gone, not only killed: the pool has reaped them before resolving.
    expect(run.pids.filter(present)).toEqual([]);
    expect(existsSync(join(run.outDir, 'seeds'))).toBe(false);
  });

  it('replaces a worker interrupted while it loads, rather than failing as if none could start', async () => {
    // Ctrl-C reaches the whole process group, workers too; one still loading has not yet set SIGINT aside.
    const where = scratch();
    const hold = join(where.outDir, 'go');
    const watcher = setInterval(() => {
      const boot = readEvents(where.logFile).find((e) => e.what === 'boot');
      if (boot === undefined) return;
      clearInterval(watcher);
      process.kill(boot.pid, 'SIGINT');
      writeFileSync(hold, '');
    }, 10);
    const run = await runSeeds([1, 2, 3], { hold }, where).finally(() => clearInterval(watcher));
    expect(findingsOf(run.outcomes)).toEqual([
      [1, []],
      [2, []],
      [3, []],
    ]);
    expect(run.pids).toHaveLength(2);
    expect(run.started.every((s) => s.pid === run.pids[1])).toBe(true);
  });

  it('fails, and does not wait forever, when a worker process cannot be started at all', async () => {
    // Node reports that with 'error' alone; no 'exit' follows.
    const execPath = process.execPath;
    process.execPath = '/nonexistent/node';
    try {
      await expect(runSeeds([1, 2])).rejects.toThrow(
        /^a fuzz worker failed to start: spawn \/nonexistent\/node ENOENT$/,
      );
    } finally {
      process.execPath = execPath;
    }
  }, 10_000);
});
