// A broker's disk replaced: the broker stops and comes back with an empty log directory. Every partition log,
// leader-epoch checkpoint, high-watermark checkpoint, the clean-shutdown marker and (KRaft) the broker's copy of
// __cluster_metadata are gone; its identity is not (meta.properties: Kafka writes it again with the same
// broker.id, by `kafka-storage format` in KRaft mode), so it comes back as the same broker, which in KRaft
// registers with a new broker epoch. Either an operator swaps a failing disk (`controlled`: SIGTERM, so a
// controlled shutdown first, then the swap) or the disk dies under the broker (`disk-failure`: it stops at once,
// as Kafka halts when its only log directory fails). The stop starts it again, killing it first if it is still
// shutting down. With `whenReplicated` the fault does nothing unless the cluster is healthy when it starts (every
// broker serving, no partition under-replicated or offline), as an operator replaces one disk at a time: a second
// disk lost before the first one's replica has caught up is a double failure, which replication factor 3 with
// min.insync.replicas 2 does not promise to survive. Generated faults say so; a schedule may not. KAFKA-14139's
// scenario: before KIP-903 a replica back with an empty disk could rejoin the ISR on the strength of its previous
// incarnation, and be elected.
import fc from 'fast-check';
import { fail, Fields } from '../fields.ts';
import type { FaultContext, FaultKindModule } from '../kind.ts';
import { spanMs } from '../kind.ts';
import { fullyReplicated } from '../replicated.ts';
import type { ClusterShape } from '../shape.ts';
import type { Target } from '../target.ts';
import { compareNodes, generateTarget, parseTarget, resolveTarget, targetArbitrary } from '../target.ts';

const RULES = { zk: false };
const MODES = ['controlled', 'disk-failure'] as const;
export type ReplaceDiskMode = (typeof MODES)[number];

export type ReplaceDiskParams = { target: Target; mode: ReplaceDiskMode; whenReplicated: boolean };
/** `skipped` when `whenReplicated` found the cluster unhealthy. */
export type ReplaceDiskApplied = { nodes: string[]; mode: ReplaceDiskMode; replaced: string[]; skipped?: string };

function parse(raw: unknown, where: string, shape?: ClusterShape): ReplaceDiskParams {
  const f = Fields.of(raw, where);
  f.only(['target', 'mode', 'whenReplicated']);
  const target = parseTarget(f.get('target'), f.at('target'), RULES, shape);
  if (target.target === 'nodes') {
    const controller = target.nodes.find((n) => !n.startsWith('b'));
    if (controller !== undefined) fail(f.at('target'), `only a broker's disk is replaced, not "${controller}"'s`);
  }
  return { target, mode: f.oneOf('mode', MODES, 'replace-disk mode'), whenReplicated: f.boolean('whenReplicated') };
}

/** The disks this fault has swapped so far, by node (a controlled stop swaps only once the broker is down). */
const swapped = new WeakMap<FaultContext, Set<string>>();

function swap(ctx: FaultContext, node: string): void {
  ctx.world.node(node).disk.replace();
  swapped.get(ctx)?.add(node);
}

export const replaceDiskKind: FaultKindModule<ReplaceDiskParams, ReplaceDiskApplied> = {
  kind: 'replace-disk',
  summary: 'stop a broker (controlled shutdown, or its disk failing) and start it again on an empty disk',
  parse,
  generate: (random, shape) => ({
    target: generateTarget(random, shape, RULES, 1),
    mode: random.chance(0.7) ? 'controlled' : 'disk-failure',
    whenReplicated: true,
  }),
  arbitrary: (shape) =>
    fc.record({
      target: targetArbitrary(shape, RULES, 1),
      mode: fc.constantFrom<ReplaceDiskMode>(...MODES),
      whenReplicated: fc.boolean(),
    }),
  // How long the broker is away: the swap, and the broker's own recovery is then from nothing.
  duration: (random, intensity) => spanMs(random, intensity, 2000, 20000),
  tailMs: () => 0,
  start(ctx, { target, mode, whenReplicated }) {
    const { cluster, world, random } = ctx;
    swapped.set(ctx, new Set());
    if (whenReplicated && !fullyReplicated(cluster))
      return { nodes: [], mode, replaced: [], skipped: 'under-replicated' };
    const brokers = new Set(cluster.brokerNodes());
    const running = (node: string): boolean => brokers.has(node) && world.node(node).status === 'running';
    const nodes = resolveTarget(target, cluster, random, running).filter(running).sort(compareNodes);
    for (const node of nodes) {
      if (mode === 'disk-failure') {
        world.crash(node, 'process');
        swap(ctx, node);
      } else {
        world.terminate(node, () => {
          swap(ctx, node);
          ctx.step({ broker: node, replaced: true });
        });
      }
    }
    return { nodes, mode, replaced: mode === 'disk-failure' ? [...nodes] : [] };
  },
  stop(ctx, applied) {
    const done = swapped.get(ctx) ?? new Set<string>();
    const killed: string[] = [];
    for (const node of applied.nodes) {
      if (done.has(node)) continue;
      // Still shutting down (or stopped some other way): killed, and its disk swapped all the same.
      if (ctx.world.node(node).status !== 'down') {
        ctx.world.crash(node, 'process');
        killed.push(node);
      }
      swap(ctx, node);
    }
    const restarted = applied.nodes.filter((n) => ctx.world.node(n).status === 'down');
    for (const node of restarted) ctx.world.start(node);
    return { value: { killed, restarted }, steps: [] };
  },
};
