export { InvariantMonitor, INVARIANT_EXPLANATIONS, type InvariantConfig } from './monitor.ts';
export type { InvariantName, Violation } from './violation.ts';
