// Records a history as it happens: every op gets the next dense index and the world's current time, so
// whoever records (client loops, the nemesis, phase markers) never has to agree on numbering.
import type { History, Op, OpType, ProcessId, Value } from './history/format.ts';

/** An op as a recorder's caller describes it: the recorder adds index and time. */
export interface OpRecord {
  process: ProcessId;
  type: OpType;
  f: string;
  value: Value;
  error?: string;
}

export class HistoryRecorder {
  readonly history: History = [];

  /** `now` is the world's clock (ms); histories are stamped with world time, never a node's drifting clock. */
  constructor(private readonly now: () => number) {}

  /** Appends an op stamped with `time` (default: now) and returns it. */
  record(op: OpRecord, time: number = this.now()): Op {
    const recorded: Op = {
      index: this.history.length,
      time,
      process: op.process,
      type: op.type,
      f: op.f,
      value: op.value,
    };
    if (op.error !== undefined) recorded.error = op.error;
    this.history.push(recorded);
    return recorded;
  }

  invoke(process: ProcessId, f: string, value: Value): Op {
    return this.record({ process, type: 'invoke', f, value });
  }

  complete(process: ProcessId, type: Exclude<OpType, 'invoke'>, f: string, value: Value, error?: string): Op {
    return this.record({ process, type, f, value, error });
  }

  /** A completion with Jepsen's :rebalance-log: the consumer-group rebalances the op went through. */
  completeRebalanced(process: ProcessId, type: Exclude<OpType, 'invoke'>, f: string, value: Value, log: Value): Op {
    const op = this.record({ process, type, f, value });
    op.rebalanceLog = log;
    return op;
  }

  get length(): number {
    return this.history.length;
  }
}
