// Client crashes in the txn workload, as Jepsen's Kafka test with :crash-clients? true: now and then a client's node
// dies and starts again with empty memory (the queue workload's crash, workloads/queue/client-slot.ts), and a new
// process carries on with a new producer and consumer. Jepsen's crash-client-gen (jepsen.tests.kafka) emits {:f
// :crash} ops, which the client answers :info; the interpreter then gives the thread a new process, and its
// ClientWorker closes the client and opens a fresh one (jepsen.generator.interpreter). Jepsen's :crash only ever
// comes between ops; kafkasim also crashes a client in the middle of a transaction (after some of its sends and
// polls, or while its commit or abort is in flight), and that op, whose outcome is then unknown, ends :info, as the
// interpreter records any op a client never finished.
//
// The new producer takes a fresh transactional.id: Jepsen's Client/open! (jepsen.redpanda.workload.queue, which
// jepsen.tests.kafka's tests use) takes rc/new-transactional-id, a counter over the whole test, for every client it
// opens. No InitProducerId of the crashed id ever comes, so nothing fences the transaction the crash abandoned: the
// coordinator aborts it once transaction.timeout.ms has passed (TransactionCoordinator.abortTimedOutTransactions,
// Kafka 3.9), and until then it holds its partitions' last stable offset. A subscribed consumer sends no LeaveGroup
// as it dies: the group coordinator drops the member when its session times out, and rebalances.
import type { KafkaCluster } from '../../sim/kafka/cluster.ts';
import type { Random } from '../../sim/world/random.ts';
import type { HistoryRecorder } from '../history-recorder.ts';

/** Error of a transaction whose client crashed before it completed. */
export const CLIENT_CRASHED = 'CLIENT_CRASHED';

/** A commit or abort in flight crashes within this many ms of going out: before, during or after its round trip. */
const IN_FLIGHT_CRASH_WITHIN_MS = 20;

/**
 * Where a client crashes around one transaction: before it (Jepsen's :crash op, in its place), after `afterMops` of
 * its micro-ops (all of them: before its commit), or `delayMs` after its commit or abort went out.
 */
export type CrashSite = { kind: 'idle' } | { kind: 'mid'; afterMops: number } | { kind: 'in-flight'; delayMs: number };

export class TxnCrashes {
  /** Crashes performed: between transactions, and in the middle of one. */
  readonly stats = { idle: 0, midTxn: 0 };

  constructor(
    private readonly cluster: KafkaCluster,
    private readonly recorder: HistoryRecorder,
    private readonly random: Random,
    private readonly probability: number,
  ) {}

  /**
   * Whether the client crashes around its next transaction, of `length` micro-ops, and where: with the queue
   * workload's crashProbability, the chance that a client's next op is a crash. Half the crashes are Jepsen's, before
   * the transaction; the other half strike inside it, at one of its sites drawn uniformly. With probability 0 nothing
   * is drawn, so such runs keep the histories they had before clients crashed.
   */
  site(length: number): CrashSite | null {
    if (this.probability === 0 || !this.random.chance(this.probability)) return null;
    if (this.random.chance(0.5)) return { kind: 'idle' };
    const k = this.random.int(0, length + 1);
    if (k <= length) return { kind: 'mid', afterMops: k };
    return { kind: 'in-flight', delayMs: this.random.int(0, IN_FLIGHT_CRASH_WITHIN_MS) };
  }

  /** Jepsen's :crash op between transactions: `process` records it, and it ends :info as Jepsen's client answers. */
  crashIdle(node: string, process: number): void {
    this.recorder.invoke(process, 'crash', node);
    this.restart(node);
    this.recorder.complete(process, 'info', 'crash', node);
    this.stats.idle++;
  }

  /** A crash in the middle of a transaction; the caller records the transaction :info with CLIENT_CRASHED. */
  crashMidTxn(node: string): void {
    this.restart(node);
    this.stats.midTxn++;
  }

  /** The node dies, its timers and pending callbacks with it, and starts again with empty memory. */
  private restart(node: string): void {
    const world = this.cluster.world;
    world.crash(node);
    world.start(node);
  }

  get total(): number {
    return this.stats.idle + this.stats.midTxn;
  }
}

/** The transactional.id of a client's process: the first keeps the node's, each new one after a crash its own. */
export function transactionalIdOf(node: string, process: number | null): string {
  return process === null ? `txn-${node}` : `txn-${node}-p${process}`;
}
