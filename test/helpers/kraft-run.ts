// One test run in KRaft mode (the runner's own runTest), judged by every checker, with the Raft
// invariants watched at every step beside them. Used by the KRaft seed sweep test and bench/kraft.ts.
import { RaftMonitor } from '../../checkers/invariants/raft.ts';
import type { RaftViolation } from '../../checkers/invariants/raft.ts';
import { judge } from '../../cli/judge.ts';
import type { RunResult } from '../../cli/judge.ts';
import { runTest } from '../../cli/runner.ts';
import type { RunOptions } from '../../cli/runner.ts';

export interface KraftRun {
  result: RunResult;
  raftViolations: RaftViolation[];
  /** Active-controller changes seen (controller events with active: true). */
  controllerChanges: number;
  historyHash: string;
}

export function runKraft(options: RunOptions): KraftRun {
  let monitor: RaftMonitor | null = null;
  let controllerChanges = 0;
  const output = runTest({
    ...options,
    metadata: 'kraft',
    onCluster: (cluster) => {
      const m = new RaftMonitor(cluster.voterIds);
      monitor = m;
      cluster.observeRaft((e) => m.observe(e));
      cluster.world.onEvent((w) => (m.step = w.events));
      cluster.observe((e) => {
        if (e.kind === 'controller' && e.active) controllerChanges++;
      });
      options.onCluster?.(cluster);
    },
  });
  const result = judge(options.seed, output, 0, 'test');
  const raftViolations = (monitor as RaftMonitor | null)?.violations ?? [];
  return { result, raftViolations, controllerChanges, historyHash: output.historyHash };
}
