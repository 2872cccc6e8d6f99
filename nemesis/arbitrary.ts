// Schedules for property tests and shrinking (fast-check). A schedule is a list of fault pairs, each a
// kind with its params, a start time and a duration; shrinking drops pairs, moves them earlier and makes
// them shorter (and simplifies their params), and every candidate is still a valid schedule with
// everything over before timeMs.
import fc from 'fast-check';
import { ConfigError } from '../sim/world/errors.ts';
import type { FaultKind } from './fault-kinds.ts';
import type { FaultPair, GenerateOptions } from './generate.ts';
import { checkOptions, pairsToSchedule } from './generate.ts';
import { KINDS } from './kinds/index.ts';
import type { JsonObject } from './kind.ts';
import type { Schedule } from './schedule-types.ts';

export interface ArbitraryOptions extends Omit<GenerateOptions, 'intensity'> {
  /** Most fault pairs in one schedule (default 8). */
  maxFaults?: number;
}

type RawPair = { kind: FaultKind; params: JsonObject; startMs: number; durationMs: number };

export function scheduleArbitrary(options: ArbitraryOptions): fc.Arbitrary<Schedule> {
  const { shape } = checkOptions(options);
  const kinds = [...new Set(options.kinds)];
  const maxFaults = options.maxFaults ?? 8;
  if (!Number.isInteger(maxFaults) || maxFaults < 0)
    throw new ConfigError(`maxFaults must be a non-negative integer, got ${maxFaults}`);
  if (kinds.length === 0 || maxFaults === 0) return fc.constant({ version: 1, ops: [] });
  const timeMs = Math.floor(options.timeMs);
  const pair = fc.oneof(
    ...kinds.map((kind) =>
      fc.record({
        kind: fc.constant(kind),
        params: KINDS[kind].arbitrary(shape),
        startMs: fc.integer({ min: 0, max: Math.max(0, timeMs - 1) }),
        durationMs: fc.integer({ min: 0, max: Math.max(0, timeMs - 1) }),
      }),
    ),
  );
  return fc.array(pair, { maxLength: maxFaults }).map((raw: RawPair[]) => {
    // A fault whose staggered restarts alone outlast the run cannot be over in time: it is left out.
    const fitting = raw.filter((p) => KINDS[p.kind].tailMs(p.params, shape) < timeMs - 1);
    const pairs: FaultPair[] = fitting.map((p, id) => {
      // Clamping (rather than filtering) keeps every shrink candidate valid: times only move earlier.
      const latestStop = Math.max(0, timeMs - 1 - KINDS[p.kind].tailMs(p.params, shape));
      const startMs = Math.min(p.startMs, latestStop);
      return { id, kind: p.kind, startMs, stopMs: Math.min(startMs + p.durationMs, latestStop), params: p.params };
    });
    return pairsToSchedule(pairs);
  });
}
