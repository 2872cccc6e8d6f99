// A pool of worker processes fed from one queue: each worker holds its seed in flight and one more queued
// behind it, and gets another as each finishes, so slow seeds never stall a static split. The queued seed
// keeps a worker busy while its outcome travels to the fuzz and the next task travels back: without it a
// worker sat idle ~1 ms per seed (~6% of its time, measured on both --jobs 1 and --jobs 2), longer when
// the fuzz was writing its summary. A worker that dies mid-seed, or hangs past the seed timeout (a
// livelock in the simulator, say), makes the seed in flight a harness-crash finding and is replaced; its
// queued seed goes to the next worker that asks, and the fuzz goes on.
// Processes, not worker threads: two V8 isolates in one process ran each seed ~10% slower than two
// processes did (the scavenger's object copying alone took a third longer, also in a plain allocation
// loop), and a process gets V8 flags of its own (worker-flags.ts) where a thread shares its parent's.
import { fork, type ChildProcess } from 'node:child_process';
import type { SeedOutcome, SeedTask, WorkerMessage, WorkerSetup } from './outcome.ts';
import { writeCrash } from './run-seed.ts';

export interface PoolHooks {
  /** The next seed to run, or undefined when there is none left or the fuzz is stopping. */
  next(): SeedTask | undefined;
  /** Called once per seed, in completion order. */
  done(outcome: SeedOutcome): void;
}

export interface PoolWorkers {
  /** The worker's code (worker-bundle.ts). */
  entry: URL;
  /** Node and V8 flags of each worker process (worker-flags.ts). */
  execArgv: string[];
}

/** Seeds sent to a worker ahead of their turn: the one it runs and this many more. */
const QUEUED_PER_WORKER = 1;

interface Slot {
  worker: ChildProcess;
  ready: boolean;
  /** Seeds sent to the worker, oldest first; it runs them in order, so the first is in flight. */
  tasks: SeedTask[];
  retiring: boolean;
  /** The stack of an exception nothing caught, as the worker reported it before exiting. */
  fatal: string | undefined;
  /** Stops a seed that takes too long; wall time, outside the world. */
  watchdog: NodeJS.Timeout | undefined;
  timedOut: boolean;
}

/** Runs seeds on `jobs` worker processes until `hooks.next()` runs dry and every seed in flight has finished. */
export function runPool(
  workers: PoolWorkers,
  jobs: number,
  setup: WorkerSetup,
  hooks: PoolHooks,
  seedTimeoutMs: number,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const slots = new Set<Slot>();
    let failed = false;
    // A fuzz that leaves at once (a second interrupt) takes its workers with it, even one stuck in a seed.
    const killAll = (): void => {
      for (const slot of slots) slot.worker.kill('SIGKILL');
    };
    process.on('exit', killAll);
    const settle = (): void => {
      process.off('exit', killAll);
    };

    // Seeds a dead worker had queued but not started, handed out again before any new one.
    const orphans: SeedTask[] = [];
    const take = (): SeedTask | undefined => (failed ? undefined : (orphans.shift() ?? hooks.next()));

    /** Times the seed in flight; a seed that runs twice gets twice the time. */
    const watch = (slot: Slot): void => {
      clearTimeout(slot.watchdog);
      const head = slot.tasks[0];
      if (head === undefined) return;
      slot.watchdog = setTimeout(
        () => {
          slot.timedOut = true;
          slot.worker.kill('SIGKILL');
        },
        seedTimeoutMs * (head.twice ? 2 : 1),
      );
    };

    /** Tops up the worker's tasks; retires it once it has none and there are no more. */
    const feed = (slot: Slot): void => {
      while (slot.tasks.length <= QUEUED_PER_WORKER) {
        const task = take();
        if (task === undefined) break;
        slot.tasks.push(task);
        slot.worker.send(task);
        if (slot.tasks.length === 1) watch(slot);
      }
      if (slot.tasks.length === 0 && !slot.retiring) {
        slot.retiring = true;
        // The worker exits once its channel closes.
        if (slot.worker.connected) slot.worker.disconnect();
      }
    };

    const spawn = (): void => {
      const worker = fork(workers.entry, [], {
        execArgv: workers.execArgv,
        serialization: 'advanced',
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      const slot: Slot = {
        worker,
        ready: false,
        tasks: [],
        retiring: false,
        fatal: undefined,
        watchdog: undefined,
        timedOut: false,
      };
      slots.add(slot);
      worker.send(setup);
      worker.on('message', (m: WorkerMessage) => {
        if (m.type === 'fatal') {
          slot.fatal = m.stack;
          return;
        }
        if (m.type === 'ready') {
          slot.ready = true;
        } else {
          slot.tasks.shift();
          // The worker has already started the next seed it holds.
          watch(slot);
          hooks.done(m.outcome);
        }
        feed(slot);
      });
      // A process that could not start, or a message to one that has just died: 'exit' follows.
      worker.on('error', (e) => {
        slot.fatal ??= e.message;
      });
      worker.on('exit', (code, signal) => {
        clearTimeout(slot.watchdog);
        slots.delete(slot);
        const how = signal !== null ? `signal ${signal}` : `code ${code}`;
        if (!slot.ready && !slot.retiring) {
          // It never ran a seed: the harness cannot start at all, and replacing it would loop forever.
          failed = true;
          killAll();
          settle();
          reject(new Error(`a fuzz worker failed to start: ${slot.fatal?.split('\n')[0] ?? `it exited with ${how}`}`));
          return;
        }
        const [inFlight, ...queued] = slot.tasks;
        orphans.push(...queued);
        if (inFlight !== undefined) {
          const seed = inFlight.seed;
          const hang =
            `hang: no outcome after ${(seedTimeoutMs / 1000) * (inFlight.twice ? 2 : 1)} s of wall time; ` +
            `the worker was stopped`;
          const why = slot.timedOut
            ? hang
            : (slot.fatal ?? `the worker process exited with ${how} while running this seed`);
          const dir = writeCrash(setup, seed, why);
          const error = slot.timedOut
            ? hang
            : slot.fatal !== undefined
              ? `worker died: ${slot.fatal.split('\n')[0]}`
              : `worker exited with ${how}`;
          hooks.done({
            seed,
            valid: null,
            anomalies: {},
            historyHash: null,
            wallMs: 0,
            events: 0,
            findings: ['harness-crash'],
            error,
            dir,
          });
        }
        // A replacement asks for the next seed when ready, and retires at once if there is none.
        if (!slot.retiring && !failed) spawn();
        if (slots.size === 0 && !failed) {
          settle();
          resolve();
        }
      });
    };

    for (let i = 0; i < jobs; i++) spawn();
  });
}
