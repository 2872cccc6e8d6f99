// Golden history hashes: `kafkasim run` with the default options (the newest release, KRaft mode), with
// every fault kind, and on older releases in ZooKeeper mode. Recorded after issue 17's per-release fidelity
// work (the ZooKeeper path: AlterIsr from 2.7, the controller's leader-epoch bump on ISR shrink, the last
// ISR member kept, the broker epoch at registration; the data path: truncation on fetch, the follower high
// watermark going down, KAFKA-7152/4485/15021's ISR and high-watermark rules; the KRaft controller building
// its changes as PartitionChangeBuilder does, fencing brokers one at a time, with KIP-903's broker epochs; the
// clients: the idempotent producer's epochs and sequences and the consumer's auto.offset.reset per release).
// A change that alters them changes what a seed means: say why in the commit, then update them here.
import { describe, expect, it } from 'vitest';
import { runOnce, type RunOptions } from '../../harness/index.ts';
import { FAULT_KINDS } from '../../nemesis/index.ts';

const ALL = [...FAULT_KINDS];

const GOLDEN: [string, RunOptions, string][] = [
  ['default, seed 1', { seed: 1 }, '8bccc99c69621e56'],
  ['default, seed 42', { seed: 42 }, '25a5e6647dc7feb6'],
  ['--nemesis all, seed 1', { seed: 1, nemesis: ALL }, 'bc7c372f8f88a146'],
  ['--nemesis all, seed 42', { seed: 42, nemesis: ALL }, '4dd38437bacc490b'],
  [
    '--kafka 3.9 --metadata zk --nemesis all, seed 1',
    { seed: 1, kafka: '3.9', metadata: 'zk', nemesis: ALL },
    'eeaa07924a02a111',
  ],
  [
    '--kafka 3.9 --metadata zk --nemesis all, seed 42',
    { seed: 42, kafka: '3.9', metadata: 'zk', nemesis: ALL },
    '284c49558ee359c1',
  ],
  ['--kafka 0.10.2 --nemesis all, seed 1', { seed: 1, kafka: '0.10.2', nemesis: ALL }, 'b3feb4cb2c7b27ed'],
  ['--kafka 2.4 --nemesis all, seed 1', { seed: 1, kafka: '2.4', nemesis: ALL }, 'f479dd46cee1f64f'],
];

describe('reference history hashes', () => {
  it.each(GOLDEN)('%s', (_name, options, hash) => {
    expect(runOnce(options).result.historyHash).toBe(hash);
  });
});
