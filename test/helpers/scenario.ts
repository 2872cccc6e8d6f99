// A small scenario DSL for deterministic Kafka tests: build a cluster, drive it step by step, read the
// replicas, and watch every invariant at every event.
import { InvariantMonitor } from '../../checkers/invariants/index.ts';
import { KafkaCluster } from '../../sim/kafka/cluster.ts';
import type { SendOutcome } from '../../sim/kafka/clients/producer.ts';
import type { BrokerConfig, ProducerConfig } from '../../sim/kafka/config.ts';
import { clusterConfig } from '../../sim/kafka/config.ts';
import { releaseOf } from '../../sim/kafka/releases.ts';
import type { ReplicationEvent } from '../../sim/events/index.ts';
import type { KafkaBehaviours } from '../../sim/kafka/protocol.ts';
import { NEWEST_BEHAVIOURS } from './behaviours.ts';
import type { CrashMode } from '../../sim/world/disk.ts';
import type { KraftConfig, MetadataMode } from '../../sim/kafka/kraft/config.ts';
import type { CoordinatorFactory } from '../../sim/kafka/coordinator/index.ts';
import type { InternalTopicsConfig } from '../../sim/kafka/topics.ts';
import { allPartitionIds, effectiveMinIsrOf } from '../../sim/kafka/topics.ts';

export interface ScenarioOptions {
  seed?: number;
  brokers?: number;
  partitions?: number;
  rf?: number;
  broker?: Partial<BrokerConfig>;
  producer?: Partial<ProducerConfig>;
  protocol?: Partial<KafkaBehaviours>;
  /** KRaft mode instead of ZooKeeper mode (see test/helpers/kraft-scenario.ts). */
  metadata?: MetadataMode;
  kraft?: Partial<KraftConfig>;
  /** Kafka's internal topics (none unless enabled) and their settings. */
  internalTopics?: Partial<InternalTopicsConfig>;
  /** Coordinators each broker runs besides the built-in ones (probes in tests). */
  coordinators?: readonly CoordinatorFactory[];
  /** The release (its behaviours, under `protocol`); the newest by default. */
  kafka?: string;
}

/** Test-friendly timeouts: the pre-2.5 defaults, so failures are detected within seconds. */
export const FAST_BROKER: Partial<BrokerConfig> = {
  'zookeeper.session.timeout.ms': 6000,
  'replica.lag.time.max.ms': 10000,
  'auto.leader.rebalance.enable': false,
};

export class Scenario {
  readonly cluster: KafkaCluster;
  readonly events: ReplicationEvent[];
  readonly monitor: InvariantMonitor;
  private clientCount = 0;
  private nextValue = 1;

  constructor(o: ScenarioOptions = {}) {
    this.cluster = new KafkaCluster({
      seed: o.seed ?? 1,
      config: clusterConfig({
        brokers: o.brokers ?? 3,
        partitions: o.partitions ?? 1,
        replicationFactor: o.rf ?? 3,
        broker: { ...FAST_BROKER, 'min.insync.replicas': 2, ...(o.broker ?? {}) },
        ...(o.kafka === undefined ? {} : { kafka: o.kafka }),
        protocol: {
          ...(o.kafka === undefined ? NEWEST_BEHAVIOURS : releaseOf(o.kafka).behaviours),
          ...(o.protocol ?? {}),
        },
        metadata: o.metadata ?? 'zk',
        kraft: o.kraft ?? {},
        internalTopics: o.internalTopics ?? {},
      }),
      coordinators: o.coordinators,
    });
    this.events = this.cluster.record();
    // Online, as the harness runs it: a violation names the world event in progress.
    const world = this.cluster.world;
    const c = this.cluster.config;
    this.monitor = new InvariantMonitor(() => world.events + 1, {
      minInsyncReplicas: c.broker['min.insync.replicas'],
      replicationFactor: c.replicationFactor,
      effectiveMinIsrOf: (p) => effectiveMinIsrOf(c, p),
    });
    this.cluster.observe((e) => this.monitor.observe(e));
    this.producerConfig = o.producer ?? {};
  }

  private readonly producerConfig: Partial<ProducerConfig>;

  get world() {
    return this.cluster.world;
  }

  /** Starts ZooKeeper and the brokers and runs until every partition has a leader. */
  start(): this {
    this.cluster.start();
    const partitions = allPartitionIds(this.cluster.config);
    this.world.runUntil(() => partitions.every((p) => this.cluster.leaderOf(p) >= 0), { maxEvents: 1_000_000 });
    return this;
  }

  run(ms: number): this {
    this.world.runUntil(this.world.now + ms);
    return this;
  }

  leader(partition = 0): number {
    return this.cluster.leaderOf(partition);
  }

  partition(broker: number, partition = 0) {
    const p = this.cluster.broker(broker)?.partitions.get(partition);
    if (p === undefined) throw new Error(`broker ${broker} has no partition ${partition} (or is down)`);
    return p;
  }

  /** Values in a broker's log for a partition. */
  log(broker: number, partition = 0): number[] {
    return this.partition(broker, partition)
      .log.all()
      .flatMap((b) => b.values);
  }

  isr(partition = 0): number[] {
    return [...this.partition(this.leader(partition), partition).isr].sort((a, b) => a - b);
  }

  /** Sends `count` fresh values, one every `everyMs`, and runs until all complete (or `maxMs`). */
  produce(
    count: number,
    opts: { partition?: number; everyMs?: number; maxMs?: number; producer?: Partial<ProducerConfig> } = {},
  ): { value: number; outcome: SendOutcome }[] {
    const id = `c${this.clientCount++}`;
    this.cluster.addClient(id, { producer: { ...this.producerConfig, ...(opts.producer ?? {}) } });
    this.world.start(id);
    const results: { value: number; outcome: SendOutcome }[] = [];
    const start = this.world.now;
    for (let i = 0; i < count; i++) {
      const value = this.nextValue++;
      this.world.at(start + i * (opts.everyMs ?? 10), () =>
        this.cluster
          .client(id)
          ?.producer.send(opts.partition ?? 0, value, (outcome) => results.push({ value, outcome })),
      );
    }
    const deadline = start + (opts.maxMs ?? 60_000);
    this.world.runUntil((w) => results.length === count || w.now >= deadline, { maxEvents: 5_000_000 });
    this.world.crash(id);
    return results.sort((a, b) => a.value - b.value);
  }

  acked(results: { value: number; outcome: SendOutcome }[]): number[] {
    return results.filter((r) => r.outcome.type === 'ok').map((r) => r.value);
  }

  crash(broker: number, mode: CrashMode = 'lose-unsynced'): this {
    this.world.crash(this.cluster.nodeOf(broker), mode);
    return this;
  }

  restart(broker: number): this {
    this.world.start(this.cluster.nodeOf(broker));
    return this;
  }

  /**
   * SIGTERM: the broker stops as Kafka does when asked to (its controlled shutdown first). Runs until it has
   * exited, or `maxMs` passed; returns how long it took, or -1 if it had not exited by then.
   */
  stop(broker: number, maxMs = 600_000): number {
    const from = this.world.now;
    let exitedAt = -1;
    this.world.terminate(this.cluster.nodeOf(broker), () => (exitedAt = this.world.now));
    this.world.runUntil((w) => exitedAt >= 0 || w.now >= from + maxMs, { maxEvents: 5_000_000 });
    return exitedAt < 0 ? -1 : exitedAt - from;
  }

  /** The broker's disk replaced by a blank one (the broker should be down). */
  replaceDisk(broker: number): this {
    this.world.node(this.cluster.nodeOf(broker)).disk.replace();
    return this;
  }

  elections(partition = 0) {
    return this.events.filter(
      (e): e is Extract<ReplicationEvent, { kind: 'election' }> => e.kind === 'election' && e.partition === partition,
    );
  }
}
