// A fuzz worker thread: takes one seed at a time from the main thread and answers with its outcome.
// A seed that throws is caught in runSeed; anything that kills this thread is caught by the pool.
import { parentPort, workerData } from 'node:worker_threads';
import type { SeedTask, WorkerMessage, WorkerSetup } from './outcome.ts';
import { runSeed } from './run-seed.ts';

if (parentPort === null) throw new Error('cli/fuzz/worker.ts runs as a worker thread, started by the fuzz pool');
const port = parentPort;
const setup = workerData as WorkerSetup;

port.on('message', (task: SeedTask) => {
  const message: WorkerMessage = { type: 'done', outcome: runSeed(setup, task) };
  port.postMessage(message);
});
const ready: WorkerMessage = { type: 'ready' };
port.postMessage(ready);
