// How deeply a history's values may nest. Readers, checkers and reports walk values recursively, so a
// value nested a hundred thousand levels deep (a hostile or broken file) would exhaust the stack; both
// readers refuse one past MAX_DEPTH as a one-line format error. A Jepsen op is a few levels deep; a
// thousand stays far below the stack's limit and far above any history.
import type { Value } from './format.ts';

export const MAX_DEPTH = 1000;

/** Whether `value` nests more than `max` arrays or objects; iterative, so any depth is safe to ask about. */
export function nestedDeeperThan(value: Value, max: number): boolean {
  const stack: [Value, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [Value, number];
    if (v === null || typeof v !== 'object') continue;
    if (depth > max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}
