// Random concurrent histories that are linearizable by construction: ops are applied to a simple
// sequential specification one after another, each at a linearization point inside a random
// [invoke, complete] interval; some completions become info or never arrive. Mutations then break
// (or not) such histories, for comparison with the brute-force checker.
import fc from 'fast-check';
import {
  casRegisterModel,
  kafkaLogModel,
  mutexModel,
  registerModel,
  splitKafkaByKey,
  type AnyModel,
} from '../../checkers/linearizable/index.ts';
import type { History, Op, Value } from '../../workloads/history/format.ts';

export interface Choice {
  pick: number;
  a: number;
  b: number;
  /** How far before / after its linearization point the op is invoked / completes. */
  before: number;
  after: number;
  /** 0-5 ok, 6-7 info, 8-9 never completed (for ops that happened). */
  end: number;
}

export const choiceArb: fc.Arbitrary<Choice> = fc.record({
  pick: fc.nat(999),
  a: fc.nat(3),
  b: fc.nat(3),
  before: fc.nat(6),
  after: fc.nat(6),
  end: fc.nat(9),
});

interface SpecOp {
  f: string;
  invokeValue: Value;
  /** The ok value; for ops that did not happen, what a buggy system might have claimed. */
  okValue: Value;
  happened: boolean;
}

export interface SequentialSpec {
  name: string;
  model: AnyModel;
  /** How the brute-force reference splits histories, when not by the model's own partition. */
  referencePartition?: AnyModel['partition'];
  /** Runs the generator: returns the ops in sequential order, applying each to its own state. */
  run(choices: Choice[]): SpecOp[];
  /** A changed op (f and ok value) for mutation tests. */
  mutate(op: SpecOp, choice: Choice): { f: string; okValue: Value };
}

const registerSpec = (withCas: boolean): SequentialSpec => ({
  name: withCas ? 'cas-register' : 'register',
  model: withCas ? casRegisterModel(0) : registerModel(0),
  run(choices) {
    let value = 0;
    return choices.map((c): SpecOp => {
      const kind = c.pick % (withCas ? 3 : 2);
      if (kind === 0) {
        value = c.a;
        return { f: 'write', invokeValue: c.a, okValue: c.a, happened: true };
      }
      if (kind === 1) return { f: 'read', invokeValue: null, okValue: value, happened: true };
      const happened = c.a === value;
      if (happened) value = c.b;
      return { f: 'cas', invokeValue: [c.a, c.b], okValue: [c.a, c.b], happened };
    });
  },
  mutate(op, c) {
    const other = (v: Value): number => ((v as number) + 1 + (c.a % 3)) % 4;
    if (op.f === 'cas') {
      const [from, to] = op.okValue as number[];
      return { f: 'cas', okValue: c.b % 2 === 0 ? [other(from), to] : [from, other(to)] };
    }
    return { f: op.f, okValue: other(op.okValue) };
  },
});

const mutexSpec: SequentialSpec = {
  name: 'mutex',
  model: mutexModel(),
  run(choices) {
    let held = false;
    return choices.map((c): SpecOp => {
      const f = c.pick % 2 === 0 ? 'acquire' : 'release';
      const happened = f === 'acquire' ? !held : held;
      if (happened) held = !held;
      return { f, invokeValue: null, okValue: null, happened };
    });
  },
  mutate(op) {
    return { f: op.f === 'acquire' ? 'release' : 'acquire', okValue: null };
  },
};

const kafkaSpec: SequentialSpec = {
  name: 'kafka-log',
  model: kafkaLogModel(),
  // Typed for the Kafka model; the reference calls it with the operations that model produced.
  referencePartition: splitKafkaByKey as AnyModel['partition'],
  run(choices) {
    const logs: number[][] = [[], []];
    let nextValue = 100;
    return choices.map((c): SpecOp => {
      if (c.pick % 3 !== 0) {
        const key = c.a % 2;
        const value = nextValue++;
        const offset = logs[key].length;
        // Some sends are refused by the broker: they fail and append nothing.
        const happened = c.pick % 11 !== 0;
        if (happened) logs[key].push(value);
        return { f: 'send', invokeValue: [['send', key, value]], okValue: [['send', key, [offset, value]]], happened };
      }
      const keys = c.b % 3 === 0 ? [0, 1] : [c.a % 2];
      const polled: { [key: string]: Value } = {};
      for (const key of keys) {
        const log = logs[key];
        const from = c.b % (log.length + 1);
        polled[String(key)] = log.slice(from, from + 1 + c.a).map((v, i) => [from + i, v]);
      }
      return { f: 'poll', invokeValue: [['poll']], okValue: [['poll', polled]], happened: true };
    });
  },
  mutate(op, c) {
    const micro = (op.okValue as Value[][])[0];
    if (op.f === 'send') {
      const [offset, value] = micro[2] as number[];
      return { f: 'send', okValue: [['send', micro[1], [offset + (c.a % 2 === 0 ? 1 : -1), value]]] };
    }
    const polled = micro[1] as { [key: string]: number[][] };
    const changed: { [key: string]: Value } = {};
    for (const key of Object.keys(polled)) {
      const records = polled[key];
      if (c.b % 2 === 0) {
        changed[key] = records.map(([o, v], i) => [o, i === c.a % Math.max(1, records.length) ? v + 1 : v]);
      } else {
        changed[key] = records.map(([o, v]) => [o + 1, v]);
      }
    }
    return { f: 'poll', okValue: [['poll', changed]] };
  },
};

export const SPECS: SequentialSpec[] = [registerSpec(false), registerSpec(true), mutexSpec, kafkaSpec];

export interface GeneratedHistory {
  history: History;
  /** Per generated op: the positions of its invoke and completion in the history (-1 if none). */
  positions: Array<{ invoke: number; completion: number }>;
  ops: SpecOp[];
}

/** Lays the ops out in time: op i takes effect at 100·(i+1), inside its own random interval. */
export function generateHistory(spec: SequentialSpec, choices: Choice[]): GeneratedHistory {
  const ops = spec.run(choices);
  const events: Array<{ t: number; seq: number; op: Omit<Op, 'index' | 'time'>; owner: number; isInvoke: boolean }> =
    [];
  ops.forEach((op, i) => {
    const c = choices[i];
    const point = 100 * (i + 1);
    events.push({
      t: point - (1 + 17 * c.before),
      seq: 2 * i,
      owner: i,
      isInvoke: true,
      op: { process: i, type: 'invoke', f: op.f, value: op.invokeValue },
    });
    const type = !op.happened ? (c.end === 9 ? 'info' : 'fail') : c.end <= 5 ? 'ok' : c.end <= 7 ? 'info' : undefined;
    if (type === undefined) return;
    const value = type === 'ok' ? op.okValue : op.invokeValue;
    events.push({
      t: point + 1 + 17 * c.after,
      seq: 2 * i + 1,
      owner: i,
      isInvoke: false,
      op: { process: i, type, f: op.f, value },
    });
  });
  events.sort((x, y) => x.t - y.t || x.seq - y.seq);
  const positions = ops.map(() => ({ invoke: -1, completion: -1 }));
  const history: History = events.map((e, index) => {
    if (e.isInvoke) positions[e.owner].invoke = index;
    else positions[e.owner].completion = index;
    return { index, time: e.t / 1000, ...e.op };
  });
  return { history, positions, ops };
}

export interface Mutation {
  kind: number;
  target: number;
  other: number;
  choice: Choice;
}

export const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.nat(2),
  target: fc.nat(99),
  other: fc.nat(99),
  choice: choiceArb,
});

/**
 * Changes one thing: an ok op's f or value (kind 0), the ok values of two ops with the same f
 * swapped (kind 1), or a failed op claiming success (kind 2). The result may or may not be linearizable.
 */
export function mutateHistory(spec: SequentialSpec, generated: GeneratedHistory, mutation: Mutation): History {
  const history = generated.history.map((op) => ({ ...op }));
  const okOps = generated.positions
    .map((p, i) => i)
    .filter((i) => {
      const at = generated.positions[i].completion;
      return at >= 0 && history[at].type === 'ok';
    });
  if (mutation.kind === 0 && okOps.length > 0) {
    const i = okOps[mutation.target % okOps.length];
    const { f, okValue } = spec.mutate(generated.ops[i], mutation.choice);
    const { invoke, completion } = generated.positions[i];
    history[invoke].f = f;
    history[completion].f = f;
    history[completion].value = okValue;
  } else if (mutation.kind === 1 && okOps.length > 1) {
    const i = okOps[mutation.target % okOps.length];
    const sameF = okOps.filter((j) => j !== i && generated.ops[j].f === generated.ops[i].f);
    if (sameF.length > 0) {
      const j = sameF[mutation.other % sameF.length];
      const a = history[generated.positions[i].completion];
      const b = history[generated.positions[j].completion];
      [a.value, b.value] = [b.value, a.value];
    }
  } else if (mutation.kind === 2) {
    const failed = generated.positions
      .map((p, i) => i)
      .filter((i) => {
        const at = generated.positions[i].completion;
        return at >= 0 && history[at].type === 'fail';
      });
    if (failed.length > 0) {
      const i = failed[mutation.target % failed.length];
      const completion = history[generated.positions[i].completion];
      completion.type = 'ok';
      completion.value = generated.ops[i].okValue;
    }
  }
  return history;
}

/** A history from [process, type, f, value] rows, numbered in order (time = position). */
export function historyOf(rows: Array<[process: number | string, type: Op['type'], f: string, value: Value]>): History {
  return rows.map(([process, type, f, value], index) => ({ index, time: index, process, type, f, value }));
}
