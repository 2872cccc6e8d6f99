// Transaction invariants, checked online from the replicas' appends and the leaders' read_committed answers
// (KIP-98's guarantees as Kafka 3.9 keeps them: UnifiedLog.lastStableOffset, collectAbortedTransactions,
// ProducerAppendInfo.checkProducerEpoch). Each replica's transactional batches and markers are mirrored, and only
// those: a partition without transactions costs nothing.
//   LastStableOffset: a leader's last stable offset is never above its high watermark.
//   ReadCommittedIsolation: a read_committed answer holds no record of a transaction without a marker below the
//     high watermark (open, or not yet replicated), and lists every aborted transaction whose records it holds.
//   MarkerBeforeRecords: no leader appends a transactional record of an epoch older than a marker already in its
//     log for that producer: a fenced zombie's write never lands after the coordinator ended its transaction.
//   HangingTransaction: a leader's transactional record that opens its producer's transaction on a partition does
//     so while the transaction coordinator (its last transition seen) has that producer Ongoing with the partition,
//     or preparing to end such a transaction whose marker is not yet here; otherwise no marker will ever end it
//     (KAFKA-14402, what KIP-890's verification prevents from 3.6): the last stable offset stays there for good.
//     Judged when that leader's high watermark passes the record: a deposed leader's append that is truncated
//     away hangs nothing.
//   TxnOffsetCommitIsolation: a group coordinator's OffsetFetch answer is never an offset a TxnOffsetCommit wrote
//     (a transactional batch in its __consumer_offsets partition) unless that producer's next marker in the
//     coordinator's log is a COMMIT: offsets of an open or aborted transaction are never visible (KIP-98;
//     GroupMetadata.completePendingTxnOffsetCommit, doLoadGroupsAndOffsets).

import type { ReplicationEvent, TxnTransitionEvent } from '../../sim/events/index.ts';

/** What the monitor reports; it adds the event's time and step and files it under the invariant's name. */
export interface TxnViolation {
  invariant:
    | 'LastStableOffset'
    | 'ReadCommittedIsolation'
    | 'MarkerBeforeRecords'
    | 'HangingTransaction'
    | 'TxnOffsetCommitIsolation';
  partition: number;
  brokers: number[];
  description: string;
  detail: Record<string, unknown>;
}

interface TxnEntry {
  offset: number;
  producerId: number;
  producerEpoch: number;
  kind: 'data' | 'COMMIT' | 'ABORT';
  /** When it was seen, in this checker's count of events. */
  seen: number;
}

/** The coordinator's last transition seen for a producer id, and when. */
interface CoordinatorView {
  event: TxnTransitionEvent;
  seen: number;
}

export const TXN_INVARIANT_EXPLANATIONS = {
  LastStableOffset: "A leader's last stable offset is never above its high watermark (UnifiedLog.lastStableOffset).",
  ReadCommittedIsolation:
    'A read_committed fetch returns no record of an open transaction (nothing at or above the first unstable ' +
    'offset) and names every aborted transaction among what it returns, so the consumer drops those records.',
  MarkerBeforeRecords:
    "A producer's transaction marker is never followed by that producer's records of an older epoch " +
    '(ProducerAppendInfo.checkProducerEpoch fences a zombie).',
  HangingTransaction:
    "A transactional record opens its producer's transaction on a partition only while the transaction " +
    'coordinator has that producer Ongoing with the partition (or is ending that transaction and its marker has ' +
    'not yet come): else no marker ever ends it, the last stable offset stays there and read_committed consumers ' +
    'stall (KAFKA-14402; KIP-890 verification from 3.6).',
  TxnOffsetCommitIsolation:
    "A group coordinator's OffsetFetch never returns an offset committed inside a transaction (TxnOffsetCommit) " +
    "unless the transaction's COMMIT marker follows it in the coordinator's __consumer_offsets log: a pending or " +
    "aborted transaction's offsets are never visible.",
} as const;

type AppendInfo = Extract<ReplicationEvent, { kind: 'append' }>;
type CommittedRead = Extract<ReplicationEvent, { kind: 'committed-read' }>;
type OffsetFetched = Extract<ReplicationEvent, { kind: 'offset-fetched' }>;

export class TxnInvariants {
  /** broker/partition → its transactional batches and markers, by offset. */
  private readonly mirrors = new Map<string, TxnEntry[]>();
  /** producer id → the coordinator's last transition for it. */
  private readonly coordinator = new Map<number, CoordinatorView>();
  /** broker/partition → HangingTransaction violations waiting for the high watermark to pass their record. */
  private readonly hanging = new Map<string, TxnViolation[]>();
  private seen = 0;

  constructor(private readonly report: (v: TxnViolation) => void) {}

  private mirror(broker: number, partition: number): TxnEntry[] | undefined {
    return this.mirrors.get(`${broker}/${partition}`);
  }

  onAppend(e: AppendInfo): void {
    if (e.producer === undefined || (e.transactional === undefined && e.control === undefined)) return;
    const key = `${e.broker}/${e.partition}`;
    let m = this.mirrors.get(key);
    if (m === undefined) {
      m = [];
      this.mirrors.set(key, m);
    }
    const kind = e.control ?? 'data';
    if (kind === 'data' && e.asLeader) {
      this.checkMarkerOrder(e, m, e.producer);
      this.checkOpenedKnown(e, m, e.producer.id);
    }
    const seen = ++this.seen;
    m.push({ offset: e.baseOffset, producerId: e.producer.id, producerEpoch: e.producer.epoch, kind, seen });
  }

  onTransition(e: TxnTransitionEvent): void {
    this.coordinator.set(e.producerId, { event: e, seen: ++this.seen });
  }

  /** HangingTransaction, at the record that opens the producer's transaction on the leader's partition. */
  private checkOpenedKnown(e: AppendInfo, m: readonly TxnEntry[], producerId: number): void {
    let last: TxnEntry | undefined;
    for (let i = m.length - 1; i >= 0 && last === undefined; i--) if (m[i].producerId === producerId) last = m[i];
    if (last?.kind === 'data') return;
    const view = this.coordinator.get(producerId);
    // Nothing known of the coordinator (it ran before anyone watched): nothing to hold the record against.
    if (view === undefined) return;
    const t = view.event;
    const holds = t.partitions.includes(e.partition);
    const ending = t.to === 'PrepareCommit' || t.to === 'PrepareAbort';
    if (holds && (t.to === 'Ongoing' || (ending && (last === undefined || last.seen < view.seen)))) return;
    const why = !holds
      ? `has it ${t.to} with partitions [${t.partitions.join(', ')}], without this one`
      : `is ending that transaction (${t.to}) and its marker is already at offset ${last?.offset}`;
    const key = `${e.broker}/${e.partition}`;
    const waiting = this.hanging.get(key) ?? [];
    this.hanging.set(key, waiting);
    waiting.push({
      invariant: 'HangingTransaction',
      partition: e.partition,
      brokers: [e.broker],
      description:
        `leader ${e.broker} opened a transaction of producer ${producerId} (epoch ${e.producer?.epoch}) at offset ` +
        `${e.baseOffset} of partition ${e.partition} that its coordinator (broker ${t.broker}, ` +
        `${t.transactionalId}) never will end: it ${why}. No marker will come, the partition's last stable ` +
        `offset stays at ${e.baseOffset} and read_committed consumers stall there (a hanging transaction, ` +
        'KAFKA-14402; the KIP-890 verification of 3.6 refuses such a late produce)',
      detail: {
        offset: e.baseOffset,
        producerId,
        epoch: e.producer?.epoch ?? -1,
        transactionalId: t.transactionalId,
        coordinatorState: t.to,
        coordinatorEpoch: t.producerEpoch,
        coordinatorPartitions: t.partitions,
        appendedAt: e.time,
      },
    });
  }

  onTruncate(broker: number, partition: number, toOffset: number): void {
    const m = this.mirror(broker, partition);
    while (m !== undefined && m.length > 0 && m[m.length - 1].offset >= toOffset) m.pop();
    const waiting = this.hanging.get(`${broker}/${partition}`);
    if (waiting !== undefined) retainBelow(waiting, toOffset);
  }

  /** A replica's high watermark moved: the hanging transactions it now holds below it are reported. */
  onHighWatermark(broker: number, partition: number, highWatermark: number): void {
    const waiting = this.hanging.get(`${broker}/${partition}`);
    if (waiting === undefined) return;
    for (const v of waiting.filter((w) => (w.detail.offset as number) < highWatermark)) this.report(v);
    retainBelow(waiting, -1, highWatermark);
  }

  private checkMarkerOrder(e: AppendInfo, m: readonly TxnEntry[], producer: { id: number; epoch: number }): void {
    for (let i = m.length - 1; i >= 0; i--) {
      const x = m[i];
      if (x.producerId !== producer.id || x.kind === 'data') continue;
      if (x.producerEpoch > producer.epoch) {
        this.report({
          invariant: 'MarkerBeforeRecords',
          partition: e.partition,
          brokers: [e.broker],
          description:
            `leader ${e.broker} appended producer ${producer.id}'s transactional record of epoch ${producer.epoch} ` +
            `at offset ${e.baseOffset} of partition ${e.partition}, after its ${x.kind} marker of epoch ` +
            `${x.producerEpoch} at offset ${x.offset}`,
          detail: { offset: e.baseOffset, producerId: producer.id, epoch: producer.epoch, marker: x.offset },
        });
      }
      return;
    }
  }

  /** TxnOffsetCommitIsolation: the commit OffsetFetch returned, if transactional, is followed by its COMMIT. */
  onOffsetFetched(e: OffsetFetched): void {
    const m = this.mirror(e.broker, e.partition);
    if (m === undefined || e.appendedBatchOffset < 0) return;
    const i = m.findIndex((x) => x.offset === e.appendedBatchOffset && x.kind === 'data');
    if (i < 0) return;
    const x = m[i];
    const marker = m.slice(i + 1).find((y) => y.producerId === x.producerId && y.kind !== 'data');
    if (marker?.kind === 'COMMIT') return;
    const why = marker === undefined ? 'whose transaction has no marker there' : `aborted at offset ${marker.offset}`;
    this.report({
      invariant: 'TxnOffsetCommitIsolation',
      partition: e.partition,
      brokers: [e.broker],
      description:
        `group coordinator ${e.broker} returned offset ${e.offset} of partition ${e.topicPartition} to an ` +
        `OffsetFetch of group ${e.groupId}: a TxnOffsetCommit of producer ${x.producerId} at offset ${x.offset} of ` +
        `partition ${e.partition}, ${why}`,
      detail: { groupId: e.groupId, topicPartition: e.topicPartition, offset: e.offset, producerId: x.producerId },
    });
  }

  onCommittedRead(r: CommittedRead): void {
    if (r.lastStableOffset > r.highWatermark) {
      this.report({
        invariant: 'LastStableOffset',
        partition: r.partition,
        brokers: [r.broker],
        description:
          `leader ${r.broker} served partition ${r.partition} with last stable offset ${r.lastStableOffset} above ` +
          `its high watermark ${r.highWatermark}`,
        detail: { lastStableOffset: r.lastStableOffset, highWatermark: r.highWatermark },
      });
    }
    const m = this.mirror(r.broker, r.partition);
    if (m === undefined) return;
    for (let i = 0; i < m.length; i++) {
      const x = m[i];
      if (x.kind !== 'data' || x.offset < r.fetchOffset || x.offset >= r.endOffset) continue;
      let marker: TxnEntry | undefined;
      for (let j = i + 1; j < m.length; j++) {
        if (m[j].producerId === x.producerId && m[j].kind !== 'data') {
          marker = m[j];
          break;
        }
      }
      const problem =
        marker === undefined || marker.offset >= r.highWatermark
          ? 'of a transaction without a replicated marker'
          : marker.kind === 'ABORT' &&
              !r.aborted.some((a) => a.producerId === x.producerId && a.firstOffset <= x.offset)
            ? 'of an aborted transaction the answer does not list'
            : null;
      if (problem === null) continue;
      this.report({
        invariant: 'ReadCommittedIsolation',
        partition: r.partition,
        brokers: [r.broker],
        description:
          `leader ${r.broker} returned offset ${x.offset} of partition ${r.partition} to a read_committed fetch ` +
          `(last stable offset ${r.lastStableOffset}): a record ${problem}`,
        detail: { offset: x.offset, producerId: x.producerId, marker: marker?.offset ?? null },
      });
      return;
    }
  }
}

/** Keeps the waiting violations whose record is below `below` (a truncation) and not below `passed` (the HW). */
function retainBelow(waiting: TxnViolation[], below: number, passed = -1): void {
  let j = 0;
  for (const v of waiting) {
    const offset = v.detail.offset as number;
    if ((below < 0 || offset < below) && offset >= passed) waiting[j++] = v;
  }
  waiting.length = j;
}
