// Znode paths, checked the way ZooKeeper's PathUtils.validatePath checks them.

export const ROOT = '/';

/**
 * True if `path` is a valid znode path. A sequential create may end in '/' (ZooKeeper appends the
 * counter right after it), so it is validated with a digit in place of the counter.
 */
export function isValidPath(path: string, sequential = false): boolean {
  const p = sequential ? `${path}0` : path;
  if (p.length === 0 || p[0] !== '/') return false;
  if (p === ROOT) return true;
  if (p.endsWith('/')) return false;
  if (p.includes('\u0000')) return false;
  for (const name of p.slice(1).split('/')) {
    if (name === '' || name === '.' || name === '..') return false;
  }
  return true;
}

/** The parent of a valid non-root path. */
export function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i === 0 ? ROOT : path.slice(0, i);
}

/** The last name of a valid non-root path. */
export function nameOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** ZooKeeper's sequential suffix: the counter as ten zero-padded digits ("%010d"). */
export function sequentialPath(path: string, counter: number): string {
  return `${path}${String(counter).padStart(10, '0')}`;
}
