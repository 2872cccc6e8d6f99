// A pool of worker processes fed from one queue: each worker holds its seed in flight and one more queued
// behind it, and gets another as each finishes, so slow seeds never stall a static split. The queued seed
// keeps a worker busy while its outcome travels to the fuzz and the next task travels back: without it a
// worker sat idle ~1 ms per seed (~6% of its time, measured on both --jobs 1 and --jobs 2), longer when
// the fuzz was writing its summary. A worker that dies mid-seed, or hangs past the seed timeout (a
// livelock in the simulator, say), makes the seed in flight a harness-crash finding and is replaced; its
// queued seed goes to the next worker that asks, and the fuzz goes on. Stopped early (a second interrupt,
// or a worker that cannot start at all), the pool kills its workers and settles once the last is gone.
// Processes, not worker threads: two V8 isolates in one process ran each seed ~10% slower than two
// processes did (the scavenger's object copying alone took a third longer, also in a plain allocation
// loop), and a process gets V8 flags of its own (worker-flags.ts) where a thread shares its parent's.
//
// What a worker's end is made of, and why each finding comes out the same whatever the timing:
// - 'exit' alone decides what a death was: by then every message the worker wrote before dying has been
//   delivered (libuv runs a poll's signal watchers, and so child exits, after that poll's I/O).
// - A send to a worker that is dying fails (EPIPE, or ERR_IPC_CHANNEL_CLOSED once its channel is seen
//   closed). Every send has a callback that drops that error: it says nothing of why the worker died, and
//   as an 'error' event it used to win the race against 'exit' and stand in the finding for the exit code.
// - Node reports a process that could not be started with 'error' and never emits 'exit' for it.
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

/**
 * Signals the fuzz takes as an interrupt (cli/commands/fuzz.ts) and a worker ignores once it has loaded
 * (worker.ts). A terminal's Ctrl-C reaches the whole process group, so one of them can kill a worker that
 * is still loading: that is no failure to start, and the worker is replaced like any other.
 */
const INTERRUPTS: ReadonlySet<string> = new Set(['SIGINT', 'SIGTERM', 'SIGHUP']);

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
  /**
   * The seed in flight when the watchdog killed the worker. Its outcome may still come in, written just
   * before the kill landed: then it finished, and the seed the worker went on to was stopped through no
   * fault of its own.
   */
  hung: SeedTask | undefined;
}

/**
 * Runs seeds on `jobs` worker processes until `hooks.next()` runs dry and every seed in flight has finished.
 * `stop` ends it early: every worker is killed, whatever it was running becomes no finding, and the promise
 * resolves once they have all exited. It rejects, also once they have all exited, if a worker cannot start.
 */
export function runPool(
  workers: PoolWorkers,
  jobs: number,
  setup: WorkerSetup,
  hooks: PoolHooks,
  seedTimeoutMs: number,
  stop?: AbortSignal,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const slots = new Set<Slot>();
    /** Set when the pool stops early: `error` when a worker could not start, none for `stop`. */
    let halted: { error?: Error } | undefined;
    // A fuzz that exits without waiting for the pool (an exception, or a worker that will not die in
    // time) takes its workers with it, even one stuck in a seed.
    const killAll = (): void => {
      for (const slot of slots) slot.worker.kill('SIGKILL');
    };
    process.on('exit', killAll);
    const onStop = (): void => halt();
    stop?.addEventListener('abort', onStop);
    /** Settles the pool once no worker is left. */
    const settle = (): void => {
      if (slots.size > 0) return;
      process.off('exit', killAll);
      stop?.removeEventListener('abort', onStop);
      if (halted?.error !== undefined) reject(halted.error);
      else resolve();
    };
    const halt = (error?: Error): void => {
      if (halted !== undefined) return;
      halted = { error };
      killAll();
      settle();
    };

    // Seeds a dead worker had queued but not started, handed out again before any new one.
    const orphans: SeedTask[] = [];
    const take = (): SeedTask | undefined => (halted !== undefined ? undefined : (orphans.shift() ?? hooks.next()));

    const send = (slot: Slot, message: WorkerSetup | SeedTask): void => {
      // The error of a worker that has died or is dying: its 'exit' tells the rest (header comment).
      slot.worker.send(message, () => {});
    };

    /** Times the seed in flight; a seed that runs twice gets twice the time. */
    const watch = (slot: Slot): void => {
      clearTimeout(slot.watchdog);
      const head = slot.tasks[0];
      if (head === undefined) return;
      slot.watchdog = setTimeout(
        () => {
          slot.hung = head;
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
        send(slot, task);
        if (slot.tasks.length === 1) watch(slot);
      }
      if (slot.tasks.length === 0 && !slot.retiring) {
        slot.retiring = true;
        // The worker exits once its channel closes.
        if (slot.worker.connected) slot.worker.disconnect();
      }
    };

    /** The seed in flight of a worker that died, or that the watchdog stopped: a harness-crash finding. */
    const crash = (slot: Slot, task: SeedTask, how: string): void => {
      const hang =
        `hang: no outcome after ${(seedTimeoutMs / 1000) * (task.twice ? 2 : 1)} s of wall time; ` +
        `the worker was stopped`;
      const timedOut = slot.hung === task;
      const why = timedOut ? hang : (slot.fatal ?? `the worker process exited with ${how} while running this seed`);
      const dir = writeCrash(setup, task.seed, why);
      const error = timedOut
        ? hang
        : slot.fatal !== undefined
          ? `worker died: ${slot.fatal.split('\n')[0]}`
          : `worker exited with ${how}`;
      hooks.done({
        seed: task.seed,
        valid: null,
        anomalies: {},
        historyHash: null,
        wallMs: 0,
        events: 0,
        findings: ['harness-crash'],
        error,
        dir,
      });
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
        hung: undefined,
      };
      slots.add(slot);
      send(slot, setup);
      worker.on('message', (m: WorkerMessage) => {
        if (m.type === 'fatal') {
          slot.fatal = m.stack;
          return;
        }
        // A worker being killed gets no more seeds and no new watchdog: what it holds is settled at its exit.
        const doomed = slot.hung !== undefined || halted !== undefined;
        if (m.type === 'ready') {
          slot.ready = true;
        } else {
          slot.tasks.shift();
          clearTimeout(slot.watchdog);
          // The worker has already started the next seed it holds.
          if (!doomed) watch(slot);
          hooks.done(m.outcome);
        }
        if (!doomed) feed(slot);
      });
      worker.on('error', (e: NodeJS.ErrnoException) => {
        // Only a process that could not be started: no 'exit' follows. Send errors go to their callbacks,
        // and a kill that fails changes nothing that 'exit' will not tell.
        if (e.syscall?.startsWith('spawn') !== true) return;
        slots.delete(slot);
        halt(new Error(`a fuzz worker failed to start: ${e.message}`));
      });
      worker.on('exit', (code, signal) => {
        clearTimeout(slot.watchdog);
        slots.delete(slot);
        if (halted !== undefined) {
          // Killed by the pool on its way out: nothing it held is a finding.
          settle();
          return;
        }
        const how = signal !== null ? `signal ${signal}` : `code ${code}`;
        if (!slot.ready) {
          if (signal !== null && INTERRUPTS.has(signal)) {
            // Caught loading by an interrupt meant for the fuzz (INTERRUPTS).
            spawn();
            return;
          }
          // It never ran a seed: the harness cannot start at all, and replacing it would loop forever.
          halt(new Error(`a fuzz worker failed to start: ${slot.fatal?.split('\n')[0] ?? `it exited with ${how}`}`));
          return;
        }
        const [inFlight, ...queued] = slot.tasks;
        if (slot.hung !== undefined && inFlight !== slot.hung) {
          // The hung seed's outcome came in before the kill landed: the seed after it is rerun elsewhere.
          orphans.push(...slot.tasks);
        } else {
          orphans.push(...queued);
          if (inFlight !== undefined) crash(slot, inFlight, how);
        }
        // A replacement asks for the next seed when ready, and retires at once if there is none.
        if (!slot.retiring) spawn();
        settle();
      });
    };

    if (stop?.aborted === true) settle();
    else for (let i = 0; i < jobs; i++) spawn();
  });
}
