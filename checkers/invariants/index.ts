export { InvariantMonitor, INVARIANT_EXPLANATIONS } from './monitor.ts';
export type { InvariantName, ReplicaEvent, Violation } from './events.ts';
