// Seeds of `kafkasim run` that once found a bug in the simulator, each fixed; they stay as regressions.
// Every one must now give a valid verdict with no unexplained invariant violation.
import { describe, expect, it } from 'vitest';
import { runOnce } from '../cli/run-once.ts';
import type { RunOptions } from '../cli/runner.ts';
import { FAULT_KINDS, type FaultKind } from '../nemesis/index.ts';
import type { Seed } from '../sim/world/index.ts';

const DEFAULT: FaultKind[] = ['partition', 'kill', 'pause'];
const EVERY_KIND_BUT_POWER_LOSS = FAULT_KINDS.filter((k) => k !== 'power-loss');
/** bench/bugfind.ts's modern runs: its own kind order, which the generator's draws follow. */
const BUGFIND_MODERN: FaultKind[] = ['kill', 'pause', 'partition', 'zk', 'leader-data-path', 'clock', 'packet'];

const CASES: { seed: Seed; nemesis: FaultKind[]; bug: string; metadata?: 'kraft' }[] = [
  { seed: 42, nemesis: DEFAULT, bug: 'every ISR member back from an unclean shutdown: offline for good (now KIP-966 last-known-leader recovery)' },
  { seed: 4, nemesis: DEFAULT, bug: 'a new controller took long-handled unclean restarts for new ones and took every partition offline' },
  { seed: 53, nemesis: DEFAULT, bug: 'a bounced sole leader was never elected again' },
  { seed: 92, nemesis: DEFAULT, bug: 'the live broker set changed before the registrations were read' },
  { seed: 114, nemesis: DEFAULT, bug: 'a controller that gave up on CONNECTIONLOSS kept /controller: no controller for good' },
  { seed: 155, nemesis: DEFAULT, bug: 'final reads began before the high watermark reached the log end' },
  { seed: 39, nemesis: DEFAULT, bug: 'final reads began while a follower waited out a dropped fetch' },
  { seed: 658, nemesis: DEFAULT, bug: "a zombie controller's LeaderAndIsr moved a restarted broker back an epoch (now KIP-380)" },
  { seed: 11, nemesis: EVERY_KIND_BUT_POWER_LOSS, bug: 'a sub-microsecond timer under clock drift fired forever at one instant' },
  { seed: 125, nemesis: EVERY_KIND_BUT_POWER_LOSS, bug: 'NOT_LEADER_OR_FOLLOWER after the append was taken as a certain failure (G1a)' },
  { seed: 60, nemesis: EVERY_KIND_BUT_POWER_LOSS, bug: 'acknowledged records held above a stuck high watermark were called lost' },
  { seed: 'modern-9758', nemesis: BUGFIND_MODERN, bug: "a broker change handled during a new controller's failover: the partitions it took offline stayed offline" },
  { seed: 325, nemesis: EVERY_KIND_BUT_POWER_LOSS, metadata: 'kraft', bug: 'an I/O error on the leader-epoch checkpoint left a half-made leader that never expanded its ISR' },
];

describe('regression seeds', () => {
  for (const c of CASES) {
    const faults = c.nemesis === DEFAULT ? 'default faults' : c.nemesis === BUGFIND_MODERN ? "bugfind's modern faults" : 'every fault kind but power-loss';
    it(`seed ${c.seed} (${faults}${c.metadata === 'kraft' ? ', KRaft' : ''}): ${c.bug}`, () => {
      const options: RunOptions = { seed: c.seed, nemesis: c.nemesis, ...(c.metadata === undefined ? {} : { metadata: c.metadata }) };
      const { result } = runOnce(options);
      expect(result.anomalies).toEqual({});
      expect(result.valid).toBe(true);
      const invariants = result.checkers.find((r) => r.checker === 'invariants');
      expect(invariants?.stats?.unexplained).toBe(0);
    });
  }
});
