// A fault schedule as plain data: ops at simulated times, each starting or stopping one fault. A start
// and its stop share an id; a start's params say what to hit and how (roles such as "leader of
// partition 0" are resolved only when the fault starts). Stops carry no params: the start recorded
// what it did, and the stop undoes that.
import type { FaultKind } from './fault-kinds.ts';
import type { ParamsOf } from './kinds/index.ts';

export type FaultAction = 'start' | 'stop';

export type FaultStart = {
  [K in FaultKind]: { at: number; kind: K; action: 'start'; id: number; params: ParamsOf[K] };
}[FaultKind];

export type FaultStop = { at: number; kind: FaultKind; action: 'stop'; id: number; params: Record<string, never> };

export type FaultOp = FaultStart | FaultStop;

export const SCHEDULE_VERSION = 1;

export type Schedule = { version: 1; ops: FaultOp[] };
