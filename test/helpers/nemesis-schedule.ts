// Writing small schedules in tests: a fault as a start/stop pair of ops, and ops gathered in time order.
import type { FaultOp, Schedule } from '../../nemesis/schedule.ts';

export function pair(id: number, kind: FaultOp['kind'], startMs: number, stopMs: number, params: unknown): FaultOp[] {
  // Params are written as plain data, as a schedule file holds them; applySchedule validates them.
  return [
    { at: startMs, kind, action: 'start', id, params } as FaultOp,
    { at: stopMs, kind, action: 'stop', id, params: {} },
  ];
}

export function schedule(...ops: FaultOp[][]): Schedule {
  return { version: 1, ops: ops.flat().sort((a, b) => a.at - b.at) };
}
