// Transactions in a scenario: a cluster with __transaction_state, transactional producers driven step by step,
// and read_committed / read_uncommitted consumers reading partitions from the start.
import type { ConsumerConfig, ProducerConfig } from '../../sim/kafka/config.ts';
import type { SendOutcome } from '../../sim/kafka/clients/producer.ts';
import type { TransactionalProducer, TxnOutcome } from '../../sim/kafka/clients/transactional-producer.ts';
import type { IsolationLevel, ProduceRequest } from '../../sim/kafka/messages.ts';
import type { RequestChannel } from '../../sim/kafka/request-channel.ts';
import { TRANSACTION_STATE_TOPIC } from '../../sim/kafka/topics.ts';
import { pollAll, values } from './consumer-polls.ts';
import { KraftScenario } from './kraft-scenario.ts';
import { Scenario, type ScenarioOptions } from './scenario.ts';

export const TXN_TOPIC: ScenarioOptions['internalTopics'] = {
  enabled: [TRANSACTION_STATE_TOPIC],
  'transaction.state.log.num.partitions': 3,
};

export function txnScenario(o: ScenarioOptions = {}): Scenario {
  const options = { partitions: 2, internalTopics: TXN_TOPIC, ...o };
  return o.metadata === 'kraft' ? new KraftScenario(options) : new Scenario(options);
}

let clients = 0;

/** A transactional producer on a fresh client node (its id in `node`, if given, for faults on its links). */
export function txnProducer(
  s: Scenario,
  transactionalId: string,
  timeoutMs = 60_000,
  producer: Partial<ProducerConfig> = {},
  node: { id?: string } = {},
): TransactionalProducer {
  const id = `txn${clients++}`;
  node.id = id;
  s.cluster.addClient(id, { producer });
  s.world.start(id);
  const client = s.cluster.client(id);
  if (client === null) throw new Error('client did not start');
  return client.transactionalProducer({ 'transactional.id': transactionalId, 'transaction.timeout.ms': timeoutMs });
}

/** Runs until `start` calls back (or `maxMs` pass); the outcome, or null if none came. */
export function await_<T>(s: Scenario, start: (done: (v: T) => void) => void, maxMs = 120_000): T | null {
  let out: T | null = null;
  let done = false;
  start((v) => {
    out = v;
    done = true;
  });
  const deadline = s.world.now + maxMs;
  s.world.runUntil((w) => done || w.now >= deadline, { maxEvents: 5_000_000 });
  return out;
}

export const init = (s: Scenario, p: TransactionalProducer): TxnOutcome | null =>
  await_<TxnOutcome>(s, (d) => p.initTransactions(d));
export const commit = (s: Scenario, p: TransactionalProducer): TxnOutcome | null =>
  await_<TxnOutcome>(s, (d) => p.commitTransaction(d));
export const abort = (s: Scenario, p: TransactionalProducer): TxnOutcome | null =>
  await_<TxnOutcome>(s, (d) => p.abortTransaction(d));

/** Sends each [partition, value] and runs until all are answered. */
export function sendAll(s: Scenario, p: TransactionalProducer, records: [number, number][]): SendOutcome[] {
  return (
    await_<SendOutcome[]>(s, (d) => {
      const out: SendOutcome[] = [];
      for (const [partition, value] of records) {
        p.send(partition, value, (o) => {
          out.push(o);
          if (out.length === records.length) d(out);
        });
      }
    }) ?? []
  );
}

/** Every value a fresh consumer of `isolation` reads from partition `partition`, from offset 0, in `polls` polls. */
export function readAll(s: Scenario, partition: number, isolation: IsolationLevel, polls = 6): number[] {
  const id = `reader${clients++}`;
  const consumer: Partial<ConsumerConfig> = { 'isolation.level': isolation, 'auto.offset.reset': 'earliest' };
  s.cluster.addClient(id, { consumer });
  s.world.start(id);
  s.cluster.client(id)?.consumer.assign([partition]);
  s.cluster.client(id)?.consumer.seek(partition, 0);
  const got = values(pollAll(s, id, polls), partition);
  s.world.crash(id);
  return got;
}

/**
 * A transactional Produce of one record to partition 0 as a producer's client sends it (for a raw client to send:
 * a request the network replays or holds back).
 */
export function txnProduceRequest(
  transactionalId: string,
  producer: { producerId: number; producerEpoch: number },
  baseSequence: number,
  value: number,
): Omit<ProduceRequest, 'correlationId'> {
  return {
    type: 'Produce',
    partition: 0,
    acks: -1,
    timeoutMs: 3000,
    producerId: producer.producerId,
    producerEpoch: producer.producerEpoch,
    baseSequence,
    values: [value],
    transactional: true,
    transactionalId,
  };
}

/** A client node `raw` with no producer or consumer of its own: its channel sends hand-made requests. */
export function rawChannel(s: Scenario): RequestChannel {
  s.cluster.addClient('raw', {});
  s.world.start('raw');
  const channel = s.cluster.client('raw')?.channel;
  if (channel === undefined) throw new Error('raw client is down');
  return channel;
}
