// Golden history hashes: `kafkasim run` with the default options (the newest release, KRaft mode), with
// every fault kind, and on older releases in ZooKeeper mode. Recorded after issue 17's per-release fidelity
// work (the ZooKeeper path: AlterIsr from 2.7, the controller's leader-epoch bump on ISR shrink, the last
// ISR member kept, the broker epoch at registration; the data path: truncation on fetch, the follower high
// watermark going down, KAFKA-7152/4485/15021's ISR and high-watermark rules; the KRaft controller building
// its changes as PartitionChangeBuilder does, fencing brokers one at a time, with KIP-903's broker epochs), and
// again when `all` gained rolling-restart and replace-disk (every `all` schedule draws differently).
// A change that alters them changes what a seed means: say why in the commit, then update them here.
import { describe, expect, it } from 'vitest';
import { runOnce, type RunOptions } from '../../harness/index.ts';
import { FAULT_KINDS } from '../../nemesis/index.ts';

const ALL = [...FAULT_KINDS];

const GOLDEN: [string, RunOptions, string][] = [
  ['default, seed 1', { seed: 1 }, '90afefebc1d28137'],
  ['default, seed 42', { seed: 42 }, '8bc1c131df1d7b63'],
  ['--nemesis all, seed 1', { seed: 1, nemesis: ALL }, '0407b284621499bd'],
  ['--nemesis all, seed 42', { seed: 42, nemesis: ALL }, 'd58087b3cb5733f6'],
  [
    '--kafka 3.9 --metadata zk --nemesis all, seed 1',
    { seed: 1, kafka: '3.9', metadata: 'zk', nemesis: ALL },
    'df2c628c98a7244e',
  ],
  [
    '--kafka 3.9 --metadata zk --nemesis all, seed 42',
    { seed: 42, kafka: '3.9', metadata: 'zk', nemesis: ALL },
    'f07b53591d73de36',
  ],
  ['--kafka 0.10.2 --nemesis all, seed 1', { seed: 1, kafka: '0.10.2', nemesis: ALL }, '58fd0f52485c9044'],
  ['--kafka 2.4 --nemesis all, seed 1', { seed: 1, kafka: '2.4', nemesis: ALL }, 'c6113f69d82c8dfd'],
];

describe('reference history hashes', () => {
  it.each(GOLDEN)('%s', (_name, options, hash) => {
    expect(runOnce(options).result.historyHash).toBe(hash);
  });
});
