// Nemesis ops as bands: a fault is active from its start-<kind> op until its stop-<kind> op, or the last
// step-<kind> op with the same id (a staggered restart ends with its last step), or the heal-all that
// ended it. A start recorded as a no-op (the fault was already active) draws nothing.
import type { History, Value } from '../workloads/history/format.ts';

export interface FaultBand {
  id: number;
  kind: string;
  start: number;
  end: number;
  /** What the start did (nodes, links, mode...), as short text. */
  detail: string;
  /** The nodes the start names (brokers b0..., controllers, ZooKeeper), sorted; empty for cluster-wide faults. */
  nodes?: string[];
}

const NODE_NAME = /^(b|c|zk)\d*$/;

/** Every node name anywhere in a nemesis op's value. */
function nodesIn(value: Value, into: Set<string>): void {
  if (typeof value === 'string') {
    if (NODE_NAME.test(value)) into.add(value);
  } else if (Array.isArray(value)) {
    for (const v of value) nodesIn(v, into);
  } else if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) nodesIn(v, into);
  }
}

function nodeOrder(a: string, b: string): number {
  const letters = a.replace(/\d+$/, '').localeCompare(b.replace(/\d+$/, ''));
  return letters !== 0 ? letters : Number(a.replace(/^\D+/, '')) - Number(b.replace(/^\D+/, ''));
}

const DETAIL_CHARS = 160;

function fields(value: Value): { [key: string]: Value } | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
}

function describe(value: { [key: string]: Value }): string {
  const parts = Object.entries(value)
    .filter(([k]) => k !== 'id')
    .map(([k, v]) => `${k} ${typeof v === 'string' ? v : JSON.stringify(v)}`);
  const text = parts.join(', ');
  return text.length <= DETAIL_CHARS ? text : `${text.slice(0, DETAIL_CHARS - 1)}…`;
}

export function faultBands(history: History, endMs: number): FaultBand[] {
  const bands: FaultBand[] = [];
  const open = new Map<number, { band: FaultBand; ended: boolean }>();
  for (const op of history) {
    if (op.process !== 'nemesis') continue;
    const value = fields(op.value);
    if (op.f === 'heal-all') {
      for (const entry of open.values()) if (!entry.ended) entry.band.end = op.time;
      open.clear();
      continue;
    }
    const m = /^(start|stop|step)-(.+)$/.exec(op.f);
    if (m === null || value === undefined || typeof value.id !== 'number' || value.noop === true) continue;
    const id = value.id;
    if (m[1] === 'start') {
      const named = new Set<string>();
      nodesIn(value, named);
      const nodes = [...named].sort(nodeOrder);
      const band: FaultBand = { id, kind: m[2], start: op.time, end: endMs, detail: describe(value), nodes };
      bands.push(band);
      open.set(id, { band, ended: false });
      continue;
    }
    const entry = open.get(id);
    if (entry === undefined) continue;
    entry.band.end = op.time;
    entry.ended = true;
  }
  return bands;
}
