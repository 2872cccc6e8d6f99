// Fuzz throughput on 1 and on 2 worker threads: the same seeds (default 200 seeds of --time 60 with the
// default faults), seeds per wall second for each, and the ratio (target: at least 1.8 on 2 cores).
// Usage: npm run bench:fuzz -- [seeds] [simulated seconds per seed] [first seed] (with single-threaded GC,
// as `kafkasim fuzz` runs: bin/kafkasim.js says why)
// Two rates: end to end (everything a user waits for, each worker's start included) and steady (over the
// second half of the seeds, once every worker has loaded the simulator and its JIT has warmed up: what a
// long nightly fuzz sees). CPU time per seed (all threads) shows what parallelism itself costs, and the
// cores in use during the steady half show why one worker is more than one core's worth: V8's own
// background threads (concurrent GC and compilation) take the idle second core.
// A control comes first: the speed-up of a pure CPU loop on 2 threads, which is what the machine can
// give right now (on a shared machine, other processes take cores, and no fuzz can beat the control).
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { FuzzRun } from '../cli/fuzz/fuzz-run.ts';
import { sharedRunOptions, type SharedRunFlags } from '../cli/fuzz/run-flags.ts';
import { flagWords } from '../cli/report-data.ts';

const seeds = Number(process.argv[2] ?? 200);
const time = process.argv[3] ?? '60';
const first = Number(process.argv[4] ?? 1);

const flags: SharedRunFlags = {
  brokers: '3', partitions: '3', rf: '3', minIsr: '2', acks: 'all', nemesis: 'partition,kill,pause',
  time, protocol: 'modern', metadata: 'zk',
};

interface Rates {
  endToEnd: number;
  steady: number;
  /** CPU time of the whole process (all threads) per seed, over all seeds and over the second half. */
  cpuMsPerSeed: number;
  steadyCpuMsPerSeed: number;
  wallSeconds: number;
  findings: number;
}

async function measure(jobs: number, count = seeds): Promise<Rates> {
  const outDir = mkdtempSync(join(tmpdir(), `kafkasim-bench-fuzz-${jobs}-`));
  try {
    const run = new FuzzRun({
      options: sharedRunOptions(flags),
      runFlags: flagWords(sharedRunOptions(flags), flags.schedule),
      range: { from: first, to: first + count - 1 },
      shard: null,
      jobs,
      outDir,
    });
    const cpu = process.cpuUsage();
    const half = Math.floor(count / 2);
    let halfCpu = cpu;
    let halfAt = 0;
    const summary = await run.run((_outcome, done) => {
      if (done === half) {
        halfCpu = process.cpuUsage();
        halfAt = performance.now();
      }
    });
    const steadySeconds = (performance.now() - halfAt) / 1000;
    const ms = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1000;
    return {
      endToEnd: summary.seedsPerSecond,
      steady: (summary.runs.length - half) / steadySeconds,
      cpuMsPerSeed: ms(process.cpuUsage(cpu)) / summary.runs.length,
      steadyCpuMsPerSeed: ms(process.cpuUsage(halfCpu)) / (summary.runs.length - half),
      wallSeconds: summary.wallSeconds,
      findings: summary.totals.findings,
    };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

/** Seconds for `threads` threads to spin through the same loop each. */
async function spin(threads: number): Promise<number> {
  const code = `let x = 0; for (let i = 0; i < 3e8; i++) x += i % 7; require('node:worker_threads').parentPort.postMessage(x);`;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: threads }, () => new Promise<void>((done) => {
      const w = new Worker(code, { eval: true });
      w.once('message', () => void w.terminate().then(() => done()));
    })),
  );
  return (performance.now() - started) / 1000;
}

const control = (2 * (await spin(1))) / (await spin(2));
console.log(`control    a CPU loop on 2 threads runs ${control.toFixed(2)}x as fast as on 1`);
console.log(`fuzz: ${seeds} seeds (${first}..${first + seeds - 1}) of --time ${time}, ${availableParallelism()} cores`);
// A short untimed pass first, so that tsx's transform cache is warm for both measured runs alike.
await measure(1, 2);
const line = (jobs: number, r: Rates): string =>
  `--jobs ${jobs}   ${r.endToEnd.toFixed(2)} seeds/s end to end, ${r.steady.toFixed(2)} steady; CPU ms per seed ${r.cpuMsPerSeed.toFixed(1)}, steady ${r.steadyCpuMsPerSeed.toFixed(1)}; ${((r.steady * r.steadyCpuMsPerSeed) / 1000).toFixed(2)} cores busy  (${r.wallSeconds.toFixed(2)} s, ${r.findings} findings)`;
const one = await measure(1);
console.log(line(1, one));
const two = await measure(2);
console.log(line(2, two));
console.log(`ratio      ${(two.endToEnd / one.endToEnd).toFixed(2)}x end to end, ${(two.steady / one.steady).toFixed(2)}x steady  (target: 1.8x)`);
