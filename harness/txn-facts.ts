// The transactional facts a txn run exports for its judge (checkers/durability/txn-losses.ts): power losses that
// struck __transaction_state replicas holding unsynced records (Kafka appends the coordinator's log with acks=-1 and
// no fsync: TransactionStateManager.appendTransactionToLog, 3.9), and, at the end, the records of each data
// partition's leader that read_committed cannot read.
import type { LossPolicy, TxnFacts } from '../checkers/durability/facts.ts';
import { isDataPartition, partitionId, TRANSACTION_STATE_TOPIC } from '../sim/events/topics.ts';
import type { KafkaCluster } from '../sim/kafka/cluster.ts';
import type { RecordBatch } from '../sim/kafka/records.ts';
import { readTxnRecord } from '../sim/kafka/coordinator/transaction-metadata.ts';
import { CrashWatch } from './facts.ts';

export class TxnWatch {
  private readonly losses: TxnFacts['coordinatorLosses'] = [];
  private readonly replicas = new Map<number, Set<number>>();
  private readonly stateIds: Set<number>;
  private readonly markers: NonNullable<TxnFacts['markers']> = [];
  private readonly records: Omit<NonNullable<TxnFacts['coordinatorRecords']>[number], 'kept'>[] = [];
  /** When a data partition's leader first appended each transactional record, by key/value. */
  private readonly appendedAt = new Map<string, number>();
  /** The removals and elections of the __transaction_state partitions, as CrashWatch sees the data partitions'. */
  private readonly stateWatch: CrashWatch;

  constructor(private readonly cluster: KafkaCluster) {
    const n = cluster.config.internalTopics['transaction.state.log.num.partitions'];
    this.stateIds = new Set(Array.from({ length: n }, (_, i) => partitionId(TRANSACTION_STATE_TOPIC, i)));
    this.stateWatch = new CrashWatch(cluster, (id) => this.stateIds.has(id));
    // Times in the world's clock, as the history's: an event carries its broker's clock, which a clock fault steps.
    cluster.observe((e) => {
      if (e.kind === 'append' && e.asLeader && this.stateIds.has(e.partition)) {
        const batch = cluster.broker(e.broker)?.partitions.get(e.partition)?.log.batchAt(e.baseOffset);
        (batch?.payloads ?? []).forEach((r, i) => {
          const v = r.value === null ? null : readTxnRecord(r);
          if (v === null) return;
          const at = { partition: e.partition, offset: e.baseOffset + i, value: e.values[i], time: cluster.world.now };
          const txn = {
            producerId: v.producerId,
            producerEpoch: v.producerEpoch,
            state: v.state,
            txnStart: v.txnStartTimestamp,
            partitions: v.partitions,
          };
          this.records.push({ ...at, transactionalId: r.key, ...txn });
        });
      }
      if (e.kind !== 'append' || !e.asLeader || !isDataPartition(e.partition)) return;
      if (e.control === undefined) {
        if (e.transactional === true)
          for (const v of e.values)
            if (!this.appendedAt.has(`${e.partition}/${v}`))
              this.appendedAt.set(`${e.partition}/${v}`, cluster.world.now);
        return;
      }
      const producerId = e.producer?.id;
      if (producerId === undefined) return;
      for (let i = 0; i < e.values.length; i++)
        this.markers.push({
          key: e.partition,
          offset: e.baseOffset + i,
          value: e.values[i],
          producerId,
          type: e.control,
          time: cluster.world.now,
        });
    });
    const brokerOfNode = new Map(cluster.brokerIds.map((id) => [cluster.nodeOf(id), id]));
    cluster.world.onCrash((node, mode) => {
      const broker = brokerOfNode.get(node);
      if (broker === undefined || mode === 'process') return;
      const disk = cluster.world.node(node).disk;
      const program = cluster.broker(broker);
      // A broker already down keeps whatever its disk holds: nothing to say of it.
      if (program === null || program === undefined) return;
      for (const id of this.stateIds) {
        const partition = program.partitions.get(id);
        // Not hosted at all by a running broker (back on a replaced disk, not yet created again): it holds nothing.
        if (partition === undefined) {
          this.losses.push({ time: cluster.world.now, broker, partition: id });
          continue;
        }
        this.replicaOf(id, broker);
        let synced = 0;
        for (const b of disk.syncedRecords(partition.log.file) as RecordBatch[]) synced += b.values.length;
        let written = 0;
        for (const b of partition.log.all()) written += b.values.length;
        // A replica holding nothing (back on a replaced disk, still fetching) keeps nothing of the decisions either.
        if (written > synced || written === 0) this.losses.push({ time: cluster.world.now, broker, partition: id });
      }
    });
  }

  /**
   * The final leaders' records that a COMMIT marker ends though an ABORT marker of the same producer id, appended
   * between them and it, is held by no replica (TxnFacts.revivedByCommit); and those it ends that were appended at
   * or past a marker of that producer id held by no replica, which had ended the records before them
   * (TxnFacts.joinedAfterLostMarker).
   */
  private revived(
    held: (key: number, offset: number, value: number) => boolean,
  ): Pick<TxnFacts, 'revivedByCommit' | 'joinedAfterLostMarker'> {
    const c = this.cluster;
    const out: NonNullable<TxnFacts['revivedByCommit']> = [];
    const joined: NonNullable<TxnFacts['joinedAfterLostMarker']> = [];
    for (let key = 0; key < c.config.partitions; key++) {
      const p = c.broker(c.leaderOf(key))?.partitions.get(key);
      if (p === undefined || !isDataPartition(key)) continue;
      const open = new Map<number, { offset: number; value: number }[]>();
      for (const b of p.log.all()) {
        if (b.isTransactional !== true && b.control === undefined) continue;
        if (b.control === undefined) {
          const records = open.get(b.producerId) ?? [];
          b.values.forEach((value, i) => records.push({ offset: b.baseOffset + i, value }));
          open.set(b.producerId, records);
          continue;
        }
        const records = open.get(b.producerId) ?? [];
        open.delete(b.producerId);
        if (b.control.type !== 'COMMIT' || records.length === 0) continue;
        const lostMarkers = this.markers.filter(
          (m) =>
            m.key === key &&
            m.producerId === b.producerId &&
            m.offset > records[0].offset &&
            m.offset < b.baseOffset &&
            !held(key, m.offset, m.value),
        );
        const first = lostMarkers[0];
        if (first !== undefined)
          for (const r of records) {
            const marker = { offset: first.offset, value: first.value, type: first.type };
            if (r.offset >= first.offset) joined.push({ key, ...r, producerId: b.producerId, marker });
          }
        const abort = lostMarkers.find((m) => m.type === 'ABORT');
        if (abort === undefined) continue;
        const lost = { offset: abort.offset, value: abort.value };
        // Records at or past the lost marker's offset were written there later, by the transaction that committed.
        for (const r of records)
          if (r.offset < abort.offset) out.push({ key, ...r, producerId: b.producerId, abort: lost });
      }
    }
    return { revivedByCommit: out, joinedAfterLostMarker: joined };
  }

  private replicaOf(partition: number, broker: number): void {
    let set = this.replicas.get(partition);
    if (set === undefined) this.replicas.set(partition, (set = new Set()));
    set.add(broker);
  }

  /** The facts, once the run is over; `policy` the run's, for the __transaction_state partitions' losses. */
  facts(policy: LossPolicy): TxnFacts {
    const c = this.cluster;
    const held = (partition: number, offset: number, value: number): boolean =>
      c.brokerIds.some((id) => {
        const batch = c.broker(id)?.partitions.get(partition)?.log.batchAt(offset);
        return batch !== undefined && batch.values[offset - batch.baseOffset] === value;
      });
    const coordinatorRecords = this.records.map((r) => ({ ...r, kept: held(r.partition, r.offset, r.value) }));
    const coordinatorLoss = this.stateWatch.lossFacts({ ...policy, uncleanElection: false });
    for (const id of c.brokerIds)
      for (const p of c.broker(id)?.partitions.keys() ?? []) if (this.stateIds.has(p)) this.replicaOf(p, id);
    const { revivedByCommit, joinedAfterLostMarker } = this.revived((key, offset, value) => held(key, offset, value));
    const unreadable: TxnFacts['unreadable'] = [];
    const firstUnstable: TxnFacts['firstUnstable'] = [];
    for (let key = 0; key < c.config.partitions; key++) {
      const p = c.broker(c.leaderOf(key))?.partitions.get(key);
      if (p === undefined || !isDataPartition(key)) continue;
      const lso = p.lastStableOffset;
      const aborted = p.txns.allAborted();
      for (const b of p.log.all()) {
        if (b.isTransactional !== true) continue;
        b.values.forEach((value, i) => {
          const offset = b.baseOffset + i;
          const producerId = b.producerId;
          const appendedAt = this.appendedAt.get(`${key}/${value}`);
          if (offset === lso) firstUnstable.push({ key, offset, value, producerId, appendedAt });
          if (offset >= lso) unreadable.push({ key, value, offset, why: 'open', producerId });
          else if (
            aborted.some((a) => a.producerId === b.producerId && a.firstOffset <= offset && offset <= a.lastOffset)
          )
            unreadable.push({ key, value, offset, why: 'aborted', producerId });
        });
      }
    }
    const coordinatorReplicas = [...this.stateIds].map((partition) => ({
      partition,
      brokers: [...(this.replicas.get(partition) ?? [])].sort((a, b) => a - b),
    }));
    return {
      appendedAt: Object.fromEntries(this.appendedAt),
      unreadable,
      firstUnstable,
      coordinatorLosses: this.losses,
      coordinatorReplicas,
      markers: this.markers,
      revivedByCommit,
      joinedAfterLostMarker,
      coordinatorRecords,
      coordinatorLoss,
    };
  }
}
