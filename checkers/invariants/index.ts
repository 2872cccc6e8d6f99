export { InvariantMonitor, INVARIANT_EXPLANATIONS } from './monitor.ts';
export type { InvariantName, Violation } from './violation.ts';
