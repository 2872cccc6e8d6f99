// One consumer process's loop: assign partitions (all, or a random subset), poll, now and then reassign
// or crash; positions of newly assigned partitions start at offset 0 (auto.offset.reset=earliest, as the
// workload configures its consumers). A poll that raises (auto.offset.reset=none) ends in fail with the
// exception's name, and the process seeks as an application would (seeksAfter). In
// the final phase it assigns every partition, seeks to offset 0 and polls until it has read up to each
// partition's end offset (or its time runs out).
import type { KafkaClient } from '../../sim/kafka/clients/client.ts';
import type { Random } from '../../sim/world/index.ts';
import type { ClientSlot } from './client-slot.ts';
import { allKeys, WATCHDOG_SLACK_MS, type WorkloadContext } from './context.ts';
import { POLL_INVOKE_VALUE, pollOkValue, seekValue } from './micro-ops.ts';
import { deliveredBy, holdBackTruncated, seeksAfter } from './delivered.ts';
import type { RebalanceEvent } from '../../sim/kafka/clients/consumer-coordinator.ts';
import type { Value } from '../history/format.ts';

/**
 * Jepsen's :rebalance-log: one map per rebalance listener call, with the keys it names (assigned: the keys added,
 * whose positions start at the committed offsets; revoked or lost: the keys given up) and the generation.
 */
export function rebalanceLog(events: RebalanceEvent[]): Value {
  return events.map((e) => ({
    type: e.kind,
    keys: e.kind === 'assigned' ? e.added : e.partitions,
    generation: e.generation,
  }));
}

/** Assign and seek happen inside the client at once; the watchdog only guards against a thrown bug. */
const LOCAL_OP_WATCHDOG_MS = 1000;

type Phase = 'main' | 'paused' | 'final-pending' | 'final' | 'done';

export interface ConsumerStats {
  polls: number;
  recordsRead: number;
  assigns: number;
  seeks: number;
  crashes: number;
  /** Whether the final reads reached every partition's end offset. */
  finalReadsComplete: boolean;
}

export class ConsumerLoop {
  readonly stats: ConsumerStats = {
    polls: 0,
    recordsRead: 0,
    assigns: 0,
    seeks: 0,
    crashes: 0,
    finalReadsComplete: false,
  };
  private phase: Phase = 'main';
  /** No step is scheduled or in flight: the loop waits to be woken. */
  private idle = true;
  private needsAssign = true;
  /** Per assigned partition, the offset after the last record recorded as read (or where a seek put it). */
  private readonly next = new Map<number, number>();
  /** Final reads: each partition's end offset once a leader told us, and the requests for the others. */
  private readonly ends = new Map<number, number>();
  private readonly asking = new Set<number>();
  private readonly askAgainAt = new Map<number, number>();
  private deadline = Infinity;
  /** Bumped whenever the final reads start over, so an answer meant for an earlier attempt is ignored. */
  private attempt = 0;

  constructor(
    private readonly ctx: WorkloadContext,
    private readonly slot: ClientSlot,
    private readonly random: Random,
  ) {}

  get done(): boolean {
    return this.phase === 'done';
  }

  start(): void {
    this.wake();
  }

  /** Stops after the op in flight (the settle period before the final reads). */
  pause(): void {
    if (this.phase === 'main') this.phase = 'paused';
  }

  /** Reads every partition from offset 0 to its end, giving up at `deadline` (world time, ms). */
  beginFinalReads(deadline: number): void {
    this.deadline = deadline;
    this.phase = 'final-pending';
    this.wake();
  }

  private wake(): void {
    if (!this.idle) return;
    this.idle = false;
    this.ctx.cluster.world.schedule(0, this.step);
  }

  private readonly step = (): void => {
    if (this.slot.busy) return;
    switch (this.phase) {
      case 'paused':
      case 'done':
        this.idle = true;
        return;
      case 'final-pending':
        this.startFinalReads();
        return;
      case 'final':
        this.finalStep();
        return;
      case 'main':
        this.mainStep();
    }
  };

  private continueLater(): void {
    this.ctx.cluster.world.schedule(0, this.step);
  }

  private mainStep(): void {
    const options = this.ctx.options;
    if (this.random.chance(options.crashProbability)) {
      this.slot.crash();
      this.afterRestart();
      this.stats.crashes++;
      this.continueLater();
      return;
    }
    if (options.consumerMode === 'subscribe') {
      if (this.needsAssign) {
        this.subscribe(allKeys(options));
        this.continueLater();
        return;
      }
    } else if (this.needsAssign || this.random.chance(options.reassignProbability)) {
      this.assign(this.randomAssignment());
      this.continueLater();
      return;
    }
    this.poll(this.step);
  }

  private randomAssignment(): number[] {
    const keys = allKeys(this.ctx.options);
    if (this.random.chance(this.ctx.options.assignAllProbability)) return keys;
    const subset = this.random.subset(keys, 0.5);
    return subset.length > 0 ? subset : [this.random.pick(keys)];
  }

  /** The node restarted with an empty client: nothing assigned, and old poll results are gone. */
  private afterRestart(): void {
    this.needsAssign = true;
    this.next.clear();
    if (this.phase === 'final') this.phase = 'final-pending';
  }

  private readonly abandoned = (): void => {
    this.afterRestart();
    this.continueLater();
  };

  private assign(keys: number[]): void {
    const token = this.slot.begin('assign', keys, LOCAL_OP_WATCHDOG_MS, this.abandoned);
    const consumer = this.slot.client().consumer;
    // KafkaConsumer.assign refuses a subscribed consumer: the final reads leave the group first.
    if (consumer.coordinator !== null) consumer.unsubscribe();
    consumer.assign(keys);
    this.slot.end(token, 'ok', keys);
    this.stats.assigns++;
    this.needsAssign = false;
    for (const p of [...this.next.keys()]) if (!keys.includes(p)) this.next.delete(p);
    for (const p of keys) if (!this.next.has(p)) this.next.set(p, consumer.position(p));
  }

  /**
   * KafkaConsumer.subscribe: the group decides the partitions, at the next polls. Recorded as Jepsen's :subscribe
   * op with the keys subscribed to; the polls that went through a rebalance carry its :rebalance-log.
   */
  private subscribe(keys: number[]): void {
    const token = this.slot.begin('subscribe', keys, LOCAL_OP_WATCHDOG_MS, this.abandoned);
    this.slot.client().subscribe(keys);
    this.slot.end(token, 'ok', keys);
    this.stats.assigns++;
    this.needsAssign = false;
    this.next.clear();
  }

  private seek(client: KafkaClient, positions: Map<number, number>): void {
    const value = seekValue(positions);
    const token = this.slot.begin('seek', value, LOCAL_OP_WATCHDOG_MS, this.abandoned);
    for (const [p, offset] of positions) {
      client.consumer.seek(p, offset);
      this.next.set(p, offset);
    }
    this.slot.end(token, 'ok', value);
    this.stats.seeks++;
  }

  private poll(then: () => void): void {
    const options = this.ctx.options;
    const watchdogMs = options.pollTimeoutMs + options.consumer['request.timeout.ms'] + WATCHDOG_SLACK_MS;
    const token = this.slot.begin('poll', POLL_INVOKE_VALUE, watchdogMs, this.abandoned);
    const client = this.slot.client();
    this.stats.polls++;
    client.consumer.poll(options.pollTimeoutMs, (result) => {
      const delivered = deliveredBy(result);
      if (delivered.exception !== undefined) {
        if (!this.slot.end(token, 'fail', POLL_INVOKE_VALUE, delivered.exception.name)) return;
        this.seek(client, seeksAfter(delivered.exception));
        then();
        return;
      }
      const { records, seeks } = holdBackTruncated(delivered);
      const log = result.rebalances === undefined ? undefined : rebalanceLog(result.rebalances);
      if (!this.slot.end(token, 'ok', pollOkValue(records), undefined, log)) return;
      for (const e of result.rebalances ?? []) {
        if (e.kind !== 'assigned') for (const p of e.partitions) this.next.delete(p);
      }
      for (const [p, pairs] of records) {
        if (pairs.length === 0) continue;
        this.next.set(p, pairs[pairs.length - 1][0] + 1);
        this.stats.recordsRead += pairs.length;
      }
      // A KIP-320 truncation or a reset moved the position: record it as a seek so checkers reset their tracking.
      if (seeks.size > 0) this.seek(client, seeks);
      // The simulated consumer refreshes metadata only on some errors; a real one also does after timeouts.
      if (delivered.errors > 0) client.metadata.refresh();
      then();
    });
  }

  // ---- final reads ----

  private startFinalReads(): void {
    this.phase = 'final';
    this.attempt++;
    this.ends.clear();
    this.asking.clear();
    this.askAgainAt.clear();
    const keys = allKeys(this.ctx.options);
    this.assign(keys);
    this.seek(this.slot.client(), new Map(keys.map((k) => [k, 0])));
    this.finalStep();
  }

  private finalStep(): void {
    if (this.ends.size === this.ctx.options.partitions && this.reachedEnds(this.ends)) {
      this.stats.finalReadsComplete = true;
      return this.finish();
    }
    if (this.ctx.cluster.world.now >= this.deadline) return this.finish();
    this.askForMissingEnds();
    // Poll even while some end offsets are unknown: one partition without a leader must not keep the
    // consumer from reading the others.
    this.poll(this.step);
  }

  /** ListOffsets (latest) for each partition whose end is unknown, one partition per request so that
   * one unanswered partition does not hide the others' answers; failures are retried after a pause. */
  private askForMissingEnds(): void {
    const attempt = this.attempt;
    const world = this.ctx.cluster.world;
    const client = this.slot.client();
    for (const p of allKeys(this.ctx.options)) {
      if (this.ends.has(p) || this.asking.has(p) || world.now < (this.askAgainAt.get(p) ?? 0)) continue;
      this.asking.add(p);
      client.consumer.endOffsets([p], (ends) => {
        if (attempt !== this.attempt) return;
        this.asking.delete(p);
        const end = ends?.get(p);
        if (end !== undefined) {
          this.ends.set(p, end);
          return;
        }
        this.askAgainAt.set(p, world.now + this.ctx.options.endOffsetsRetryMs);
        // The simulated consumer does not refresh metadata after a failed ListOffsets; a real one would.
        client.metadata.refresh();
      });
    }
  }

  private reachedEnds(ends: Map<number, number>): boolean {
    for (const [p, end] of ends) if ((this.next.get(p) ?? 0) < end) return false;
    return true;
  }

  private finish(): void {
    this.phase = 'done';
    this.idle = true;
  }
}
