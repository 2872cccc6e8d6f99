// Shrinking a failing run: delta debugging (Zeller's ddmin) over the fault schedule's faults, then a search
// of small groups of faults close together in time, then a shorter run, then fewer clients, keeping each
// step only if the run still shows one of the original anomaly kinds. The seed stays: the same seed with a
// smaller schedule is a smaller case of the same world.
import type { FaultOp, Schedule } from '../nemesis/index.ts';
import type { Repro } from './repro.ts';
import { reproRunOptions } from './repro.ts';
import { runOnce } from './run.ts';
import type { RunOptions } from './options.ts';
import { RUN_DEFAULTS } from './options.ts';
import { UsageError } from './errors.ts';

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

export function keepFaults(schedule: Schedule, ids: number[]): Schedule {
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

/** A fault as the window search sees it: its id and when it is active. */
export interface FaultSpan {
  id: number;
  startMs: number;
  stopMs: number;
}

/** Each fault's active span, in start order (a start without its stop lasts to the end). */
export function faultSpans(schedule: Schedule): FaultSpan[] {
  const spans: FaultSpan[] = [];
  for (const op of schedule.ops) {
    if (op.action === 'start') spans.push({ id: op.id, startMs: op.at, stopMs: Infinity });
    else {
      const s = spans.find((x) => x.id === op.id);
      if (s !== undefined) s.stopMs = op.at;
    }
  }
  return spans;
}

/**
 * Groups of at most `maxSize` faults that act together in time, smallest first: runs of consecutive faults
 * (by start), each with the faults still active when the run begins. ddmin's answer is only 1-minimal, and
 * in a simulation removing one fault shifts every later event, so a much smaller group near the failure
 * often fails as well although no single removal from ddmin's answer showed it.
 */
export function faultWindows(spans: readonly FaultSpan[], maxSize: number): number[][] {
  const out: number[][] = [];
  const seen = new Set<string>();
  for (let size = 1; size <= maxSize; size++) {
    for (let i = 0; i + size <= spans.length; i++) {
      const run = spans.slice(i, i + size);
      const from = run[0].startMs;
      const overlapping = spans.slice(0, i).filter((s) => s.stopMs > from);
      for (const group of [run, [...overlapping, ...run]]) {
        if (group.length > maxSize) continue;
        const ids = group.map((s) => s.id).sort((a, b) => a - b);
        const key = ids.join(',');
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(ids);
      }
    }
  }
  return out.sort((a, b) => a.length - b.length);
}

/** Every subset of `items` with exactly `size` members, in order. */
function combinations<T>(items: readonly T[], size: number): T[][] {
  if (size === 0) return [[]];
  const out: T[][] = [];
  for (let i = 0; i + size <= items.length; i++) {
    for (const rest of combinations(items.slice(i + 1), size - 1)) out.push([items[i], ...rest]);
  }
  return out;
}

/** Most faults ddmin may leave for every smaller subset of them to be tried (C(10, ≤4) = 385 runs). */
const EXHAUSTIVE_UP_TO = 10;

/**
 * ddmin over the faults, then, while the answer has more than `small` faults: windows (faultWindows) of
 * ddmin's answer and of the whole schedule, and every subset of at most `small` of ddmin's answer when it
 * is short enough, each failing one shrunk again by ddmin. `fails` gets fault ids in schedule order.
 */
export function minimizeFaults(schedule: Schedule, fails: (ids: number[]) => boolean, small = 4): number[] {
  const ids = faultIds(schedule);
  let best = ddmin(ids, fails);
  const spans = faultSpans(schedule);
  const order = (subset: number[]): number[] => ids.filter((id) => subset.includes(id));
  const tried = new Set<string>();
  const attempt = (group: number[]): void => {
    const candidate = order(group);
    const key = candidate.join(',');
    if (candidate.length >= best.length || tried.has(key)) return;
    tried.add(key);
    if (fails(candidate)) best = ddmin(candidate, fails);
  };
  for (const source of [spans.filter((s) => best.includes(s.id)), spans]) {
    for (const group of faultWindows(source, Math.min(small, best.length - 1))) attempt(group);
  }
  if (best.length > small && best.length <= EXHAUSTIVE_UP_TO) {
    const pool = best;
    for (let size = 1; size <= small && size < best.length; size++)
      for (const group of combinations(pool, size)) attempt(group);
  }
  return best;
}

/**
 * Two faults of one kind merged into one: the first keeps its parameters and lasts until the second
 * would have stopped. One long fault is a simpler case than two, and often acts the same.
 */
export function mergeFaults(schedule: Schedule, first: number, second: number): Schedule {
  const secondStop = schedule.ops.find((op) => op.action === 'stop' && op.id === second);
  const ops: FaultOp[] = [];
  for (const op of schedule.ops) {
    if (op.id === second && op.action === 'start') continue;
    if (op.id === first && op.action === 'stop' && secondStop !== undefined) continue;
    ops.push(op.id === second && op.action === 'stop' ? { ...op, id: first } : op);
  }
  return { version: schedule.version, ops };
}

/**
 * minimizeFaults, then merging consecutive faults of one kind where the case still fails, and
 * minimizeFaults again on what the merges left.
 */
export function minimizeSchedule(schedule: Schedule, fails: (candidate: Schedule) => boolean, small = 4): Schedule {
  const reduce = (s: Schedule): Schedule =>
    keepFaults(
      s,
      minimizeFaults(s, (ids) => fails(keepFaults(s, ids)), small),
    );
  let current = reduce(schedule);
  let merged = false;
  for (let again = true; again;) {
    again = false;
    const spans = faultSpans(current);
    const kindOf = new Map(current.ops.filter((op) => op.action === 'start').map((op) => [op.id, op.kind]));
    for (let i = 0; i < spans.length && !again; i++) {
      const next = spans.slice(i + 1).find((s) => kindOf.get(s.id) === kindOf.get(spans[i].id));
      if (next === undefined || spans[i].stopMs > next.startMs) continue;
      const candidate = mergeFaults(current, spans[i].id, next.id);
      if (fails(candidate)) {
        current = candidate;
        merged = true;
        again = true;
      }
    }
  }
  return merged ? reduce(current) : current;
}

class BudgetSpent extends Error {}

export function shrinkRepro(repro: Repro, options: ShrinkOptions = {}): ShrinkOutcome {
  const maxRuns = options.maxRuns ?? 200;
  const log = options.log ?? ((): void => {});
  let runs = 0;
  const first = runOnce(reproRunOptions(repro));
  runs++;
  const found = Object.keys(first.result.anomalies);
  const target = (repro.anomalies !== undefined && repro.anomalies.length > 0 ? repro.anomalies : found).filter((a) =>
    found.includes(a),
  );
  if (first.result.valid !== false || target.length === 0) {
    throw new UsageError(
      `the repro does not ` +
        `fail${repro.anomalies?.length ? ` with ${repro.anomalies.join(', ')}` : ''}: nothing to shrink`,
    );
  }
  let best = first;
  let bestOptions: RunOptions & { schedule: Schedule } = {
    ...reproRunOptions(repro),
    schedule: repro.options.schedule,
  };

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
    const base = bestOptions;
    const schedule = minimizeSchedule(base.schedule, (candidate) => fails({ ...base, schedule: candidate }));
    if (faultIds(schedule).length < faultIds(bestOptions.schedule).length) bestOptions = { ...base, schedule };
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
