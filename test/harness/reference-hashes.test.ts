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
// and when (issue 18) each producer node began to keep max.in.flight.requests.per.connection sends open (every
// history with producers changes; `workload: { sendsInFlight: 1 }` gives the earlier hashes back).
// A change that alters them changes what a seed means: say why in the commit, then update them here.
import { describe, expect, it } from 'vitest';
import { runOnce, type RunOptions } from '../../harness/index.ts';
import { FAULT_KINDS } from '../../nemesis/index.ts';

const ALL = [...FAULT_KINDS];

const GOLDEN: [string, RunOptions, string][] = [
  ['default, seed 1', { seed: 1 }, '37b024f9b4ad12b5'],
  ['default, seed 42', { seed: 42 }, '8d3b0fbfb52e3c17'],
  // One send open per producer node: the queue workload as it was before pipelining, history for history.
  ['default, seed 1, sendsInFlight 1', { seed: 1, workload: { sendsInFlight: 1 } }, '17de88c078ce5d47'],
  ['--nemesis all, seed 1', { seed: 1, nemesis: ALL }, '04fe713809313f41'],
  ['--nemesis all, seed 42', { seed: 42, nemesis: ALL }, 'b6333395a8dee30d'],
  [
    '--kafka 3.9 --metadata zk --nemesis all, seed 1',
    { seed: 1, kafka: '3.9', metadata: 'zk', nemesis: ALL },
    '7de330d47d9b5cd1',
  ],
  [
    '--kafka 3.9 --metadata zk --nemesis all, seed 42',
    { seed: 42, kafka: '3.9', metadata: 'zk', nemesis: ALL },
    '2b4a06382580bcc6',
  ],
  ['--kafka 0.10.2 --nemesis all, seed 1', { seed: 1, kafka: '0.10.2', nemesis: ALL }, '20034f38df53ce94'],
  ['--kafka 2.4 --nemesis all, seed 1', { seed: 1, kafka: '2.4', nemesis: ALL }, '6f6b1caf945170bd'],
];

describe('reference history hashes', () => {
  it.each(GOLDEN)('%s', (_name, options, hash) => {
    expect(runOnce(options).result.historyHash).toBe(hash);
  });
});
