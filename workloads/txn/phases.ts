// The txn workload as a run drives it (harness/run-test.ts): transactions through the main phase, then the final
// phase as the queue workload's (workloads/queue/workload.ts): stop starting transactions, heal every fault, mark
// the final reads, and once the cluster has recovered, every transaction under way has completed and `ready` says
// so (or the recovery limit passes), read every key to its end with read_committed.
import type { KafkaCluster } from '../../sim/kafka/cluster.ts';
import type { Random } from '../../sim/world/random.ts';
import { FINAL_READS_F, WORKLOAD_PROCESS } from '../history/format.ts';
import type { HistoryRecorder } from '../history-recorder.ts';
import type { QueueWorkloadStats } from '../queue/index.ts';
import { TxnWorkload, type TxnWorkloadOptions } from './index.ts';

export interface TxnPhaseOptions {
  /** Wait between healing every fault and the first look at whether the final reads may start. */
  finalSettleMs: number;
  /**
   * Longest wait after the settle period for recovery, for the transactions under way and for the coordinators to
   * abort those a crashed producer left open (transaction.timeout.ms and the abort sweep's interval).
   */
  finalRecoveryLimitMs: number;
  /** Longest the final reads may take once begun. */
  finalReadLimitMs: number;
  /** Polls the final reader may make. */
  finalMaxPolls: number;
}

export const TXN_PHASE_DEFAULTS: TxnPhaseOptions = {
  finalSettleMs: 5_000,
  finalRecoveryLimitMs: 60_000,
  finalReadLimitMs: 70_000,
  finalMaxPolls: 100,
};

/** How often the final phase re-checks whether it may read. */
const READY_POLL_MS = 500;

export class TxnPhases {
  readonly workload: TxnWorkload;
  private finalPhaseAt = -1;
  private finalReadsAt = -1;
  private complete: boolean | null = null;

  constructor(
    private readonly cluster: KafkaCluster,
    private readonly recorder: HistoryRecorder,
    random: Random,
    workload: Partial<TxnWorkloadOptions>,
    private readonly options: TxnPhaseOptions = TXN_PHASE_DEFAULTS,
  ) {
    this.workload = new TxnWorkload(cluster, recorder, random, workload);
  }

  start(): void {
    this.workload.start();
  }

  beginFinalPhase(heal: () => void, ready: () => boolean = () => true): void {
    if (this.finalPhaseAt >= 0) throw new Error('the final phase has already begun');
    const world = this.cluster.world;
    this.finalPhaseAt = world.now;
    this.workload.stop();
    heal();
    this.recorder.record({ process: WORKLOAD_PROCESS, type: 'info', f: FINAL_READS_F, value: null });
    const giveUpAt = this.finalPhaseAt + this.options.finalSettleMs + this.options.finalRecoveryLimitMs;
    const startReads = (): void => {
      // ready() is asked first: it records when the cluster recovered, whatever the transactions do.
      const waiting = !ready() || this.workload.inFlight > 0;
      if (waiting && world.now < giveUpAt) {
        world.schedule(READY_POLL_MS, startReads);
        return;
      }
      this.finalReadsAt = world.now;
      this.workload.finalReads(this.options.finalMaxPolls, (c) => (this.complete = c));
    };
    world.schedule(this.options.finalSettleMs, startReads);
  }

  get finished(): boolean {
    return this.complete !== null;
  }

  get finalReadsDeadline(): number {
    if (this.finalPhaseAt < 0) return Infinity;
    const o = this.options;
    if (this.finalReadsAt >= 0) return this.finalReadsAt + o.finalReadLimitMs;
    return this.finalPhaseAt + o.finalSettleMs + o.finalRecoveryLimitMs + o.finalReadLimitMs;
  }

  /** In the queue workload's terms: a transaction is a send, committed ones acknowledged. */
  stats(): QueueWorkloadStats {
    const s = this.workload.stats;
    return {
      sends: s.invoked,
      acked: s.ok,
      failed: s.fail,
      indeterminate: s.info,
      polls: 0,
      recordsRead: 0,
      clientCrashes: this.workload.crashes.total,
      abandonedOps: 0,
      finalReadsComplete: this.complete === true ? 1 : 0,
      consumers: 1,
    };
  }
}
