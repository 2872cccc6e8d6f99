// Golden history hashes: `kafkasim run` with the default options (the newest release, KRaft mode), with
// every fault kind, and on older releases in ZooKeeper mode. Recorded after issue 17's per-release fidelity
// work (the ZooKeeper path: AlterIsr from 2.7, the controller's leader-epoch bump on ISR shrink, the last
// ISR member kept, the broker epoch at registration; the data path: truncation on fetch, the follower high
// watermark going down, KAFKA-7152/4485/15021's ISR and high-watermark rules; the KRaft controller building
// its changes as PartitionChangeBuilder does, fencing brokers one at a time, with KIP-903's broker epochs).
// A change that alters them changes what a seed means: say why in the commit, then update them here.
import { describe, expect, it } from 'vitest';
import { runOnce, type RunOptions } from '../../harness/index.ts';
import { FAULT_KINDS } from '../../nemesis/index.ts';

const ALL = [...FAULT_KINDS];

const GOLDEN: [string, RunOptions, string][] = [
  ['default, seed 1', { seed: 1 }, '90afefebc1d28137'],
  ['default, seed 42', { seed: 42 }, '8bc1c131df1d7b63'],
  ['--nemesis all, seed 1', { seed: 1, nemesis: ALL }, '0aedac34969bcecf'],
  ['--nemesis all, seed 42', { seed: 42, nemesis: ALL }, '4a11dbc46e3e2bc9'],
  [
    '--kafka 3.9 --metadata zk --nemesis all, seed 1',
    { seed: 1, kafka: '3.9', metadata: 'zk', nemesis: ALL },
    '251e4b9ae600da4e',
  ],
  [
    '--kafka 3.9 --metadata zk --nemesis all, seed 42',
    { seed: 42, kafka: '3.9', metadata: 'zk', nemesis: ALL },
    'dbcad2d0f1de2504',
  ],
  ['--kafka 0.10.2 --nemesis all, seed 1', { seed: 1, kafka: '0.10.2', nemesis: ALL }, '61754abcfe750978'],
  ['--kafka 2.4 --nemesis all, seed 1', { seed: 1, kafka: '2.4', nemesis: ALL }, 'f479dd46cee1f64f'],
];

describe('reference history hashes', () => {
  it.each(GOLDEN)('%s', (_name, options, hash) => {
    expect(runOnce(options).result.historyHash).toBe(hash);
  });
});
