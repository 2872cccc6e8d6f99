// Where a command writes (--out): checked before anything runs, so that a simulation of minutes is not
// thrown away because its directory turns out to be a file, and created without Node's recursive mkdir,
// which spins for ever on a path under /proc. Every refusal is one UsageError line naming the flag.
import { accessSync, constants, mkdirSync, realpathSync, statSync, type Stats } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import { UsageError } from './errors.ts';

/**
 * Kernel and device filesystems: nothing written there is an output, and writing there as root can do
 * harm (a rename over /dev/null replaces the device with a file).
 */
const PSEUDO_ROOTS = ['/proc', '/sys', '/dev'];

function underPseudo(abs: string): string | undefined {
  return PSEUDO_ROOTS.find((root) => abs === root || abs.startsWith(root + sep));
}

function statOf(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** Where a path leads once symbolic links are followed (the path itself if that cannot be told). */
function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** The path itself or its nearest ancestor that exists, with its stats. */
function nearestExisting(abs: string): { path: string; stats: Stats } {
  let path = abs;
  for (;;) {
    const stats = statOf(path);
    if (stats !== undefined) return { path, stats };
    const parent = dirname(path);
    // The root always exists; this guards a filesystem that says otherwise.
    if (parent === path) throw new UsageError(`cannot reach ${abs}`);
    path = parent;
  }
}

function refusePseudo(flag: string, given: string, abs: string): void {
  const root = underPseudo(abs);
  if (root !== undefined) throw new UsageError(`${flag} ${given} is under ${root}, where no output can be written`);
}

/**
 * Checks that `dir` is, or can be made, a directory this process writes into: not empty, not a file,
 * not below a file, not under /proc, /sys or /dev (a symbolic link into them included), writable.
 */
export function checkOutDir(dir: string, flag = '--out'): void {
  if (dir === '') throw new UsageError(`${flag} must name a directory, got ""`);
  checkWritableDir(dir, resolve(dir), flag);
}

/** `absDir` (which is `given`, or the directory `given` goes in) as checkOutDir checks it. */
function checkWritableDir(given: string, absDir: string, flag: string): void {
  refusePseudo(flag, given, absDir);
  const existing = nearestExisting(absDir);
  refusePseudo(flag, given, realPath(existing.path));
  if (!existing.stats.isDirectory()) {
    throw new UsageError(
      existing.path === resolve(given)
        ? `${flag} ${given} is a file, not a directory`
        : `${flag} ${given} is below ${existing.path}, which is a file, not a directory`,
    );
  }
  try {
    accessSync(existing.path, constants.W_OK | constants.X_OK);
  } catch {
    throw new UsageError(`${flag} ${given}: ${existing.path} is not writable`);
  }
}

/**
 * Checks that `file` can be written whole (write-whole.ts: a temporary file beside it, then a rename):
 * not empty, not a directory or a device, and its directory as checkOutDir checks one.
 */
export function checkOutFile(file: string, flag = '--out'): void {
  if (file === '') throw new UsageError(`${flag} must name a file, got ""`);
  const abs = resolve(file);
  refusePseudo(flag, file, abs);
  const stats = statOf(abs);
  if (stats?.isDirectory() === true) throw new UsageError(`${flag} ${file} is a directory, not a file`);
  if (stats !== undefined && !stats.isFile()) throw new UsageError(`${flag} ${file} is not a regular file`);
  checkWritableDir(file, dirname(abs), flag);
}

/** Creates `dir` and its missing parents, one mkdir each; a failure is one line naming the flag. */
export function makeOutDir(dir: string, flag = '--out'): void {
  checkOutDir(dir, flag);
  const missing: string[] = [];
  for (let path = resolve(dir); statOf(path) === undefined; path = dirname(path)) missing.unshift(path);
  for (const path of missing) {
    try {
      mkdirSync(path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' && statOf(path)?.isDirectory() === true) continue;
      throw new UsageError(`${flag}: cannot create ${dir} (${code ?? 'error'})`);
    }
  }
}
