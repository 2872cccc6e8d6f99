// Schedules as files: stable, readable JSON (one op per line, keys in a fixed order) so that a saved
// schedule diffs cleanly and the same schedule always saves to the same bytes.
import { ConfigError } from '../sim/world/errors.ts';
import type { Value } from '../workloads/history/format.ts';
import { findJsonSyntaxProblem } from './json-position.ts';
import type { FaultOp, Schedule } from './schedule-types.ts';
import { validateSchedule } from './validate.ts';

/** The value with object keys sorted at every level, so key order never depends on who built it. */
function sortKeys(v: Value): Value {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v === null || typeof v !== 'object') return v;
  const out: { [key: string]: Value } = {};
  for (const k of Object.keys(v).sort()) out[k] = sortKeys(v[k]);
  return out;
}

function opLine(op: FaultOp): string {
  // The op's own keys in reading order; params sorted.
  const params = sortKeys(op.params);
  return (
    `{"at": ${JSON.stringify(op.at)}, "kind": ${JSON.stringify(op.kind)}, "action": ` +
    `${JSON.stringify(op.action)}, "id": ${op.id}, "params": ${JSON.stringify(params)}}`
  );
}

export function saveSchedule(s: Schedule): string {
  // Validating first means a schedule that saves is one that loads.
  const checked = validateSchedule(s);
  if (checked.ops.length === 0) return `{\n  "version": ${checked.version},\n  "ops": []\n}\n`;
  return (
    `{\n  "version": ${checked.version},\n  "ops": ` +
    `[\n${checked.ops.map((op) => `    ${opLine(op)}`).join(',\n')}\n  ]\n}\n`
  );
}

export function loadSchedule(text: string): Schedule {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    const p = findJsonSyntaxProblem(text);
    throw new ConfigError(
      p === null
        ? 'schedule: invalid JSON'
        : `schedule: invalid JSON at line ${p.line}, column ${p.column}: ${p.problem}`,
    );
  }
  return validateSchedule(json);
}
