// Liveness after the final heal, as an operator checks it: once every fault is healed, a probe client sends
// one record to each partition with acks=all, again and again until each is acknowledged (which needs a leader,
// an ISR of at least min.insync.replicas and a high watermark that moves past the record). The sends are
// ordinary ops of the history, from a process of their own, so the checkers judge them as any other; the
// liveness checker (checkers/liveness) reads how long each partition took after the heal.
import type { ProducerConfig } from '../../sim/kafka/config.ts';
import { ClientNode, type ClientSlot } from './client-slot.ts';
import { WATCHDOG_SLACK_MS, type WorkloadContext } from './context.ts';
import { sendOkValue, sendValue } from './micro-ops.ts';
import type { QueueWorkloadOptions } from './options.ts';

/** The probe's client node. */
export const PROBE_NODE = 'liveness-probe';

/** Wait before the next attempt after a failed one (the client has retried within its own timeouts already). */
const RETRY_MS = 1000;

export class LivenessProbe {
  private readonly slot: ClientSlot;
  /** Partitions not yet acknowledged, in the order they will be tried next. */
  private pending: number[];
  private stopped = false;
  /** Probe sends and their outcomes, counted with the producers' in the workload's stats. */
  readonly stats = { sends: 0, ok: 0, fail: 0, info: 0 };
  /** The probe's process id when the final phase began (it changes after an info outcome). */
  readonly firstProcess: number;

  constructor(
    private readonly ctx: WorkloadContext,
    private readonly nextValue: () => number,
  ) {
    const producer: ProducerConfig = { ...ctx.options.producer, acks: 'all' };
    ctx.cluster.addClient(PROBE_NODE, { producer, consumer: ctx.options.consumer });
    ctx.cluster.world.start(PROBE_NODE);
    this.slot = new ClientNode(PROBE_NODE, ctx, 1).slots[0];
    this.firstProcess = this.slot.process;
    this.pending = Array.from({ length: ctx.options.partitions }, (_, p) => p);
    this.next();
  }

  /** How long one probe send may stay open: a record in flight at its delivery deadline waits for its request. */
  static watchdogMs(options: QueueWorkloadOptions): number {
    return options.producer['delivery.timeout.ms'] + options.producer['request.timeout.ms'] + WATCHDOG_SLACK_MS;
  }

  /** Probe sends the workload's watchdog ended. */
  get abandoned(): number {
    return this.slot.abandoned;
  }

  /**
   * Every partition acknowledged a probe. The partition of the send in flight is no longer in `pending`: until
   * that send is acknowledged the probe is not done (it may fail and be tried again).
   */
  get done(): boolean {
    return this.pending.length === 0 && !this.slot.busy;
  }

  /** A probe send is waiting for its outcome: the final reads must not start before it ends. */
  get inFlight(): boolean {
    return this.slot.busy;
  }

  /** No new attempts (the one in flight still ends and is recorded). */
  stop(): void {
    this.stopped = true;
  }

  /** Round robin over the partitions still pending, so that one stuck partition does not hold up the others. */
  private next(): void {
    if (this.stopped || this.pending.length === 0) return;
    const key = this.pending.shift() as number;
    const value = this.nextValue();
    const watchdogMs = LivenessProbe.watchdogMs(this.ctx.options);
    this.stats.sends++;
    const failed = (): void => {
      this.pending.push(key);
      this.ctx.cluster.world.schedule(RETRY_MS, () => this.next());
    };
    const token = this.slot.begin('send', sendValue(key, value), watchdogMs, () => {
      this.stats.info++;
      failed();
    });
    this.slot.client().producer.send(key, value, (outcome) => {
      const recorded =
        outcome.type === 'ok'
          ? this.slot.end(token, 'ok', sendOkValue(key, outcome.offset, value))
          : this.slot.end(token, outcome.type, sendValue(key, value), outcome.error);
      if (!recorded) return;
      this.stats[outcome.type]++;
      if (outcome.type === 'ok') this.next();
      else failed();
    });
  }
}
