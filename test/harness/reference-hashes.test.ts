// Golden history hashes: `kafkasim run` with the default options, with every fault kind, and in KRaft mode
// with every fault kind, as recorded before the harness moved out of cli/ (and the monitors went online).
// A change that alters them changes what a seed means: say why in the commit, then update them here.
import { describe, expect, it } from 'vitest';
import { runOnce, type RunOptions } from '../../harness/index.ts';
import { FAULT_KINDS } from '../../nemesis/index.ts';

const ALL = [...FAULT_KINDS];

const GOLDEN: [string, RunOptions, string][] = [
  ['default, seed 1', { seed: 1 }, 'a12e248ea5c95a8a'],
  ['default, seed 42', { seed: 42 }, '19466c39d9677af4'],
  ['--nemesis all, seed 1', { seed: 1, nemesis: ALL }, 'a73c256c3a9687a4'],
  ['--nemesis all, seed 42', { seed: 42, nemesis: ALL }, '0ff4019f3c24b6cd'],
  ['--metadata kraft --nemesis all, seed 1', { seed: 1, metadata: 'kraft', nemesis: ALL }, '3c4ca9020f33424e'],
  ['--metadata kraft --nemesis all, seed 42', { seed: 42, metadata: 'kraft', nemesis: ALL }, 'c9785cdf671a3eb2'],
];

describe('reference history hashes', () => {
  it.each(GOLDEN)('%s', (_name, options, hash) => {
    expect(runOnce(options).result.historyHash).toBe(hash);
  });
});
