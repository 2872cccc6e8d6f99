// Large histories that are linearizable by construction, for the checkers' scaling benchmarks and tests:
// each client runs ops one after another with think time between them; every op takes effect at a point
// inside its [invoke, complete] interval, and the ops are applied to a sequential register (or key-value
// store) in the order of those points. Some writes crash (:info, applied or not) and their client is
// replaced by a new process, as Jepsen does.
import seedrandom from 'seedrandom';
import type { History, Op, OpType, Value } from '../../workloads/history/format.ts';

export interface ScaleHistoryOptions {
  seed: string;
  /** Operations (invocations) in all. */
  ops: number;
  clients: number;
  /** Mean think time between a client's ops, and mean op duration (same unit): their ratio sets overlap. */
  meanThink: number;
  meanDuration: number;
  /** Fraction of writes that crash (:info); half of those take effect. */
  infoRate: number;
  /** Fraction of ops that are reads. */
  readRate: number;
  /** Key-value histories: keys, and how skewed the choice is (1 uniform; higher: a few hot keys). */
  keys?: number;
  hotness?: number;
}

interface PlannedOp {
  process: number;
  f: string;
  key: string | null;
  invokeAt: number;
  completeAt: number;
  takesEffectAt: number;
  written: number;
  outcome: 'ok' | 'info' | 'info-not-applied';
  read: Value;
}

/** A register history (read / write, Knossos's encoding), or with `keys` a key-value one (get / put). */
export function generateScaleHistory(options: ScaleHistoryOptions): History {
  const random = seedrandom(options.seed);
  const exp = (mean: number) => -Math.log(1 - random()) * mean;
  const planned: PlannedOp[] = [];
  const clientTime = new Float64Array(options.clients);
  const processOf = Array.from({ length: options.clients }, (_, c) => c);
  let nextProcess = options.clients;
  let written = 0;
  for (let i = 0; i < options.ops; i++) {
    // The client whose previous op ended earliest goes next, so clients advance together.
    let c = 0;
    for (let j = 1; j < options.clients; j++) if (clientTime[j] < clientTime[c]) c = j;
    const invokeAt = clientTime[c] + exp(options.meanThink);
    const completeAt = invokeAt + exp(options.meanDuration);
    clientTime[c] = completeAt;
    const isRead = random() < options.readRate;
    const crashed = !isRead && random() < options.infoRate;
    const keys = options.keys;
    const key = keys === undefined ? null : `k${Math.floor(keys * random() ** (options.hotness ?? 1))}`;
    planned.push({
      process: processOf[c],
      f: isRead ? (keys === undefined ? 'read' : 'get') : keys === undefined ? 'write' : 'put',
      key,
      invokeAt,
      completeAt,
      takesEffectAt: invokeAt + random() * (completeAt - invokeAt),
      written: isRead ? 0 : ++written,
      outcome: !crashed ? 'ok' : random() < 0.5 ? 'info' : 'info-not-applied',
      read: null,
    });
    if (crashed) processOf[c] = nextProcess++;
  }
  const byEffect = [...planned].sort((a, b) => a.takesEffectAt - b.takesEffectAt);
  const state = new Map<string | null, number>();
  for (const op of byEffect) {
    if (op.written === 0) op.read = state.get(op.key) ?? (op.key === null ? null : '');
    else if (op.outcome !== 'info-not-applied') state.set(op.key, op.written);
  }
  return toHistory(planned);
}

function toHistory(planned: PlannedOp[]): History {
  const events: [time: number, op: PlannedOp, completion: boolean][] = [];
  for (const op of planned) {
    events.push([op.invokeAt, op, false]);
    events.push([op.completeAt, op, true]);
  }
  events.sort((a, b) => a[0] - b[0]);
  const history: History = [];
  for (const [time, op, completion] of events) {
    const value = valueOf(op, completion);
    const type: OpType = !completion ? 'invoke' : op.outcome === 'ok' ? 'ok' : 'info';
    const event: Op = { index: history.length, time, process: op.process, type, f: op.f, value };
    history.push(event);
  }
  return history;
}

function valueOf(op: PlannedOp, completion: boolean): Value {
  const isRead = op.written === 0;
  if (op.key === null) return isRead ? (completion ? op.read : null) : op.written;
  // Key-value strings: a get returns what was put, "" before any put.
  return [op.key, isRead ? (completion ? String(op.read) : null) : String(op.written)];
}
