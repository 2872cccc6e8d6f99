// Checking a schedule read from a file (or built by a tool): every problem is one ConfigError line that
// names the place, e.g. `schedule.ops[3].kind: unknown fault kind "flood"`. Pairs may be incomplete (a
// delta-debugged schedule may drop a start or a stop: applying treats a lone stop as a no-op), but a pair
// must be consistent: one start and one stop per id, same kind, start first.
import { EVERY_FAULT_KIND } from './fault-kinds.ts';
import { fail, Fields, isPlainObject } from './fields.ts';
import { KINDS } from './kinds/index.ts';
import type { FaultOp, Schedule } from './schedule-types.ts';
import { SCHEDULE_VERSION } from './schedule-types.ts';
import type { ClusterShape } from './shape.ts';

const ACTIONS = ['start', 'stop'] as const;

function parseOp(raw: unknown, where: string, shape: ClusterShape | undefined): FaultOp {
  const f = Fields.of(raw, where);
  f.only(['at', 'kind', 'action', 'id', 'params']);
  const at = f.number('at', { min: 0 });
  const kind = f.oneOf('kind', EVERY_FAULT_KIND, 'fault kind');
  const action = f.oneOf('action', ACTIONS, 'action');
  const id = f.number('id', { min: 0, integer: true, max: Number.MAX_SAFE_INTEGER });
  if (action === 'stop') {
    if (f.has('params')) {
      const p = f.get('params');
      if (!isPlainObject(p) || Object.keys(p).length > 0)
        fail(f.at('params'), 'a stop takes no params (expected {} or nothing)');
    }
    return { at, kind, action, id, params: {} };
  }
  const params = KINDS[kind].parse(f.get('params'), f.at('params'), shape);
  // The kind module checked params for this kind; the union type cannot see that link by itself.
  return { at, kind, action, id, params } as FaultOp;
}

/**
 * Checks and normalises a schedule. With a cluster shape it also checks that every node and partition
 * named exists (applySchedule does this against its cluster before scheduling anything).
 */
export function validateSchedule(json: unknown, shape?: ClusterShape): Schedule {
  const f = Fields.of(json, 'schedule');
  f.only(['version', 'ops']);
  const version = f.get('version');
  if (version !== SCHEDULE_VERSION)
    fail(f.at('version'), `expected ${SCHEDULE_VERSION}, got ${JSON.stringify(version)}`);
  const rawOps = f.get('ops');
  if (!Array.isArray(rawOps)) fail(f.at('ops'), 'expected an array of ops');
  const ops: FaultOp[] = [];
  const starts = new Map<number, FaultOp>();
  const stops = new Set<number>();
  rawOps.forEach((raw, i) => {
    const where = `schedule.ops[${i}]`;
    const op = parseOp(raw, where, shape);
    const previous = ops[ops.length - 1];
    if (previous !== undefined && op.at < previous.at) {
      fail(`${where}.at`, `${op.at} is before the previous op's ${previous.at} (ops must be in time order)`);
    }
    if (op.action === 'start') {
      if (starts.has(op.id)) fail(`${where}.id`, `a second start with id ${op.id}`);
      if (stops.has(op.id)) fail(`${where}.id`, `the start of fault ${op.id} comes after its stop`);
      starts.set(op.id, op);
    } else {
      if (stops.has(op.id)) fail(`${where}.id`, `a second stop with id ${op.id}`);
      const start = starts.get(op.id);
      if (start !== undefined && start.kind !== op.kind)
        fail(`${where}.kind`, `stop of fault ${op.id} is "${op.kind}" but its start is "${start.kind}"`);
      stops.add(op.id);
    }
    ops.push(op);
  });
  return { version: SCHEDULE_VERSION, ops };
}
