// Determinism rule: code inside the world (sim, workloads, nemesis) never touches real time or real
// randomness. This test reads the source and fails on any such call.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(fileURLToPath(import.meta.url), '../../..');
const WORLD_DIRS = ['sim', 'workloads', 'nemesis'];

export const FORBIDDEN: [string, RegExp][] = [
  ['Math.random', /\bMath\s*\.\s*random\b/],
  ['Date.now', /\bDate\s*\.\s*now\b/],
  ['new Date()', /\bnew\s+Date\s*\(/],
  ['performance.now', /\bperformance\s*\.\s*now\b/],
  ['setTimeout', /\bsetTimeout\b/],
  ['setInterval', /\bsetInterval\b/],
  ['setImmediate', /\bsetImmediate\b/],
  ['process.hrtime', /\bprocess\s*\.\s*hrtime\b/],
  ['queueMicrotask', /\bqueueMicrotask\b/],
  ['crypto random', /\b(randomBytes|randomUUID|randomInt|getRandomValues|randomFill(Sync)?)\b/],
  ['node:crypto import', /from\s+['"](node:)?crypto['"]/],
  ['node:timers import', /from\s+['"](node:)?timers(\/promises)?['"]/],
];

/** Removes comments and string contents so a word in a comment does not count as a call. */
export function stripCommentsAndStrings(source: string): string {
  return source
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/(^|[^:])\/\/.*$/gm, '$1')
    .replace(/'(?:[^'\\\n]|\\.)*'/g, "''")
    .replace(/"(?:[^"\\\n]|\\.)*"/g, '""');
}

export function violations(source: string): string[] {
  const code = stripCommentsAndStrings(source);
  return FORBIDDEN.filter(([, re]) => re.test(code)).map(([name]) => name);
}

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...tsFiles(p));
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

describe('no real time or randomness inside the world', () => {
  it('finds none in sim/, workloads/ and nemesis/', () => {
    const files = WORLD_DIRS.flatMap((d) => tsFiles(join(root, d)));
    expect(files.length).toBeGreaterThan(5);
    const found = files.flatMap((f) => violations(readFileSync(f, 'utf8')).map((v) => `${relative(root, f)}: ${v}`));
    expect(found).toEqual([]);
  });

  it('catches each forbidden call (the scanner itself works)', () => {
    const samples = [
      'const x = Math.random();',
      'const t = Date.now();',
      'const d = new Date();',
      'performance.now()',
      'setTimeout(() => {}, 1)',
      'setInterval(f, 5)',
      'setImmediate(f)',
      'process.hrtime.bigint()',
      "import { randomBytes } from 'node:crypto';",
      'crypto.getRandomValues(buf)',
    ];
    for (const s of samples) expect(violations(s)).not.toEqual([]);
    expect(violations('// we never call Math.random here\nconst s = "Date.now";')).toEqual([]);
  });
});
