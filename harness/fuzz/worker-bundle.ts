// The code a fuzz worker starts from. Each worker loads the whole simulator afresh; through tsx's loader
// (a hooks thread, one message per module) that took 0.38 s for one worker and 0.52 s for two starting
// together, against 0.06-0.07 s from one JavaScript file that esbuild (tsx's own compiler) bundles in
// ~0.1 s. Start-up is paid per worker, so it weighs most on --jobs 2.
// The bundle goes under node_modules/.cache, named by its content: the npm packages it leaves out resolve
// from there as they do from the sources, and fuzzes running side by side share one file. Anything that
// stops the bundle (no esbuild, a read-only install) falls back to tsx's loader, which runs the same code.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const WORKER_SOURCE = new URL('./worker.ts', import.meta.url);
/** Registers tsx in the worker, then imports worker.ts: the fallback. */
export const TSX_WORKER_BOOT = new URL('./worker-boot.mjs', import.meta.url);
const CACHE_DIR = new URL('../../node_modules/.cache/kafkasim/', import.meta.url);
const BUNDLE_NAME = /^fuzz-worker-[0-9a-f]{16}\.mjs$/;
/** Bundles of older sources unused this long are removed (a running fuzz may still start workers from its own). */
const STALE_AFTER_MS = 7 * 24 * 3600 * 1000;

let built: URL | undefined;

/** The fuzz worker's entry: the bundle (built once per process), or tsx's boot file if it cannot be built. */
export async function fuzzWorkerEntry(): Promise<URL> {
  built ??= (await bundleWorker()) ?? TSX_WORKER_BOOT;
  return built;
}

/** Builds the bundle and writes it to the cache; undefined if either fails. */
async function bundleWorker(): Promise<URL | undefined> {
  try {
    const { build } = await import('esbuild');
    const result = await build({
      entryPoints: [fileURLToPath(WORKER_SOURCE)],
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      // npm packages stay imports, resolved from the cache folder inside node_modules.
      packages: 'external',
      // Class and function names appear in error messages and harness-crash stacks, as under tsx.
      keepNames: true,
      // Crash stacks point at the TypeScript sources (the worker turns source maps on).
      sourcemap: 'inline',
      sourcesContent: false,
      // Source paths in the map are relative to where the bundle goes.
      outdir: fileURLToPath(CACHE_DIR),
      write: false,
      logLevel: 'silent',
    });
    const text = result.outputFiles[0].text;
    const name = `fuzz-worker-${createHash('sha256').update(text).digest('hex').slice(0, 16)}.mjs`;
    const file = new URL(name, CACHE_DIR);
    if (existsSync(file)) {
      const now = new Date();
      utimesSync(file, now, now);
    } else {
      mkdirSync(CACHE_DIR, { recursive: true });
      // Another fuzz may write the same file at the same moment: each writes its own temporary file.
      const temporary = new URL(`${name}.${process.pid}.tmp`, CACHE_DIR);
      writeFileSync(temporary, text);
      renameSync(temporary, file);
      removeStaleBundles(name);
    }
    return file;
  } catch {
    return undefined;
  }
}

function removeStaleBundles(current: string): void {
  for (const name of readdirSync(CACHE_DIR)) {
    if (name === current || !BUNDLE_NAME.test(name)) continue;
    const file = new URL(name, CACHE_DIR);
    if (Date.now() - statSync(file).mtimeMs > STALE_AFTER_MS) rmSync(file, { force: true });
  }
}
