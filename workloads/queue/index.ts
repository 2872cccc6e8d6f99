// The queue workload (Jepsen's Kafka test): producers, consumers, client crashes and the final reads.
export { QueueWorkload, type QueueWorkloadStats } from './workload.ts';
export {
  queueWorkloadOptions,
  sendsInFlightOf,
  QUEUE_WORKLOAD_DEFAULTS,
  WORKLOAD_CONSUMER,
  WORKLOAD_PRODUCER,
  type QueueWorkloadOptions,
  type QueueWorkloadOverrides,
} from './options.ts';
export { ClientNode, ClientSlot, NODE_RESTARTED_ERROR, ProcessIds, WATCHDOG_ERROR } from './client-slot.ts';
export { pollOkValue, seekValue, sendOkValue, sendValue, POLL_INVOKE_VALUE, type RecordPair } from './micro-ops.ts';
export { deliveredBy, holdBackTruncated, type Delivered } from './delivered.ts';
