// Anomalies across one process's ops (jepsen.tests.kafka: poll-skip+nonmonotonic-cases,
// nonmonotonic-send-cases). A process's next poll of a key must start right after the record its last ok
// poll of that key ended on, and its next send to a key must land after its last one. Jepsen's rules for
// what moves the position: only an ok poll sets it (a failed or crashed transaction's consumer rewinds, so
// their polls are checked against the position but leave it); an assign or subscribe (ok or info) keeps the
// positions of the keys it still names and forgets the others. A crashed client comes back as a new process.
// Two kafkasim ops Jepsen does not have also forget positions: a seek (of the keys it names) and the start of
// kafkasim's final phase (every position), where consumers seek back to offset 0.
import { FINAL_READS_F, isClientProcess, WORKLOAD_PROCESS, type ProcessId } from '../../workloads/history/format.ts';
import { listWords } from '../queue/describe.ts';
import { toKey } from '../queue/index.ts';
import { AnomalyTally } from '../queue/tally.ts';
import { keyText, opPairsOf, opText, valueOf, versionsBetween, type Analysis } from './analysis.ts';
import { JEPSEN_KAFKA_ANOMALIES } from './explanations.ts';
import { INFO, NO_VERSION, OK } from './txn-ops.ts';

export interface ProcessTallies {
  pollSkip: AnomalyTally;
  nonmonotonicPoll: AnomalyTally;
  nonmonotonicSend: AnomalyTally;
}

/** The last version a process polled from (or sent to) a key, and the op that did. */
interface Last {
  version: number;
  op: number;
}

interface ProcessState {
  polled: Map<number, Last>;
  sent: Map<number, Last>;
}

const ASSIGNMENT = new Set(['assign', 'subscribe']);

export function detectProcessOrder(a: Analysis): ProcessTallies {
  const tallies: ProcessTallies = {
    pollSkip: new AnomalyTally('poll-skip', JEPSEN_KAFKA_ANOMALIES['poll-skip']),
    nonmonotonicPoll: new AnomalyTally('nonmonotonic-poll', JEPSEN_KAFKA_ANOMALIES['nonmonotonic-poll']),
    nonmonotonicSend: new AnomalyTally('nonmonotonic-send', JEPSEN_KAFKA_ANOMALIES['nonmonotonic-send']),
  };
  const states = new Map<ProcessId, ProcessState>();
  const span = new OpSpan(a.ops.versions.keys.length);
  const { history, ops } = a;
  let next = 0;
  for (let p = 0; p < history.length; p++) {
    const op = history[p];
    if (op.f === FINAL_READS_F && op.process === WORKLOAD_PROCESS) states.clear();
    if (!isClientProcess(op.process) || op.type === 'invoke') continue;
    let state = states.get(op.process);
    if (state === undefined) states.set(op.process, (state = { polled: new Map(), sent: new Map() }));
    if (ASSIGNMENT.has(op.f) && op.type !== 'fail') {
      const kept = keyIdsNamed(a, op.value, (k) => k);
      retainOnly(state.polled, kept);
      retainOnly(state.sent, kept);
    } else if (op.f === 'seek' && op.type === 'ok') {
      for (const keyId of keyIdsNamed(a, op.value, (entry) => (Array.isArray(entry) ? entry[0] : null))) {
        state.polled.delete(keyId);
      }
    }
    // Ops are numbered in history order: the next one is at ops.position[next].
    if (next >= ops.count || ops.position[next] !== p) continue;
    const id = next++;
    span.readsOf(a, id);
    comparePolls(a, id, span, state.polled, tallies);
    if (ops.type[id] !== OK && ops.type[id] !== INFO) continue;
    span.writesOf(a, id);
    compareSends(a, id, span, state.sent, tallies);
  }
  return tallies;
}

function comparePolls(a: Analysis, op: number, span: OpSpan, polled: Map<number, Last>, t: ProcessTallies): void {
  for (const keyId of span.keys) {
    const last = polled.get(keyId);
    if (last !== undefined) {
      const delta = indexDelta(a, last.version, span.first[keyId]);
      if (delta > 1) report(a, t.pollSkip, 'polled', keyId, last, op, span.first[keyId], delta);
      else if (delta < 1) report(a, t.nonmonotonicPoll, 'polled', keyId, last, op, span.first[keyId], delta);
    }
    if (a.ops.type[op] === OK) polled.set(keyId, { version: span.last[keyId], op });
  }
}

function compareSends(a: Analysis, op: number, span: OpSpan, sent: Map<number, Last>, t: ProcessTallies): void {
  for (const keyId of span.keys) {
    const last = sent.get(keyId);
    if (last !== undefined) {
      const delta = indexDelta(a, last.version, span.first[keyId]);
      if (delta < 1) report(a, t.nonmonotonicSend, 'sent to', keyId, last, op, span.first[keyId], delta);
    }
    sent.set(keyId, { version: span.last[keyId], op });
  }
}

/** Index of `next` minus index of `last` in their key's order; 1 (no claim) when either has none. */
function indexDelta(a: Analysis, last: number, next: number): number {
  if (last === NO_VERSION || next === NO_VERSION) return 1;
  const i = a.orders.indexOf[last];
  const j = a.orders.indexOf[next];
  return i < 0 || j < 0 ? 1 : j - i;
}

function report(
  a: Analysis,
  tally: AnomalyTally,
  verb: string,
  keyId: number,
  last: Last,
  op: number,
  next: number,
  delta: number,
): void {
  if (!tally.record()) return;
  const from = a.orders.indexOf[last.version];
  const skipped = delta > 1 ? versionsBetween(a, keyId, from, from + delta).map((v) => valueOf(a, v)) : [];
  const values = [valueOf(a, last.version), valueOf(a, next)];
  tally.examples.push({
    description:
      `${opText(a, last.op)} ${verb} key ${keyText(a, keyId)} up to ${listWords(values.slice(0, 1))} ` +
      `(index ${from}); the same process's next ${opText(a, op)} began at ${listWords(values.slice(1))} ` +
      `(index ${from + delta})` +
      (delta > 1 ? `, skipping ${listWords(skipped)}${delta - 1 > skipped.length ? ' and more' : ''}.` : '.'),
    ops: opPairsOf(a, [last.op, op]),
    detail: { key: a.ops.versions.keys[keyId], values, delta, ...(delta > 1 ? { skipped } : {}) },
  });
}

function retainOnly(map: Map<number, Last>, keep: Set<number>): void {
  for (const keyId of map.keys()) if (!keep.has(keyId)) map.delete(keyId);
}

/** The ids of the keys a list names (an assign's keys, or a seek's [key, offset] pairs via `pick`). */
function keyIdsNamed(a: Analysis, value: unknown, pick: (entry: unknown) => unknown): Set<number> {
  const ids = new Set<number>();
  if (!Array.isArray(value)) return ids;
  for (const entry of value) {
    const key = toKey(pick(entry) as Parameters<typeof toKey>[0]);
    const id = key === null ? -1 : a.ops.versions.knownKeyId(key);
    if (id >= 0) ids.add(id);
  }
  return ids;
}

/** The keys one op touched, with the first and last version of each, in arrays reused from op to op. */
class OpSpan {
  keys: number[] = [];
  readonly first: Int32Array;
  readonly last: Int32Array;
  private readonly stamp: Int32Array;
  private generation = 0;

  constructor(keyCount: number) {
    this.first = new Int32Array(keyCount);
    this.last = new Int32Array(keyCount);
    this.stamp = new Int32Array(keyCount).fill(-1);
  }

  readsOf(a: Analysis, op: number): void {
    this.reset();
    const { ops } = a;
    for (let r = ops.readStart[op]; r < ops.readStart[op + 1]; r++) this.add(ops.readKey[r], ops.readVersion[r]);
  }

  writesOf(a: Analysis, op: number): void {
    this.reset();
    const { ops } = a;
    const { keyOf } = ops.versions;
    for (let w = ops.writeStart[op]; w < ops.writeStart[op + 1]; w++) {
      this.add(keyOf[ops.writeVersion[w]], ops.writeVersion[w]);
    }
  }

  private reset(): void {
    this.keys = [];
    this.generation++;
  }

  /** A key listed with no records (NO_VERSION) counts as touched, with no first or last version. */
  private add(keyId: number, version: number): void {
    if (this.stamp[keyId] !== this.generation) {
      this.stamp[keyId] = this.generation;
      this.keys.push(keyId);
      this.first[keyId] = version;
      this.last[keyId] = version;
      return;
    }
    if (version === NO_VERSION) return;
    if (this.first[keyId] === NO_VERSION) this.first[keyId] = version;
    this.last[keyId] = version;
  }
}
