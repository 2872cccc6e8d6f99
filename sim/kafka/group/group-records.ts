// The records the group coordinator writes to its __consumer_offsets partition, and their replay into groups, committed
// offsets and transactional offsets awaiting their marker (GroupMetadataManager.groupMetadataValue, offsetCommitValue,
// doLoadGroupsAndOffsets; 3.9.0). Kafka writes them keyed and compacted; replaying the log in order, the last record of
// a key wins, and a tombstone (null value) removes the key.
import type { CoordinatorRecord, RecordBatch } from '../records.ts';
import type { Subscription } from './group-metadata.ts';

export interface GroupMetadataRecord {
  kind: 'group';
  groupId: string;
  /** null: the tombstone of a removed group. */
  value: {
    generationId: number;
    protocolName: string | null;
    leaderId: string | null;
    members: {
      memberId: string;
      clientId: string;
      rebalanceTimeoutMs: number;
      sessionTimeoutMs: number;
      protocolName: string;
      subscription: Subscription;
      assignment: number[];
    }[];
  } | null;
}

export interface OffsetCommitRecord {
  kind: 'offset';
  groupId: string;
  partition: number;
  /** null: a tombstone (an expired or deleted offset). */
  value: { offset: number; leaderEpoch: number } | null;
}

export type GroupRecord = GroupMetadataRecord | OffsetCommitRecord;

export interface CommittedOffset {
  offset: number;
  leaderEpoch: number;
  /**
   * CommitRecordMetadataAndOffset.appendedBatchOffset: where the commit's record batch is in the offsets partition,
   * once appended (a pending transactional commit has none until then). A transactional commit materialises only
   * over an older one (olderThan).
   */
  appendedBatchOffset?: number;
}

/** One batch of an offsets partition as the loader reads it: records, or a transaction marker. */
export type GroupLogBatch =
  | { kind: 'records'; baseOffset: number; producerId: number; transactional: boolean; records: GroupRecord[] }
  | { kind: 'marker'; producerId: number; commit: boolean };

/** What a replay of an offsets partition yields, per group (in the order groups first appear). */
export interface LoadedGroup {
  groupId: string;
  metadata: GroupMetadataRecord['value'];
  offsets: Map<number, CommittedOffset>;
  /** Transactional offsets without their marker yet, by producer id (pendingTransactionalOffsetCommits). */
  pending: Map<number, Map<number, CommittedOffset>>;
}

/**
 * doLoadGroupsAndOffsets: the last record of each key wins; a group with only offsets loads as Empty. A
 * transactional batch's offsets wait under its producer id until a marker: a COMMIT materialises each over an
 * older commit (by batch offset), an ABORT drops them; those still waiting at the log end load as pending.
 */
export function replayGroupLog(batches: Iterable<GroupLogBatch>): LoadedGroup[] {
  const groups = new Map<string, LoadedGroup>();
  const of = (groupId: string): LoadedGroup => {
    let g = groups.get(groupId);
    if (g === undefined) groups.set(groupId, (g = { groupId, metadata: null, offsets: new Map(), pending: new Map() }));
    return g;
  };
  /** producer id -> (group, partition) -> offset, in the order first written. */
  const pending = new Map<number, Map<string, { groupId: string; partition: number; offset: CommittedOffset }>>();
  for (const b of batches) {
    if (b.kind === 'marker') {
      if (b.commit) {
        for (const { groupId, partition, offset } of pending.get(b.producerId)?.values() ?? []) {
          const offsets = of(groupId).offsets;
          const current = offsets.get(partition);
          if (current === undefined || olderThan(current, offset)) offsets.set(partition, offset);
        }
      }
      pending.delete(b.producerId);
      continue;
    }
    for (const r of b.records) {
      const g = of(r.groupId);
      if (r.kind === 'group') {
        g.metadata = r.value;
        continue;
      }
      if (b.transactional) {
        let mine = pending.get(b.producerId);
        if (mine === undefined) pending.set(b.producerId, (mine = new Map()));
        const key = `${r.groupId}:${r.partition}`;
        if (r.value === null) mine.delete(key);
        else mine.set(key, { groupId: r.groupId, partition: r.partition, offset: withBatch(r.value, b.baseOffset) });
      } else if (r.value === null) g.offsets.delete(r.partition);
      else g.offsets.set(r.partition, withBatch(r.value, b.baseOffset));
    }
  }
  for (const [producerId, offsets] of pending) {
    for (const { groupId, partition, offset } of offsets.values()) {
      const g = of(groupId);
      let mine = g.pending.get(producerId);
      if (mine === undefined) g.pending.set(producerId, (mine = new Map()));
      mine.set(partition, offset);
    }
  }
  return [...groups.values()].filter((g) => g.metadata !== null || g.offsets.size > 0 || g.pending.size > 0);
}

function withBatch(value: { offset: number; leaderEpoch: number }, baseOffset: number): CommittedOffset {
  return { offset: value.offset, leaderEpoch: value.leaderEpoch, appendedBatchOffset: baseOffset };
}

/** CommitRecordMetadataAndOffset.olderThan; a commit of unknown position counts as oldest. */
export function olderThan(a: CommittedOffset, b: CommittedOffset): boolean {
  return (a.appendedBatchOffset ?? -1) < (b.appendedBatchOffset ?? -1);
}

/**
 * GroupMetadataManager's keys (groupMetadataKey, offsetCommitKey) as one string each: a group's metadata record and
 * each (group, partition) offset record keep only their latest value, as log compaction would.
 */
export function encodeGroupRecord(r: GroupRecord): CoordinatorRecord {
  if (r.kind === 'group') return { key: `group:${r.groupId}`, value: r.value === null ? null : { ...r.value } };
  return { key: `offset:${r.groupId}:${r.partition}`, value: r.value === null ? null : { ...r.value } };
}

/**
 * A log's batches as the loader reads them, in offset order (readGroupMessage, readOffsetMessageValue; a control
 * batch's ControlRecordType).
 */
export function decodeGroupLog(batches: readonly RecordBatch[]): GroupLogBatch[] {
  const out: GroupLogBatch[] = [];
  for (const b of batches) {
    if (b.control !== undefined) {
      out.push({ kind: 'marker', producerId: b.producerId, commit: b.control.type === 'COMMIT' });
      continue;
    }
    const records: GroupRecord[] = [];
    for (const p of b.payloads ?? []) {
      const decoded = decodeGroupRecord(p);
      if (decoded !== null) records.push(decoded);
    }
    if (records.length === 0) continue;
    const transactional = b.isTransactional === true;
    out.push({ kind: 'records', baseOffset: b.baseOffset, producerId: b.producerId, transactional, records });
  }
  return out;
}

function decodeGroupRecord(p: CoordinatorRecord): GroupRecord | null {
  const group = /^group:(.*)$/.exec(p.key);
  // The values are this file's own encodings, read back from the simulated log unchanged.
  if (group !== null) return { kind: 'group', groupId: group[1], value: p.value as GroupMetadataRecord['value'] };
  const offset = /^offset:(.*):(\d+)$/.exec(p.key);
  if (offset === null) return null;
  const value = p.value as OffsetCommitRecord['value'];
  return { kind: 'offset', groupId: offset[1], partition: Number(offset[2]), value };
}
