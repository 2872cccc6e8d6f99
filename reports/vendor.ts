// The charting libraries, inlined into every page so a report opens from disk with no network: vega,
// vega-lite and vega-embed's minified builds, read once per process and made safe for a <script> element.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { scriptSafe } from './escape.ts';

const LIBRARIES = [
  { pkg: 'vega', file: 'vega.min.js' },
  { pkg: 'vega-lite', file: 'vega-lite.min.js' },
  { pkg: 'vega-embed', file: 'vega-embed.min.js' },
] as const;

let cached: string | undefined;

/** The three libraries as one block of `<script>` elements, in load order (vega-embed needs both others). */
export function inlinedLibraries(): string {
  if (cached !== undefined) return cached;
  const require = createRequire(import.meta.url);
  cached = LIBRARIES.map(({ pkg, file }) => {
    // vega-embed's package exports hide its build folder, so find it through the package's main entry,
    // which sits in the same folder as the minified build in all three packages.
    const path = join(dirname(require.resolve(pkg)), file);
    // The source map comment would make developer tools ask for a file that is not there.
    const source = readFileSync(path, 'utf8').replace(/\n?\/\/# sourceMappingURL=\S*\s*$/, '\n');
    return `<script>${scriptSafe(source, path)}</script>`;
  }).join('\n');
  return cached;
}
