// Small wording helpers shared by the queue detectors' example descriptions.
import type { RecordValue } from './micro-ops.ts';

/** A record value as written in a sentence: strings quoted, so "7" and 7 stay distinguishable. */
export function formatValue(value: RecordValue): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** A simulated time (ms) as a sentence says it: seconds with millisecond precision, "21.403 s". */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(3)} s`;
}

export function listWords(items: readonly RecordValue[]): string {
  const words = items.map(formatValue);
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
