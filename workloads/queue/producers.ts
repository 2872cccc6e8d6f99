// The send generator: unique integer values to random keys at `rate` sends per simulated second over
// all producer processes, each process one op at a time. Like Jepsen's `stagger`, the gap before each
// op is uniform in [0, 2/rate) s; when every process is busy the generator waits for the first free one.
// A producer node's processes share its KafkaProducer, so while its sends wait (a leader gone, an ISR short of
// min.insync.replicas) it has up to sendsInFlight of them in flight, pipelined and retried as Kafka's Sender
// does: with an idempotent producer, batches sequenced one after another and retried in order to a new leader.
import type { Random } from '../../sim/world/index.ts';
import type { ClientSlot } from './client-slot.ts';
import { WATCHDOG_SLACK_MS, type WorkloadContext } from './context.ts';
import { sendOkValue, sendValue } from './micro-ops.ts';

export interface ProducerStats {
  sends: number;
  ok: number;
  fail: number;
  info: number;
  crashes: number;
}

export class ProducerLoop {
  readonly stats: ProducerStats = { sends: 0, ok: 0, fail: 0, info: 0, crashes: 0 };
  private stopped = true;
  /** The generator is blocked until a producer process is free. */
  private waiting = false;
  /** Values are unique over the whole run, whichever process sends them. */
  private nextValue = 0;

  constructor(
    private readonly ctx: WorkloadContext,
    private readonly slots: readonly ClientSlot[],
    private readonly random: Random,
  ) {}

  start(): void {
    if (this.slots.length === 0) return;
    this.stopped = false;
    this.ctx.cluster.world.schedule(this.stagger(), this.tick);
  }

  /** A value no send of the run has used or will use (for the final phase's probe). */
  takeValue(): number {
    return this.nextValue++;
  }

  /** No new sends from now on; sends in flight still complete and are recorded. */
  stop(): void {
    this.stopped = true;
  }

  private stagger(): number {
    return this.random.float() * (2000 / this.ctx.options.rate);
  }

  private readonly tick = (): void => {
    if (this.stopped) return;
    const free = this.slots.filter((s) => !s.busy);
    if (free.length === 0) {
      this.waiting = true;
      return;
    }
    this.issue(this.random.pick(free));
    this.ctx.cluster.world.schedule(this.stagger(), this.tick);
  };

  private readonly freed = (): void => {
    if (!this.waiting || this.stopped) return;
    this.waiting = false;
    this.tick();
  };

  private issue(slot: ClientSlot): void {
    if (this.random.chance(this.ctx.options.crashProbability)) {
      // The node's other sends in flight end in info, their callbacks freeing their processes.
      slot.crash();
      this.stats.crashes++;
      return;
    }
    const key = this.random.int(0, this.ctx.options.partitions - 1);
    const value = this.nextValue++;
    const producer = this.ctx.options.producer;
    // A record in flight when its delivery deadline passes still waits for its request to time out.
    const watchdogMs = producer['delivery.timeout.ms'] + producer['request.timeout.ms'] + WATCHDOG_SLACK_MS;
    this.stats.sends++;
    const token = slot.begin('send', sendValue(key, value), watchdogMs, () => {
      this.stats.info++;
      this.freed();
    });
    slot.client().producer.send(key, value, (outcome) => {
      const recorded =
        outcome.type === 'ok'
          ? slot.end(token, 'ok', sendOkValue(key, outcome.offset, value))
          : slot.end(token, outcome.type, sendValue(key, value), outcome.error);
      if (!recorded) return;
      this.stats[outcome.type]++;
      this.freed();
    });
  }
}
