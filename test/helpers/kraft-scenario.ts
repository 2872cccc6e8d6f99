// The scenario DSL in KRaft mode: the same cluster handle and invariant monitor, plus the Raft
// invariants watched at every step and helpers to reach the controller quorum.
import { RaftMonitor } from '../../checkers/invariants/raft.ts';
import type { KraftConfig } from '../../sim/kafka/kraft/config.ts';
import { controllerNode } from '../../sim/kafka/kraft/config.ts';
import type { RaftEvent } from '../../sim/events/index.ts';
import type { CrashMode } from '../../sim/world/disk.ts';
import type { ScenarioOptions } from './scenario.ts';
import { Scenario } from './scenario.ts';

/** Test-friendly KRaft timeouts, as FAST_BROKER has for ZooKeeper: a dead broker is fenced within 6 s. */
export const FAST_KRAFT: Partial<KraftConfig> = {
  'broker.heartbeat.interval.ms': 1000,
  'broker.session.timeout.ms': 6000,
};

export class KraftScenario extends Scenario {
  readonly raft: RaftMonitor;
  readonly raftEvents: RaftEvent[] = [];

  constructor(o: Omit<ScenarioOptions, 'metadata'> = {}) {
    super({ ...o, metadata: 'kraft', kraft: { ...FAST_KRAFT, ...(o.kraft ?? {}) } });
    const monitor = new RaftMonitor(this.cluster.voterIds);
    this.raft = monitor;
    this.cluster.observeRaft((e) => {
      this.raftEvents.push(e);
      monitor.observe(e);
    });
    this.world.onEvent((w) => (monitor.step = w.events));
  }

  get voters(): number[] {
    return this.cluster.voterIds;
  }

  /** The active controller's voter id, or -1. */
  activeController(): number {
    const node = this.cluster.activeControllerNode();
    return node === null ? -1 : (this.voters.find((v) => controllerNode(v) === node) ?? -1);
  }

  controller(voter: number) {
    const c = this.cluster.kraftController(voter);
    if (c === null) throw new Error(`controller ${voter} is down`);
    return c;
  }

  crashController(voter: number, mode: CrashMode = 'lose-unsynced'): this {
    this.world.crash(controllerNode(voter), mode);
    return this;
  }

  restartController(voter: number): this {
    this.world.start(controllerNode(voter));
    return this;
  }

  /** Cuts a node off from every other server node (brokers and controllers), both ways. */
  isolate(node: string): this {
    for (const other of this.cluster.serverNodes()) if (other !== node) this.world.net.cutBoth(node, other);
    return this;
  }

  /** Cuts a broker off from the controller quorum only; the data path between brokers stays up. */
  cutFromQuorum(broker: number): this {
    for (const c of this.cluster.controllerNodes()) this.world.net.cutBoth(this.cluster.nodeOf(broker), c);
    return this;
  }

  runUntilActive(maxMs = 20_000): number {
    const deadline = this.world.now + maxMs;
    this.world.runUntil((w) => this.activeController() >= 0 || w.now >= deadline);
    return this.activeController();
  }

  /** Largest Raft epoch any running controller is in. */
  maxEpoch(): number {
    return Math.max(...this.voters.map((v) => this.cluster.kraftController(v)?.raft.epoch ?? -1));
  }
}
