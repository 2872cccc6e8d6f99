// A controller move, as operators make one in ZooKeeper mode (`zookeeper-shell delete /controller`, the way
// Kafka's operations guide gives to move the controller), while the deposed controller's link to ZooKeeper is
// slow. The other brokers hear of the deletion at once and one of them takes over with the next controller epoch;
// the deposed controller hears of it only seconds later and meanwhile keeps handling what reaches it (ISR changes,
// broker changes, controlled shutdowns): a zombie controller whose ZooKeeper writes must fail on /controller_epoch
// (KAFKA-6082) and whose requests brokers must refuse (STALE_CONTROLLER_EPOCH). In KRaft mode there is no
// /controller: the fault does nothing there. Opt-in: generated only when named, or by swarm's extra draw.
import fc from 'fast-check';
import { CONTROLLER, ZK_NODE } from '../../sim/kafka/zk-layout.ts';
import { zkServerOf } from '../../sim/kafka/zookeeper/index.ts';
import type { Distribution } from '../../sim/world/distribution.ts';
import { Fields } from '../fields.ts';
import type { FaultKindModule } from '../kind.ts';
import { done, spanMs } from '../kind.ts';
import type { Link } from '../links.ts';
import type { ClusterShape } from '../shape.ts';

/** Longest one-way latency a schedule may ask for on the deposed controller's ZooKeeper link. */
const MAX_MS = 20000;

/** One-way latency, drawn uniformly from minMs to maxMs, between the deposed controller and ZooKeeper. */
export type ControllerMoveParams = { minMs: number; maxMs: number };
export type ControllerMoveApplied = { deposed: number | null; links: Link[]; error: string | null };

function parse(raw: unknown, where: string, _shape?: ClusterShape): ControllerMoveParams {
  const f = Fields.of(raw, where);
  f.only(['minMs', 'maxMs']);
  const minMs = f.number('minMs', { min: 0, max: MAX_MS });
  return { minMs, maxMs: f.number('maxMs', { min: minMs, max: MAX_MS }) };
}

export const controllerMoveKind: FaultKindModule<ControllerMoveParams, ControllerMoveApplied> = {
  kind: 'controller-move',
  summary: 'delete /controller (an operator moving the controller) with the old one slow to ZooKeeper; opt-in',
  parse,
  generate(random, _shape, intensity) {
    // From a ZooKeeper round trip to a few seconds: short of the session timeout's third, so that the deposed
    // controller keeps its session and acts on it.
    const minMs = Math.round(200 + 1800 * intensity * random.float());
    return { minMs, maxMs: minMs + Math.round(1500 * random.float()) };
  },
  arbitrary: () =>
    fc
      .record({ minMs: fc.integer({ min: 0, max: 5000 }), spread: fc.integer({ min: 0, max: 3000 }) })
      .map(({ minMs, spread }): ControllerMoveParams => ({ minMs, maxMs: minMs + spread })),
  duration: (random, intensity) => spanMs(random, intensity, 3000, 15000),
  tailMs: () => 0,
  start({ cluster, world }, params) {
    const controller = cluster.config.metadata === 'zk' ? cluster.activeController() : null;
    if (controller === null) return { deposed: null, links: [], error: null };
    const node = cluster.nodeOf(controller.id);
    const links: Link[] = [
      [node, ZK_NODE],
      [ZK_NODE, node],
    ];
    const latency: Distribution = { kind: 'uniform', min: params.minMs, max: params.maxMs };
    for (const [from, to] of links) world.net.setLinkLatency(from, to, latency);
    const error = zkServerOf(world.node(ZK_NODE).program).operatorWrite([
      { type: 'delete', path: CONTROLLER, version: -1 },
    ]);
    return { deposed: controller.id, links, error };
  },
  stop({ world }, applied) {
    for (const [from, to] of applied.links) world.net.setLinkLatency(from, to, null);
    return done({ deposed: applied.deposed, restored: applied.links.length });
  },
};
