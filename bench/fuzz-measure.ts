// One measurement for bench/fuzz.ts, in a process of its own (so that it can run on one core under
// taskset, and so that no measurement inherits another's warm state): a fuzz of the given seeds on `jobs`
// workers, printed as one JSON line.
// Usage: tsx bench/fuzz-measure.ts <jobs> <seeds> <simulated seconds> <first seed>
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { usableCores } from '../harness/fuzz/cores.ts';
import { FuzzRun } from '../harness/fuzz/fuzz-run.ts';
import { flagWordsOf, testOf, type RunOptions } from '../harness/index.ts';

export interface Rates {
  jobs: number;
  cores: number;
  endToEnd: number;
  /** Seeds per second over the second half of the seeds. */
  steady: number;
  /** CPU milliseconds per seed of the fuzz and its worker processes; NaN where /proc is missing. */
  cpuMsPerSeed: number;
  wallSeconds: number;
  findings: number;
  workerFlags: string[];
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

const [jobs, count, time, first] = process.argv.slice(2).map(Number);
// The fuzz's defaults, as `kafkasim fuzz --time <time>` runs them.
const options: Omit<RunOptions, 'seed'> = { timeSeconds: time };
testOf({ seed: 0, ...options });
const outDir = mkdtempSync(join(tmpdir(), `kafkasim-bench-fuzz-${jobs}-`));
try {
  const run = new FuzzRun({
    options,
    runFlags: flagWordsOf(options).words,
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
  const rates: Rates = {
    jobs,
    cores: usableCores(),
    endToEnd: summary.seedsPerSecond,
    steady: (summary.runs.length - half) / ((performance.now() - halfAt) / 1000),
    cpuMsPerSeed: (cpuWithChildrenMs() - cpu) / summary.runs.length,
    wallSeconds: summary.wallSeconds,
    findings: summary.totals.findings,
    workerFlags: run.workerFlags.filter((f) => f !== '--enable-source-maps'),
  };
  console.log(JSON.stringify(rates));
} finally {
  rmSync(outDir, { recursive: true, force: true });
}
