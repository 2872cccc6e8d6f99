// A stand-in for harness/fuzz/worker.ts that speaks the pool's protocol without the simulator, for pool tests.
// Each seed "runs" for SCRIPTED_WORKER_MS milliseconds of wall time, so tasks that arrive meanwhile wait
// in a queue, as they do in the real worker. Seeds listed in SCRIPTED_WORKER_DIE exit the process when
// their turn comes. Until the file SCRIPTED_WORKER_HOLD exists, if that is set, it reads no message, as a
// worker still loading the simulator does. Its start, and each arrival, start and outcome of a seed, is
// appended to the file SCRIPTED_WORKER_LOG ("boot|recv|start|done pid seed", seed 0 for boot). Unlike the
// real worker it never ignores SIGINT, so a test can interrupt one while it loads.
import { appendFileSync, existsSync } from 'node:fs';

const die = new Set((process.env.SCRIPTED_WORKER_DIE ?? '').split(',').filter(Boolean).map(Number));
const log = (what, seed) => {
  const file = process.env.SCRIPTED_WORKER_LOG;
  if (file !== undefined) appendFileSync(file, `${what} ${process.pid} ${seed}\n`);
};
const runMs = Number(process.env.SCRIPTED_WORKER_MS ?? 5);
const hold = process.env.SCRIPTED_WORKER_HOLD;
const queue = [];
let setup;
let running = false;

function runNext() {
  const task = queue.shift();
  if (task === undefined) {
    running = false;
    return;
  }
  running = true;
  log('start', task.seed);
  if (die.has(task.seed)) process.exit(70);
  setTimeout(() => {
    log('done', task.seed);
    const outcome = {
      seed: task.seed,
      valid: true,
      anomalies: {},
      historyHash: `h${task.seed}`,
      wallMs: 5,
      events: 1,
      findings: [],
    };
    process.send({ type: 'done', outcome });
    runNext();
  }, runMs);
}

log('boot', 0);
// Messages that come meanwhile wait in the channel for the listener.
while (hold !== undefined && !existsSync(hold)) await new Promise((r) => setTimeout(r, 10));
process.on('disconnect', () => process.exit(0));
process.on('message', (m) => {
  if (setup === undefined) {
    setup = m;
    process.send({ type: 'ready' });
    return;
  }
  log('recv', m.seed);
  queue.push(m);
  if (!running) runNext();
});
