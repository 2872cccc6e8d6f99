// Fault schedules: the one import for callers (runner, CLI). A schedule is plain JSON data,
// { version: 1, ops: FaultOp[] }; this module gathers its types, validation, files, generation,
// property-test arbitrary and the --nemesis option, each of which lives in its own file.
export { EVERY_FAULT_KIND, FAULT_KINDS, isFaultKind, OPT_IN_FAULT_KINDS } from './fault-kinds.ts';
export type { FaultKind } from './fault-kinds.ts';
export type { FaultAction, FaultOp, FaultStart, FaultStop, Schedule } from './schedule-types.ts';
export { SCHEDULE_VERSION } from './schedule-types.ts';
export type { ParamsOf } from './kinds/index.ts';
export { validateSchedule } from './validate.ts';
export { loadSchedule, saveSchedule } from './schedule-file.ts';
export { generateSchedule, POWER_LOSS_SHARE, type KillModes } from './generate.ts';
export { serialFaultSchedule, type SerialFaultOptions } from './serial.ts';
export type { GenerateOptions } from './generate.ts';
export { scheduleArbitrary } from './arbitrary.ts';
export type { ArbitraryOptions } from './arbitrary.ts';
export { parseNemesisOption } from './option.ts';
export type { Target } from './target.ts';
export type { ClusterShape } from './shape.ts';
