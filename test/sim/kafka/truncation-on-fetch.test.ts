// Truncation on fetch (KAFKA-10554, 2.8.0 at IBP 2.7-IV1; kafkasim's 3.0): the follower follows Kafka's
// AbstractFetcherThread.processFetchRequest (partitionData.divergingEpoch.ifPresent → truncateOnFetchResponse)
// and the leader Partition.readRecords (lastFetchedEpoch checked against lastOffsetForLeaderEpoch). Before
// it (2.7) a new follower truncates first by OffsetsForLeaderEpoch (AbstractFetcherThread.maybeTruncate,
// truncateToEpochEndOffsets). KAFKA-14704 (3.4.1/3.5.0): with a diverging epoch the follower truncates
// before it processes the partition data, so its high watermark never covers records about to go.
//
// Replicas [L, F1, F2] on a partition away from the controller: m1..m3 reach everyone; L, cut off from its
// followers, appends m4, m5 alone; L loses ZooKeeper, F1 leads epoch 1 and commits m6, m7 with F2; the
// network heals and L follows F1 with a log that diverges after offset 3.
import { describe, expect, it } from 'vitest';
import type { KafkaBehaviours } from '../../../sim/kafka/protocol.ts';
import { releaseOf } from '../../../sim/kafka/releases.ts';
import { HistoricalScenario } from '../../helpers/historical.ts';
import { Scenario } from '../../helpers/scenario.ts';
import { describeViolations } from '../../helpers/historical-verdict.ts';

function diverge(protocol: KafkaBehaviours) {
  const s = new HistoricalScenario({ brokers: 4, partitions: 4, rf: 3, protocol }).start();
  const p = s.partitionAwayFromController();
  const [l, f1, f2] = s.replicasOf(p);
  const first = s.acked(s.produce(3, { partition: p }));
  s.run(1000);
  s.cut(l, f1).cut(l, f2);
  const alone = s.startSends(2, {
    partition: p,
    producer: { 'delivery.timeout.ms': 3000, 'request.timeout.ms': 2000 },
  });
  s.run(500);
  const lLog = s.log(l, p);
  s.world.net.isolate(s.cluster.nodeOf(l));
  s.run(10_000);
  const leader = s.controllerLeader(p);
  const later = s.acked(s.produce(2, { partition: p }));
  s.world.runUntil(() => alone.done(), { maxEvents: 1_000_000 });
  // Count what L sends its new leader from now on.
  const sent = { offsetsForLeaderEpoch: 0, divergingFetches: 0 };
  const net = s.world.net;
  const sendOn = net.sendOn.bind(net);
  const lNode = s.cluster.nodeOf(l);
  const fNode = s.cluster.nodeOf(f1);
  net.sendOn = (conn, msg) => {
    const m = msg as {
      type?: string;
      replicaId?: number;
      partitions?: { partition: number; divergingEpoch?: unknown }[];
    };
    if (m.type === 'OffsetsForLeaderEpoch' && m.replicaId === l) sent.offsetsForLeaderEpoch++;
    if (m.type === 'FetchResponse' && conn.from === fNode && conn.to === lNode) {
      if ((m.partitions ?? []).some((d) => d.partition === p && d.divergingEpoch !== undefined))
        sent.divergingFetches++;
    }
    return sendOn(conn, msg);
  };
  const from = s.events.length;
  s.heal().run(10_000);
  net.sendOn = sendOn;
  const events = s.events
    .slice(from)
    .filter((e) => 'broker' in e && e.broker === l && 'partition' in e && e.partition === p);
  const truncations = events.filter((e) => e.kind === 'truncate' && e.reason !== 'recovery');
  const hwSeen = events
    .filter((e) => e.kind === 'high-watermark')
    .map((e) => (e.kind === 'high-watermark' ? e.highWatermark : -1));
  return { s, p, l, f1, f2, first, lLog, leader, later, sent, truncations, hwSeen };
}

describe('truncation on fetch (AbstractFetcherThread.processFetchRequest, Partition.readRecords; KAFKA-10554)', () => {
  it('2.7: the new follower truncates by OffsetsForLeaderEpoch before it fetches (truncateToEpochEndOffsets)', () => {
    const r = diverge(releaseOf('2.7').behaviours);
    expect(r.lLog).toEqual([1, 2, 3, 4, 5]);
    expect(r.leader).toBe(r.f1);
    expect(r.later).toHaveLength(2);
    expect(r.sent.offsetsForLeaderEpoch).toBeGreaterThan(0);
    expect(r.sent.divergingFetches).toBe(0);
    expect(r.truncations.map((e) => (e.kind === 'truncate' ? [e.fromLogEndOffset, e.toOffset, e.reason] : []))).toEqual(
      [[5, 3, 'leader-epoch']],
    );
    for (const b of [r.l, r.f1, r.f2]) expect(r.s.log(b, r.p)).toEqual([...r.first, ...r.later]);
    expect(describeViolations(r.s.monitor.violations)).toEqual([]);
  });

  it('3.0: L fetches at once, sending its last fetched epoch, and truncates on the DivergingEpoch answer', () => {
    const r = diverge(releaseOf('3.0').behaviours);
    expect(r.lLog).toEqual([1, 2, 3, 4, 5]);
    expect(r.sent.offsetsForLeaderEpoch).toBe(0);
    expect(r.sent.divergingFetches).toBe(1);
    expect(r.truncations.map((e) => (e.kind === 'truncate' ? [e.fromLogEndOffset, e.toOffset, e.reason] : []))).toEqual(
      [[5, 3, 'leader-epoch']],
    );
    for (const b of [r.l, r.f1, r.f2]) expect(r.s.log(b, r.p)).toEqual([...r.first, ...r.later]);
    // Before KAFKA-14704 the empty partition data is processed first: L's high watermark takes F1's (5) over
    // its own m4, m5, which F1 committed as m6, m7: for a moment L serves uncommitted records as committed.
    expect(r.hwSeen[0]).toBe(5);
    expect(describeViolations(r.s.monitor.violations)).toEqual([
      `LogMatching [${r.f1},${r.l}] offset 3 of partition ${r.p} was committed as 6 (broker ${r.f1}) but broker ` +
        `${r.l} has 4 below its high watermark`,
      `LogMatching [${r.f1},${r.l}] offset 4 of partition ${r.p} was committed as 7 (broker ${r.f1}) but broker ` +
        `${r.l} has 5 below its high watermark`,
    ]);
  });

  it('newest (KAFKA-14704): L truncates first and takes no high watermark from the diverging answer', () => {
    const r = diverge(releaseOf('4.4').behaviours);
    expect(r.sent.offsetsForLeaderEpoch).toBe(0);
    expect(r.sent.divergingFetches).toBe(1);
    expect(r.truncations.map((e) => (e.kind === 'truncate' ? [e.fromLogEndOffset, e.toOffset, e.reason] : []))).toEqual(
      [[5, 3, 'leader-epoch']],
    );
    // The high watermark moves only with the next fetch's data: over m6, m7, never over m4, m5.
    expect(r.hwSeen).toEqual([5]);
    for (const b of [r.l, r.f1, r.f2]) expect(r.s.log(b, r.p)).toEqual([...r.first, ...r.later]);
    expect(describeViolations(r.s.monitor.violations)).toEqual([]);
  });
});

describe('KAFKA-7897: a follower without an epoch truncates alone (AbstractFetcherThread.maybeTruncate)', () => {
  // A new cluster: every follower starts with an empty log, so no epoch to ask the leader about.
  function offsetsForLeaderEpochAtStart(version: string): { requests: number; epochs: number[] } {
    const s = new Scenario({ protocol: releaseOf(version).behaviours });
    const net = s.world.net;
    const sendOn = net.sendOn.bind(net);
    const seen = { requests: 0, epochs: [] as number[] };
    net.sendOn = (conn, msg) => {
      const m = msg as { type?: string; partitions?: { leaderEpoch: number }[] };
      if (m.type === 'OffsetsForLeaderEpoch') {
        seen.requests++;
        seen.epochs.push(...(m.partitions ?? []).map((x) => x.leaderEpoch));
      }
      return sendOn(conn, msg);
    };
    s.start().run(2000);
    expect(s.acked(s.produce(3))).toEqual([1, 2, 3]);
    expect(s.monitor.violations).toEqual([]);
    return seen;
  }

  it('2.1: it asks OffsetsForLeaderEpoch about epoch -1 (ReplicaFetcherThread.buildLeaderEpochRequest)', () => {
    const r = offsetsForLeaderEpochAtStart('2.1');
    expect(r.requests).toBe(2);
    expect(r.epochs).toEqual([-1, -1]);
  });

  it('2.4: it truncates to its high watermark without asking (truncateToHighWatermark)', () => {
    expect(offsetsForLeaderEpochAtStart('2.4').requests).toBe(0);
  });
});
