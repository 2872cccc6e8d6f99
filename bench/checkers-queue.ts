// Benchmark of the queue and durability checkers on a valid 1,000,000-op history over 16 partitions.
// Run alone with `npx tsx bench/checkers-queue.ts` (add `node --expose-gc --import tsx` for steadier
// baselines). Target: the queue checker under 3 s and under 1 GiB. The history comes from the same
// correct sequential model the property tests use, so the benchmark measures a history known to be valid.
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { checkDurability } from '../checkers/durability/index.ts';
import { checkQueue } from '../checkers/queue/index.ts';
import type { CheckResult } from '../checkers/result.ts';
import { generateQueueHistory } from '../test/helpers/queue-history.ts';
import type { History } from '../workloads/history/format.ts';

const MIB = 1024 * 1024;
const TARGET_OPS = 1_000_000;
/** The final phase adds a few thousand ops; this leaves the whole history at about TARGET_OPS. */
const OPS_BEFORE_FINAL_PHASE = 998_070;

/**
 * Samples the process's resident set size from a worker thread, because the checkers run synchronously
 * and block the main thread's event loop for their whole run.
 */
export class PeakRssSampler {
  private readonly peak = new BigInt64Array(new SharedArrayBuffer(16));
  private readonly worker: Worker;

  constructor(intervalMs = 2) {
    this.worker = new Worker(
      `const { workerData } = require('node:worker_threads');
       const peak = workerData.peak;
       const tick = new Int32Array(new SharedArrayBuffer(4));
       for (;;) {
         const rss = BigInt(process.memoryUsage.rss());
         if (rss > Atomics.load(peak, 0)) Atomics.store(peak, 0, rss);
         if (Atomics.load(peak, 1) !== 0n) break;
         Atomics.wait(tick, 0, 0, workerData.intervalMs);
       }`,
      { eval: true, workerData: { peak: this.peak, intervalMs } },
    );
  }

  reset(): void {
    Atomics.store(this.peak, 0, BigInt(process.memoryUsage.rss()));
  }

  peakBytes(): number {
    return Math.max(Number(Atomics.load(this.peak, 0)), process.memoryUsage.rss());
  }

  async stop(): Promise<void> {
    Atomics.store(this.peak, 1, 1n);
    await this.worker.terminate();
  }
}

export function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc !== undefined) gc();
}

function mib(bytes: number): string {
  return `${(bytes / MIB).toFixed(0)} MiB`;
}

function timed(name: string, sampler: PeakRssSampler, run: () => CheckResult): void {
  collectGarbage();
  const before = process.memoryUsage();
  sampler.reset();
  const started = performance.now();
  const result = run();
  const seconds = (performance.now() - started) / 1000;
  const after = process.memoryUsage();
  const peakRss = sampler.peakBytes();
  console.log(
    `${name.padEnd(10)} ${seconds.toFixed(2)} s  valid=${String(result.valid)}  ` +
      `anomalies=${result.anomalies.length}  ` +
      `heapUsed ${mib(before.heapUsed)} -> ${mib(after.heapUsed)}  ` +
      `peak rss ${mib(peakRss)} (+${mib(peakRss - before.rss)} over ${mib(before.rss)} before)`,
  );
  console.log(`${''.padEnd(10)} stats ${JSON.stringify(result.stats)}`);
}

/** The benchmark's queue history: 16 partitions, 8 producers and 8 consumers, with failures and gaps. */
export function benchQueueHistory(ops: number): History {
  return generateQueueHistory({
    seed: 20240501,
    keys: 16,
    producers: 8,
    consumers: 8,
    ops,
    failRate: 0.02,
    infoRate: 0.02,
    gapRate: 0.01,
    assignRate: 0.01,
    keysPerConsumer: 4,
    maxRecordsPerKey: 4,
    finalReaders: 2,
  }).history;
}

export async function benchQueue(): Promise<void> {
  const generating = performance.now();
  const history = benchQueueHistory(OPS_BEFORE_FINAL_PHASE);
  const counts = { invoke: 0, ok: 0, fail: 0, info: 0 };
  for (const op of history) counts[op.type]++;
  console.log(
    `history: ${history.length} ops (target ${TARGET_OPS}; ${JSON.stringify(counts)}), 16 partitions, ` +
      `generated in ${((performance.now() - generating) / 1000).toFixed(2)} s` +
      `${(globalThis as { gc?: unknown }).gc === undefined ? '' : ', gc exposed'}`,
  );
  const sampler = new PeakRssSampler();
  try {
    timed('queue', sampler, () => checkQueue(history));
    timed('durability', sampler, () => checkDurability(history));
  } finally {
    await sampler.stop();
  }
  console.log(`process peak rss (maxRSS, includes the history): ${mib(process.resourceUsage().maxRSS * 1024)}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchQueue();
}
