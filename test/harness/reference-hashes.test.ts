// Golden history hashes: `kafkasim run` with the default options (the newest release, KRaft mode), with
// every fault kind, and on older releases in ZooKeeper mode. Recorded when --kafka arrived; all but
// 0.10.2's moved with issue 17's data path (truncation on fetch, the follower high watermark, the ISR and
// high-watermark rules per release). A change that alters them changes what a seed means: say why in the
// commit, then update them here.
import { describe, expect, it } from 'vitest';
import { runOnce, type RunOptions } from '../../harness/index.ts';
import { FAULT_KINDS } from '../../nemesis/index.ts';

const ALL = [...FAULT_KINDS];

const GOLDEN: [string, RunOptions, string][] = [
  ['default, seed 1', { seed: 1 }, 'a987adab937054a5'],
  ['default, seed 42', { seed: 42 }, '8bc1c131df1d7b63'],
  ['--nemesis all, seed 1', { seed: 1, nemesis: ALL }, '483752ba0f56eb02'],
  ['--nemesis all, seed 42', { seed: 42, nemesis: ALL }, '4a11dbc46e3e2bc9'],
  [
    '--kafka 3.9 --metadata zk --nemesis all, seed 1',
    { seed: 1, kafka: '3.9', metadata: 'zk', nemesis: ALL },
    'f49f28abebff6046',
  ],
  [
    '--kafka 3.9 --metadata zk --nemesis all, seed 42',
    { seed: 42, kafka: '3.9', metadata: 'zk', nemesis: ALL },
    'fc47aefe08a7283b',
  ],
  ['--kafka 0.10.2 --nemesis all, seed 1', { seed: 1, kafka: '0.10.2', nemesis: ALL }, '49a7db29d1ac3a0f'],
  ['--kafka 2.4 --nemesis all, seed 1', { seed: 1, kafka: '2.4', nemesis: ALL }, '19eb1d209b7fb158'],
];

describe('reference history hashes', () => {
  it.each(GOLDEN)('%s', (_name, options, hash) => {
    expect(runOnce(options).result.historyHash).toBe(hash);
  });
});
