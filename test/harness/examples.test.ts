// Every repro file shipped in examples/ replays to the history hash it records and still shows the
// anomalies it was kept for, so that no example rots silently when the simulator changes.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRepro, reproRunOptions, runOnce } from '../../harness/index.ts';
import { repoRoot } from '../helpers/paths.ts';

const dir = join(repoRoot, 'examples/bugfind');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort();

describe('examples/bugfind', () => {
  it('holds the twelve historical bugs', () => {
    expect(files).toHaveLength(12);
  });

  for (const file of files) {
    it(`${file} replays to its recorded hash and anomalies`, () => {
      const repro = readRepro(join(dir, file));
      const run = runOnce(reproRunOptions(repro));
      expect(run.result.historyHash).toBe(repro.expectedHistoryHash);
      expect(run.result.valid).toBe(false);
      for (const name of repro.anomalies ?? []) expect(Object.keys(run.result.anomalies)).toContain(name);
    });
  }
});
