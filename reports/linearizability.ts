// For a non-linearizable history: the longest linearizable prefix the checker found and the op it could
// not place after it (Porcupine draws the same), taken from a `nonlinearizable` anomaly's example detail.
import type { CheckResult } from '../checkers/result.ts';
import type { History } from '../workloads/history/format.ts';
import { shortValue, type OpRow } from './ops.ts';

export type LinearRole = 'linearized' | 'cannot be placed' | 'concurrent';

export interface LinearOp {
  /** Position in the linearization (1-based), for ops of the prefix. */
  order: number | null;
  role: LinearRole;
  index: number;
  process: string;
  f: string;
  type: string;
  start: number;
  end: number;
  value: string;
  /** For the last ops of the prefix: the model's state after the op (Porcupine shows it on hover). */
  stateAfter: string | null;
}

export interface LinearizabilityView {
  model: string;
  key: string | null;
  state: string;
  description: string;
  prefixLength: number;
  unplaced: { operation: string; invoke: number; completion: number | null } | null;
  /** The end of the prefix, the op that cannot be placed, and ops concurrent with it. */
  ops: LinearOp[];
}

const PREFIX_SHOWN = 30;
const CONCURRENT_SHOWN = 30;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function linearizabilityViews(
  checkers: readonly CheckResult[],
  rows: readonly OpRow[],
  history: History,
): LinearizabilityView[] {
  const byIndex = new Map<number, OpRow>();
  for (const r of rows) byIndex.set(r.index, r);
  const views: LinearizabilityView[] = [];
  for (const c of checkers) {
    for (const a of c.anomalies) {
      if (a.name !== 'nonlinearizable') continue;
      for (const ex of a.examples) {
        const d = ex.detail;
        if (!isRecord(d) || !Array.isArray(d.prefix)) continue;
        const prefix = d.prefix.filter((i): i is number => typeof i === 'number');
        const states = isRecord(d.states) ? d.states : {};
        const u = isRecord(d.unplaced) ? d.unplaced : undefined;
        const unplaced =
          u !== undefined && typeof u.invoke === 'number'
            ? {
                operation: String(u.operation ?? ''),
                invoke: u.invoke,
                completion: typeof u.completion === 'number' ? u.completion : null,
              }
            : null;
        views.push({
          model: String(d.model ?? c.checker),
          key: d.key === undefined ? null : String(d.key),
          state: String(d.state ?? ''),
          description: ex.description,
          prefixLength: prefix.length,
          unplaced,
          ops: linearOps(prefix, unplaced?.invoke, byIndex, rows).map((o) => {
            const after = o.role === 'linearized' ? states[String(o.index)] : undefined;
            return {
              ...o,
              value: valueOf(history, byIndex.get(o.index)),
              stateAfter: typeof after === 'string' ? after : null,
            };
          }),
        });
      }
    }
  }
  return views;
}

function valueOf(history: History, row: OpRow | undefined): string {
  const op = row === undefined ? undefined : history[row.completion >= 0 ? row.completion : row.index];
  return op === undefined ? '' : shortValue(op);
}

function linearOp(row: OpRow, role: LinearRole, order: number | null): LinearOp {
  return {
    order,
    role,
    index: row.index,
    process: String(row.process),
    f: row.f,
    type: row.type,
    start: row.start,
    end: row.end,
    value: row.value,
    stateAfter: null,
  };
}

function linearOps(
  prefix: number[],
  unplaced: number | undefined,
  byIndex: Map<number, OpRow>,
  rows: readonly OpRow[],
): LinearOp[] {
  const out: LinearOp[] = [];
  const shown = new Set<number>();
  const first = Math.max(0, prefix.length - PREFIX_SHOWN);
  for (let k = first; k < prefix.length; k++) {
    const row = byIndex.get(prefix[k]);
    if (row === undefined) continue;
    out.push(linearOp(row, 'linearized', k + 1));
    shown.add(row.index);
  }
  const blocked = unplaced === undefined ? undefined : byIndex.get(unplaced);
  if (blocked !== undefined) {
    out.push(linearOp(blocked, 'cannot be placed', null));
    shown.add(blocked.index);
    let n = 0;
    for (const r of rows) {
      if (n >= CONCURRENT_SHOWN) break;
      if (shown.has(r.index) || r.end < blocked.start || r.start > blocked.end) continue;
      out.push(linearOp(r, 'concurrent', null));
      n++;
    }
  }
  return out;
}
