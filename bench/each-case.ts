// Benchmarks with cases that each run in a process of their own, so that each case's peak memory is its own:
// `script --case name` runs one case; `script` alone runs every case, one child process after another.
import { spawnSync } from 'node:child_process';
import { collectGarbage, PeakRssSampler } from './checkers-queue.ts';

export async function runCases(
  script: string,
  names: string[],
  runCase: (name: string) => Promise<void>,
  maxOldSpaceMiB = 16384,
): Promise<void> {
  const at = process.argv.indexOf('--case');
  if (at >= 0) {
    await runCase(process.argv[at + 1]);
    return;
  }
  for (const name of names) {
    const child = spawnSync(
      process.execPath,
      ['--expose-gc', `--max-old-space-size=${maxOldSpaceMiB}`, '--import', 'tsx', script, '--case', name],
      { stdio: 'inherit' },
    );
    if (child.status !== 0) console.log(`${name}: exited with ${child.status ?? child.signal}`);
  }
}

/** Runs `run` once, timing it and sampling the process's peak resident set size while it runs. */
export async function measure<T>(run: () => T): Promise<{ value: T; seconds: number; peak: number; before: number }> {
  collectGarbage();
  const before = process.memoryUsage.rss();
  const sampler = new PeakRssSampler();
  sampler.reset();
  const started = performance.now();
  const value = run();
  const seconds = (performance.now() - started) / 1000;
  const peak = sampler.peakBytes();
  await sampler.stop();
  return { value, seconds, peak, before };
}
