// Anomalies as a report shows them: each checker's explanation, and for every example its sentence, the
// ops involved and the facts around it. A lost acknowledged write gets its whole story from the
// replication events: the send, its acknowledgement, which replicas had the record, the elections and
// crashes after it, and the truncations that removed it.
import type { CheckResult } from '../checkers/result.ts';
import type { Op } from '../workloads/history/format.ts';
import type { ReplicationEvent } from '../sim/events/index.ts';
import { seconds, shortJson } from './format.ts';

export interface Fact {
  label: string;
  text: string;
}

export interface ReportExample {
  description: string;
  ops: Op[];
  facts: Fact[];
}

export interface ReportAnomaly {
  checker: string;
  name: string;
  count: number;
  explanation: string;
  /** Instances by cause, when the checker judged causes (allowed anomalies; findings under --strict). */
  byCause?: Record<string, number>;
  examples: ReportExample[];
}

/** Anomalies about a write that should be in the log and is not. */
const LOSSES = new Set(['acked-write-lost', 'lost-write', 'unseen']);
/** Elections and crashes listed after a loss, at most. */
const AROUND = 6;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The indexes of every op any example names (the ops a timeline must keep). */
export function anomalousIndexes(checkers: readonly CheckResult[]): Set<number> {
  const out = new Set<number>();
  for (const c of checkers)
    for (const a of [...c.anomalies, ...(c.allowed ?? [])])
      for (const ex of a.examples) for (const op of ex.ops) out.add(op.index);
  return out;
}

export function reportAnomalies(
  checkers: readonly CheckResult[],
  events: readonly ReplicationEvent[],
  which: 'findings' | 'allowed' = 'findings',
): ReportAnomaly[] {
  return checkers.flatMap((c) =>
    (which === 'findings' ? c.anomalies : (c.allowed ?? [])).map((a) => ({
      checker: c.checker,
      name: a.name,
      count: a.count,
      explanation: a.explanation,
      ...(a.byCause === undefined ? {} : { byCause: a.byCause }),
      examples: a.examples.map((ex) => ({
        description: ex.description,
        ops: ex.ops,
        facts:
          LOSSES.has(a.name) && isRecord(ex.detail) ? lossFacts(ex.ops, ex.detail, events) : genericFacts(ex.detail),
      })),
    })),
  );
}

function genericFacts(detail: Record<string, unknown> | undefined): Fact[] {
  if (detail === undefined) return [];
  return Object.entries(detail).map(([label, v]) => ({ label, text: typeof v === 'string' ? v : shortJson(v) }));
}

function lossFacts(ops: readonly Op[], detail: Record<string, unknown>, events: readonly ReplicationEvent[]): Fact[] {
  const { key, offset, value } = detail;
  if (typeof key !== 'number' || typeof offset !== 'number' || typeof value !== 'number') return genericFacts(detail);
  const facts: Fact[] = [];
  const invoke = ops.find((o) => o.type === 'invoke');
  const ack = ops.find((o) => o.type === 'ok');
  if (invoke !== undefined) {
    facts.push({
      label: 'sent',
      text:
        `process ${String(invoke.process)} sent value ${value} to partition ${key} at ${seconds(invoke.time)} ` +
        `(op ${invoke.index})`,
    });
  }
  const acked = events.find(
    (e) => e.kind === 'acked' && e.partition === key && e.offset === offset && e.value === value,
  );
  if (ack !== undefined) {
    const by =
      acked !== undefined && acked.kind === 'acked'
        ? ` by leader broker ${acked.broker} (acks=${acked.acks === -1 ? 'all' : acked.acks})`
        : '';
    facts.push({ label: 'acknowledged', text: `at offset ${offset} at ${seconds(ack.time)} (op ${ack.index})${by}` });
  }
  const ackTime = ack?.time ?? (typeof detail.ackTime === 'number' ? detail.ackTime : 0);

  const had: string[] = [];
  for (const e of events) {
    if (e.kind !== 'append' || e.partition !== key || offset < e.baseOffset || offset >= e.baseOffset + e.values.length)
      continue;
    if (e.values[offset - e.baseOffset] !== value) continue;
    had.push(
      `broker ${e.broker} (${e.asLeader ? 'as leader' : 'as follower'}, leader epoch ${e.epoch}) at ${seconds(e.time)}`,
    );
  }
  facts.push({
    label: 'replicas that had it',
    text: had.length === 0 ? 'no replica reported appending it' : had.join('; '),
  });

  const after: string[] = [];
  for (const e of events) {
    if (e.time < ackTime || after.length >= AROUND) continue;
    if (e.kind === 'election' && e.partition === key) {
      const kind = e.lastKnownLeader === true ? 'KIP-966 last-known-leader' : e.unclean ? 'UNCLEAN' : 'clean';
      after.push(
        `${seconds(e.time)}: ${kind} ` +
          `election of partition ${key}: broker ${e.leader} ` +
          `leads in epoch ${e.leaderEpoch} ` +
          `(previous leader ${e.previousLeader}, ISR [${e.isr.join(', ')}], ${e.reason})`,
      );
    } else if (e.kind === 'broker-state' && (e.state === 'crashed' || e.state === 'shutdown')) {
      after.push(`${seconds(e.time)}: broker ${e.broker} ${e.state === 'crashed' ? 'crashed' : 'shut down'}`);
    }
  }
  if (after.length > 0) facts.push({ label: 'elections and crashes after the ack', text: after.join('\n') });

  const truncations = Array.isArray(detail.truncatedBy) ? detail.truncatedBy.filter(isRecord) : [];
  if (truncations.length > 0) {
    const lines = truncations.map((t) => {
      const from = Number(t.fromOffset);
      const to = Number(t.toOffset) - 1;
      return (
        `broker ${String(t.broker)} removed offsets ${from} to ${to} at ${seconds(Number(t.time))}: ` +
        `${String(t.why ?? '')}`
      );
    });
    facts.push({ label: 'truncated by', text: lines.join('\n') });
  } else if (isRecord(detail.blamed)) {
    facts.push({ label: 'truncated by', text: String(detail.blamed.why ?? shortJson(detail.blamed)) });
  } else if (detail.blamed === null) {
    facts.push({ label: 'truncated by', text: 'no reported truncation explains it' });
  }
  return facts;
}
