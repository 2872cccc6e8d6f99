// What every loop of the queue workload shares: the cluster, the recorder, process ids and the options.
import type { KafkaCluster } from '../../sim/kafka/cluster.ts';
import type { HistoryRecorder } from '../history-recorder.ts';
import type { ProcessIds } from './client-slot.ts';
import type { QueueWorkloadOptions } from './options.ts';

export interface WorkloadContext {
  cluster: KafkaCluster;
  recorder: HistoryRecorder;
  processes: ProcessIds;
  options: QueueWorkloadOptions;
}

/** Slack added to a client's own timeouts before the workload's watchdog gives up on an op. */
export const WATCHDOG_SLACK_MS = 5000;

/** Partitions 0..n-1, which are the history's keys. */
export function allKeys(options: QueueWorkloadOptions): number[] {
  return Array.from({ length: options.partitions }, (_, i) => i);
}
