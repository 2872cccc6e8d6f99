// Shrinking a failing run: delta debugging (Zeller's ddmin) over the fault schedule's faults, then a
// shorter run, then fewer clients, keeping each step only if the run still shows one of the original
// anomaly kinds. The seed stays: the same seed with a smaller schedule is a smaller case of the same world.
import type { FaultOp, Schedule } from '../nemesis/index.ts';
import type { Repro } from './repro.ts';
import { reproRunOptions } from './repro.ts';
import { runOnce } from './run-once.ts';
import type { RunOptions } from './runner.ts';
import { RUN_DEFAULTS } from './runner.ts';
import { UsageError } from './usage-error.ts';

export interface ShrinkSize {
  /** Faults in the schedule (a start and its stop count as one). */
  faults: number;
  timeSeconds: number;
  /** Producer and consumer processes of the workload. */
  clients: number;
}

export interface ShrinkOutcome {
  repro: Repro;
  before: ShrinkSize;
  after: ShrinkSize;
  /** Runs tried, including the first that confirms the failure. */
  runs: number;
  /** The anomaly kinds every kept step still showed. */
  anomalies: string[];
}

export interface ShrinkOptions {
  /** Stop trying smaller cases after this many runs (default 200). */
  maxRuns?: number;
  /** Progress lines, e.g. to stderr. */
  log?: (line: string) => void;
}

const DEFAULT_PRODUCERS = 3;
const DEFAULT_CONSUMERS = 2;

function faultIds(schedule: Schedule): number[] {
  const ids: number[] = [];
  for (const op of schedule.ops) if (op.action === 'start' && !ids.includes(op.id)) ids.push(op.id);
  return ids;
}

function keepFaults(schedule: Schedule, ids: number[]): Schedule {
  const keep = new Set(ids);
  return { version: schedule.version, ops: schedule.ops.filter((op: FaultOp) => keep.has(op.id)) };
}

export function sizeOf(options: RunOptions & { schedule: Schedule }): ShrinkSize {
  const w = options.workload ?? {};
  return {
    faults: faultIds(options.schedule).length,
    timeSeconds: options.timeSeconds ?? RUN_DEFAULTS.timeSeconds,
    clients: (w.producers ?? DEFAULT_PRODUCERS) + (w.consumers ?? DEFAULT_CONSUMERS),
  };
}

/** ddmin: a 1-minimal subset of `items` for which `fails` holds (assumed to hold for all of `items`). */
export function ddmin<T>(items: T[], fails: (subset: T[]) => boolean): T[] {
  if (items.length > 0 && fails([])) return [];
  let current = items;
  let n = 2;
  while (current.length >= 2) {
    const size = Math.ceil(current.length / n);
    const chunks: T[][] = [];
    for (let i = 0; i < current.length; i += size) chunks.push(current.slice(i, i + size));
    let reduced = false;
    for (const chunk of chunks) {
      if (chunk.length === current.length) continue;
      if (fails(chunk)) {
        current = chunk;
        n = 2;
        reduced = true;
        break;
      }
    }
    if (!reduced) {
      for (const chunk of chunks) {
        const complement = current.filter((x) => !chunk.includes(x));
        if (fails(complement)) {
          current = complement;
          n = Math.max(n - 1, 2);
          reduced = true;
          break;
        }
      }
    }
    if (!reduced) {
      if (n >= current.length) break;
      n = Math.min(n * 2, current.length);
    }
  }
  return current;
}

class BudgetSpent extends Error {}

export function shrinkRepro(repro: Repro, options: ShrinkOptions = {}): ShrinkOutcome {
  const maxRuns = options.maxRuns ?? 200;
  const log = options.log ?? ((): void => {});
  let runs = 0;
  const first = runOnce(reproRunOptions(repro));
  runs++;
  const found = Object.keys(first.result.anomalies);
  const target = (repro.anomalies !== undefined && repro.anomalies.length > 0 ? repro.anomalies : found).filter((a) => found.includes(a));
  if (first.result.valid !== false || target.length === 0) {
    throw new UsageError(`the repro does not fail${repro.anomalies?.length ? ` with ${repro.anomalies.join(', ')}` : ''}: nothing to shrink`);
  }
  let best = first;
  let bestOptions: RunOptions & { schedule: Schedule } = { ...reproRunOptions(repro), schedule: repro.options.schedule };

  const fails = (candidate: RunOptions & { schedule: Schedule }): boolean => {
    if (runs >= maxRuns) throw new BudgetSpent();
    runs++;
    const run = runOnce(candidate);
    const shows = Object.keys(run.result.anomalies).some((a) => target.includes(a));
    if (shows) {
      best = run;
      bestOptions = candidate;
    }
    return shows;
  };

  try {
    // 1. Fewer faults.
    const ids = ddmin(faultIds(bestOptions.schedule), (subset) => fails({ ...bestOptions, schedule: keepFaults(bestOptions.schedule, subset) }));
    if (ids.length < faultIds(bestOptions.schedule).length) bestOptions = { ...bestOptions, schedule: keepFaults(bestOptions.schedule, ids) };
    log(`faults: ${sizeOf(bestOptions).faults} (after ${runs} runs)`);

    // 2. A shorter run: no shorter than the last fault op, then halving towards it.
    const lastOpAt = bestOptions.schedule.ops.reduce((m, op) => Math.max(m, op.at), 0);
    const floor = Math.max(5, Math.ceil(lastOpAt / 1000) + 1);
    let hi = bestOptions.timeSeconds ?? RUN_DEFAULTS.timeSeconds;
    let lo = floor;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (fails({ ...bestOptions, timeSeconds: mid })) hi = mid;
      else lo = mid + 1;
    }
    log(`time: ${sizeOf(bestOptions).timeSeconds} s (after ${runs} runs)`);

    // 3. Fewer clients.
    for (const workload of [{ producers: 1, consumers: 1 }, { producers: 1 }, { consumers: 1 }]) {
      const merged = { ...(bestOptions.workload ?? {}), ...workload };
      if (sizeOf({ ...bestOptions, workload: merged }).clients >= sizeOf(bestOptions).clients) continue;
      if (fails({ ...bestOptions, workload: merged })) break;
    }
    log(`clients: ${sizeOf(bestOptions).clients} (after ${runs} runs)`);
  } catch (e) {
    if (!(e instanceof BudgetSpent)) throw e;
    log(`stopped after ${maxRuns} runs`);
  }
  return {
    repro: best.repro,
    before: sizeOf({ ...reproRunOptions(repro), schedule: repro.options.schedule }),
    after: sizeOf(bestOptions),
    runs,
    anomalies: target,
  };
}
