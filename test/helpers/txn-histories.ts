// Kafka transactional histories in Jepsen's form that are serializable by construction, for the Jepsen
// Kafka checker's property tests and benchmark. Clients run transactions of sends and polls one after
// another; each takes effect at one point inside its [invoke, complete] interval, and the effects are applied
// to per-key logs in the order of those points. A transaction's polls read what committed before it, to the
// end of each key its client is assigned (so even rw edges form no cycle), and its sends are appended when it
// commits. Some transactions abort (fail: nothing sent, the consumer rewinds) and some crash (info: applied
// or not; the client is replaced by a new process that starts where the old one's last ok poll left it).
// A final round of polls reads every key to its end, so every acknowledged record is polled.
import seedrandom from 'seedrandom';
import type { History, Op, OpType, Value } from '../../workloads/history/format.ts';

export interface TxnHistoryOptions {
  seed: string;
  /** Transactions (invocations) in all, before the final polls. */
  ops: number;
  clients: number;
  keys: number;
  /** Micro-ops per transaction: 1 to this many (Jepsen's Kafka test uses 4 with --txn). */
  maxTxnLength: number;
  /** Fraction of transactions that abort (fail), and that crash (info, half of them applied). */
  failRate: number;
  infoRate: number;
  /** Mean think time between a client's transactions and mean duration, in ms: their ratio sets overlap. */
  meanThink: number;
  meanDuration: number;
}

type Mop = ['poll'] | ['send', number, number];

interface Planned {
  client: number;
  process: number;
  invokeAt: number;
  completeAt: number;
  effectAt: number;
  mops: Mop[];
  outcome: 'ok' | 'fail' | 'info' | 'info-not-applied';
  completion: Value;
  /** After a crash, the process that replaces this one on its client. */
  successor: number;
}

export function generateTxnHistory(o: TxnHistoryOptions): History {
  const random = seedrandom(o.seed);
  const exp = (mean: number) => -Math.log(1 - random()) * mean;
  const byClient: Planned[][] = Array.from({ length: o.clients }, () => []);
  const clientTime = new Float64Array(o.clients);
  const processOf = Array.from({ length: o.clients }, (_, c) => c);
  let nextProcess = o.clients;
  let nextValue = 0;
  const all: Planned[] = [];
  for (let i = 0; i < o.ops; i++) {
    let c = 0;
    for (let j = 1; j < o.clients; j++) if (clientTime[j] < clientTime[c]) c = j;
    const invokeAt = clientTime[c] + exp(o.meanThink);
    const completeAt = invokeAt + exp(o.meanDuration) + 1e-3;
    clientTime[c] = completeAt;
    const length = 1 + Math.floor(random() * o.maxTxnLength);
    const mops: Mop[] = [];
    for (let m = 0; m < length; m++) {
      mops.push(random() < 0.5 ? ['poll'] : ['send', Math.floor(random() * o.keys), nextValue++]);
    }
    const roll = random();
    const outcome = roll < o.failRate ? 'fail' : roll < o.failRate + o.infoRate ? crashOutcome(random()) : 'ok';
    const p: Planned = {
      client: c,
      process: processOf[c],
      invokeAt,
      completeAt,
      effectAt: invokeAt + random() * (completeAt - invokeAt),
      mops,
      outcome,
      completion: null,
      successor: -1,
    };
    byClient[c].push(p);
    all.push(p);
    if (outcome === 'info' || outcome === 'info-not-applied') processOf[c] = p.successor = nextProcess++;
  }
  const model = new LogModel(o.keys, o.clients);
  for (const p of [...all].sort((a, b) => a.effectAt - b.effectAt)) p.completion = model.apply(p);
  return toHistory(o, byClient, processOf, model);
}

function crashOutcome(r: number): 'info' | 'info-not-applied' {
  return r < 0.5 ? 'info' : 'info-not-applied';
}

/** Per-key logs, and per client the next offset of each key it is assigned (key % clients === client). */
class LogModel {
  readonly logs: number[][];
  readonly position: Int32Array;

  constructor(
    keys: number,
    private readonly clients: number,
  ) {
    this.logs = Array.from({ length: keys }, () => []);
    this.position = new Int32Array(keys);
  }

  /** Applies one transaction at its effect point; returns its completion's micro-ops. */
  apply(p: Planned): Value {
    if (p.outcome === 'info-not-applied') return invocationValue(p.mops);
    const applies = p.outcome !== 'fail';
    const read = new Map<number, number>();
    const out: Value[] = [];
    const sends: [number, number][] = [];
    for (const mop of p.mops) {
      if (mop[0] === 'send') {
        sends.push([mop[1], mop[2]]);
        out.push(mop);
        continue;
      }
      const byKey: { [key: string]: Value } = {};
      for (let k = p.client; k < this.logs.length; k += this.clients) {
        const from = read.get(k) ?? this.position[k];
        const log = this.logs[k];
        if (from >= log.length) continue;
        byKey[String(k)] = log.slice(from).map((v, i) => [from + i, v]);
        read.set(k, log.length);
      }
      out.push(['poll', byKey]);
    }
    if (!applies) return out;
    const offsets = new Map<number, number>();
    for (const [k, v] of sends) {
      offsets.set(v, this.logs[k].length);
      this.logs[k].push(v);
    }
    // Only an ok transaction moves its consumer; a crashed one's successor starts where it was.
    if (p.outcome === 'ok') for (const [k, next] of read) this.position[k] = next;
    if (p.outcome === 'info') return invocationValue(p.mops);
    return out.map((m): Value => {
      if (!Array.isArray(m) || m[0] !== 'send') return m;
      const value = m[2] as number;
      return ['send', m[1], [offsets.get(value) as number, value]];
    });
  }
}

function invocationValue(mops: Mop[]): Value {
  return mops.map((m) => [...m]);
}

function fOf(mops: Mop[]): string {
  if (mops.every((m) => m[0] === 'poll')) return 'poll';
  if (mops.every((m) => m[0] === 'send')) return 'send';
  return 'txn';
}

function toHistory(o: TxnHistoryOptions, byClient: Planned[][], processOf: number[], model: LogModel): History {
  const history: History = [];
  const push = (time: number, process: number, type: OpType, f: string, value: Value) => {
    const op: Op = { index: history.length, time, process, type, f, value };
    history.push(op);
  };
  const assigned = (c: number) =>
    Array.from({ length: Math.ceil((o.keys - c) / o.clients) }, (_, i) => c + i * o.clients);
  for (let c = 0; c < o.clients; c++) {
    push(0, c, 'invoke', 'assign', assigned(c));
    push(0, c, 'ok', 'assign', assigned(c));
  }
  // Merge the clients' invocations and completions by time (each client's own are already in order).
  const events = byClient.map((ops) =>
    ops.flatMap((p) => [
      { p, at: p.invokeAt, invoke: true },
      { p, at: p.completeAt, invoke: false },
    ]),
  );
  const head = new Int32Array(o.clients);
  let last = 0;
  for (;;) {
    let c = -1;
    for (let j = 0; j < o.clients; j++) {
      if (head[j] < events[j].length && (c < 0 || events[j][head[j]].at < events[c][head[c]].at)) c = j;
    }
    if (c < 0) break;
    const { p, at, invoke } = events[c][head[c]++];
    last = at;
    const type: OpType = invoke ? 'invoke' : p.outcome === 'ok' ? 'ok' : p.outcome === 'fail' ? 'fail' : 'info';
    push(at, p.process, type, fOf(p.mops), invoke ? invocationValue(p.mops) : p.completion);
    // A crashed client's successor assigns itself the same keys before its first transaction.
    if (type === 'info') {
      push(at, p.successor, 'invoke', 'assign', assigned(c));
      push(at, p.successor, 'ok', 'assign', assigned(c));
    }
  }
  // Final polls: each client reads its keys to the end.
  for (let c = 0; c < o.clients; c++) {
    last += 1;
    const byKey: { [key: string]: Value } = {};
    for (const k of assigned(c)) {
      const from = model.position[k];
      const log = model.logs[k];
      if (from < log.length) byKey[String(k)] = log.slice(from).map((v, i) => [from + i, v]);
    }
    push(last, processOf[c], 'invoke', 'poll', [['poll']]);
    push(last, processOf[c], 'ok', 'poll', [['poll', byKey]]);
  }
  return history;
}

/**
 * Plants `count` future reads, spread over the history: an ok poll or txn T also returns a record that a
 * transaction W sent, W being the first one invoked after T completed that sent to a key T's process is not
 * assigned (so no per-process order changes). W → T (wr) and T → W (realtime) close a G1c-realtime cycle.
 */
export function plantFutureReads(history: History, count: number): History {
  const assigned = new Map<number | string, Set<string>>();
  const every = Math.max(1, Math.floor(history.length / (count + 1)));
  let planted = 0;
  for (let p = 0; p < history.length && planted < count; p++) {
    const op = history[p];
    if (op.f === 'assign' && op.type === 'ok') assigned.set(op.process, new Set((op.value as Value[]).map(String)));
    if (p < (planted + 1) * every || op.type !== 'ok' || (op.f !== 'poll' && op.f !== 'txn')) continue;
    const mine = assigned.get(op.process) ?? new Set<string>();
    const record = laterSend(history, p, mine);
    if (record === null) continue;
    op.value = [...(op.value as Value[]), ['poll', { [record.key]: [[record.offset, record.value]] }]];
    planted++;
  }
  return history;
}

/** The first send acknowledged by an op invoked after position p, to a key not in `exclude`. */
function laterSend(
  history: History,
  p: number,
  exclude: Set<string>,
): { key: string; offset: number; value: Value } | null {
  const invokedAfter = new Set<number | string>();
  for (let q = p + 1; q < history.length; q++) {
    const op = history[q];
    if (op.type === 'invoke') {
      invokedAfter.add(op.process);
      continue;
    }
    if (op.type !== 'ok' || !invokedAfter.has(op.process) || !Array.isArray(op.value)) continue;
    for (const mop of op.value) {
      if (!Array.isArray(mop) || mop[0] !== 'send' || exclude.has(String(mop[1]))) continue;
      const [offset, value] = mop[2] as [number, Value];
      return { key: String(mop[1]), offset, value };
    }
  }
  return null;
}
