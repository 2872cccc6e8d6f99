// The models `kafkasim check` judges a history against, and which ops each one reads. A history with none
// of them (a Kafka history checked as a register, a register history checked as Kafka's) would be judged
// valid having been checked for nothing, so the command refuses it instead (check.ts).
import { checkDurability } from '../../checkers/durability/index.ts';
import { checkJepsenKafka, type JepsenKafkaOptions } from '../../checkers/jepsen-kafka/index.ts';
import {
  casRegisterModel,
  kafkaLogModel,
  keyValueModel,
  multiRegisterModel,
  mutexModel,
  registerModel,
  type AnyModel,
} from '../../checkers/linearizable/index.ts';
import { checkQueue, newSendFields, readSend } from '../../checkers/queue/index.ts';
import type { CheckResult } from '../../checkers/result.ts';
import type { History, Op, Value } from '../../workloads/history/format.ts';
import { UsageError } from '../usage-error.ts';

/** Models that take an initial value, and what they start from without --initial. */
interface LinearizableModel {
  kind: 'linearizable';
  /** The op names (f) the model reads. */
  reads: string[];
  initial: Value | undefined;
  build: (initial: Value | undefined) => AnyModel;
}

interface QueueModel {
  kind: 'queue';
  reads: string[];
  /** `options` are Jepsen's test options, which only the jepsen-kafka model reads. */
  check: (history: History, options: JepsenKafkaOptions) => CheckResult[];
}

export type CheckModel = LinearizableModel | QueueModel;

function asObject(v: Value): { [key: string]: Value } {
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw new UsageError('--initial for multi-register must be a JSON object, e.g. {"x":0,"y":0}');
  return v;
}

const linearizable = (reads: string[], initial: Value | undefined, build: LinearizableModel['build']) =>
  ({ kind: 'linearizable', reads, initial, build }) as const;

/** Kafka's sends and polls, as micro-ops (workloads/history/format.ts). */
const QUEUE_OPS = ['send', 'poll'];

export const MODELS: Record<string, CheckModel> = {
  register: linearizable(['read', 'write'], null, (i) => registerModel(i ?? null)),
  'cas-register': linearizable(['read', 'write', 'cas'], 0, (i) => casRegisterModel(i ?? 0)),
  'multi-register': linearizable(['txn'], {}, (i) => multiRegisterModel(asObject(i ?? {}))),
  mutex: linearizable(['acquire', 'release'], false, (i) => mutexModel(i === true)),
  'key-value': linearizable(['get', 'put', 'append'], undefined, () => keyValueModel()),
  'kafka-log': linearizable([...QUEUE_OPS, 'txn'], undefined, () => kafkaLogModel()),
  queue: { kind: 'queue', reads: QUEUE_OPS, check: (h) => [checkQueue(h)] },
  durability: { kind: 'queue', reads: QUEUE_OPS, check: (h) => [checkDurability(h)] },
  kafka: { kind: 'queue', reads: QUEUE_OPS, check: (h) => [checkQueue(h), checkDurability(h)] },
  // Jepsen's own Kafka checker (jepsen.tests.kafka), transactions and their cycles included.
  'jepsen-kafka': { kind: 'queue', reads: [...QUEUE_OPS, 'txn'], check: (h, o) => [checkJepsenKafka(h, o)] },
};

/** The models that read Jepsen's test options (--no-ww-deps, --rw-deps, --sub-via). */
export const JEPSEN_OPTION_MODELS = ['jepsen-kafka'];

export const CHECK_MODELS = Object.keys(MODELS);

/**
 * Whether the model reads `op`: a client's invocation of one of its ops. The queue checkers skip a send
 * or poll whose micro-ops they cannot decode, so for them the value must hold a send they can decode (a key
 * that is an integer, a keyword or a string) or a poll.
 */
function reads(model: CheckModel, op: Op): boolean {
  if (op.type !== 'invoke' || typeof op.process !== 'number' || !model.reads.includes(op.f)) return false;
  if (model.kind === 'linearizable') return true;
  return Array.isArray(op.value) && op.value.some(isQueueMicroOp);
}

const sendFields = newSendFields();

function isQueueMicroOp(mop: Value): boolean {
  return readSend(mop, sendFields) || (Array.isArray(mop) && mop[0] === 'poll');
}

/** Refuses a history in which the model reads nothing: a verdict on it would be on no op at all. */
export function checkSomethingToRead(name: string, history: History, file: string): void {
  const model = MODELS[name];
  if (history.some((op) => reads(model, op))) return;
  const clients = history.filter((op) => op.type === 'invoke' && typeof op.process === 'number').length;
  throw new UsageError(
    `${file}: none of its ${clients} client invocation${clients === 1 ? '' : 's'} is one the ${name} model ` +
      `reads (${model.reads.join(', ')}${model.kind === 'queue' ? ' with Kafka micro-ops' : ''}): ` +
      'a history for another model?',
  );
}
