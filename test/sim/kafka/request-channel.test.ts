// The correlation mechanism every Kafka and KRaft request goes through.
import { describe, expect, it } from 'vitest';
import { RequestChannel } from '../../../sim/kafka/request-channel.ts';
import type { ListOffsetsResponse } from '../../../sim/kafka/messages.ts';
import { World, type NodeContext } from '../../../sim/world/index.ts';

/** A client node with a channel, and a server that answers ListOffsets after `delayMs`. */
function setup(delayMs: number): { world: World; channel: () => RequestChannel } {
  const world = new World({ seed: 1, defaultLatency: { kind: 'constant', ms: 1 } });
  let channel: RequestChannel | null = null;
  world.addNode('client', (ctx: NodeContext) => {
    const c = new RequestChannel(ctx);
    channel = c;
    return { onMessage: (_from, msg) => void c.complete(msg as ListOffsetsResponse) };
  });
  world.addNode('server', (ctx: NodeContext) => ({
    onMessage: (from, msg) => {
      const req = msg as { correlationId: number; partition: number };
      ctx.setTimer(delayMs, () =>
        ctx.send(from, {
          type: 'ListOffsetsResponse',
          correlationId: req.correlationId,
          partition: req.partition,
          error: 'NONE',
          offset: 7,
          leaderEpoch: 0,
        }),
      );
    },
  }));
  world.start('client');
  world.start('server');
  return { world, channel: () => channel as unknown as RequestChannel };
}

const listOffsets = (partition: number) => ({
  type: 'ListOffsets' as const,
  partition,
  currentLeaderEpoch: -1,
  timestamp: -1 as const,
});

describe('RequestChannel', () => {
  it('routes each response to its own request by correlation id', () => {
    const { world, channel } = setup(5);
    const got: [number, number | null][] = [];
    for (const p of [3, 4])
      channel().send<ListOffsetsResponse>('server', listOffsets(p), 1000, (r) => got.push([p, r?.partition ?? null]));
    world.runFor(100);
    expect(got).toEqual([
      [3, 3],
      [4, 4],
    ]);
    expect(channel().outstanding).toBe(0);
  });

  it('times out with null and ignores the late answer', () => {
    const { world, channel } = setup(500);
    const got: (number | null)[] = [];
    channel().send<ListOffsetsResponse>('server', listOffsets(1), 100, (r) => got.push(r === null ? null : r.offset));
    world.runFor(2000);
    expect(got).toEqual([null]);
    expect(channel().outstanding).toBe(0);
  });

  it('refuses a request object sent twice (the correlation id is stamped on it)', () => {
    const { channel } = setup(5);
    const req = listOffsets(1);
    channel().send('server', req, 1000, () => {});
    expect(() => channel().send('server', req, 1000, () => {})).toThrow(/sent twice/);
  });

  it('gives a restarted node none of the answers meant for its previous incarnation', () => {
    // Found by the pipelined queue workload: a producer node crashed with produce requests in flight, the broker
    // answered them once the client was back, and the new client, numbering its requests from 1 again, took an
    // old answer (another record's offset) for its own request. Kafka's answers go back on the connection the
    // request came on, which died with the process.
    const { world, channel } = setup(500);
    const old: (number | null)[] = [];
    channel().send<ListOffsetsResponse>('server', listOffsets(1), 10_000, (r) => old.push(r?.partition ?? null));
    world.runFor(100);
    world.crash('client');
    world.start('client');
    const got: (number | null)[] = [];
    channel().send<ListOffsetsResponse>('server', listOffsets(2), 10_000, (r) => got.push(r?.partition ?? null));
    world.runFor(450);
    // The first incarnation's answer has arrived by now: nobody takes it.
    expect(got).toEqual([]);
    world.runFor(200);
    expect(got).toEqual([2]);
    expect(old).toEqual([]);
    expect(channel().outstanding).toBe(0);
  });
});
