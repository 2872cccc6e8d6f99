// The nemesis: fault kinds, schedules, swarm selection, and applying them to a cluster.
export * from './schedule.ts';
export { applySchedule, healAll } from './apply.ts';
export type { NemesisRecord } from './apply.ts';
export { overlaySchedule, swarm, swarmExtras } from './swarm.ts';
export type { SwarmChoice } from './swarm.ts';
export { faultState, isQuiet } from './state.ts';
export type { FaultState } from './state.ts';
export { KINDS } from './kinds/index.ts';
