// Seeds of `kafkasim run` that once found a bug in the simulator, each fixed; they stay as regressions.
// Every one must now give a valid verdict with no unexplained invariant violation. They were found before
// --kafka, on what is now Kafka 3.9 in ZooKeeper mode with KIP-966's eligible leader replicas switched on
// (ZOOKEEPER_FOUND_ON) or the newest release in KRaft mode, and run on the same so that they stay the same runs.
import { describe, expect, it } from 'vitest';
import { runOnce, type RunOptions } from '../../harness/index.ts';
import type { FaultKind } from '../../nemesis/index.ts';
import type { Seed } from '../../sim/world/index.ts';

const DEFAULT: FaultKind[] = ['partition', 'kill', 'pause'];
/** Where the ZooKeeper-mode seeds were found: "modern" ZooKeeper mode before --kafka. */
const ZOOKEEPER_FOUND_ON: Partial<RunOptions> = {
  kafka: '3.9',
  metadata: 'zk',
  protocol: '+elr',
  killModes: 'process',
};
/**
 * Every kind `all` had when these seeds were found but power-loss: the kinds issue 17 added since (rolling-restart,
 * replace-disk) would change what the seeds draw.
 */
const EVERY_KIND_BUT_POWER_LOSS: FaultKind[] = [
  'partition',
  'leader-data-path',
  'zk',
  'kill',
  'kill-all',
  'pause',
  'outage',
  'clock',
  'disk',
  'packet',
];
/** `--nemesis kill,partition,pause,kill-all` as the command line resolves it (the generator draws in this order). */
const WITH_KILL_ALL: FaultKind[] = ['partition', 'kill', 'kill-all', 'pause'];
/** bench/bugfind.ts's modern runs: its own kind order, which the generator's draws follow. */
const BUGFIND_MODERN: FaultKind[] = ['kill', 'pause', 'partition', 'zk', 'leader-data-path', 'clock', 'packet'];

const CASES: { seed: Seed; nemesis: FaultKind[]; bug: string; metadata?: 'kraft' }[] = [
  {
    seed: 42,
    nemesis: DEFAULT,
    bug: 'every ISR member back from an unclean shutdown: offline for good (now KIP-966 last-known-leader recovery)',
  },
  {
    seed: 4,
    nemesis: DEFAULT,
    bug: 'a new controller took long-handled unclean restarts for new ones and took every partition offline',
  },
  { seed: 53, nemesis: DEFAULT, bug: 'a bounced sole leader was never elected again' },
  { seed: 92, nemesis: DEFAULT, bug: 'the live broker set changed before the registrations were read' },
  {
    seed: 114,
    nemesis: DEFAULT,
    bug: 'a controller that gave up on CONNECTIONLOSS kept /controller: no controller for good',
  },
  { seed: 155, nemesis: DEFAULT, bug: 'final reads began before the high watermark reached the log end' },
  { seed: 39, nemesis: DEFAULT, bug: 'final reads began while a follower waited out a dropped fetch' },
  {
    seed: 658,
    nemesis: DEFAULT,
    bug: "a zombie controller's LeaderAndIsr moved a restarted broker back an epoch (now KIP-380)",
  },
  {
    seed: 11,
    nemesis: EVERY_KIND_BUT_POWER_LOSS,
    bug: 'a sub-microsecond timer under clock drift fired forever at one instant',
  },
  {
    seed: 125,
    nemesis: EVERY_KIND_BUT_POWER_LOSS,
    bug: 'NOT_LEADER_OR_FOLLOWER after the append was taken as a certain failure (G1a)',
  },
  {
    seed: 60,
    nemesis: EVERY_KIND_BUT_POWER_LOSS,
    bug: 'acknowledged records held above a stuck high watermark were called lost',
  },
  {
    seed: 'modern-9758',
    nemesis: BUGFIND_MODERN,
    bug: "a broker change handled during a new controller's failover: the partitions it took offline stayed offline",
  },
  {
    seed: 325,
    nemesis: EVERY_KIND_BUT_POWER_LOSS,
    metadata: 'kraft',
    bug: 'an I/O error on the leader-epoch checkpoint left a half-made leader that never expanded its ISR',
  },
  {
    seed: 59,
    nemesis: DEFAULT,
    metadata: 'kraft',
    bug: 'a broker took a diverging epoch from a leader deposed during a pause, and threw (issue 20)',
  },
  {
    seed: 1033,
    nemesis: WITH_KILL_ALL,
    metadata: 'kraft',
    bug: 'a broker took a diverging epoch from a leader deposed during a pause, and threw (issue 20)',
  },
  {
    seed: 157,
    nemesis: WITH_KILL_ALL,
    metadata: 'kraft',
    bug:
      'a controller refused AlterPartition on a partition epoch it had not committed; the leader gave up and ' +
      'its ISR never grew back',
  },
  {
    seed: 322,
    nemesis: DEFAULT,
    metadata: 'kraft',
    bug: "the Raft monitor held a leader deposed during a pause to the newer leader's high watermark",
  },
];

/** bench/bugfind.ts's heavier runs: its fault lists, long runs over six partitions, many faults. */
const BUSY: Partial<RunOptions> = {
  intensity: 0.8,
  timeSeconds: 180,
  partitions: 6,
  broker: { 'leader.imbalance.check.interval.seconds': 5 },
};
const INTENSE: Partial<RunOptions> = { intensity: 1, timeSeconds: 180, partitions: 6 };
const ZOMBIE_CHURN: FaultKind[] = ['pause', 'zk', 'kill', 'packet', 'partition', 'leader-data-path'];
const LEADER_CHURN: FaultKind[] = ['leader-data-path', 'kill', 'pause', 'zk'];
const KILL_PACKET: FaultKind[] = ['kill', 'packet', 'leader-data-path'];

const HEAVY_CASES: { seed: Seed; nemesis: FaultKind[]; knobs: Partial<RunOptions>; bug: string }[] = [
  {
    seed: 'bug8-s1-200',
    nemesis: KILL_PACKET,
    knobs: INTENSE,
    bug:
      "a restarted broker's new connection waited behind the old one's retransmission backoff: " +
      'no ZooKeeper session for minutes',
  },
  {
    seed: 'bug8-s1-436',
    nemesis: KILL_PACKET,
    knobs: INTENSE,
    bug: 'a /controller create whose answer was lost: the node was ours, yet nobody was controller',
  },
  {
    seed: 'k8-826',
    nemesis: KILL_PACKET,
    knobs: INTENSE,
    bug: 'a registration read that lost its connection gave broker epoch 0, and brokers refused every LeaderAndIsr',
  },
  {
    seed: 'bug7-s1-285',
    nemesis: ZOMBIE_CHURN,
    knobs: BUSY,
    bug:
      'an ISR write whose answer was lost was taken as failed: the leader acknowledged with a smaller ISR than ' +
      'ZooKeeper held',
  },
  {
    seed: 'bug7-s1-240',
    nemesis: ZOMBIE_CHURN,
    knobs: BUSY,
    bug: 'a failover that lost its connection while reading partition states managed none of them',
  },
  {
    seed: 'bug7-s1-218',
    nemesis: ZOMBIE_CHURN,
    knobs: BUSY,
    bug: "a deposed controller's answer, delivered after a pause, was taken for the current ISR (StrongIsr)",
  },
  {
    seed: 'l5-223',
    nemesis: LEADER_CHURN,
    knobs: BUSY,
    bug: 'a controller write whose answer was lost was taken as not written: the new leader was never told',
  },
];

/** Valid all along, but the cluster never recovered after the faults healed: acknowledged writes unreadable. */
const STUCK_CASES: { seed: Seed; bug: string }[] = [
  {
    seed: 536,
    bug:
      'a transient EIO left a replica half-changed and the broker up (now the broker halts, as Kafka does, and ' +
      'is restarted)',
  },
  { seed: 823, bug: 'an I/O error on a leader left its partition without a working leader (now a halt and a restart)' },
  {
    seed: 728,
    bug:
      'a controller write that lost its ZooKeeper connection left a partition offline after its last known ' +
      'leader came back',
  },
];

describe('regression seeds', () => {
  for (const c of STUCK_CASES) {
    it(`seed ${c.seed} (every fault kind but power-loss) recovers after the heal: ${c.bug}`, () => {
      const { result } = runOnce({ ...ZOOKEEPER_FOUND_ON, seed: c.seed, nemesis: EVERY_KIND_BUT_POWER_LOSS });
      expect(result.valid).toBe(true);
      expect(result.stats.recoveryMs).toBeGreaterThanOrEqual(0);
      expect(result.stats.unreadable).toBe(0);
    });
  }

  for (const c of HEAVY_CASES) {
    it(`seed ${c.seed} (bugfind's [${c.nemesis.join(',')}], intensity ${c.knobs.intensity}): ${c.bug}`, () => {
      const { result } = runOnce({ ...ZOOKEEPER_FOUND_ON, seed: c.seed, nemesis: c.nemesis, ...c.knobs });
      expect(result.anomalies).toEqual({});
      expect(result.valid).toBe(true);
      const invariants = result.checkers.find((r) => r.checker === 'invariants');
      expect(invariants?.stats?.unexplained).toBe(0);
    });
  }

  for (const c of CASES) {
    const faults =
      c.nemesis === DEFAULT
        ? 'default faults'
        : c.nemesis === BUGFIND_MODERN
          ? "bugfind's modern faults"
          : c.nemesis === WITH_KILL_ALL
            ? 'partition, kill, kill-all, pause'
            : 'every fault kind but power-loss';
    it(`seed ${c.seed} (${faults}${c.metadata === 'kraft' ? ', KRaft' : ''}): ${c.bug}`, () => {
      const options: RunOptions = {
        seed: c.seed,
        nemesis: c.nemesis,
        ...(c.metadata === undefined ? ZOOKEEPER_FOUND_ON : { metadata: c.metadata, killModes: 'process' }),
      };
      const { result } = runOnce(options);
      expect(result.anomalies).toEqual({});
      expect(result.valid).toBe(true);
      const invariants = result.checkers.find((r) => r.checker === 'invariants');
      expect(invariants?.stats?.unexplained).toBe(0);
    });
  }
});
