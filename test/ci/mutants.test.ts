// bench/mutants/: each patch is one realistic mistake in sim/kafka for `npm run bench:mutants`. They must keep
// applying to the simulator as it changes (a patch that no longer applies measures nothing), carry the header the
// bench reads, and touch the system under test only.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/paths.ts';

const dir = join(repoRoot, 'bench/mutants');
const patches = readdirSync(dir).filter((f) => f.endsWith('.patch'));

describe('bench/mutants', () => {
  it('holds at least 20 mutants, each named once, with what it breaks', () => {
    expect(patches.length).toBeGreaterThanOrEqual(20);
    const names = patches.map((f) => {
      const text = readFileSync(join(dir, f), 'utf8');
      const head = text.slice(0, text.indexOf('diff --git'));
      expect(head).toMatch(/^kafkasim-mutant: [a-z0-9-]+\n/);
      expect(head).toMatch(/\nwhat: .{20,}\n/);
      const changed = [...text.matchAll(/^diff --git a\/(\S+)/gm)].map((m) => m[1]);
      expect(changed.length).toBeGreaterThan(0);
      for (const file of changed) expect(file).toMatch(/^sim\/kafka\//);
      return /^kafkasim-mutant: (\S+)/.exec(head)?.[1];
    });
    expect(new Set(names).size).toBe(names.length);
  });

  it.each(patches)('%s applies to the sources as they are', (file) => {
    const r = spawnSync('git', ['apply', '--check', join(dir, file)], { cwd: repoRoot, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
