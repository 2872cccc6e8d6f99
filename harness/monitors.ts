// Monitors online: the checkers that read the simulator's events (the replica invariants, the Raft
// invariants) run inside the run, fed as each event is emitted, and each violation names the world event
// in progress (its step) and the simulated time. By default a run records violations and goes on, so the
// history and the report are whole; a test that stops at the first finding ends the run right after the
// world event in which it appeared.
import type { Checker, EventMonitor } from '../checkers/checker.ts';
import type { CheckResult } from '../checkers/result.ts';
import { effectiveMinIsrOf } from '../sim/kafka/topics.ts';
import type { KafkaCluster } from '../sim/kafka/cluster.ts';

/** Where a run stopped because a monitor found a violation (--stop-on-violation). */
export interface StoppedAt {
  checker: string;
  /** The world event after which the run stopped. */
  step: number;
  time: number;
}

/** Thrown from the world's event hook to end the run at once; the harness catches it. */
export class StopRun extends Error {
  constructor(readonly at: StoppedAt) {
    super(`stopped at world event ${at.step} (t=${at.time} ms): ${at.checker} found a violation`);
    this.name = 'StopRun';
  }
}

interface Running {
  name: string;
  monitor: EventMonitor<never>;
}

export class OnlineMonitors {
  private readonly running: Running[] = [];

  constructor(
    private readonly cluster: KafkaCluster,
    checkers: readonly Checker[],
  ) {
    const world = cluster.world;
    // Read while an event runs: the events completed so far, plus the one in progress.
    const context = {
      step: () => world.events + 1,
      voters: cluster.voterIds,
      minInsyncReplicas: cluster.config.broker['min.insync.replicas'],
      replicationFactor: cluster.config.replicationFactor,
      ...(cluster.config.internalTopics.enabled.length === 0
        ? {}
        : { effectiveMinIsrOf: (p: number) => effectiveMinIsrOf(cluster.config, p) }),
    };
    for (const c of checkers) {
      if (c.kind === 'replication-monitor') {
        const monitor = c.start(context);
        cluster.observe((e) => monitor.observe(e));
        this.running.push({ name: c.name, monitor });
      } else if (c.kind === 'raft-monitor') {
        const monitor = c.start(context);
        cluster.observeRaft((e) => monitor.observe(e));
        this.running.push({ name: c.name, monitor });
      }
    }
  }

  /** Findings so far over every monitor. */
  findings(): number {
    let n = 0;
    for (const r of this.running) n += r.monitor.findings();
    return n;
  }

  /** Ends the run (StopRun) right after the world event in which some monitor first has a finding. */
  stopAtFirstFinding(): void {
    const world = this.cluster.world;
    world.onEvent(() => {
      for (const r of this.running) {
        if (r.monitor.findings() > 0) throw new StopRun({ checker: r.name, step: world.events, time: world.now });
      }
    });
  }

  /** Each monitor's result, by checker name. */
  results(): Map<string, CheckResult> {
    return new Map(this.running.map((r) => [r.name, r.monitor.result()]));
  }
}
