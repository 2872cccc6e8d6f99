import { describe, expect, it } from 'vitest';
import type { NodeContext } from '../../../sim/world/index.ts';
import { World } from '../../../sim/world/index.ts';

/** Two nodes, a sending to b with a constant 1 ms latency; b records what arrives and when. */
function pair(seed: number) {
  const world = new World({ seed, defaultLatency: { kind: 'constant', ms: 1 } });
  const arrivals: { msg: number; at: number }[] = [];
  let sender: NodeContext | null = null;
  world.addNode('a', (ctx) => {
    sender = ctx;
    return { onMessage() {} };
  });
  world.addNode('b', () => ({
    onMessage: (_from: string, msg: unknown) => arrivals.push({ msg: msg as number, at: world.now }),
  }));
  world.start('a');
  world.start('b');
  const send = (msg: number): void => sender!.send('b', msg);
  return { world, arrivals, send };
}

const TCP = { loss: 0.9, duplicate: 0, retransmitMs: 200 };

describe('TCP retransmissions under packet faults', () => {
  it('sends what still waits for a retransmission on the first one due after the loss ends', () => {
    const { world, arrivals, send } = pair(3);
    world.net.setPacketFaults(TCP, 'a', 'b');
    for (let i = 0; i < 30; i++) send(i);
    world.runUntil(1000);
    const early = arrivals.length;
    // At 90% loss most messages have retransmissions due after 1 s, and FIFO holds the rest behind them.
    expect(early).toBeLessThan(30);
    world.net.setPacketFaults(null, 'a', 'b');
    world.runUntil(60_000);
    // Sendings at 0, 200, 600, 1400 ms...: the first one after the loss ended (at 1 s) goes through.
    expect(arrivals.map((a) => a.msg)).toEqual([...Array(30).keys()]);
    for (const a of arrivals.slice(early)) expect(a.at).toBeLessThanOrEqual(1401);
    // What is sent after the loss ended is not held behind a backoff.
    send(30);
    const sentAt = world.now;
    world.runUntil(sentAt + 10);
    expect(arrivals.at(-1)).toEqual({ msg: 30, at: sentAt + 1 });
  });

  it('without the change the same message waits for its drawn retransmissions, each one doubling', () => {
    // Same seed, no heal: the last of the 30 arrives only after backoffs far beyond 1.4 s.
    const { world, arrivals, send } = pair(3);
    world.net.setPacketFaults(TCP, 'a', 'b');
    for (let i = 0; i < 30; i++) send(i);
    world.runUntil(10_000_000);
    expect(arrivals).toHaveLength(30);
    expect(arrivals.at(-1)!.at).toBeGreaterThan(1401);
  });

  it('caps the retransmission timeout at two minutes, as Linux TCP_RTO_MAX does', () => {
    const { world, arrivals, send } = pair(1);
    world.net.setPacketFaults({ loss: 1, duplicate: 0, retransmitMs: 200 }, 'a', 'b');
    send(7);
    world.runUntil(10_000_000);
    // 15 retransmissions: 200 ms doubling ten times (204.6 s in all), then five of 120 s each.
    expect(arrivals).toEqual([{ msg: 7, at: 204_600 + 5 * 120_000 + 1 }]);
  });

  it('redraws the retransmissions still due at the new loss rate when the faults change', () => {
    const run = (): number[] => {
      const { world, arrivals, send } = pair(11);
      world.net.setPacketFaults({ loss: 1, duplicate: 0, retransmitMs: 200 });
      for (let i = 0; i < 5; i++) send(i);
      world.runUntil(500);
      world.net.setPacketFaults({ loss: 0.5, duplicate: 0, retransmitMs: 200 });
      world.runUntil(10_000_000);
      expect(arrivals.map((a) => a.msg)).toEqual([0, 1, 2, 3, 4]);
      return arrivals.map((a) => a.at);
    };
    const times = run();
    // Nothing went out before the change (loss 1); every sending at 600 ms or later was drawn anew.
    expect(times[0]).toBeGreaterThanOrEqual(601);
    expect(times.at(-1)!).toBeLessThan(804_601);
    expect(run()).toEqual(times);
  });
});
