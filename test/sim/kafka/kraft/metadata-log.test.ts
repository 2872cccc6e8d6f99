// The metadata log on disk and its snapshots (KIP-630): a restarted broker resumes from its own log end;
// controllers snapshot their committed image and delete the log before it; a broker or a voter whose
// fetch offset precedes the leader's log start fetches the snapshot and ends with the same image.
import { describe, expect, it } from 'vitest';
import { controllerNode } from '../../../../sim/kafka/kraft/config.ts';
import type { MetadataImage } from '../../../../sim/kafka/kraft/image.ts';
import { RaftLog } from '../../../../sim/kafka/kraft/raft-log.ts';
import type { RaftEntry } from '../../../../sim/kafka/kraft/records.ts';
import { imageOf, snapshotRecords, SnapshotStore } from '../../../../sim/kafka/kraft/snapshot.ts';
import { World } from '../../../../sim/world/world.ts';
import { KraftScenario } from '../../../helpers/kraft-scenario.ts';

function disk() {
  const world = new World({ seed: 1 });
  world.addNode('x', () => ({ onMessage() {} }));
  return world.node('x').disk;
}

const entry = (offset: number, epoch: number): RaftEntry => ({
  offset,
  epoch,
  record: { type: 'LeaderChange', leaderId: 3001, voters: [3001] },
});

/** Snapshots and log deletion after a few hundred bytes of records, so a short scenario sees both. */
const SMALL_SNAPSHOTS = { 'metadata.log.max.record.bytes.between.snapshots': 300, 'metadata.max.retention.bytes': 300 };

/** A plain-data view of an image, to compare two nodes' metadata. */
const view = (image: MetadataImage) => ({ offset: image.offset, records: snapshotRecords(image) });

/**
 * A voter's committed image against the active controller's: the same records, and the same offset but for the
 * latest NoOpRecord (KIP-835), whose commit a follower learns on its next fetch (KafkaRaftClient parks a fetch
 * that brings nothing new, so the fetch that advanced the leader's high watermark does not carry it).
 */
function expectSameCommitted(s: KraftScenario, voter: number): void {
  const mine = s.controller(voter).committed;
  const leader = s.controller(s.activeController());
  expect(snapshotRecords(mine)).toEqual(snapshotRecords(leader.committed));
  const behind = leader.committed.offset - mine.offset;
  expect(behind === 0 || behind === 1).toBe(true);
  if (behind === 1) expect(leader.raft.log.entryAt(mine.offset)?.record.type).toBe('NoOpRecord');
}

/** Writes metadata: a broker goes down (fenced, its partitions move) and comes back (registered, unfenced). */
function churn(s: KraftScenario, broker: number, times: number): void {
  for (let i = 0; i < times; i++) s.crash(broker, 'process').run(8000).restart(broker).run(6000);
}

describe('RaftLog with a log start offset', () => {
  it('deletes the log before a snapshot, and tells fetchers behind its start to fetch the snapshot', () => {
    const d = disk();
    const log = new RaftLog(d, true);
    log.append([entry(0, 1), entry(1, 1), entry(2, 2), entry(3, 2), entry(4, 3)]);
    log.deleteBefore({ endOffset: 3, epoch: 2 });
    expect([log.startOffset, log.endOffset, log.entries.map((e) => e.offset)]).toEqual([3, 5, [3, 4]]);
    expect(log.entryAt(2)).toBeUndefined();
    expect(log.epochAt(3)).toBe(2);
    expect(log.validateFetch(1, 1)).toEqual({ kind: 'snapshot' });
    expect(log.validateFetch(3, 1)).toEqual({ kind: 'snapshot' });
    expect(log.validateFetch(3, 2)).toEqual({ kind: 'valid' });
    expect(log.validateFetch(5, 3)).toEqual({ kind: 'valid' });
    expect(log.validateFetch(5, 2)).toEqual({ kind: 'diverging', epoch: 2, endOffset: 4 });
    expect(log.endOffsetForEpoch(2)).toEqual({ epoch: 2, endOffset: 4 });
    // After a restart the log still starts at the snapshot it was cut at.
    const again = new RaftLog(d, true, [{ endOffset: 3, epoch: 2 }]);
    expect([again.startOffset, again.endOffset, again.lastEpoch()]).toEqual([3, 5, 3]);
    again.resetTo({ endOffset: 9, epoch: 4 });
    expect([again.startOffset, again.endOffset, again.lastEpoch()]).toEqual([9, 9, 4]);
    expect(new RaftLog(d, true, [{ endOffset: 9, epoch: 4 }]).endOffset).toBe(9);
  });

  it('drops a log that does not reach the latest snapshot (its replacement undone by a crash)', () => {
    const d = disk();
    new RaftLog(d, false).append([entry(0, 1), entry(1, 1)]);
    const log = new RaftLog(d, false, [{ endOffset: 5, epoch: 2 }]);
    expect([log.startOffset, log.endOffset, log.lastEpoch()]).toEqual([5, 5, 2]);
  });

  it('an observer does not fsync its appends: a power loss cuts them, a clean flush keeps them', () => {
    const world = new World({ seed: 1 });
    world.addNode('x', () => ({ onMessage() {} }));
    const d = world.node('x').disk;
    const log = new RaftLog(d, false);
    log.append([entry(0, 1)]);
    log.flush();
    log.append([entry(1, 1)]);
    d.crash('lose-unsynced');
    expect(new RaftLog(d, false).endOffset).toBe(1);
  });
});

describe('snapshots', () => {
  it('hold the image: loading a snapshot of an image gives the same image, and survive on disk', () => {
    const s = new KraftScenario().start();
    s.produce(5);
    const image = s.controller(s.activeController()).committed;
    const snapshot = { id: { endOffset: image.offset, epoch: 1 }, records: snapshotRecords(image) };
    expect(view(imageOf(snapshot))).toEqual(view(image));
    const d = disk();
    new SnapshotStore(d).write(snapshot);
    expect(new SnapshotStore(d).latest()).toEqual(snapshot);
  });

  it('controllers snapshot their committed metadata and delete the log before it', () => {
    const s = new KraftScenario({ kraft: SMALL_SNAPSHOTS }).start();
    churn(s, 2, 2);
    for (const v of s.voters) {
      const raft = s.controller(v).raft;
      const latest = raft.snapshots.latest();
      expect(latest).not.toBeNull();
      expect(raft.log.startOffset).toBeGreaterThan(0);
      expect(latest?.id.endOffset).toBeGreaterThanOrEqual(raft.log.startOffset);
    }
    // A restarted controller's image starts from its latest snapshot and catches up with the others.
    const follower = s.voters.find((v) => v !== s.activeController()) as number;
    s.crashController(follower, 'process').restartController(follower);
    expect(s.controller(follower).committed.offset).toBe(s.controller(follower).raft.snapshots.latest()?.id.endOffset);
    s.run(5000);
    expectSameCommitted(s, follower);
    expect(s.raft.violations).toEqual([]);
  });
});

describe("a broker's metadata log on its disk", () => {
  it('a restarted broker resumes from its own log end and publishes nothing until caught up', () => {
    const s = new KraftScenario().start();
    s.produce(5);
    const b = 1;
    const before = s.cluster.broker(b)?.kraft?.metadataOffset ?? -1;
    expect(before).toBeGreaterThan(0);
    s.crash(b, 'process').run(3000).restart(b);
    // At start, before any fetch: the log and image come from its disk.
    const lifecycle = s.cluster.broker(b)?.kraft;
    expect(lifecycle?.metadataOffset).toBe(before);
    expect(lifecycle?.image.offset).toBe(before);
    const reset = s.raftEvents.findLastIndex((e) => e.kind === 'metadata-reset' && e.broker === b);
    const reloaded = s.raftEvents.slice(reset).filter((e) => e.kind === 'metadata-applied' && e.broker === b);
    expect(reloaded.map((e) => e.kind === 'metadata-applied' && e.offset)).toEqual(
      Array.from({ length: before }, (_, i) => i),
    );
    s.run(10_000);
    const active = s.controller(s.activeController());
    expect(view(s.cluster.broker(b)?.kraft?.image as MetadataImage)).toEqual(view(active.committed));
    expect(active.committed.brokers.get(b)?.fenced).toBe(false);
    expect(s.acked(s.produce(5))).toHaveLength(5);
    expect(s.monitor.violations).toEqual([]);
    expect(s.raft.violations).toEqual([]);
  });

  it('a power loss cuts the unflushed tail of its metadata log; it fetches the rest again', () => {
    const s = new KraftScenario().start();
    s.produce(5);
    const b = 0;
    const before = s.cluster.broker(b)?.kraft?.metadataOffset ?? -1;
    s.crash(b, 'lose-unsynced').restart(b);
    expect(s.cluster.broker(b)?.kraft?.metadataOffset).toBeLessThan(before);
    s.run(10_000);
    expect(view(s.cluster.broker(b)?.kraft?.image as MetadataImage)).toEqual(
      view(s.controller(s.activeController()).committed),
    );
    expect(s.raft.violations).toEqual([]);
  });

  it('a broker that lags past the log start loads the snapshot and ends with the same image', () => {
    const s = new KraftScenario({ kraft: SMALL_SNAPSHOTS }).start();
    const b = 0;
    s.cutFromQuorum(b);
    churn(s, 2, 2);
    const leader = s.controller(s.activeController()).raft;
    expect(leader.log.startOffset).toBeGreaterThan(s.cluster.broker(b)?.kraft?.metadataOffset ?? Infinity);
    s.world.net.heal();
    s.run(10_000);
    const loaded = s.raftEvents.filter((e) => e.kind === 'metadata-snapshot' && e.broker === b);
    expect(loaded.length).toBeGreaterThan(0);
    const lifecycle = s.cluster.broker(b)?.kraft;
    expect(lifecycle?.metadata.log.startOffset).toBeGreaterThan(0);
    expect(view(lifecycle?.image as MetadataImage)).toEqual(view(s.controller(s.activeController()).committed));
    // Unfenced again, it rejoins the ISR.
    expect(s.controller(s.activeController()).committed.brokers.get(b)?.fenced).toBe(false);
    s.run(15_000);
    expect(s.isr()).toContain(b);
    // Its disk holds the snapshot: a restart starts from it, not from offset 0.
    s.crash(b, 'process').restart(b);
    expect(s.cluster.broker(b)?.kraft?.metadata.log.startOffset).toBeGreaterThan(0);
    s.run(10_000);
    expect(view(s.cluster.broker(b)?.kraft?.image as MetadataImage)).toEqual(
      view(s.controller(s.activeController()).committed),
    );
    expect(s.monitor.violations).toEqual([]);
    expect(s.raft.violations).toEqual([]);
  });

  it('a voter that lags past the log start loads the snapshot (FetchSnapshot) and ends with the same image', () => {
    const s = new KraftScenario({ kraft: SMALL_SNAPSHOTS }).start();
    const active = s.activeController();
    const lagging = s.voters.find((v) => v !== active) as number;
    s.isolate(controllerNode(lagging));
    churn(s, 2, 2);
    expect(s.controller(active).raft.log.startOffset).toBeGreaterThan(s.controller(lagging).raft.log.endOffset);
    s.world.net.heal();
    s.run(5000);
    const loaded = s.raftEvents.filter((e) => e.kind === 'raft-snapshot' && e.voter === lagging);
    expect(loaded.length).toBeGreaterThan(0);
    const voter = s.controller(lagging);
    expect(voter.raft.role).toBe('follower');
    expect(voter.raft.log.endOffset).toBe(s.controller(active).raft.log.endOffset);
    expectSameCommitted(s, lagging);
    expect(s.activeController()).toBe(active);
    expect(s.raft.violations).toEqual([]);
  });
});
