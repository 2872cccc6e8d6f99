// No line over 120 characters in the project's sources and tests (prettier wraps code at 120: npm run
// format; comments and long strings are wrapped by hand).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/paths.ts';

export const MAX_LINE = 120;
const DIRS = ['sim', 'workloads', 'checkers', 'nemesis', 'reports', 'harness', 'cli', 'bench', 'test', 'bin'];

function sources(dir: string): string[] {
  let entries: string[] = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) return sources(p);
    return /\.(ts|mjs|js)$/.test(p) ? [p] : [];
  });
}

/** "file:line (length)" for every line over the limit. */
export function longLines(path: string, text: string): string[] {
  return text.split('\n').flatMap((line, i) => (line.length > MAX_LINE ? [`${path}:${i + 1} (${line.length})`] : []));
}

describe('line length', () => {
  it(`keeps every line of the sources and tests within ${MAX_LINE} characters`, () => {
    const files = DIRS.flatMap((d) => sources(join(repoRoot, d)));
    expect(files.length).toBeGreaterThan(100);
    expect(files.flatMap((f) => longLines(relative(repoRoot, f), readFileSync(f, 'utf8')))).toEqual([]);
  });

  it('catches a long line', () => {
    expect(longLines('a.ts', `ok\n${'x'.repeat(MAX_LINE + 1)}\n`)).toEqual([`a.ts:2 (${MAX_LINE + 1})`]);
    expect(longLines('a.ts', 'x'.repeat(MAX_LINE))).toEqual([]);
  });
});
