// Golden history hashes: `kafkasim run` with the default options (the newest release, KRaft mode), with
// every fault kind, and on older releases in ZooKeeper mode. Recorded after issue 17's per-release fidelity
// work (the ZooKeeper path: AlterIsr from 2.7, the controller's leader-epoch bump on ISR shrink, the last
// ISR member kept, the broker epoch at registration; the data path: truncation on fetch, the follower high
// watermark going down, KAFKA-7152/4485/15021's ISR and high-watermark rules; the KRaft controller building
// its changes as PartitionChangeBuilder does, fencing brokers one at a time, with KIP-903's broker epochs; the
// clients: the idempotent producer's epochs and sequences and the consumer's auto.offset.reset per release),
// and again when `all` gained rolling-restart and replace-disk (every `all` schedule draws differently), and
// when (issue 18) outages learnt to fail one replica after another (`all` draws differently again) and the
// final phase began to probe every partition with acks=all after the heal (every history ends differently), and
// when the producer learnt to wake when its retry backoff ends and the probe to wait for its last send (seed 42),
// and when a message waiting for a TCP retransmission learnt to go out once a packet fault ends (`all`, seed 1),
// and when the active KRaft controller began to write KIP-835's NoOpRecord every 500 ms (every KRaft run).
// A change that alters them changes what a seed means: say why in the commit, then update them here.
import { describe, expect, it } from 'vitest';
import { runOnce, type RunOptions } from '../../harness/index.ts';
import { FAULT_KINDS } from '../../nemesis/index.ts';

const ALL = [...FAULT_KINDS];

const GOLDEN: [string, RunOptions, string][] = [
  ['default, seed 1', { seed: 1 }, '17de88c078ce5d47'],
  ['default, seed 42', { seed: 42 }, '9e613aab2969a84c'],
  ['--nemesis all, seed 1', { seed: 1, nemesis: ALL }, 'ea175009709bf07f'],
  ['--nemesis all, seed 42', { seed: 42, nemesis: ALL }, '49f749d18f49f70d'],
  [
    '--kafka 3.9 --metadata zk --nemesis all, seed 1',
    { seed: 1, kafka: '3.9', metadata: 'zk', nemesis: ALL },
    '986f37f7a35b1b26',
  ],
  [
    '--kafka 3.9 --metadata zk --nemesis all, seed 42',
    { seed: 42, kafka: '3.9', metadata: 'zk', nemesis: ALL },
    'a51c70ce1c65ebf4',
  ],
  ['--kafka 0.10.2 --nemesis all, seed 1', { seed: 1, kafka: '0.10.2', nemesis: ALL }, '5c432ccd2e83873c'],
  ['--kafka 2.4 --nemesis all, seed 1', { seed: 1, kafka: '2.4', nemesis: ALL }, 'eef991f3fe853f22'],
];

describe('reference history hashes', () => {
  it.each(GOLDEN)('%s', (_name, options, hash) => {
    expect(runOnce(options).result.historyHash).toBe(hash);
  });
});
