// Latency and delay distributions as plain data, so configurations and schedules can be saved and replayed.
import { ConfigError } from './errors.ts';
import type { Random } from './random.ts';

export type Distribution =
  | { kind: 'constant'; ms: number }
  | { kind: 'uniform'; min: number; max: number }
  | { kind: 'exponential'; mean: number; max?: number }
  | { kind: 'normal'; mean: number; stddev: number; min: number; max: number };

/** Draws one value in milliseconds, never negative. */
export function sample(d: Distribution, rng: Random): number {
  switch (d.kind) {
    case 'constant':
      return d.ms;
    case 'uniform':
      return d.min + rng.float() * (d.max - d.min);
    case 'exponential': {
      const x = rng.exponential(d.mean);
      return d.max === undefined ? x : Math.min(x, d.max);
    }
    case 'normal': {
      const x = rng.normal(d.mean, d.stddev);
      return x < d.min ? d.min : x > d.max ? d.max : x;
    }
  }
}

function finiteNonNegative(where: string, field: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new ConfigError(`${where}: ${field} must be a finite number >= 0, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** Checks a distribution read from a file or built from options; `where` names it in the error. */
export function validateDistribution(d: unknown, where: string): Distribution {
  if (typeof d !== 'object' || d === null) throw new ConfigError(`${where}: expected a distribution object`);
  const o = d as Record<string, unknown>;
  switch (o.kind) {
    case 'constant':
      return { kind: 'constant', ms: finiteNonNegative(where, 'ms', o.ms) };
    case 'uniform': {
      const min = finiteNonNegative(where, 'min', o.min);
      const max = finiteNonNegative(where, 'max', o.max);
      if (max < min) throw new ConfigError(`${where}: uniform max (${max}) is below min (${min})`);
      return { kind: 'uniform', min, max };
    }
    case 'exponential': {
      const mean = finiteNonNegative(where, 'mean', o.mean);
      if (o.max === undefined) return { kind: 'exponential', mean };
      return { kind: 'exponential', mean, max: finiteNonNegative(where, 'max', o.max) };
    }
    case 'normal': {
      const mean = finiteNonNegative(where, 'mean', o.mean);
      const stddev = finiteNonNegative(where, 'stddev', o.stddev);
      const min = finiteNonNegative(where, 'min', o.min);
      const max = finiteNonNegative(where, 'max', o.max);
      if (max < min) throw new ConfigError(`${where}: normal max (${max}) is below min (${min})`);
      return { kind: 'normal', mean, stddev, min, max };
    }
    default:
      throw new ConfigError(
        `${where}: unknown distribution kind ${JSON.stringify(o.kind)} (constant, uniform, exponential, normal)`,
      );
  }
}

export const constant = (ms: number): Distribution => ({ kind: 'constant', ms });
export const uniform = (min: number, max: number): Distribution => ({ kind: 'uniform', min, max });
