// Consumers: read up to the high watermark, from a same-rack follower with client.rack (KIP-392), and
// detect log truncation after an unclean election (KIP-320).
import { describe, expect, it } from 'vitest';
import { pollAll, values } from '../../helpers/consumer-polls.ts';
import { Scenario } from '../../helpers/scenario.ts';

/** The readers here read each partition from its start. */
const EARLIEST = { consumer: { 'auto.offset.reset': 'earliest' as const } };

describe('consumers', () => {
  it('read everything below the high watermark from the leader, in offset order', () => {
    const s = new Scenario().start();
    const sent = s.acked(s.produce(15));
    s.cluster.addClient('reader', EARLIEST);
    s.world.start('reader');
    s.cluster.client('reader')?.metadata.refresh();
    s.run(100);
    s.cluster.client('reader')?.consumer.assign([0]);
    const rs = pollAll(s, 'reader', 3);
    expect(values(rs)).toEqual(sent);
    expect(s.cluster.client('reader')?.consumer.position(0)).toBe(15);
  });

  it('leaves a returned poll result alone when a fetch answers late; the next poll reads those records', () => {
    const s = new Scenario().start();
    const sent = s.acked(s.produce(5));
    s.cluster.addClient('reader', EARLIEST);
    s.world.start('reader');
    s.cluster.client('reader')?.metadata.refresh();
    s.run(100);
    const consumer = s.cluster.client('reader')?.consumer;
    consumer?.assign([0]);
    // The leader's answers take longer than the poll waits.
    const leaderNode = s.cluster.nodeOf(s.leader());
    s.world.net.setLinkLatency(leaderNode, 'reader', { kind: 'constant', ms: 800 });
    const [first] = pollAll(s, 'reader', 1);
    const returned = JSON.stringify([...first.records], null, 0);
    s.run(2000);
    expect(JSON.stringify([...first.records], null, 0)).toBe(returned);
    expect(values([first])).toEqual([]);
    expect(consumer?.position(0)).toBe(0);
    s.world.net.setLinkLatency(leaderNode, 'reader', null);
    expect(values(pollAll(s, 'reader', 2))).toEqual(sent);
  });

  it('never sees records above the high watermark', () => {
    const s = new Scenario({ broker: { 'min.insync.replicas': 1 } }).start();
    const leader = s.leader();
    // Followers cut off: the leader appends acks=1 writes but its high watermark cannot advance.
    for (const b of [0, 1, 2]) if (b !== leader) s.world.net.cutBoth(s.cluster.nodeOf(leader), s.cluster.nodeOf(b));
    s.produce(5, { producer: { acks: 1 } });
    expect(s.log(leader)).toHaveLength(5);
    s.cluster.addClient('reader', EARLIEST);
    s.world.start('reader');
    s.cluster.client('reader')?.metadata.refresh();
    s.run(100);
    s.cluster.client('reader')?.consumer.assign([0]);
    expect(values(pollAll(s, 'reader', 2))).toEqual([]);
  });

  it('reads up to the high watermark only, when the log holds records past it', () => {
    // Kafka 3.9.0: a consumer's fetch (replica id -1, FetchRequest.isConsumer) reads with
    // FetchIsolation.HIGH_WATERMARK (FetchIsolation.of), a follower's with LOG_END; Partition.fetchRecords reads
    // the leader's log up to that bound. Here the records below the high watermark make the leader answer at once.
    const s = new Scenario({ broker: { 'min.insync.replicas': 1 } }).start();
    const committed = s.acked(s.produce(3));
    expect(committed).toHaveLength(3);
    s.run(1000);
    const leader = s.leader();
    // Followers cut off: two acks=1 writes reach the leader's log only, above its high watermark.
    for (const b of [0, 1, 2]) if (b !== leader) s.world.net.cutBoth(s.cluster.nodeOf(leader), s.cluster.nodeOf(b));
    expect(s.acked(s.produce(2, { producer: { acks: 1 } }))).toHaveLength(2);
    expect([s.partition(leader).highWatermark, s.partition(leader).logEndOffset]).toEqual([3, 5]);
    s.cluster.addClient('reader', EARLIEST);
    s.world.start('reader');
    s.cluster.client('reader')?.metadata.refresh();
    s.run(100);
    s.cluster.client('reader')?.consumer.assign([0]);
    expect(values(pollAll(s, 'reader', 2))).toEqual(committed);
    expect(s.cluster.client('reader')?.consumer.position(0)).toBe(3);
  });

  it('reads from a follower in its own rack with client.rack (KIP-392)', () => {
    const s = new Scenario({ brokers: 3 });
    (s.cluster.config as { racks: string[] }).racks = ['east', 'west', 'north'];
    s.start();
    const sent = s.acked(s.produce(6));
    s.run(2000);
    const leader = s.leader();
    const follower = [0, 1, 2].find((b) => b !== leader) as number;
    const rack = ['east', 'west', 'north'][follower];
    s.cluster.addClient('reader', { consumer: { 'client.rack': rack, 'auto.offset.reset': 'earliest' } });
    s.world.start('reader');
    s.cluster.client('reader')?.metadata.refresh();
    s.run(100);
    s.cluster.client('reader')?.consumer.assign([0]);
    // Cut the reader off from the leader: only a same-rack follower can serve it.
    s.world.net.cutBoth('reader', s.cluster.nodeOf(leader));
    expect(values(pollAll(s, 'reader', 3))).toEqual(sent);
  });

  for (const kip320 of [true, false]) {
    const name = `${kip320 ? 'detects' : 'misses (pre-KIP-320)'} a truncation of the log it read`;
    it(`${name}, after an unclean election`, () => {
      const s = new Scenario({
        broker: { 'unclean.leader.election.enable': true, 'min.insync.replicas': 1 },
        protocol: { kip320, kip320Consumer: kip320 },
      }).start();
      s.produce(3);
      s.run(1000);
      const leader = s.leader();
      const others = [0, 1, 2].filter((b) => b !== leader);
      // The followers fall behind; the leader alone acknowledges more, and a consumer reads them.
      for (const b of others) s.world.net.cutBoth(s.cluster.nodeOf(leader), s.cluster.nodeOf(b));
      s.run(15_000);
      const lost = s.acked(s.produce(4));
      expect(lost).toHaveLength(4);
      s.cluster.addClient('reader', EARLIEST);
      s.world.start('reader');
      s.cluster.client('reader')?.metadata.refresh();
      s.run(100);
      s.cluster.client('reader')?.consumer.assign([0]);
      s.world.net.cutBoth('reader', s.cluster.nodeOf(others[0]));
      s.world.net.cutBoth('reader', s.cluster.nodeOf(others[1]));
      expect(values(pollAll(s, 'reader', 3))).toEqual(expect.arrayContaining(lost));
      const position = s.cluster.client('reader')?.consumer.position(0) ?? 0;
      expect(position).toBe(7);
      // The leader dies; a stale follower is elected (unclean) and takes new writes at offsets 3.. .
      s.world.net.heal();
      for (const b of others) s.world.net.cutBoth(s.cluster.nodeOf(leader), s.cluster.nodeOf(b));
      s.crash(leader).run(10_000);
      expect(s.elections().at(-1)?.unclean).toBe(true);
      s.world.net.heal();
      const refill = s.acked(s.produce(6));
      s.cluster.client('reader')?.metadata.refresh();
      s.run(500);
      const rs = pollAll(s, 'reader', 4);
      const truncations = rs.flatMap((r) => r.truncations);
      if (kip320) {
        // KIP-320: the consumer rewinds to where its epoch ended on the new leader, and reads the new records.
        expect(truncations).toEqual([{ partition: 0, from: 7, to: 3, cause: 'truncation' }]);
        expect(values(rs)).toEqual(refill);
      } else {
        // Without it the consumer carries on from offset 7 and silently skips the new records at 3..6.
        expect(truncations).toEqual([]);
        expect(values(rs)).toEqual(refill.slice(4));
      }
    });
  }
});
