// Fuzz throughput on 1 and on 2 worker processes: the same seeds (default 1,000 seeds of --time 60 with
// partition, kill and pause faults), seeds per wall second for each, and the ratio (target: at least 1.8
// on 2 cores).
// Usage: npm run bench:fuzz -- [seeds] [simulated seconds per seed] [first seed] [rounds]
// Three runs per round, each in a process of its own (bench/fuzz-measure.ts):
// - --jobs 1 as `kafkasim fuzz` runs it on this machine: one worker with V8's defaults, whose GC helpers
//   and optimizing compiler use the idle second core (cores busy shows how much);
// - --jobs 1 on one core (under taskset, where it exists): what one core does, with the flags a fuzz uses
//   when its workers take every core;
// - --jobs 2.
// Two rates: end to end (everything a user waits for: the worker bundle built, processes started, each
// worker's JIT warming up) and steady (over the second half of the seeds: what a long nightly fuzz sees).
// CPU per seed counts the fuzz and its worker processes (Linux: /proc/self/stat).
// The machine's speed drifts by several percent from minute to minute (a shared virtual machine), more than
// the effects measured here; so the runs alternate for a few rounds, each ratio compares runs of one
// round, and the median ratio is the figure.
// A control comes first: the speed-up of a pure CPU loop on 2 threads, which is what the machine can give
// right now (on a shared machine, other processes take cores, and no fuzz can beat the control).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { usableCores } from '../harness/fuzz/cores.ts';
import type { Rates } from './fuzz-measure.ts';

const seeds = Number(process.argv[2] ?? 1000);
const time = Number(process.argv[3] ?? 60);
const first = Number(process.argv[4] ?? 1);
const rounds = Number(process.argv[5] ?? 3);

const MEASURE = fileURLToPath(new URL('./fuzz-measure.ts', import.meta.url));
const TSX_CLI = fileURLToPath(new URL('../node_modules/tsx/dist/cli.mjs', import.meta.url));
const hasTaskset = spawnSync('taskset', ['-c', '0', 'true']).status === 0;

function measure(jobs: number, oneCore: boolean, count = seeds): Rates {
  const command = [process.execPath, TSX_CLI, MEASURE, String(jobs), String(count), String(time), String(first)];
  const [file, ...args] = oneCore ? ['taskset', '-c', '0', ...command] : command;
  const r = spawnSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`${[file, ...args].join(' ')} exited with ${r.status ?? r.signal}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1) as string) as Rates;
}

/** Seconds for `threads` threads to spin through the same loop each. */
async function spin(threads: number): Promise<number> {
  const code =
    `let x = 0; for (let i = 0; i < 3e8; i++) x += i % 7; ` +
    `require('node:worker_threads').parentPort.postMessage(x);`;
  const started = performance.now();
  await Promise.all(
    Array.from(
      { length: threads },
      () =>
        new Promise<void>((done) => {
          const w = new Worker(code, { eval: true });
          w.once('message', () => void w.terminate().then(() => done()));
        }),
    ),
  );
  return (performance.now() - started) / 1000;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const line = (label: string, r: Rates): string =>
  `${label.padEnd(20)} ${r.endToEnd.toFixed(2)} seeds/s end to end, ${r.steady.toFixed(2)} steady; CPU ms per seed ` +
  `${r.cpuMsPerSeed.toFixed(1)}, ${((r.cpuMsPerSeed * r.endToEnd) / 1000).toFixed(2)} cores busy  ` +
  `(${r.wallSeconds.toFixed(2)} s, ${r.findings} findings; workers: ${r.workerFlags.join(' ') || "V8's defaults"})`;
const ratioText = (two: Rates, one: Rates): string =>
  `${(two.endToEnd / one.endToEnd).toFixed(2)}x end to end, ${(two.steady / one.steady).toFixed(2)}x steady`;

const control = (2 * (await spin(1))) / (await spin(2));
console.log(`control    a CPU loop on 2 threads runs ${control.toFixed(2)}x as fast as on 1`);
console.log(
  `fuzz: ${seeds} seeds (${first}..${first + seeds - 1}) of --time ${time}, ${usableCores()} cores, ${rounds} ` +
    `rounds${hasTaskset ? '' : ' (no taskset: no one-core runs)'}`,
);
// A short untimed pass first, so that tsx's transform cache and the worker bundle exist for every round.
measure(1, false, 2);
const ratios = {
  endToEnd: [] as number[],
  steady: [] as number[],
  oneCoreEndToEnd: [] as number[],
  oneCoreSteady: [] as number[],
};
for (let round = 1; round <= rounds; round++) {
  const one = measure(1, false);
  console.log(line('--jobs 1', one));
  const single = hasTaskset ? measure(1, true) : undefined;
  if (single !== undefined) console.log(line('--jobs 1, one core', single));
  const two = measure(2, false);
  console.log(line('--jobs 2', two));
  ratios.endToEnd.push(two.endToEnd / one.endToEnd);
  ratios.steady.push(two.steady / one.steady);
  let text = `round ${round}: --jobs 2 / --jobs 1 ${ratioText(two, one)}`;
  if (single !== undefined) {
    ratios.oneCoreEndToEnd.push(two.endToEnd / single.endToEnd);
    ratios.oneCoreSteady.push(two.steady / single.steady);
    text += `; / one core ${ratioText(two, single)}`;
  }
  console.log(text);
}
console.log(
  `ratio      --jobs 2 / --jobs 1, median of ${rounds} rounds: ${median(ratios.endToEnd).toFixed(2)}x end to end, ` +
    `${median(ratios.steady).toFixed(2)}x steady  (target: 1.8x)`,
);
if (hasTaskset) {
  console.log(
    `ratio      --jobs 2 / one core, median of ${rounds} rounds: ${median(ratios.oneCoreEndToEnd).toFixed(2)}x end ` +
      `to end, ${median(ratios.oneCoreSteady).toFixed(2)}x steady`,
  );
}
