// What is faulty in a cluster right now, read off the world itself rather than the nemesis's own
// bookkeeping, so a test (or the runner, before its final reads) can check that healing really healed.
// Global packet faults are the one thing the network does not expose; healAll always clears them.
import type { KafkaCluster } from '../sim/kafka/cluster.ts';
import type { Link } from './links.ts';
import { registryOf } from './registry.ts';
import { clusterNodes } from './target.ts';

export type FaultState = {
  /** Ids of faults the nemesis holds active (started, not yet fully stopped). */
  active: number[];
  cuts: Link[];
  paused: string[];
  down: string[];
  /** Nodes whose clock is off the world's or drifting. */
  clocks: string[];
  disks: string[];
  /** Links with their own packet faults. */
  packetLinks: Link[];
};

export function faultState(cluster: KafkaCluster): FaultState {
  const world = cluster.world;
  const nodes = clusterNodes(cluster);
  const packetLinks: Link[] = [];
  for (const from of world.net.nodes()) {
    for (const [to, conn] of world.net.outgoingOf(from)) if (conn.faults !== null) packetLinks.push([from, to]);
  }
  return {
    active: registryOf(cluster)
      .list()
      .map((f) => f.id),
    cuts: world.net.cuts(),
    paused: nodes.filter((n) => world.node(n).status === 'paused'),
    down: nodes.filter((n) => world.node(n).status === 'down'),
    clocks: nodes.filter((n) => {
      const clock = world.node(n).clock;
      return clock.offsetAt(world.now) !== 0 || clock.currentDrift !== 0;
    }),
    disks: nodes.filter((n) => {
      const f = world.node(n).disk.activeFaults;
      return f.fsyncLies || f.full || f.ioErrorRate > 0;
    }),
    packetLinks,
  };
}

export function isQuiet(s: FaultState): boolean {
  return (
    s.active.length +
      s.cuts.length +
      s.paused.length +
      s.down.length +
      s.clocks.length +
      s.disks.length +
      s.packetLinks.length ===
    0
  );
}
