// Building queue histories for checker tests: a fluent builder for hand-made ones, and a sequential
// model of per-key logs that generates correct random ones (also used by the checker benchmark).
import {
  FINAL_READS_F,
  WORKLOAD_PROCESS,
  type History,
  type OpType,
  type ProcessId,
  type Value,
} from '../../workloads/history/format.ts';

/** [offset, value] as a poll returns it. */
export type PolledRecord = [number, Value];

export class QueueHistoryBuilder {
  private readonly ops: History = [];

  /** Appends one op; time is its position, so tests can reason in positions. */
  op(process: ProcessId, type: OpType, f: string, value: Value, error?: string): this {
    const index = this.ops.length;
    this.ops.push(
      error === undefined
        ? { index, time: index, process, type, f, value }
        : { index, time: index, process, type, f, value, error },
    );
    return this;
  }

  invokeSend(process: number, key: number, value: Value): this {
    return this.op(process, 'invoke', 'send', [['send', key, value]]);
  }

  /** Completes a send invoked earlier by the same process. */
  ackSend(process: number, key: number, value: Value, offset: number): this {
    return this.op(process, 'ok', 'send', [['send', key, [offset, value]]]);
  }

  send(process: number, key: number, value: Value, offset: number): this {
    return this.invokeSend(process, key, value).ackSend(process, key, value, offset);
  }

  sendFail(process: number, key: number, value: Value, error = 'NOT_ENOUGH_REPLICAS'): this {
    return this.invokeSend(process, key, value).op(process, 'fail', 'send', [['send', key, value]], error);
  }

  /** A send whose outcome the client never learnt (so the process crashed), optionally naming an offset. */
  sendInfo(process: number, key: number, value: Value, offset?: number, error = 'REQUEST_TIMED_OUT'): this {
    const payload: Value = offset === undefined ? value : [offset, value];
    return this.invokeSend(process, key, value).op(process, 'info', 'send', [['send', key, payload]], error);
  }

  invokePoll(process: number): this {
    return this.op(process, 'invoke', 'poll', [['poll']]);
  }

  /** Completes a poll; records maps each key to what was returned for it. */
  pollOk(process: number, records: Record<number, PolledRecord[]>): this {
    const byKey: { [key: string]: Value } = {};
    for (const [key, list] of Object.entries(records)) byKey[key] = list;
    return this.op(process, 'ok', 'poll', [['poll', byKey]]);
  }

  poll(process: number, records: Record<number, PolledRecord[]>): this {
    return this.invokePoll(process).pollOk(process, records);
  }

  assign(process: number, keys: number[]): this {
    return this.op(process, 'invoke', 'assign', keys).op(process, 'ok', 'assign', keys);
  }

  finalReads(): this {
    return this.op(WORKLOAD_PROCESS, 'info', FINAL_READS_F, null);
  }

  build(): History {
    return this.ops;
  }
}

/** Offsets 0.. of consecutive values, for polls: records(0, 10, 11) = [[0, 10], [1, 11]]. */
export function records(firstOffset: number, ...values: Value[]): PolledRecord[] {
  return values.map((value, i) => [firstOffset + i, value]);
}

/** A small deterministic generator (mulberry32): tests and benchmarks must not use Math.random. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface QueueModelParams {
  seed: number;
  keys: number;
  producers: number;
  consumers: number;
  /** Ops (invocations and completions) to record before the final phase. */
  ops: number;
  /** Share of sends that fail (not written) and that end indeterminate (written or not, at random). */
  failRate: number;
  infoRate: number;
  /** Chance that an append leaves an unused offset before it, as transaction markers do. */
  gapRate: number;
  /** Chance that a consumer's next op is an assign instead of a poll. */
  assignRate: number;
  keysPerConsumer: number;
  maxRecordsPerKey: number;
  /** How many consumers read every partition from the beginning in the final phase. */
  finalReaders: number;
}

export interface LogRecord {
  offset: number;
  value: number;
  /** The send was acknowledged (ok), rather than indeterminate. */
  acked: boolean;
}

export interface ModelHistory {
  history: History;
  /** What each partition really holds at the end, in offset order. */
  logs: LogRecord[][];
}

type Pending = { kind: 'send'; key: number; value: number } | { kind: 'poll' } | { kind: 'assign'; keys: number[] };

interface Slot {
  process: number;
  producer: boolean;
  pending: Pending | null;
  assigned: number[];
  /** key → index into logs[key] of the next record to return. */
  positions: Map<number, number>;
}

/**
 * A correct queue history: per-key logs appended at each ok send's completion, consumers reading them in
 * order, several processes in flight at once, then a final phase reading every partition from the start.
 */
export function generateQueueHistory(params: QueueModelParams): ModelHistory {
  const random = seededRandom(params.seed);
  const pick = (n: number): number => Math.floor(random() * n);
  const b = new QueueHistoryBuilder();
  const logs: LogRecord[][] = Array.from({ length: params.keys }, () => []);
  const nextOffset = new Array<number>(params.keys).fill(0);
  const slots: Slot[] = [];
  let nextProcess = 0;
  for (let i = 0; i < params.producers + params.consumers; i++) {
    slots.push({
      process: nextProcess++,
      producer: i < params.producers,
      pending: null,
      assigned: [],
      positions: new Map(),
    });
  }
  let nextValue = 0;
  const append = (key: number, value: number, acked: boolean): number => {
    if (random() < params.gapRate) nextOffset[key]++;
    const offset = nextOffset[key]++;
    logs[key].push({ offset, value, acked });
    return offset;
  };
  const pollAssigned = (slot: Slot, limit: number): Record<number, PolledRecord[]> => {
    const result: Record<number, PolledRecord[]> = {};
    for (const key of slot.assigned) {
      const from = slot.positions.get(key) ?? 0;
      const to = Math.min(logs[key].length, from + limit);
      if (to === from) continue;
      const list: PolledRecord[] = [];
      for (let r = from; r < to; r++) list.push([logs[key][r].offset, logs[key][r].value]);
      result[key] = list;
      slot.positions.set(key, to);
    }
    return result;
  };

  const complete = (slot: Slot): void => {
    const pending = slot.pending;
    slot.pending = null;
    if (pending === null) return;
    if (pending.kind === 'send') {
      const roll = random();
      if (roll < params.failRate) {
        b.op(slot.process, 'fail', 'send', [['send', pending.key, pending.value]], 'NOT_ENOUGH_REPLICAS');
      } else if (roll < params.failRate + params.infoRate) {
        if (random() < 0.5) append(pending.key, pending.value, false);
        b.op(slot.process, 'info', 'send', [['send', pending.key, pending.value]], 'REQUEST_TIMED_OUT');
        slot.process = nextProcess++;
      } else {
        b.ackSend(slot.process, pending.key, pending.value, append(pending.key, pending.value, true));
      }
    } else if (pending.kind === 'assign') {
      const kept = new Map<number, number>();
      for (const key of pending.keys) kept.set(key, slot.positions.get(key) ?? logs[key].length);
      slot.assigned = pending.keys;
      slot.positions = kept;
      b.op(slot.process, 'ok', 'assign', pending.keys);
    } else {
      b.pollOk(slot.process, pollAssigned(slot, params.maxRecordsPerKey));
    }
  };

  const invoke = (slot: Slot): void => {
    if (slot.producer) {
      const key = pick(params.keys);
      const value = nextValue++;
      slot.pending = { kind: 'send', key, value };
      b.invokeSend(slot.process, key, value);
    } else if (slot.assigned.length === 0 || random() < params.assignRate) {
      const keys = new Set<number>();
      while (keys.size < Math.min(params.keysPerConsumer, params.keys)) keys.add(pick(params.keys));
      const sorted = [...keys].sort((x, y) => x - y);
      slot.pending = { kind: 'assign', keys: sorted };
      b.op(slot.process, 'invoke', 'assign', sorted);
    } else {
      slot.pending = { kind: 'poll' };
      b.invokePoll(slot.process);
    }
  };

  while (b.build().length < params.ops) {
    const slot = slots[pick(slots.length)];
    if (slot.pending === null) invoke(slot);
    else complete(slot);
  }
  for (const slot of slots) complete(slot);

  b.finalReads();
  const allKeys = Array.from({ length: params.keys }, (_, key) => key);
  const readers = slots.filter((s) => !s.producer).slice(0, params.finalReaders);
  for (const slot of readers) {
    b.assign(slot.process, allKeys);
    slot.assigned = allKeys;
    slot.positions = new Map(allKeys.map((key) => [key, 0]));
    for (;;) {
      b.invokePoll(slot.process);
      const polled = pollAssigned(slot, params.maxRecordsPerKey * 8);
      b.pollOk(slot.process, polled);
      if (Object.keys(polled).length === 0) break;
    }
  }
  return { history: b.build(), logs };
}
