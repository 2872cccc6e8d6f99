// Whole test runs in KRaft mode (the harness, the queue workload, generated faults, every checker), with
// the Raft invariants online as in every KRaft run: a sweep of seeds over every fault kind, determinism,
// and the all-replica outage where unclean election still loses acknowledged writes.
import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../../checkers/result.ts';
import { runOnce, type RunOptions, type RunResult } from '../../harness/index.ts';
import { FAULT_KINDS } from '../../nemesis/fault-kinds.ts';
import type { FaultKind } from '../../nemesis/fault-kinds.ts';
import { pair, schedule } from '../helpers/nemesis-schedule.ts';

interface KraftRun {
  result: RunResult;
  raft: CheckResult;
  /** Active-controller changes seen (controller events with active: true). */
  controllerChanges: number;
  historyHash: string;
}

function runKraft(options: RunOptions): KraftRun {
  let controllerChanges = 0;
  const run = runOnce(
    { ...options, metadata: 'kraft' },
    {
      onCluster: (cluster) =>
        void cluster.observe((e) => {
          if (e.kind === 'controller' && e.active) controllerChanges++;
        }),
    },
  );
  const raft = run.result.checkers.find((c) => c.checker === 'raft-invariants');
  if (raft === undefined) throw new Error('a KRaft run has the Raft checker');
  return { result: run.result, raft, controllerChanges, historyHash: run.result.historyHash };
}

const raftProblems = (r: KraftRun): string[] =>
  r.raft.anomalies.map((a) => `${a.name}: ${a.examples[0]?.description ?? ''}`);

/** Faults that lose nothing a modern cluster acknowledged (no power loss, no lying disk). */
const NON_LOSSY: FaultKind[] = ['partition', 'leader-data-path', 'zk', 'kill', 'pause', 'clock', 'packet'];

describe('KRaft mode runs, modern protocol, clean election', () => {
  it('50 seeds with every fault kind: no Raft violation, no replica invariant violation', () => {
    const bad: string[] = [];
    for (let seed = 1; seed <= 50; seed++) {
      const r = runKraft({ seed, timeSeconds: 30, nemesis: [...FAULT_KINDS] });
      for (const v of raftProblems(r)) bad.push(`seed ${seed}: ${v}`);
      const invariants = r.result.checkers.find((c) => c.checker === 'invariants');
      if (invariants?.valid !== true)
        bad.push(`seed ${seed}: invariants ${JSON.stringify(invariants?.anomalies.map((a) => a.name))}`);
      expect(r.result.stats.acked).toBeGreaterThan(0);
    }
    expect(bad).toEqual([]);
  });

  it('25 seeds with every fault that loses nothing acknowledged: every run valid, controllers failing over', () => {
    const bad: string[] = [];
    let failovers = 0;
    for (let seed = 1; seed <= 25; seed++) {
      const r = runKraft({ seed, timeSeconds: 30, nemesis: NON_LOSSY });
      failovers += r.controllerChanges - 1;
      if (r.result.valid !== true || r.raft.valid !== true)
        bad.push(`seed ${seed}: ${JSON.stringify(r.result.anomalies)}`);
    }
    expect(bad).toEqual([]);
    expect(failovers).toBeGreaterThan(5);
  });

  it('is deterministic: the same seed gives the same history hash', () => {
    const a = runKraft({ seed: 42, timeSeconds: 30, nemesis: [...FAULT_KINDS] });
    const b = runKraft({ seed: 42, timeSeconds: 30, nemesis: [...FAULT_KINDS] });
    expect(b.historyHash).toBe(a.historyHash);
    expect(b.result.stats).toEqual({ ...a.result.stats, wallMs: b.result.stats.wallMs });
  });

  /**
   * A follower is isolated from 5 s (the ISR drops it), then every replica of partition 0 crashes at
   * 24 s and they come back stalest first, 15 s apart (past broker.session.timeout.ms).
   */
  const staleOutage = schedule(
    pair(0, 'partition', 5000, 24500, { mode: 'isolate', target: { target: 'follower-of', partition: 0 } }),
    pair(1, 'outage', 24000, 30000, { partition: 0, mode: 'torn-last', order: 'stale-first', gapMs: 15000 }),
  );

  it('all replicas down, stalest back first, unclean election on: acknowledged writes are lost, as allowed', () => {
    const r = runKraft({ seed: 4, timeSeconds: 70, unclean: true, schedule: staleOutage, minIsr: 1 });
    // The configuration allows it (an unclean election of a replica without them): valid, the loss counted.
    expect(r.result.valid).toBe(true);
    expect(r.result.stats.lost).toBeGreaterThan(0);
    const byCause = r.result.allowed.lostByCause;
    expect(byCause['unclean-election']).toBeGreaterThan(0);
    expect(Object.values(byCause).reduce((a, b) => a + b, 0)).toBe(r.result.stats.lost);
    expect(
      runKraft({ seed: 4, timeSeconds: 70, unclean: true, schedule: staleOutage, minIsr: 1, strict: true }).result
        .valid,
    ).toBe(false);
    expect(raftProblems(r)).toEqual([]);
  });
});
