// The queue workload as Jepsen's Kafka test runs it: producer processes send unique values to keys
// (partitions), consumer processes assign and poll, clients crash now and then; a final phase heals
// every fault, waits for the cluster to settle and reads every partition from the beginning.
import type { KafkaCluster } from '../../sim/kafka/cluster.ts';
import { FINAL_READS_F, WORKLOAD_PROCESS } from '../history/format.ts';
import type { HistoryRecorder } from '../history-recorder.ts';
import { ClientNode, type ClientSlot, ProcessIds } from './client-slot.ts';
import { ConsumerLoop } from './consumers.ts';
import type { WorkloadContext } from './context.ts';
import { sendsInFlightOf, WORKLOAD_GROUP, type QueueWorkloadOptions } from './options.ts';
import { LivenessProbe } from './liveness-probe.ts';
import { ProducerLoop } from './producers.ts';

export interface QueueWorkloadStats {
  sends: number;
  acked: number;
  failed: number;
  indeterminate: number;
  polls: number;
  recordsRead: number;
  clientCrashes: number;
  /** Ops the workload's watchdog ended because the client never answered. */
  abandonedOps: number;
  /** Consumers whose final reads reached every partition's end offset. */
  finalReadsComplete: number;
  consumers: number;
}

/** How often the final phase re-checks whether the cluster has recovered. */
const RECOVERY_POLL_MS = 500;
export class QueueWorkload {
  /** Every producer node's processes, node by node. */
  readonly producerSlots: ClientSlot[];
  readonly consumerSlots: ClientSlot[];
  private readonly nodes: ClientNode[] = [];
  private readonly producers: ProducerLoop;
  private readonly consumers: ConsumerLoop[];
  private readonly ctx: WorkloadContext;
  private finalPhaseAt = -1;
  private probe: LivenessProbe | null = null;

  /**
   * Adds one client node per producer and per consumer; processes are numbered producers first (a producer node's
   * sendsInFlight processes together), then consumers (one each).
   */
  constructor(cluster: KafkaCluster, recorder: HistoryRecorder, options: QueueWorkloadOptions) {
    this.ctx = { cluster, recorder, processes: new ProcessIds(0), options };
    const random = cluster.world.stream('workload');
    const clientOptions = { producer: options.producer, consumer: options.consumer, group: WORKLOAD_GROUP };
    const lanes = sendsInFlightOf(options);
    this.producerSlots = Array.from({ length: options.producers }, (_, i) =>
      this.addNode(`producer-${i}`, clientOptions, lanes),
    ).flat();
    this.consumerSlots = Array.from({ length: options.consumers }, (_, i) =>
      this.addNode(`consumer-${i}`, clientOptions, 1),
    ).flat();
    this.producers = new ProducerLoop(this.ctx, this.producerSlots, random.fork('producers'));
    this.consumers = this.consumerSlots.map(
      (slot, i) => new ConsumerLoop(this.ctx, slot, random.fork(`consumer-${i}`)),
    );
  }

  private addNode(
    node: string,
    clientOptions: Pick<QueueWorkloadOptions, 'producer' | 'consumer'> & { group: typeof WORKLOAD_GROUP },
    processes: number,
  ): readonly ClientSlot[] {
    this.ctx.cluster.addClient(node, clientOptions);
    const host = new ClientNode(node, this.ctx, processes);
    this.nodes.push(host);
    return host.slots;
  }

  /** Starts the client nodes and the loops, from the world's current time. */
  start(): void {
    const world = this.ctx.cluster.world;
    for (const host of this.nodes) world.start(host.node);
    this.producers.start();
    for (const c of this.consumers) c.start();
  }

  /**
   * Ends the main phase: producers stop sending, `heal` clears every fault, the final-reads marker is
   * recorded, and after the settle period, once `recovered` says so (or finalRecoveryLimitMs later),
   * each consumer reads every partition from offset 0. Without the wait, a partition still catching up
   * would hide acknowledged records behind its high watermark and they would look lost.
   */
  beginFinalPhase(heal: () => void, recovered: () => boolean = () => true): void {
    if (this.finalPhaseAt >= 0) throw new Error('the final phase has already begun');
    const { cluster, recorder, options } = this.ctx;
    this.finalPhaseAt = cluster.world.now;
    this.producers.stop();
    for (const c of this.consumers) c.pause();
    heal();
    recorder.record({ process: WORKLOAD_PROCESS, type: 'info', f: FINAL_READS_F, value: null });
    // A workload that writes checks that the healed cluster takes writes again, before it reads.
    const probe =
      options.producers > 0 && options.livenessProbe
        ? new LivenessProbe(this.ctx, () => this.producers.takeValue())
        : null;
    this.probe = probe;
    const giveUpAt = this.finalPhaseAt + options.finalSettleMs + options.finalRecoveryLimitMs;
    const startReads = (): void => {
      const waiting = !recovered() || (probe !== null && !probe.done);
      if (waiting && cluster.world.now < giveUpAt) {
        cluster.world.schedule(RECOVERY_POLL_MS, startReads);
        return;
      }
      // Past the limit no new probe starts, and the reads wait for the one in flight: an acknowledgement that
      // came after the reads began could be missing from them without being lost.
      probe?.stop();
      if (probe !== null && probe.inFlight) {
        cluster.world.schedule(RECOVERY_POLL_MS, startReads);
        return;
      }
      this.finalReadsAt = cluster.world.now;
      const deadline = cluster.world.now + options.finalReadLimitMs;
      for (const c of this.consumers) c.beginFinalReads(deadline);
    };
    cluster.world.schedule(options.finalSettleMs, startReads);
  }

  /** The liveness probe's process id when the final phase began it, or -1 (no final phase yet, or no producers). */
  get probeProcess(): number {
    return this.probe?.firstProcess ?? -1;
  }

  /** When the final reads began (after the settle and recovery wait), or -1. */
  finalReadsAt = -1;

  /** The latest time the final reads can end, once the final phase has begun. */
  get finalReadsDeadline(): number {
    if (this.finalPhaseAt < 0) return Infinity;
    const o = this.ctx.options;
    if (this.finalReadsAt >= 0) return this.finalReadsAt + o.finalReadLimitMs;
    // A probe in flight at the recovery limit holds the reads back, at most until its watchdog ends it.
    const probeMs = this.probe === null ? 0 : LivenessProbe.watchdogMs(o) + RECOVERY_POLL_MS;
    return this.finalPhaseAt + o.finalSettleMs + o.finalRecoveryLimitMs + probeMs + o.finalReadLimitMs;
  }

  /** Every consumer has finished its final reads (reached the ends or ran out of time). */
  get finished(): boolean {
    return this.finalPhaseAt >= 0 && this.consumers.every((c) => c.done);
  }

  stats(): QueueWorkloadStats {
    // The final phase's probe sends are sends like any other.
    const probe = this.probe?.stats ?? { sends: 0, ok: 0, fail: 0, info: 0 };
    const p = this.producers.stats;
    const sum = (f: (c: ConsumerLoop) => number): number => this.consumers.reduce((n, c) => n + f(c), 0);
    return {
      sends: p.sends + probe.sends,
      acked: p.ok + probe.ok,
      failed: p.fail + probe.fail,
      indeterminate: p.info + probe.info,
      polls: sum((c) => c.stats.polls),
      recordsRead: sum((c) => c.stats.recordsRead),
      clientCrashes: p.crashes + sum((c) => c.stats.crashes),
      abandonedOps:
        [...this.producerSlots, ...this.consumerSlots].reduce((n, s) => n + s.abandoned, 0) +
        (this.probe?.abandoned ?? 0),
      finalReadsComplete: sum((c) => (c.stats.finalReadsComplete ? 1 : 0)),
      consumers: this.consumers.length,
    };
  }
}
