// Reading plain data from a schedule file field by field, so that every problem becomes one ConfigError
// line naming the exact place ("schedule.ops[3].params.loss: ...") instead of a crash deep in a fault.
import { ConfigError } from '../sim/world/errors.ts';

export function fail(where: string, problem: string): never {
  throw new ConfigError(`${where}: ${problem}`);
}

export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'an array';
  if (v === null) return 'null';
  if (typeof v === 'object') return 'an object';
  return JSON.stringify(v);
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export interface NumberRule {
  min?: number;
  max?: number;
  integer?: boolean;
}

export function checkNumber(v: unknown, where: string, rule: NumberRule = {}): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(where, `expected a finite number, got ${describeValue(v)}`);
  if (rule.integer === true && !Number.isInteger(v)) fail(where, `expected an integer, got ${v}`);
  if (rule.min !== undefined && v < rule.min) fail(where, `must be at least ${rule.min}, got ${v}`);
  if (rule.max !== undefined && v > rule.max) fail(where, `must be at most ${rule.max}, got ${v}`);
  // -0 becomes 0, as it would through a JSON file.
  return v === 0 ? 0 : v;
}

export function checkOneOf<T extends string>(v: unknown, where: string, options: readonly T[], what = 'value'): T {
  if (typeof v === 'string' && (options as readonly string[]).includes(v)) return v as T;
  const shown = typeof v === 'string' ? `"${v}"` : describeValue(v);
  return fail(where, `unknown ${what} ${shown} (one of ${options.join(', ')})`);
}

/** The fields of one object, read by name; unknown names are rejected so typos do not pass silently. */
export class Fields {
  private constructor(
    private readonly raw: Record<string, unknown>,
    readonly where: string,
  ) {}

  static of(v: unknown, where: string): Fields {
    if (!isPlainObject(v)) fail(where, `expected an object, got ${describeValue(v)}`);
    return new Fields(v, where);
  }

  at(name: string): string {
    return `${this.where}.${name}`;
  }

  has(name: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.raw, name);
  }

  /** The raw value; a missing field is an error. */
  get(name: string): unknown {
    if (!this.has(name)) fail(this.at(name), 'missing');
    return this.raw[name];
  }

  number(name: string, rule: NumberRule = {}): number {
    return checkNumber(this.get(name), this.at(name), rule);
  }

  boolean(name: string): boolean {
    const v = this.get(name);
    if (typeof v !== 'boolean') fail(this.at(name), `expected true or false, got ${describeValue(v)}`);
    return v;
  }

  oneOf<T extends string>(name: string, options: readonly T[], what = 'value'): T {
    if (!this.has(name)) fail(this.at(name), `missing (one of ${options.join(', ')})`);
    return checkOneOf(this.raw[name], this.at(name), options, what);
  }

  /** Rejects any field not in `names`. */
  only(names: readonly string[]): void {
    for (const key of Object.keys(this.raw)) {
      if (!names.includes(key))
        fail(this.at(key), `unknown field (expected ${names.length === 0 ? 'none' : names.join(', ')})`);
    }
  }
}
