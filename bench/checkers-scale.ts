// How the checkers scale (issue 20): the linearizability checker on a 1,000,000-op register history with
// 5 clients and occasional overlaps, split at quiescent points and searched whole; a key-value history
// with 50 concurrent clients and hot keys, checked at once and key by key; the queue checker at 1, 3 and
// 10 million ops. Each case runs in its own process so its peak memory is its own.
// Run: npm run bench:scale  (one case: npx tsx bench/checkers-scale.ts --case register-split)
// Targets: register 1M under 10 s and 1 GB; key-value no slower than key by key; queue linear.
import { pathToFileURL } from 'node:url';
import {
  checkLinearizable,
  checkOperations,
  keyValueModel,
  modelOperations,
  pairOperations,
  registerModel,
} from '../checkers/linearizable/index.ts';
import { checkQueue } from '../checkers/queue/index.ts';
import type { CheckResult } from '../checkers/result.ts';
import type { History } from '../workloads/history/format.ts';
import { generateScaleHistory } from '../test/helpers/scale-histories.ts';
import { benchQueueHistory } from './checkers-queue.ts';
import { measure, runCases } from './each-case.ts';

const MIB = 1024 * 1024;
const TIME_LIMIT_MS = 120_000;

function registerHistory(): History {
  return generateScaleHistory({
    seed: 'scale-register',
    ops: 1_000_000,
    clients: 5,
    meanThink: 10,
    meanDuration: 1,
    infoRate: 0.001,
    readRate: 0.5,
  });
}

function keyValueHistory(): History {
  return generateScaleHistory({
    seed: 'scale-kv',
    ops: 200_000,
    clients: 50,
    meanThink: 5,
    meanDuration: 1,
    infoRate: 0.001,
    readRate: 0.6,
    keys: 1000,
    hotness: 4,
  });
}

const clock = () => performance.now();

/** Each case: the history (not timed) and the check (timed). */
const CASES: Record<string, { history: () => History; check: (h: History) => CheckResult }> = {
  'register-split': {
    history: registerHistory,
    check: (h) => checkLinearizable(h, registerModel(null), { timeLimitMs: TIME_LIMIT_MS, clock }),
  },
  'register-whole': {
    history: registerHistory,
    check: (h) =>
      checkLinearizable(h, registerModel(null), { timeLimitMs: TIME_LIMIT_MS, clock, splitAtQuiescence: false }),
  },
  'kv-at-once': {
    history: keyValueHistory,
    check: (h) => checkLinearizable(h, keyValueModel(), { timeLimitMs: TIME_LIMIT_MS, clock }),
  },
  'kv-key-by-key': {
    history: keyValueHistory,
    check: (h) => {
      // The same work one key at a time: each key's operations checked as a history of their own.
      const model = keyValueModel();
      const operations = modelOperations(model, pairOperations(h));
      const parts = model.partition?.(operations) ?? [];
      let valid: CheckResult['valid'] = true;
      for (const part of parts) {
        const r = checkOperations({ ...model, partition: undefined }, part.operations, {
          timeLimitMs: TIME_LIMIT_MS,
          clock,
        });
        if (r.valid !== true) valid = r.valid;
      }
      return { checker: 'linearizable', valid, anomalies: [], stats: { partitions: parts.length } };
    },
  },
  'queue-1m': { history: () => benchQueueHistory(1_000_000), check: checkQueue },
  'queue-3m': { history: () => benchQueueHistory(3_000_000), check: checkQueue },
  'queue-10m': { history: () => benchQueueHistory(10_000_000), check: checkQueue },
};

async function runCase(name: string): Promise<void> {
  const c = CASES[name];
  const history = c.history();
  const { value: result, seconds, peak, before } = await measure(() => c.check(history));
  console.log(
    `${name.padEnd(15)} ${String(history.length).padStart(9)} events  ${seconds.toFixed(2).padStart(7)} s  ` +
      `valid=${String(result.valid).padEnd(7)}  peak rss ${(peak / MIB).toFixed(0)} MiB ` +
      `(+${((peak - before) / MIB).toFixed(0)} MiB over the history)  ${JSON.stringify(result.stats ?? {})}`,
  );
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runCases(process.argv[1], Object.keys(CASES), runCase);
}
