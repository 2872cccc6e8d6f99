// Step series: built from change points, deduplicated at equal times, and thinned for drawing without
// losing the extremes (a truncation that drops a log end offset must stay visible however long the run).
import type { Point } from './events.ts';

/** Collects a step function's change points; a second value at the same time replaces the first. */
export class StepSeries {
  readonly points: Point[] = [];

  set(time: number, value: number): void {
    const last = this.points[this.points.length - 1];
    if (last !== undefined && last.value === value) return;
    if (last !== undefined && last.time === time) {
      this.points.pop();
      const before = this.points[this.points.length - 1];
      if (before !== undefined && before.value === value) return;
    }
    this.points.push({ time, value });
  }

  /** The series up to `endMs`, with a final point there so the last step is drawn to the end. */
  close(endMs: number): Point[] {
    const last = this.points[this.points.length - 1];
    if (last === undefined) return [];
    return last.time < endMs ? [...this.points, { time: endMs, value: last.value }] : this.points;
  }
}

/**
 * At most about `max` points: the time range is cut into max/4 buckets and each keeps its first, lowest,
 * highest and last point, in time order. Short series are returned as they are.
 */
export function thinSteps(points: readonly Point[], max: number): Point[] {
  if (points.length <= max) return [...points];
  const buckets = Math.max(1, Math.floor(max / 4));
  const start = points[0].time;
  const span = points[points.length - 1].time - start || 1;
  const out: Point[] = [];
  let i = 0;
  while (i < points.length) {
    const bucket = Math.min(buckets - 1, Math.floor(((points[i].time - start) / span) * buckets));
    let j = i;
    let lo = i;
    let hi = i;
    while (
      j + 1 < points.length &&
      Math.min(buckets - 1, Math.floor(((points[j + 1].time - start) / span) * buckets)) === bucket
    ) {
      j++;
      if (points[j].value < points[lo].value) lo = j;
      if (points[j].value > points[hi].value) hi = j;
    }
    for (const k of [...new Set([i, lo, hi, j])].sort((a, b) => a - b)) out.push(points[k]);
    i = j + 1;
  }
  return out;
}

/** A bucket width giving at most about `maxBuckets` buckets over `endMs`: whole seconds, at least one. */
export function bucketWidthMs(endMs: number, maxBuckets = 300): number {
  return Math.max(1000, Math.ceil(endMs / maxBuckets / 1000) * 1000);
}
