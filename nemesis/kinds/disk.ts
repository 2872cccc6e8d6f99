// Disk faults on chosen brokers: fsync that reports success and persists nothing (a lying disk or a
// volatile write cache, so the next crash loses "synced" data), I/O errors at a rate, and a full disk.
// Stop clears every disk fault on those brokers.
import fc from 'fast-check';
import { Fields } from '../fields.ts';
import type { FaultKindModule } from '../kind.ts';
import { done, spanMs } from '../kind.ts';
import type { ClusterShape } from '../shape.ts';
import type { Target } from '../target.ts';
import { generateTarget, parseTarget, resolveTarget, targetArbitrary } from '../target.ts';
import { minority } from './kill.ts';

const RULES = { zk: false };

export type DiskParams = { target: Target; fsyncLies: boolean; ioErrorRate: number; full: boolean };
export type DiskApplied = { nodes: string[]; fsyncLies: boolean; ioErrorRate: number; full: boolean };

function parse(raw: unknown, where: string, shape?: ClusterShape): DiskParams {
  const f = Fields.of(raw, where);
  f.only(['target', 'fsyncLies', 'ioErrorRate', 'full']);
  return {
    target: parseTarget(f.get('target'), f.at('target'), RULES, shape),
    fsyncLies: f.boolean('fsyncLies'),
    ioErrorRate: f.number('ioErrorRate', { min: 0, max: 1 }),
    full: f.boolean('full'),
  };
}

export const diskKind: FaultKindModule<DiskParams, DiskApplied> = {
  kind: 'disk',
  summary: 'lying fsync, I/O errors at a rate, or a full disk on chosen brokers; stop clears',
  parse,
  generate(random, shape, intensity) {
    const target = generateTarget(random, shape, RULES, minority(shape));
    // One symptom per fault reads best in a report; the rate grows with intensity.
    const roll = random.float();
    if (roll < 0.4) return { target, fsyncLies: true, ioErrorRate: 0, full: false };
    if (roll < 0.75)
      return {
        target,
        fsyncLies: false,
        ioErrorRate: Math.round((0.01 + 0.3 * intensity * random.float()) * 1000) / 1000,
        full: false,
      };
    return { target, fsyncLies: false, ioErrorRate: 0, full: true };
  },
  arbitrary: (shape) =>
    fc.record({
      target: targetArbitrary(shape, RULES, shape.brokers),
      fsyncLies: fc.boolean(),
      ioErrorRate: fc.integer({ min: 0, max: 100 }).map((r) => r / 100),
      full: fc.boolean(),
    }),
  duration: (random, intensity) => spanMs(random, intensity, 5000, 30000),
  tailMs: () => 0,
  start({ cluster, world, random }, { target, fsyncLies, ioErrorRate, full }) {
    // Brokers only: KRaft's Raft log relies on fsync as Kafka's does, and a lying fsync there breaks Raft itself.
    const controllers = cluster.controllerNodes();
    const nodes = resolveTarget(target, cluster, random).filter((n) => !controllers.includes(n));
    for (const node of nodes) world.node(node).disk.setFaults({ fsyncLies, ioErrorRate, full });
    return { nodes, fsyncLies, ioErrorRate, full };
  },
  stop({ world }, applied) {
    for (const node of applied.nodes) world.node(node).disk.clearFaults();
    return done({ cleared: applied.nodes });
  },
};
