// Events per second of the bare world: many nodes playing ping-pong over jittered links, each with a
// periodic timer, as a broker's fetch loop and tick timers would. Wall time is measured here, outside
// the world, and never fed back into it.
import { World } from '../sim/world/index.ts';
import type { Distribution, NodeContext } from '../sim/world/index.ts';

interface Options {
  nodes: number;
  latency: Distribution;
  simSeconds: number;
  seed: number;
}

interface Ping {
  kind: 'ping' | 'pong';
  n: number;
}

function buildWorld(o: Options): World {
  const world = new World({ seed: o.seed, defaultLatency: o.latency });
  const ids = Array.from({ length: o.nodes }, (_, i) => `n${i}`);
  for (const id of ids) {
    world.addNode(id, (ctx: NodeContext) => {
      let ticks = 0;
      const peers = ids.filter((p) => p !== id);
      const tick = (): void => {
        ticks++;
        ctx.setTimer(10, tick);
      };
      ctx.setTimer(ctx.random.float() * 10, tick);
      // Each node keeps 4 pings in flight to random peers.
      for (let i = 0; i < 4; i++) ctx.send(ctx.random.pick(peers), { kind: 'ping', n: 0 } satisfies Ping);
      return {
        onMessage(from, raw) {
          const msg = raw as Ping;
          if (msg.kind === 'ping') ctx.send(from, { kind: 'pong', n: msg.n });
          else ctx.send(peers[(msg.n + ticks) % peers.length], { kind: 'ping', n: msg.n + 1 });
        },
      };
    });
  }
  for (const id of ids) world.start(id);
  return world;
}

export function benchWorld(o: Options): { events: number; wallMs: number; eventsPerSecond: number } {
  const world = buildWorld(o);
  const t0 = performance.now();
  world.runUntil(o.simSeconds * 1000);
  const wallMs = performance.now() - t0;
  return { events: world.events, wallMs, eventsPerSecond: world.events / (wallMs / 1000) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const variants: [string, Distribution][] = [
    ['uniform 0.5-1.5 ms jitter', { kind: 'uniform', min: 0.5, max: 1.5 }],
    ['normal(1, 0.3) ms clamped', { kind: 'normal', mean: 1, stddev: 0.3, min: 0.2, max: 3 }],
  ];
  for (const [name, latency] of variants) {
    const opts: Options = { nodes: 50, latency, simSeconds: 20, seed: 1 };
    benchWorld({ ...opts, simSeconds: 2 }); // warm-up so the JIT has compiled the hot paths
    const runs = [1, 2, 3].map((seed) => benchWorld({ ...opts, seed }));
    for (const r of runs) {
      console.log(
        `world (${name}): ${opts.nodes} nodes ping-pong + 10 ms timers, ${opts.simSeconds} s simulated: ` +
          `${r.events} events in ${r.wallMs.toFixed(0)} ms = ${(r.eventsPerSecond / 1e6).toFixed(2)} M events/s`,
      );
    }
    const best = Math.max(...runs.map((r) => r.eventsPerSecond));
    console.log(`best (${name}): ${(best / 1e6).toFixed(2)} M events/s on one core (target >= 3.00)`);
  }
}
