// Jepsen's Kafka transactional workload (jepsen.tests.kafka with :txn? true): each client runs transactions, one
// after another, of 1 to maxTxnLength micro-ops mixing sends of fresh values to random keys and polls of its
// consumer (assigned every key, isolation.level as configured), and records each as one :txn op whose completion
// names every send's offset and every polled record. A transaction that cannot commit is aborted and recorded
// :fail (its consumer seeks back to where the transaction began, so no poll skips what it read); one whose commit
// is unknown is :info, and its client carries on under a new process with a new producer (Jepsen's crash and
// reopen). A final phase polls every key to its end with read_committed, as Jepsen's final reads do. Histories are
// in the micro-op form of workloads/history/format.ts, which the jepsen-kafka checker reads.
// With consumerMode subscribe (Jepsen's :sub-via #{:subscribe}), each client's consumer subscribes to the data topic
// in one consumer group instead (recorded as a :subscribe op, again by each new process, as Jepsen's reopened client
// subscribes anew), its polls read whatever partitions the group gives it, and an op that went through a rebalance
// carries Jepsen's :rebalance-log. As Jepsen's client (jepsen.redpanda.workload.queue, with-txn and send-offsets!)
// does, a subscribed client's transaction sends the offsets after the highest it polled of each key with
// KafkaProducer.sendOffsetsToTransaction (and the consumer's group metadata) before it commits, so the offsets commit
// with the transaction or not at all: a rebalance restarts a partition after the last committed transaction that
// polled it. A sendOffsetsToTransaction that fails (a stale generation after a rebalance, a fenced producer) aborts
// the transaction, as Jepsen's safe-abort!. enable.auto.commit is off (Jepsen's --disable-auto-commit): nothing else
// commits offsets. Assign mode sends none (its consumers have no group).
// Clients crash now and then, between transactions or in the middle of one, as Jepsen's :crash-clients? (crash.ts).
import type { KafkaCluster } from '../../sim/kafka/cluster.ts';
import type { KafkaClient } from '../../sim/kafka/clients/client.ts';
import type { TransactionalProducer } from '../../sim/kafka/clients/transactional-producer.ts';
import type { IsolationLevel } from '../../sim/kafka/messages.ts';
import type { Random } from '../../sim/world/random.ts';
import type { Op, Value } from '../history/format.ts';
import type { HistoryRecorder } from '../history-recorder.ts';
import type { RebalanceEvent } from '../../sim/kafka/clients/consumer-coordinator.ts';
import { rebalanceLog } from '../queue/consumers.ts';
import { pollOkValue } from '../queue/micro-ops.ts';
import { QUEUE_WORKLOAD_DEFAULTS, WORKLOAD_GROUP, type ConsumerMode } from '../queue/options.ts';
import { CLIENT_CRASHED, TxnCrashes, transactionalIdOf, type CrashSite } from './crash.ts';

export interface TxnWorkloadOptions {
  clients: number;
  /** Keys are the data topic's partitions 0..keys-1. */
  keys: number;
  /** Micro-ops per transaction: 1 to this many (Jepsen's Kafka test uses 4). */
  maxTxnLength: number;
  /** The consumers' isolation.level. */
  isolation: IsolationLevel;
  /** transaction.timeout.ms of the producers. */
  transactionTimeoutMs: number;
  /** Mean pause between a client's transactions, ms. */
  meanThinkMs: number;
  /** A poll's timeout, ms. */
  pollMs: number;
  /** assign: each consumer assigns itself every key; subscribe: the consumers share them out as one group. */
  consumerMode: ConsumerMode;
  /**
   * Chance that a client crashes around a transaction: before it, after some of its micro-ops, or while its commit or
   * abort is in flight (crash.ts). The queue workload's, and its default.
   */
  crashProbability: number;
}

export const TXN_WORKLOAD_DEFAULTS: TxnWorkloadOptions = {
  clients: 3,
  keys: 2,
  maxTxnLength: 4,
  isolation: 'read_committed',
  transactionTimeoutMs: 60_000,
  meanThinkMs: 50,
  pollMs: 100,
  consumerMode: 'assign',
  crashProbability: QUEUE_WORKLOAD_DEFAULTS.crashProbability,
};

/** The queue workload's group timings; offsets are committed by the transactions (sendOffsetsToTransaction). */
const TXN_GROUP = { ...WORKLOAD_GROUP, 'enable.auto.commit': false };

type Mop = ['send', number, number] | ['poll'];

/** A transaction under way: its op, what it did so far, where an abort seeks back to and the rebalances seen. */
interface TxnUnderWay {
  process: number;
  mops: Mop[];
  done: Value[];
  start: Map<number, number>;
  /** The highest offset polled of each key (subscribe mode: what sendOffsetsToTransaction commits past). */
  polled: Map<number, number>;
  rebalances: RebalanceEvent[];
  /** Recorded complete (ok, fail, or info: its commit unknown, or its client crashed). */
  ended: boolean;
  /** Where its client crashes, if it does (crash.ts). */
  crash: CrashSite | null;
}

interface TxnClient {
  node: string;
  process: number;
  producer: TransactionalProducer | null;
  ready: boolean;
  /** The transactional.id its next producer takes (crash.ts: a fresh one for each process after a crash). */
  transactionalId: string;
}

export class TxnWorkload {
  private readonly options: TxnWorkloadOptions;
  private readonly clients: TxnClient[] = [];
  private nextValue = 1;
  private nextProcess = 0;
  private stopped = false;
  /** Transactions invoked and completed, by outcome. */
  readonly stats = { invoked: 0, ok: 0, fail: 0, info: 0 };
  readonly crashes: TxnCrashes;

  constructor(
    private readonly cluster: KafkaCluster,
    private readonly recorder: HistoryRecorder,
    private readonly random: Random,
    options: Partial<TxnWorkloadOptions> = {},
  ) {
    this.options = { ...TXN_WORKLOAD_DEFAULTS, ...options };
    const crashes = cluster.world.stream('txn-crash');
    this.crashes = new TxnCrashes(cluster, recorder, crashes, this.options.crashProbability);
  }

  private get subscribing(): boolean {
    return this.options.consumerMode === 'subscribe';
  }

  private get keys(): number[] {
    return Array.from({ length: this.options.keys }, (_, k) => k);
  }

  start(): void {
    for (let c = 0; c < this.options.clients; c++) {
      const node = `txn-client-${c}`;
      const transactionalId = transactionalIdOf(node, null);
      const client: TxnClient = { node, process: this.nextProcess++, producer: null, ready: false, transactionalId };
      this.clients.push(client);
      const consumer = { 'isolation.level': this.options.isolation, 'auto.offset.reset': 'earliest' } as const;
      this.cluster.addClient(node, this.subscribing ? { consumer, group: TXN_GROUP } : { consumer });
      this.cluster.world.start(node);
      this.open(client);
    }
  }

  /** Stops starting transactions; those under way finish. */
  stop(): void {
    this.stopped = true;
  }

  /** Transactions invoked and not yet completed. */
  get inFlight(): number {
    return this.stats.invoked - this.stats.ok - this.stats.fail - this.stats.info;
  }

  /**
   * The final reads: a fresh read_committed consumer polls every key from the start until it reaches the end
   * offsets (ListOffsets latest under read_committed: the last stable offsets), each poll a :poll op; `done` gets
   * whether it got there within `maxPolls`.
   */
  finalReads(maxPolls: number, done: (complete: boolean) => void): void {
    const node = 'txn-final-reader';
    const process = this.nextProcess++;
    this.cluster.addClient(node, {
      consumer: { 'isolation.level': 'read_committed', 'auto.offset.reset': 'earliest' },
    });
    this.cluster.world.start(node);
    const consumer = this.kafka({ node, process, producer: null, ready: false, transactionalId: '' }).consumer;
    consumer.assign(this.keys);
    for (const k of this.keys) consumer.seek(k, 0);
    const poll = (left: number, ends: Map<number, number>): void => {
      if (this.keys.every((k) => consumer.position(k) >= (ends.get(k) ?? 0))) return done(true);
      if (left === 0) return done(false);
      this.recorder.invoke(process, 'poll', [['poll']]);
      consumer.poll(this.options.pollMs * 5, (r) => {
        this.recorder.complete(process, 'ok', 'poll', pollOkValue(r.records));
        poll(left - 1, ends);
      });
    };
    const begin = (attempts: number): void =>
      consumer.endOffsets(this.keys, (ends) => {
        if (ends !== null) return poll(maxPolls, ends);
        if (attempts === 0) return done(false);
        // A fresh client knows no leaders yet: refresh its metadata and ask again.
        this.cluster.client(node)?.metadata.refresh(() => begin(attempts - 1));
      });
    begin(20);
  }

  private kafka(client: TxnClient): KafkaClient {
    const k = this.cluster.client(client.node);
    if (k === null) throw new Error(`${client.node} is down`);
    return k;
  }

  /** A new producer for the client's transactional id (its epoch fences the previous one), then transactions. */
  private open(client: TxnClient): void {
    const k = this.kafka(client);
    if (this.subscribing) this.subscribe(client, k);
    else k.consumer.assign(this.keys);
    const producer = k.transactionalProducer({
      'transactional.id': client.transactionalId,
      'transaction.timeout.ms': this.options.transactionTimeoutMs,
    });
    client.producer = producer;
    producer.initTransactions((o) => {
      if (o.type !== 'ok') return this.reopen(client);
      this.next(client);
    });
  }

  /**
   * KafkaConsumer.subscribe to every key, for a new process: a consumer still in the group from the previous
   * process leaves it first, as Jepsen's crashed client closes its consumer, so positions restart at the committed
   * offsets.
   */
  private subscribe(client: TxnClient, k: KafkaClient): void {
    if (k.consumer.coordinator !== null) k.consumer.unsubscribe();
    this.recorder.invoke(client.process, 'subscribe', this.keys);
    k.subscribe(this.keys);
    this.recorder.complete(client.process, 'ok', 'subscribe', this.keys);
  }

  private reopen(client: TxnClient): void {
    client.process = this.nextProcess++;
    this.kafka(client).ctx.setTimer(this.options.meanThinkMs, () => this.open(client));
  }

  private next(client: TxnClient): void {
    if (this.stopped) return;
    const pause = this.random.exponential(this.options.meanThinkMs);
    this.kafka(client).ctx.setTimer(pause, () => this.transaction(client));
  }

  private plan(): Mop[] {
    const n = this.random.int(1, this.options.maxTxnLength);
    const mops: Mop[] = [];
    for (let i = 0; i < n; i++) {
      if (this.random.chance(0.5)) mops.push(['send', this.random.int(0, this.options.keys - 1), this.nextValue++]);
      else mops.push(['poll']);
    }
    return mops;
  }

  private transaction(client: TxnClient): void {
    if (this.stopped || client.producer === null) return;
    const producer = client.producer;
    const consumer = this.kafka(client).consumer;
    const mops = this.plan();
    const crash = this.crashes.site(mops.length);
    if (crash?.kind === 'idle') return this.crashSoon(client, null);
    const process = client.process;
    this.stats.invoked++;
    this.recorder.invoke(
      process,
      'txn',
      mops.map((m) => [...m]),
    );
    // Where an aborted transaction's consumer seeks back to: each key's position at the start when assigned, each
    // key's first record polled when subscribed (jepsen.redpanda.workload.queue/rollback-consumer!).
    const start = this.subscribing
      ? new Map<number, number>()
      : new Map(this.keys.map((k) => [k, consumer.position(k)]));
    const rebalances: RebalanceEvent[] = [];
    const done: Value[] = [];
    const polled = new Map<number, number>();
    const t: TxnUnderWay = { process, mops, done, start, polled, rebalances, ended: false, crash };
    producer.beginTransaction();
    const step = (i: number): void => {
      if (crash?.kind === 'mid' && crash.afterMops === i) return this.crashSoon(client, t);
      if (i === mops.length) return this.sendOffsets(client, t);
      const m = mops[i];
      if (m[0] === 'send') {
        const [, key, value] = m;
        producer.send(key, value, (o) => {
          done.push(o.type === 'ok' ? ['send', key, [o.offset, value]] : ['send', key, value]);
          step(i + 1);
        });
        return;
      }
      consumer.poll(this.options.pollMs, (r) => {
        done.push(...(pollOkValue(r.records) as Value[]));
        rebalances.push(...(r.rebalances ?? []));
        if (this.subscribing) {
          for (const [k, pairs] of r.records) {
            if (pairs.length === 0) continue;
            if (!start.has(k)) start.set(k, pairs[0][0]);
            polled.set(k, Math.max(polled.get(k) ?? -1, pairs[pairs.length - 1][0]));
          }
        }
        step(i + 1);
      });
    };
    step(0);
  }

  /**
   * Jepsen's send-offsets!: a subscribed client's transaction that polled anything sends, for each key it polled,
   * the offset after the highest it read (OffsetAndMetadata without a leader epoch) with its consumer's group
   * metadata; a failure aborts the transaction.
   */
  private sendOffsets(client: TxnClient, t: TxnUnderWay): void {
    if (!this.subscribing || t.polled.size === 0) return this.finish(client, t);
    const producer = client.producer as TransactionalProducer;
    const offsets = [...t.polled].sort(([a], [b]) => a - b);
    const toCommit = offsets.map(([partition, offset]) => ({ partition, offset: offset + 1, leaderEpoch: -1 }));
    producer.sendOffsetsToTransaction(toCommit, this.kafka(client).consumer.groupMetadata(), (o) => {
      if (o.type === 'ok') this.finish(client, t);
      else this.abort(client, t, o.error);
    });
  }

  private finish(client: TxnClient, t: TxnUnderWay): void {
    const producer = client.producer as TransactionalProducer;
    const { process, mops, done } = t;
    producer.commitTransaction((o) => {
      if (o.type === 'ok') {
        this.stats.ok++;
        this.completeTxn(t, this.recorder.complete(process, 'ok', 'txn', done));
        return this.next(client);
      }
      if (o.type === 'info') {
        this.stats.info++;
        this.completeTxn(
          t,
          this.recorder.complete(
            process,
            'info',
            'txn',
            mops.map((m) => [...m]),
            o.error,
          ),
        );
        return this.reopen(client);
      }
      this.abort(client, t, o.error);
    });
    this.crashInFlight(client, t);
  }

  /** A transaction that cannot commit: its consumer seeks back, the producer aborts, the op fails. */
  private abort(client: TxnClient, t: TxnUnderWay, error: string): void {
    const producer = client.producer as TransactionalProducer;
    const { process, mops, start } = t;
    const consumer = this.kafka(client).consumer;
    const assigned = this.subscribing ? new Set(consumer.assignment()) : null;
    // A subscribed consumer seeks only the partitions it still owns (KafkaConsumer.seek refuses the others).
    for (const [k, offset] of start) if (assigned === null || assigned.has(k)) consumer.seek(k, offset);
    producer.abortTransaction((a) => {
      this.stats.fail++;
      this.completeTxn(
        t,
        this.recorder.complete(
          process,
          'fail',
          'txn',
          mops.map((m) => [...m]),
          error,
        ),
      );
      if (a.type === 'ok') this.next(client);
      else this.reopen(client);
    });
    this.crashInFlight(client, t);
  }

  /** Jepsen's :rebalance-log on a transaction whose polls went through a rebalance. */
  private completeTxn(t: TxnUnderWay, op: Op): void {
    t.ended = true;
    if (t.rebalances.length > 0) op.rebalanceLog = rebalanceLog(t.rebalances);
  }

  /**
   * The client's node crashes (crash.ts), in a world event of its own rather than inside a callback of the client
   * that is about to die; a transaction under way, `t`, ends :info. Then a new process opens a new producer, under a
   * fresh transactional.id, and a new consumer.
   */
  private crashSoon(client: TxnClient, t: TxnUnderWay | null, delayMs = 0): void {
    this.cluster.world.schedule(delayMs, () => {
      if (t !== null && t.ended) return;
      if (t === null) this.crashes.crashIdle(client.node, client.process);
      else {
        this.crashes.crashMidTxn(client.node);
        this.stats.info++;
        const invoked = t.mops.map((m) => [...m]);
        this.completeTxn(t, this.recorder.complete(t.process, 'info', 'txn', invoked, CLIENT_CRASHED));
      }
      client.producer = null;
      this.reopen(client);
      client.transactionalId = transactionalIdOf(client.node, client.process);
    });
  }

  /** A crash drawn to strike in flight does, once: the commit's, or the abort's when no commit went out first. */
  private crashInFlight(client: TxnClient, t: TxnUnderWay): void {
    if (t.crash?.kind !== 'in-flight') return;
    this.crashSoon(client, t, t.crash.delayMs);
    t.crash = null;
  }
}
