// Fuzz throughput on 1 and on 2 worker processes: the same seeds (default 1,000 seeds of --time 60 with
// partition, kill and pause faults), seeds per wall second for each, and the ratio (target: at least 1.8
// on 2 cores).
// Usage: npm run bench:fuzz -- [seeds] [simulated seconds per seed] [first seed] [rounds]
// Two rates: end to end (everything a user waits for: the worker bundle built, processes started, each
// worker's JIT warming up) and steady (over the second half of the seeds: what a long nightly fuzz sees).
// CPU per seed counts the fuzz and its worker processes (Linux: /proc/self/stat), so it shows what
// parallelism itself costs; cores busy is that CPU over the wall time.
// The machine's speed drifts by several percent from minute to minute (a shared virtual machine), more than
// the effects measured here; so --jobs 1 and --jobs 2 alternate for a few rounds, each ratio compares the
// two runs of one round, and the median ratio is the figure.
// A control comes first: the speed-up of a pure CPU loop on 2 threads, which is what the machine can give
// right now (on a shared machine, other processes take cores, and no fuzz can beat the control).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { FuzzRun } from '../cli/fuzz/fuzz-run.ts';
import { sharedRunOptions, type SharedRunFlags } from '../cli/fuzz/run-flags.ts';
import { flagWords } from '../cli/report-data.ts';

const seeds = Number(process.argv[2] ?? 1000);
const time = process.argv[3] ?? '60';
const first = Number(process.argv[4] ?? 1);
const rounds = Number(process.argv[5] ?? 3);

const flags: SharedRunFlags = {
  brokers: '3', partitions: '3', rf: '3', minIsr: '2', acks: 'all', nemesis: 'partition,kill,pause',
  time, protocol: 'modern', metadata: 'zk',
};

interface Rates {
  endToEnd: number;
  steady: number;
  /** CPU milliseconds per seed of this process and its finished children; NaN where /proc is missing. */
  cpuMsPerSeed: number;
  wallSeconds: number;
  findings: number;
  workerFlags: string;
}

/** CPU milliseconds of this process plus its children that have exited (utime, stime, cutime, cstime). */
function cpuWithChildrenMs(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    return ticks * 10; // USER_HZ is 100 on Linux.
  } catch {
    return NaN;
  }
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
    const cpu = cpuWithChildrenMs();
    const half = Math.floor(count / 2);
    let halfAt = 0;
    const summary = await run.run((_outcome, done) => {
      if (done === half) halfAt = performance.now();
    });
    const steadySeconds = (performance.now() - halfAt) / 1000;
    return {
      endToEnd: summary.seedsPerSecond,
      steady: (summary.runs.length - half) / steadySeconds,
      cpuMsPerSeed: (cpuWithChildrenMs() - cpu) / summary.runs.length,
      wallSeconds: summary.wallSeconds,
      findings: summary.totals.findings,
      workerFlags: run.workerFlags.filter((f) => f !== '--enable-source-maps').join(' ') || "V8's defaults",
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

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const control = (2 * (await spin(1))) / (await spin(2));
console.log(`control    a CPU loop on 2 threads runs ${control.toFixed(2)}x as fast as on 1`);
console.log(`fuzz: ${seeds} seeds (${first}..${first + seeds - 1}) of --time ${time}, ${availableParallelism()} cores, ${rounds} rounds`);
// A short untimed pass first, so that tsx's transform cache and the worker bundle exist for every round.
await measure(1, 2);
const line = (jobs: number, r: Rates): string =>
  `--jobs ${jobs}   ${r.endToEnd.toFixed(2)} seeds/s end to end, ${r.steady.toFixed(2)} steady; CPU ms per seed ${r.cpuMsPerSeed.toFixed(1)}, ${((r.cpuMsPerSeed * r.endToEnd) / 1000).toFixed(2)} cores busy  (${r.wallSeconds.toFixed(2)} s, ${r.findings} findings; workers: ${r.workerFlags})`;
const endToEnd: number[] = [];
const steady: number[] = [];
for (let round = 1; round <= rounds; round++) {
  const one = await measure(1);
  console.log(line(1, one));
  const two = await measure(2);
  console.log(line(2, two));
  endToEnd.push(two.endToEnd / one.endToEnd);
  steady.push(two.steady / one.steady);
  console.log(`round ${round}    ${endToEnd[round - 1].toFixed(2)}x end to end, ${steady[round - 1].toFixed(2)}x steady`);
}
console.log(`ratio      median of ${rounds} rounds: ${median(endToEnd).toFixed(2)}x end to end, ${median(steady).toFixed(2)}x steady  (target: 1.8x)`);
