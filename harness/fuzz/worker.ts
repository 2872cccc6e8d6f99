// A fuzz worker process: gets its setup, then seeds from the fuzz (the pool keeps one queued behind the
// seed in flight), runs them in the order they came and answers with each outcome. A seed that throws is
// caught in runSeed; anything that kills this process is caught by the pool.
import type { SeedTask, WorkerMessage, WorkerSetup } from './outcome.ts';
import { runSeed } from './run-seed.ts';

const send = process.send?.bind(process);
if (send === undefined)
  throw new Error('harness/fuzz/worker.ts runs as a fuzz worker process, started by the fuzz pool');
const post = (message: WorkerMessage, then?: () => void): void => {
  if (then === undefined) send(message);
  else send(message, then);
};

// An interrupt (Ctrl-C reaches the whole process group) or a termination is the fuzz's to handle: it lets
// the seed in flight finish, then closes this worker's channel.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => {});
// With process.exitCode: 0, or 1 after an exception nothing caught.
process.on('disconnect', () => process.exit());
// Exits once the stack is written (or cannot be, the fuzz being gone): a write still queued when the
// process exits is lost, and the finding would say "exited with code 1" instead.
process.on('uncaughtException', (e) => {
  process.exitCode = 1;
  post({ type: 'fatal', stack: e.stack ?? String(e) }, () => process.exit());
});

let setup: WorkerSetup | undefined;
process.on('message', (message: WorkerSetup | SeedTask) => {
  if (setup === undefined) {
    setup = message as WorkerSetup;
    post({ type: 'ready' });
  } else {
    post({ type: 'done', outcome: runSeed(setup, message as SeedTask) });
  }
});
