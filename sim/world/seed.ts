// A run is named by one seed: a non-negative integer or a short string. Everything else derives from it.
import { ConfigError } from './errors.ts';

export type Seed = number | string;

const SEED_STRING = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Parses a seed as typed on a command line or stored in a repro file. */
export function parseSeed(input: unknown): Seed {
  if (typeof input === 'number') {
    if (Number.isSafeInteger(input) && input >= 0) return input;
    throw new ConfigError(`invalid seed ${String(input)}: expected a non-negative integer below 2^53 or a name`);
  }
  if (typeof input !== 'string') {
    throw new ConfigError(`invalid seed: expected a number or a string, got ${input === null ? 'null' : typeof input}`);
  }
  const text = input.trim();
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    if (!Number.isSafeInteger(n)) throw new ConfigError(`invalid seed "${input}": integer seeds must be below 2^53`);
    return n;
  }
  if (!SEED_STRING.test(text) || !/[A-Za-z]/.test(text)) {
    // A name needs a letter, so that "1.5" or "1e3" is refused rather than taken as a name.
    throw new ConfigError(
      `invalid seed "${input}": use a non-negative integer or a name of up to 128 letters, digits, '.', '_' or '-'`,
    );
  }
  return text;
}

/** The canonical text of a seed; random streams are derived from it, so 42 and "42" are the same seed. */
export function seedText(seed: Seed): string {
  return typeof seed === 'number' ? String(seed) : seed;
}
