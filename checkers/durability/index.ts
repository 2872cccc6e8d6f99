export { checkDurability, ACKED_WRITE_LOST_EXPLANATION, type DurabilityOptions } from './check.ts';
export { describeCause, type Cause, type DurabilityFacts, type FinalLog, type Truncation } from './facts.ts';
export { blamedTruncation, groupTruncations, truncationsRemoving, type TruncationsByKey } from './attribution.ts';
