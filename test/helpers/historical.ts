// The scenario DSL extended for replaying Kafka's historical replication bugs step by step: every send
// and poll is recorded as a Jepsen history (the queue workload's micro-op form), nemesis steps are noted
// in it, and a final phase heals everything and reads every partition from the start, so the real
// checkers can judge the run (historical-verdict.ts).
import { durabilityFacts, CrashWatch, replicaAssignment } from '../../harness/facts.ts';
import type { SendOutcome } from '../../sim/kafka/clients/producer.ts';
import type { ConsumerConfig, ProducerConfig } from '../../sim/kafka/config.ts';
import { ZK_NODE } from '../../sim/kafka/zk-layout.ts';
import type { CrashMode } from '../../sim/world/disk.ts';
import { FINAL_READS_F, NEMESIS_PROCESS, WORKLOAD_PROCESS, type Value } from '../../workloads/history/format.ts';
import { HistoryRecorder } from '../../workloads/history-recorder.ts';
import {
  POLL_INVOKE_VALUE,
  pollOkValue,
  seekValue,
  sendOkValue,
  type RecordPair,
} from '../../workloads/queue/micro-ops.ts';
import { deliveredBy, holdBackTruncated } from '../../workloads/queue/delivered.ts';
import { judgeScenario, type HistoricalVerdict } from './historical-verdict.ts';
import { Scenario, type ScenarioOptions } from './scenario.ts';

export interface SendOptions {
  partition?: number;
  /** Gap between successive sends (ms). */
  everyMs?: number;
  producer?: Partial<ProducerConfig>;
}

export interface Sends {
  values: number[];
  results: { value: number; outcome: SendOutcome }[];
  done(): boolean;
}

export class HistoricalScenario extends Scenario {
  readonly recorder: HistoryRecorder;
  private readonly crashWatch: CrashWatch;
  private nextProcess = 0;
  private nextSendValue = 1;
  private clients = 0;

  constructor(o: ScenarioOptions = {}) {
    super(o);
    this.recorder = new HistoryRecorder(() => this.world.now);
    this.crashWatch = new CrashWatch(this.cluster);
  }

  get history() {
    return this.recorder.history;
  }

  /** A nemesis step, noted in the history as Jepsen's nemesis does (checkers skip it). */
  private note(f: string, value: Value): void {
    this.recorder.record({ process: NEMESIS_PROCESS, type: 'info', f, value });
  }

  // ---- clients ----

  /**
   * Starts sending `count` fresh values from one new client node; each send is its own Jepsen process
   * (they are concurrent). Returns at once: run the world to let them complete.
   */
  startSends(count: number, opts: SendOptions = {}): Sends {
    const id = `hp${this.clients++}`;
    const producer = opts.producer ?? {};
    const partition = opts.partition ?? 0;
    this.cluster.addClient(id, { producer });
    this.world.start(id);
    const acks = producer.acks ?? 'all';
    const values: number[] = [];
    const results: { value: number; outcome: SendOutcome }[] = [];
    const start = this.world.now;
    for (let i = 0; i < count; i++) {
      const value = this.nextSendValue++;
      values.push(value);
      this.world.at(start + i * (opts.everyMs ?? 10), () => {
        const process = this.nextProcess++;
        // acks=1/0 sends say so, so the durability checker does not hold them to acks=all's promise.
        const mop: Value[] = acks === 'all' ? ['send', partition, value] : ['send', partition, value, { acks }];
        this.recorder.invoke(process, 'send', [mop]);
        this.cluster.client(id)?.producer.send(partition, value, (outcome) => {
          results.push({ value, outcome });
          if (outcome.type === 'ok')
            this.recorder.complete(process, 'ok', 'send', sendOkValue(partition, outcome.offset, value));
          else this.recorder.complete(process, outcome.type, 'send', [['send', partition, value]], outcome.error);
          // The client goes away once done; not at once, or an acks=0 send would die with it in flight.
          if (results.length === count) this.world.schedule(1000, () => this.world.crash(id));
        });
      });
    }
    return { values, results, done: () => results.length === count };
  }

  /** Sends and runs until every send completed (or `maxMs` passed); results sorted by value. */
  override produce(
    count: number,
    opts: SendOptions & { maxMs?: number } = {},
  ): { value: number; outcome: SendOutcome }[] {
    const sends = this.startSends(count, opts);
    const deadline = this.world.now + (opts.maxMs ?? 60_000);
    this.world.runUntil((w) => sends.done() || w.now >= deadline, { maxEvents: 5_000_000 });
    return [...sends.results].sort((a, b) => a.value - b.value);
  }

  /** A consumer on its own client node (reading from the start: auto.offset.reset=earliest), recording its
   * assigns, polls and KIP-320 seeks. */
  reader(partitions: number[], consumer: Partial<ConsumerConfig> = {}): Reader {
    const id = `hc${this.clients++}`;
    this.cluster.addClient(id, { consumer: { 'auto.offset.reset': 'earliest', ...consumer } });
    this.world.start(id);
    // Ask again (the next bootstrap broker) until every partition has a known leader, or give up.
    for (let attempt = 0; attempt < 6; attempt++) {
      const box = { refreshed: false };
      const client = this.cluster.client(id);
      client?.metadata.refresh(() => (box.refreshed = true));
      this.world.runUntil(() => box.refreshed, { maxEvents: 1_000_000 });
      if (partitions.every((p) => (client?.metadata.leaderOf(p) ?? -1) >= 0)) break;
    }
    return new Reader(this, id, this.nextProcess++, partitions);
  }

  // ---- faults ----

  /** Cuts the data path between two brokers both ways; ZooKeeper and the controller still reach them. */
  cut(a: number, b: number): this {
    this.world.net.cutBoth(this.cluster.nodeOf(a), this.cluster.nodeOf(b));
    this.note('cut', [a, b]);
    return this;
  }

  /** Cuts one direction only: messages from `from` to `to` are lost. */
  cutOneWay(from: number, to: number): this {
    this.world.net.cut(this.cluster.nodeOf(from), this.cluster.nodeOf(to));
    this.note('cut-one-way', [from, to]);
    return this;
  }

  /** Cuts a broker off ZooKeeper and the given controller, leaving its links to other brokers. */
  cutFromControl(broker: number, controller: number): this {
    const node = this.cluster.nodeOf(broker);
    this.world.net.cutBoth(node, ZK_NODE);
    this.world.net.cutBoth(node, this.cluster.nodeOf(controller));
    this.note('cut-from-control', [broker, controller]);
    return this;
  }

  /** Heals the data path between two brokers (both ways), leaving other cuts in place. */
  healLink(a: number, b: number): this {
    this.world.net.healLink(this.cluster.nodeOf(a), this.cluster.nodeOf(b));
    this.world.net.healLink(this.cluster.nodeOf(b), this.cluster.nodeOf(a));
    this.note('heal-link', [a, b]);
    return this;
  }

  heal(): this {
    this.world.net.heal();
    this.note('heal', null);
    return this;
  }

  override crash(broker: number, mode: CrashMode = 'lose-unsynced'): this {
    this.note('kill', [broker, mode]);
    return super.crash(broker, mode);
  }

  override restart(broker: number): this {
    this.note('start', broker);
    return super.restart(broker);
  }

  /** A clean shutdown: logs flushed, high watermarks checkpointed, the ZooKeeper session closed. */
  shutdown(broker: number): this {
    this.world.shutdown(this.cluster.nodeOf(broker));
    this.note('shutdown', broker);
    return this;
  }

  pause(broker: number): this {
    this.world.pause(this.cluster.nodeOf(broker));
    this.note('pause', broker);
    return this;
  }

  resume(broker: number): this {
    this.world.resume(this.cluster.nodeOf(broker));
    this.note('resume', broker);
    return this;
  }

  /** The operating system writes a broker's page cache back to disk (what a crash then keeps). */
  writeBack(broker: number): this {
    const disk = this.world.node(this.cluster.nodeOf(broker)).disk;
    for (const file of disk.list()) disk.fsync(file);
    return this;
  }

  /** The active controller moves leadership back to preferred replicas (kafka-leader-election.sh). */
  preferredLeaderElection(): this {
    this.cluster.activeController()?.controller?.preferredLeaderElection();
    this.note('preferred-leader-election', null);
    return this;
  }

  // ---- what to look at ----

  controllerId(): number {
    return this.cluster.activeController()?.id ?? -1;
  }

  /** The first partition whose replicas do not include the active controller (cuts leave it alone). */
  partitionAwayFromController(): number {
    const c = this.controllerId();
    const p = replicaAssignment(this.cluster).findIndex((rs) => !rs.includes(c));
    if (p < 0) throw new Error(`every partition has a replica on the controller ${c}`);
    return p;
  }

  /** The leader by the active controller's account (-1: offline); a cut-off broker may still think it leads. */
  controllerLeader(partition: number): number {
    return (
      this.cluster
        .activeController()
        ?.controller?.describe()
        .partitions.find((x) => x.partition === partition)?.leader ?? -1
    );
  }

  replicasOf(partition: number): number[] {
    return replicaAssignment(this.cluster)[partition];
  }

  isRunning(broker: number): boolean {
    return this.world.node(this.cluster.nodeOf(broker)).status === 'running';
  }

  /**
   * The final phase: heal the network, resume paused brokers, start stopped ones (in `restartOrder`
   * first), let the cluster settle, then mark the final reads and read `partitions` from offset 0.
   */
  finalReads(partitions: number[], opts: { settleMs?: number; restartOrder?: number[] } = {}): Reader {
    this.heal();
    for (const b of this.cluster.brokerIds)
      if (this.world.node(this.cluster.nodeOf(b)).status === 'paused') this.resume(b);
    const order = [
      ...(opts.restartOrder ?? []),
      ...this.cluster.brokerIds.filter((b) => !(opts.restartOrder ?? []).includes(b)),
    ];
    for (const b of order) {
      if (this.world.node(this.cluster.nodeOf(b)).status === 'running') continue;
      this.restart(b);
      this.run(1000);
    }
    this.run(opts.settleMs ?? 20_000);
    this.recorder.record({ process: WORKLOAD_PROCESS, type: 'info', f: FINAL_READS_F, value: null });
    const r = this.reader(partitions);
    r.seekToStart();
    r.readToEnd();
    return r;
  }

  verdict(): HistoricalVerdict {
    const facts = durabilityFacts(
      this.events,
      this.crashWatch.crashes,
      replicaAssignment(this.cluster),
      this.crashWatch.losses,
    );
    return judgeScenario(this.history, facts, this.monitor, this.cluster);
  }
}

/** One consumer process: polls record what they returned; KIP-320 rewinds are recorded as seeks. */
export class Reader {
  /** Everything this consumer received, in order. */
  readonly received: { partition: number; offset: number; value: number }[] = [];
  /** KIP-320 truncations it detected. */
  readonly truncations: { partition: number; from: number; to: number }[] = [];

  constructor(
    private readonly s: HistoricalScenario,
    readonly node: string,
    readonly process: number,
    readonly partitions: number[],
  ) {
    this.consumer().assign(partitions);
    this.s.recorder.invoke(process, 'assign', partitions);
    this.s.recorder.complete(process, 'ok', 'assign', partitions);
  }

  private consumer() {
    const c = this.s.cluster.client(this.node);
    if (c === null) throw new Error(`reader ${this.node} is down`);
    return c.consumer;
  }

  position(partition: number): number {
    return this.consumer().position(partition);
  }

  seekToStart(): void {
    const positions = new Map(this.partitions.map((p) => [p, 0]));
    this.seek(positions);
  }

  private seek(positions: Map<number, number>): void {
    const value = seekValue(positions);
    this.s.recorder.invoke(this.process, 'seek', value);
    for (const [p, offset] of positions) this.consumer().seek(p, offset);
    this.s.recorder.complete(this.process, 'ok', 'seek', value);
  }

  /** One poll, run to completion; returns the records it delivered. */
  poll(timeoutMs = 500): RecordPair[] {
    this.s.recorder.invoke(this.process, 'poll', POLL_INVOKE_VALUE);
    // A holder, not a local: TypeScript cannot see the callback assign it while the world runs.
    const box: { delivered: RecordPair[] | null } = { delivered: null };
    this.consumer().poll(timeoutMs, (result) => {
      const delivered = deliveredBy(result);
      const { records, seeks } = holdBackTruncated(delivered);
      this.s.recorder.complete(this.process, 'ok', 'poll', pollOkValue(records));
      for (const t of delivered.truncations) this.truncations.push({ ...t });
      const out: RecordPair[] = [];
      for (const [partition, pairs] of records) {
        for (const [offset, value] of pairs) {
          this.received.push({ partition, offset, value });
          out.push([offset, value]);
        }
      }
      // Kafka raises the truncation and the application seeks: checkers see a seek, not a jump back.
      if (seeks.size > 0) this.seek(seeks);
      // The simulated consumer refreshes metadata only on some errors; a real one also does after a
      // fetch times out, which an empty poll may hide (a fetch to a dead leader just never answers).
      if (delivered.errors > 0 || out.length === 0) this.s.cluster.client(this.node)?.metadata.refresh();
      box.delivered = out;
    });
    this.s.world.runUntil(() => box.delivered !== null, { maxEvents: 2_000_000 });
    return box.delivered ?? [];
  }

  /** Polls `n` times. */
  polls(n: number, timeoutMs = 500): RecordPair[] {
    const out: RecordPair[] = [];
    for (let i = 0; i < n; i++) out.push(...this.poll(timeoutMs));
    return out;
  }

  /** Polls until every assigned partition's position reaches its leader's end offset (or `maxPolls`). */
  readToEnd(maxPolls = 40): void {
    for (let i = 0; i < maxPolls; i++) {
      const box: { ends?: Map<number, number> | null } = {};
      this.consumer().endOffsets(this.partitions, (e) => (box.ends = e));
      this.s.world.runUntil(() => box.ends !== undefined, { maxEvents: 2_000_000 });
      const known = box.ends;
      if (known !== null && known !== undefined) {
        if (this.partitions.every((p) => this.position(p) >= (known.get(p) ?? Infinity))) return;
      } else {
        this.s.cluster.client(this.node)?.metadata.refresh();
      }
      this.poll();
    }
  }

  /** Values received from one partition, in order. */
  values(partition: number): number[] {
    return this.received.filter((r) => r.partition === partition).map((r) => r.value);
  }
}
