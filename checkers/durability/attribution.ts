// Matching a lost acknowledged write to the truncations that removed it.
import type { Truncation } from './facts.ts';

/** Truncations grouped per key, latest first, so a search can stop at the first one before an ack. */
export type TruncationsByKey = Map<number, Truncation[]>;

export function groupTruncations(truncations: readonly Truncation[]): TruncationsByKey {
  const byKey: TruncationsByKey = new Map();
  for (const truncation of truncations) {
    const list = byKey.get(truncation.key);
    if (list === undefined) byKey.set(truncation.key, [truncation]);
    else list.push(truncation);
  }
  // Stable sort: truncations at the same instant keep the order the simulator reported them in.
  for (const list of byKey.values()) list.sort((a, b) => b.time - a.time);
  return byKey;
}

/** Truncations of `key` that happened at or after the ack and removed `offset`, latest first. */
export function truncationsRemoving(
  byKey: TruncationsByKey,
  key: number,
  offset: number,
  ackTime: number,
): Truncation[] {
  const found: Truncation[] = [];
  for (const truncation of byKey.get(key) ?? []) {
    if (truncation.time < ackTime) break;
    if (truncation.fromOffset <= offset && offset < truncation.toOffset) found.push(truncation);
  }
  return found;
}

/**
 * The truncation to blame: the latest one before the final phase began (the one after which the write
 * was gone for good), or, if all came later, the latest of those.
 */
export function blamedTruncation(candidates: readonly Truncation[], finalPhaseTime: number): Truncation | undefined {
  return candidates.find((t) => t.time <= finalPhaseTime) ?? candidates[0];
}
