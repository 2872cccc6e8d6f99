// Jepsen-style random schedules: a quiet period while the cluster settles, then faults starting every
// few seconds and stopping after seconds to tens of seconds, each kind at most once at a time, and
// nothing active by the end so the run's final reads see a healed cluster. Intensity (0..1) shortens
// the gaps, lengthens the faults, lets more overlap and makes each one hit harder.
import { POWER_LOSS_MODES } from '../sim/world/disk.ts';
import { ConfigError } from '../sim/world/errors.ts';
import type { Random } from '../sim/world/random.ts';
import type { FaultKind } from './fault-kinds.ts';
import { isFaultKind } from './fault-kinds.ts';
import { KINDS } from './kinds/index.ts';
import type { JsonObject } from './kind.ts';
import type { FaultOp, Schedule } from './schedule-types.ts';
import type { ClusterShape } from './shape.ts';

export interface GenerateOptions {
  kinds: FaultKind[];
  /** Length of the run in simulated ms: every fault is over (restarts included) before it. */
  timeMs: number;
  brokers: number;
  partitions: number;
  /** 0..1, default 0.5. */
  intensity?: number;
  /** Replicas per partition; defaults to every broker (the longest staggered restart). */
  replicationFactor?: number;
  /** Generated kills: process crashes only (the default), or mixed with machines losing power. */
  killModes?: KillModes;
}

export type KillModes = 'process' | 'mixed';

/** A fault as a start/stop pair before it becomes two ops. */
export type FaultPair = { id: number; kind: FaultKind; startMs: number; stopMs: number; params: JsonObject };

export function checkOptions(o: GenerateOptions): { shape: ClusterShape; intensity: number } {
  const int = (name: string, v: number): void => {
    if (!Number.isInteger(v) || v < 1) throw new ConfigError(`${name} must be a positive integer, got ${v}`);
  };
  int('brokers', o.brokers);
  int('partitions', o.partitions);
  if (!Number.isFinite(o.timeMs) || o.timeMs <= 0)
    throw new ConfigError(`timeMs must be a positive number of ms, got ${o.timeMs}`);
  const intensity = o.intensity ?? 0.5;
  if (!(intensity >= 0 && intensity <= 1)) throw new ConfigError(`intensity must be from 0 to 1, got ${intensity}`);
  for (const k of o.kinds) if (!isFaultKind(k)) throw new ConfigError(`unknown fault kind "${String(k)}"`);
  const replicationFactor = o.replicationFactor ?? o.brokers;
  int('replicationFactor', replicationFactor);
  return { shape: { brokers: o.brokers, partitions: o.partitions, replicationFactor }, intensity };
}

/** Two ops per pair, in time order; a start always precedes its own stop, even at the same time. */
export function pairsToSchedule(pairs: readonly FaultPair[]): Schedule {
  const ops: FaultOp[] = [];
  for (const p of pairs) {
    // Each kind module built p.params for p.kind; the union type cannot follow that through the table.
    ops.push({ at: p.startMs, kind: p.kind, action: 'start', id: p.id, params: p.params } as FaultOp);
    ops.push({ at: p.stopMs, kind: p.kind, action: 'stop', id: p.id, params: {} });
  }
  // Array.prototype.sort is stable: equal times keep pair order, so a start stays before its stop.
  ops.sort((a, b) => a.at - b.at);
  return { version: 1, ops };
}

export function generateSchedule(random: Random, options: GenerateOptions): Schedule {
  const { shape, intensity } = checkOptions(options);
  const kinds = [...new Set(options.kinds)];
  const timeMs = options.timeMs;
  const quietMs = Math.round(Math.min(10000, Math.max(1000, timeMs * 0.1)));
  // Faults end a little before the run does, so the cluster can settle before the final reads.
  const endMs = Math.floor(timeMs - Math.min(5000, timeMs * 0.05)) - 1;
  const maxActive = 1 + Math.floor(intensity * 2.99);
  const gapMax = Math.round(10000 - 6000 * intensity);
  const pairs: FaultPair[] = [];
  /** When each kind is fully over (its stop plus any staggered restarts). */
  const busyUntil = new Map<FaultKind, number>();
  for (let t = quietMs; kinds.length > 0 && t < endMs; t += random.int(2000, gapMax)) {
    const active = [...busyUntil.values()].filter((until) => until > t).length;
    const free = kinds.filter((k) => (busyUntil.get(k) ?? 0) <= t);
    if (free.length === 0 || active >= maxActive) continue;
    const kind = random.pick(free);
    const module = KINDS[kind];
    const params = module.generate(random, shape, intensity);
    const tail = module.tailMs(params, shape);
    const latestStop = endMs - tail;
    if (latestStop <= t || t + (module.minDurationMs?.(params, shape) ?? 0) >= latestStop) continue;
    const stopMs = Math.min(t + Math.max(1, module.duration(random, intensity, params, shape)), latestStop);
    pairs.push({ id: pairs.length, kind, startMs: t, stopMs, params });
    busyUntil.set(kind, stopMs + tail);
  }
  if (options.killModes === 'mixed') drawCrashModes(random.fork('crash-modes'), pairs);
  return pairsToSchedule(pairs);
}

/** Share of generated kills that are one machine losing power rather than a process crash (kill -9). */
export const POWER_LOSS_SHARE = 0.25;

/** The generated faults whose crashes may be a process crash or a machine losing power. */
const DRAWN_CRASH_KINDS: readonly FaultKind[] = ['kill', 'outage'];

/**
 * A generated kill (or outage) is a process crash (the page cache survives) or, one time in four, its machines
 * losing power (unflushed data gone, in a power-loss mode drawn too). Drawn from a stream of their own after
 * the schedule is laid out, so that the times, kinds and targets of every fault are what they were before.
 */
function drawCrashModes(random: Random, pairs: FaultPair[]): void {
  for (const p of pairs) {
    if (!DRAWN_CRASH_KINDS.includes(p.kind)) continue;
    if (random.chance(POWER_LOSS_SHARE)) p.params = { ...p.params, mode: random.pick(POWER_LOSS_MODES) };
  }
}
