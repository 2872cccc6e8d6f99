// `kafkasim demo`: a run of the bare world (nodes gossiping over jittered links with faults), printing
// its seed and hash. It shows determinism at work before any Kafka is involved.
import type { Command } from 'commander';
import { Hasher, parseSeed, World } from '../../sim/world/index.ts';
import type { NodeContext } from '../../sim/world/index.ts';
import { intOption } from '../options.ts';
import { freshSeed } from '../fresh-seed.ts';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run the bare simulated world (no Kafka): gossiping nodes, a partition, a crash; prints the hash')
    .option('--seed <seed>', 'the seed (default: a fresh one, printed)')
    .option('--nodes <n>', 'number of nodes', '5')
    .option('--time <seconds>', 'simulated seconds', '10')
    .action((opts: { seed?: string; nodes: string; time: string }) => {
      const seed = opts.seed === undefined ? freshSeed() : parseSeed(opts.seed);
      const nodes = intOption('--nodes', opts.nodes, 1, 1000);
      const seconds = intOption('--time', opts.time, 1, 86_400);
      const started = performance.now();
      const world = new World({ seed, defaultLatency: { kind: 'normal', mean: 2, stddev: 1, min: 0.2, max: 20 } });
      const ids = Array.from({ length: nodes }, (_, i) => `n${i}`);
      let delivered = 0;
      for (const id of ids) {
        world.addNode(id, (ctx: NodeContext) => {
          const tick = (): void => {
            ctx.send(ctx.random.pick(ids.filter((p) => p !== id)), ctx.random.int(0, 1000));
            ctx.disk.append('log', 'x');
            ctx.setTimer(ctx.random.int(5, 50), tick);
          };
          ctx.setTimer(ctx.random.int(0, 10), tick);
          return { onMessage: () => void delivered++ };
        });
        world.start(id);
      }
      const faults = world.stream('faults');
      const victim = faults.pick(ids);
      world.at((seconds * 1000) / 4, () => world.net.isolate(victim));
      world.at((seconds * 1000) / 2, () => world.net.heal());
      world.at((seconds * 1000) / 2, () => world.crash(faults.pick(ids), 'random-suffix'));
      world.runUntil(seconds * 1000);
      const hash = new Hasher()
        .update(String(world.events))
        .update(String(delivered))
        .update(JSON.stringify(world.nodes().map((n) => n.disk.snapshot())))
        .update(world.unseed())
        .digest();
      const wallMs = performance.now() - started;
      console.log(`seed ${seed}`);
      console.log(`isolated ${victim} from ${seconds / 4}s to ${seconds / 2}s`);
      console.log(`events ${world.events}, messages delivered ${delivered}, dropped ${world.net.stats.dropped}`);
      console.log(`simulated ${seconds}s in ${wallMs.toFixed(0)} ms of wall time`);
      console.log(`hash ${hash}`);
    });
}
