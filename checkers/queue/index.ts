// The queue checker and the building blocks other checkers reuse.
export { checkQueue, type QueueCheckOptions } from './check.ts';
export type { LossJudge } from './detect-sends.ts';
export { QUEUE_ANOMALIES, type QueueAnomalyName } from './explanations.ts';
export { countKnownBetween, knownBetween, offsetsOf, valuesAt, type KeyLog, type OffsetIndex } from './offset-index.ts';
export { buildOffsetIndex, readValuesByKey, scanQueueHistory, type QueueScan, type SendList } from './scan.ts';
export { collectReadValues } from './read-values.ts';
export { microOps } from './micro-ops.ts';
export { finalReadsPosition, invocationPositions, opPair } from './pairing.ts';
export {
  readSend,
  newSendFields,
  pollRecordsByKey,
  sendAcksHint,
  toKey,
  toRecordValue,
  UNKNOWN_OFFSET,
  type AcksHint,
  type Key,
  type RecordValue,
  type SendFields,
} from './micro-ops.ts';
