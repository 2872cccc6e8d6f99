// The records the group coordinator writes to its __consumer_offsets partition, and their replay into groups
// and committed offsets (GroupMetadataManager.groupMetadataValue, offsetCommitValue, doLoadGroupsAndOffsets;
// 3.9.0). Kafka writes them keyed and compacted; replaying the log in order, the last record of a key wins, and
// a tombstone (null value) removes the key.
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
}

/** What a replay of an offsets partition yields, per group (in the order groups first appear). */
export interface LoadedGroup {
  groupId: string;
  metadata: GroupMetadataRecord['value'];
  offsets: Map<number, CommittedOffset>;
}

/** doLoadGroupsAndOffsets: the last record of each key wins; a group with only offsets loads as Empty. */
export function replayGroupRecords(records: Iterable<GroupRecord>): LoadedGroup[] {
  const groups = new Map<string, LoadedGroup>();
  const of = (groupId: string): LoadedGroup => {
    let g = groups.get(groupId);
    if (g === undefined) groups.set(groupId, (g = { groupId, metadata: null, offsets: new Map() }));
    return g;
  };
  for (const r of records) {
    const g = of(r.groupId);
    if (r.kind === 'group') g.metadata = r.value;
    else if (r.value === null) g.offsets.delete(r.partition);
    else g.offsets.set(r.partition, r.value);
  }
  return [...groups.values()].filter((g) => g.metadata !== null || g.offsets.size > 0);
}

/**
 * GroupMetadataManager's keys (groupMetadataKey, offsetCommitKey) as one string each: a group's metadata record and
 * each (group, partition) offset record keep only their latest value, as log compaction would.
 */
export function encodeGroupRecord(r: GroupRecord): CoordinatorRecord {
  if (r.kind === 'group') return { key: `group:${r.groupId}`, value: r.value === null ? null : { ...r.value } };
  return { key: `offset:${r.groupId}:${r.partition}`, value: r.value === null ? null : { ...r.value } };
}

/** The group records of a log's batches, in offset order (readGroupMessage, readOffsetMessageValue). */
export function decodeGroupRecords(batches: readonly RecordBatch[]): GroupRecord[] {
  const out: GroupRecord[] = [];
  for (const b of batches) {
    for (const p of b.payloads ?? []) {
      const decoded = decodeGroupRecord(p);
      if (decoded !== null) out.push(decoded);
    }
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
