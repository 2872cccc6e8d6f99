// An immutable map from keys to per-key states, kept sorted by key so equal maps look alike.
// Partitioned models see one key per part, so these stay tiny; unpartitioned use still works.

export interface KeyedEntry<T> {
  readonly key: string;
  readonly value: T;
}

export type KeyedState<T> = readonly KeyedEntry<T>[];

export function getKeyed<T>(state: KeyedState<T>, key: string): T | undefined {
  for (const entry of state) if (entry.key === key) return entry.value;
  return undefined;
}

/** A copy of `state` with key set to value (inserted in key order if new). */
export function setKeyed<T>(state: KeyedState<T>, key: string, value: T): KeyedState<T> {
  const next: KeyedEntry<T>[] = [];
  let placed = false;
  for (const entry of state) {
    if (!placed && entry.key >= key) {
      next.push({ key, value });
      placed = true;
      if (entry.key === key) continue;
    }
    next.push(entry);
  }
  if (!placed) next.push({ key, value });
  return next;
}

export function equalKeyed<T>(a: KeyedState<T>, b: KeyedState<T>, equal: (x: T, y: T) => boolean): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i].key !== b[i].key || !equal(a[i].value, b[i].value)) return false;
  }
  return true;
}
