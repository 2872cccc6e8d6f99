// A stand-in for harness/fuzz/worker.ts that speaks the pool's protocol without the simulator, for pool tests.
// Each seed "runs" for SCRIPTED_WORKER_MS milliseconds of wall time, so tasks that arrive meanwhile wait
// in a queue, as they do in the real worker. Seeds listed in SCRIPTED_WORKER_DIE exit the process when
// their turn comes. Each arrival, start and outcome is appended to the file SCRIPTED_WORKER_LOG
// ("recv|start|done pid seed").
import { appendFileSync } from 'node:fs';

const die = new Set((process.env.SCRIPTED_WORKER_DIE ?? '').split(',').filter(Boolean).map(Number));
const log = (what, seed) => {
  const file = process.env.SCRIPTED_WORKER_LOG;
  if (file !== undefined) appendFileSync(file, `${what} ${process.pid} ${seed}\n`);
};
const runMs = Number(process.env.SCRIPTED_WORKER_MS ?? 5);
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
