// Node and V8 flags for the fuzz's worker processes. What suits a worker depends on whether the workers
// leave a core idle: V8 runs GC helpers and its optimizing compiler on background threads, which are free
// on an idle core and take a worker's time when every core runs one. So a fuzz with an idle core keeps
// V8's defaults (--jobs 1 on 2 cores: 53-56 seeds/s, against 47-48 with single-threaded GC and the
// tiering flags), and a fuzz with a worker on every core uses:
// - --single-threaded-gc: parallel and concurrent GC threads only contend with the other workers.
// - --no-concurrent-recompilation: TurboFan compiles on the worker's own thread; on a background thread
//   the same work took more CPU in all and competed with the other workers.
// - Tiering (V8 11, Node 20): TurboFan kept compiling for hundreds of seeds, as code that runs a few times
//   per seed (a controller failover, a checker) slowly crossed the threshold at 3-50 ms of compiling
//   each: 2.29 s of compiling against 10.08 s of running for one worker's first 500 seeds. Four times the
//   interrupt budget (the bytecode a function runs before it is optimized) and half the cumulative
//   inlining budget cut that to 1.03 s (means of 4 runs; the worker's own thread 10.45 s): hot code is
// still optimized within the first seed, lukewarm code mostly never. --always-sparkplug gives that lukewarm code
// baseline machine code from its first call
//   instead of the interpreter (1-2.5% more seeds/s in three paired runs).
// Other V8 versions tier differently (Maglev) and would reject unknown flags, so they keep their defaults.
// Figures: --jobs 2 on 2 cores, 1,000 seeds, separate runs (the machine's speed drifts from minute to
// minute): 72 seeds/s with V8's defaults, 78 with single-threaded GC only, 84-96 with all of these.
import { usableCores } from './cores.ts';

export const BUSY_CORES_FLAGS = ['--single-threaded-gc', '--no-concurrent-recompilation'];
export const BUSY_CORES_V8_11_FLAGS = [
  '--interrupt-budget=270336',
  '--max-inlined-bytecode-size-cumulative=460',
  '--always-sparkplug',
];

/** The flags of each worker process when the fuzz runs `jobs` of them. */
export function workerExecArgv(jobs: number, cores = usableCores(), v8Version = process.versions.v8): string[] {
  // Harness-crash stacks name TypeScript lines, also when the worker runs from the bundle.
  const flags = ['--enable-source-maps'];
  if (jobs >= cores) {
    flags.push(...BUSY_CORES_FLAGS);
    if (v8Version.startsWith('11.')) flags.push(...BUSY_CORES_V8_11_FLAGS);
  }
  return flags;
}
