// One way through: cli → harness → reports/checkers/nemesis/workloads → sim/kafka → sim/world, and
// nothing imports cli/ (but cli's own tests). The simulator's events (sim/events) and the history format
// (workloads/history) are plain data that import nothing, so checkers and reports can read both without
// importing the simulator. This test reads every import in the tree and fails on an arrow pointing the
// wrong way.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(fileURLToPath(import.meta.url), '../../..');

function tsFiles(dir: string): string[] {
  let entries: string[] = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Project-relative targets of the relative imports of a file. */
export function importsOf(file: string, source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(/(?:import|export)\s[^'"]*?from\s+['"](\.{1,2}\/[^'"]+)['"]/g)) {
    out.push(relative(root, resolve(dirname(file), m[1])));
  }
  return out;
}

/** Which folders each area may import from (besides itself). */
const ALLOWED: [string, string[]][] = [
  ['workloads/history/', []],
  ['sim/events/', []],
  ['sim/world/', []],
  ['sim/kafka/', ['sim/world/', 'sim/events/']],
  ['checkers/', ['workloads/history/', 'sim/events/']],
  ['reports/', ['checkers/', 'workloads/history/', 'sim/events/']],
  ['nemesis/', ['sim/', 'workloads/history/']],
  ['workloads/', ['sim/']],
  ['harness/', ['reports/', 'checkers/', 'nemesis/', 'workloads/', 'sim/']],
  ['cli/', ['harness/', 'reports/', 'checkers/', 'nemesis/', 'workloads/', 'sim/']],
  ['bench/', ['harness/', 'reports/', 'checkers/', 'nemesis/', 'workloads/', 'sim/', 'test/helpers/']],
  ['test/helpers/', ['harness/', 'reports/', 'checkers/', 'nemesis/', 'workloads/', 'sim/']],
  // cli's own tests import what they test; no other test does.
  ['test/cli/', ['cli/', 'test/helpers/', 'harness/', 'reports/', 'checkers/', 'nemesis/', 'workloads/', 'sim/']],
  ['test/', ['test/helpers/', 'harness/', 'reports/', 'checkers/', 'nemesis/', 'workloads/', 'sim/']],
];

function areaOf(path: string): string | undefined {
  return ALLOWED.map(([a]) => a).find((a) => path.startsWith(a));
}

export function arrowViolations(files: { path: string; imports: string[] }[]): string[] {
  const bad: string[] = [];
  for (const f of files) {
    const area = areaOf(f.path);
    if (area === undefined) continue;
    const allowed = (ALLOWED.find(([a]) => a === area) as [string, string[]])[1];
    for (const target of f.imports) {
      if (target.startsWith(area) || allowed.some((a) => target.startsWith(a))) continue;
      bad.push(`${f.path} imports ${target}`);
    }
  }
  return bad;
}

describe('import arrows', () => {
  it('point one way across the whole tree', () => {
    const files = ['sim', 'workloads', 'checkers', 'nemesis', 'reports', 'harness', 'cli', 'bench', 'test'].flatMap(
      (d) => tsFiles(join(root, d)),
    );
    expect(files.length).toBeGreaterThan(10);
    const parsed = files.map((f) => ({ path: relative(root, f), imports: importsOf(f, readFileSync(f, 'utf8')) }));
    expect(arrowViolations(parsed)).toEqual([]);
  });

  it('catches a checker importing the simulator, and the world importing Kafka', () => {
    expect(arrowViolations([{ path: 'checkers/queue/check.ts', imports: ['sim/world/world.ts'] }])).toHaveLength(1);
    expect(arrowViolations([{ path: 'sim/world/world.ts', imports: ['sim/kafka/broker.ts'] }])).toHaveLength(1);
    expect(arrowViolations([{ path: 'workloads/history/edn.ts', imports: ['sim/world/hash.ts'] }])).toHaveLength(1);
    expect(arrowViolations([{ path: 'checkers/queue/check.ts', imports: ['workloads/history/format.ts'] }])).toEqual(
      [],
    );
    expect(arrowViolations([{ path: 'checkers/invariants/monitor.ts', imports: ['sim/events/index.ts'] }])).toEqual([]);
    expect(arrowViolations([{ path: 'sim/events/replication.ts', imports: ['sim/kafka/broker.ts'] }])).toHaveLength(1);
  });

  it('catches anything importing cli/ but its tests, and the harness importing cli/', () => {
    expect(arrowViolations([{ path: 'harness/run-test.ts', imports: ['cli/options.ts'] }])).toHaveLength(1);
    expect(arrowViolations([{ path: 'bench/fuzz.ts', imports: ['cli/fuzz/pool.ts'] }])).toHaveLength(1);
    expect(arrowViolations([{ path: 'test/harness/run.test.ts', imports: ['cli/main.ts'] }])).toHaveLength(1);
    expect(arrowViolations([{ path: 'reports/run-report.ts', imports: ['harness/judge.ts'] }])).toHaveLength(1);
    expect(arrowViolations([{ path: 'test/cli/run.test.ts', imports: ['cli/main.ts'] }])).toEqual([]);
    expect(arrowViolations([{ path: 'cli/commands/run.ts', imports: ['harness/run-test.ts'] }])).toEqual([]);
  });
});
