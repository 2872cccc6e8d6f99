// Parsing of numeric command-line options: one clear line naming the option on bad input.
import { UsageError } from './usage-error.ts';

export function intOption(name: string, text: string, min: number, max: number): number {
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new UsageError(`${name} must be an integer from ${min} to ${max}, got "${text}"`);
  }
  return Number(text);
}
