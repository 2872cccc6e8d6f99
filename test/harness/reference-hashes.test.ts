// Golden history hashes: `kafkasim run` with the default options (the newest release, KRaft mode), with
// every fault kind, and on older releases in ZooKeeper mode, as recorded when --kafka arrived. (Every fault
// kind on the newest release gives the hashes the KRaft runs gave before: its behaviours are the ones the
// old "modern" protocol had.) A change that alters them changes what a seed means: say why in the commit,
// then update them here. The ZooKeeper-mode ones moved when issue 17's fidelity gaps closed (AlterIsr from
// 2.7, the controller's leader-epoch bump on ISR shrink, the last ISR member kept offline, the broker epoch
// from the registration multi, brokers serving through a session expiry).
import { describe, expect, it } from 'vitest';
import { runOnce, type RunOptions } from '../../harness/index.ts';
import { FAULT_KINDS } from '../../nemesis/index.ts';

const ALL = [...FAULT_KINDS];

const GOLDEN: [string, RunOptions, string][] = [
  ['default, seed 1', { seed: 1 }, 'd22ec3daed4f6bf5'],
  ['default, seed 42', { seed: 42 }, '7b49e7c7cd1dfefe'],
  ['--nemesis all, seed 1', { seed: 1, nemesis: ALL }, '3c4ca9020f33424e'],
  ['--nemesis all, seed 42', { seed: 42, nemesis: ALL }, 'c9785cdf671a3eb2'],
  [
    '--kafka 3.9 --metadata zk --nemesis all, seed 1',
    { seed: 1, kafka: '3.9', metadata: 'zk', nemesis: ALL },
    '2a9e284ce66ceef8',
  ],
  [
    '--kafka 3.9 --metadata zk --nemesis all, seed 42',
    { seed: 42, kafka: '3.9', metadata: 'zk', nemesis: ALL },
    '6b7d567845d60836',
  ],
  ['--kafka 0.10.2 --nemesis all, seed 1', { seed: 1, kafka: '0.10.2', nemesis: ALL }, '61754abcfe750978'],
  ['--kafka 2.4 --nemesis all, seed 1', { seed: 1, kafka: '2.4', nemesis: ALL }, '98e7ce44048494d4'],
];

describe('reference history hashes', () => {
  it.each(GOLDEN)('%s', (_name, options, hash) => {
    expect(runOnce(options).result.historyHash).toBe(hash);
  });
});
