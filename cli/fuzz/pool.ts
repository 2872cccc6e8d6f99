// A pool of worker threads fed from one queue: each worker asks for the next seed when it finishes
// one, so slow seeds never stall a static split. A worker that dies mid-seed, or hangs past the seed
// timeout (a livelock in the simulator, say), makes that seed a harness-crash finding and is replaced;
// the fuzz goes on.
import { Worker } from 'node:worker_threads';
import type { SeedOutcome, SeedTask, WorkerMessage, WorkerSetup } from './outcome.ts';
import { writeCrash } from './run-seed.ts';

export interface PoolHooks {
  /** The next seed to run, or undefined when there is none left or the fuzz is stopping. */
  next(): SeedTask | undefined;
  /** Called once per seed, in completion order. */
  done(outcome: SeedOutcome): void;
}

// Workers load TypeScript through tsx: worker-boot.mjs registers it, then imports worker.ts.
const WORKER_BOOT = new URL('./worker-boot.mjs', import.meta.url);

interface Slot {
  worker: Worker;
  ready: boolean;
  task: SeedTask | undefined;
  retiring: boolean;
  lastError: Error | undefined;
  /** Stops a seed that takes too long; wall time, outside the world. */
  watchdog: NodeJS.Timeout | undefined;
  timedOut: boolean;
}

/** Runs seeds on `jobs` workers until `hooks.next()` runs dry and every seed in flight has finished. */
export function runPool(jobs: number, setup: WorkerSetup, hooks: PoolHooks, seedTimeoutMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const slots = new Set<Slot>();
    let failed = false;

    const feed = (slot: Slot): void => {
      const task = failed ? undefined : hooks.next();
      slot.task = task;
      if (task === undefined) {
        slot.retiring = true;
        void slot.worker.terminate();
      } else {
        slot.worker.postMessage(task);
        // A seed that runs twice gets twice the time.
        slot.watchdog = setTimeout(() => {
          slot.timedOut = true;
          void slot.worker.terminate();
        }, seedTimeoutMs * (task.twice ? 2 : 1));
      }
    };

    const spawn = (): void => {
      const worker = new Worker(WORKER_BOOT, { workerData: setup });
      const slot: Slot = { worker, ready: false, task: undefined, retiring: false, lastError: undefined, watchdog: undefined, timedOut: false };
      slots.add(slot);
      worker.on('message', (m: WorkerMessage) => {
        if (m.type === 'ready') {
          slot.ready = true;
        } else {
          clearTimeout(slot.watchdog);
          slot.task = undefined;
          hooks.done(m.outcome);
        }
        feed(slot);
      });
      worker.on('error', (e) => {
        slot.lastError = e;
      });
      worker.on('exit', (code) => {
        clearTimeout(slot.watchdog);
        slots.delete(slot);
        if (!slot.ready && !slot.retiring) {
          // It never ran a seed: the harness cannot start at all, and replacing it would loop forever.
          failed = true;
          for (const other of slots) void other.worker.terminate();
          reject(new Error(`a fuzz worker failed to start: ${slot.lastError?.message ?? `exit code ${code}`}`));
          return;
        }
        if (slot.task !== undefined) {
          const seed = slot.task.seed;
          const hang = `hang: no outcome after ${(seedTimeoutMs / 1000) * (slot.task.twice ? 2 : 1)} s of wall time; the worker was stopped`;
          const why = slot.timedOut ? hang : (slot.lastError?.stack ?? `the worker thread exited with code ${code} while running this seed`);
          const dir = writeCrash(setup, seed, why);
          const error = slot.timedOut ? hang : slot.lastError !== undefined ? `worker died: ${slot.lastError.message.split('\n')[0]}` : `worker exited with code ${code}`;
          hooks.done({ seed, valid: null, anomalies: {}, historyHash: null, wallMs: 0, events: 0, findings: ['harness-crash'], error, dir });
        }
        // A replacement asks for the next seed when ready, and retires at once if there is none.
        if (!slot.retiring && !failed) spawn();
        if (slots.size === 0 && !failed) resolve();
      });
    };

    for (let i = 0; i < jobs; i++) spawn();
  });
}
