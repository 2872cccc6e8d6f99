// An operator's requests to the cluster (kafka-reassign-partitions.sh, kafka-topics.sh --create), as Kafka's tools
// submit them: in KRaft mode to the active controller, retried as Kafka's AdminClient retries (NOT_CONTROLLER, a
// connection lost with the controller: retry.backoff.ms, then the controller it finds next); in ZooKeeper mode as
// znodes the controllers watch. Submitting is all the admin does: the controllers carry the request out, across
// failovers, from what the metadata log or ZooKeeper holds. The admin lives outside the simulated network, as the
// operator's shell does; it reads the controllers directly and keeps time with the world's queue.
import type { World } from '../world/world.ts';
import type { ActiveController } from './kraft/active-controller.ts';
import type { KraftControllerNode } from './kraft/controller-node.ts';
import { controllerNode } from './kraft/config.ts';
import { ZK_NODE } from './zk-layout.ts';
import { zkServerOf } from './zookeeper/index.ts';
import type { ZkServer } from './zookeeper/index.ts';

/** AdminClient's retry.backoff.ms is 100; the tool is run by hand, so kafkasim retries once a second. */
const RETRY_MS = 1000;
/** An admin gives up after default.api.timeout.ms (60 s), and the operator runs the tool again. */
const ATTEMPT_TIMEOUT_MS = 60_000;

/**
 * What the operator has done so far, shared by the cluster's brokers: whether anyone submitted a reassignment or
 * created a topic. ZooKeeper-mode controllers watch /admin/reassign_partitions (and the children of /brokers/topics)
 * only from then on (Kafka's always do; the watch's ZooKeeper requests would change the timing, hence the history,
 * of every run without them).
 */
export class AdminState {
  reassignmentsSubmitted = false;
  topicsCreated = false;
}

export interface AdminTarget {
  metadata: 'zk' | 'kraft';
  world: World;
  voterIds: readonly number[];
}

export interface SubmittedOperation {
  /** Whether the controller (or ZooKeeper) took it. */
  readonly accepted: () => boolean;
  /** Stops retrying (the run is over). */
  cancel(): void;
}

/** What an admin operation does in each metadata mode. */
export interface AdminOperation {
  /** Writes the operator's znodes; true once ZooKeeper took them. */
  zk: (server: ZkServer) => boolean;
  /** Sends the request to the active controller, which answers an error name ('NONE': taken). */
  kraft: (active: ActiveController, answer: (error: string) => void) => void;
}

/**
 * Submits an operator's request until a controller (KRaft) or ZooKeeper has taken it, as the admin tools do: in
 * KRaft mode to the active controller, retried on NOT_CONTROLLER and on a lost connection (AdminClient's retries);
 * in ZooKeeper mode as znodes, written once ZooKeeper runs. The controllers carry it out from there.
 */
export function submitAdminOperation(
  cluster: AdminTarget,
  operation: AdminOperation,
  onAccepted: (how: string) => void = () => {},
): SubmittedOperation {
  const world = cluster.world;
  let accepted = false;
  let cancelled = false;
  let attempt = 0;
  const retry = (): void => {
    if (!accepted && !cancelled) world.schedule(RETRY_MS, submit);
  };
  const accept = (how: string): void => {
    accepted = true;
    onAccepted(how);
  };
  const submit = (): void => {
    if (accepted || cancelled) return;
    const mine = ++attempt;
    if (cluster.metadata === 'zk') {
      const zk = world.node(ZK_NODE);
      if (zk.status !== 'running') return retry();
      const server = zkServerOf(zk.program);
      // The parents first, once (NODEEXISTS after that, as for the tools' createRecursive).
      server.operatorWrite([{ type: 'create', path: '/admin', data: '' }]);
      return operation.zk(server) ? accept('zookeeper') : retry();
    }
    const active = activeController(cluster);
    if (active === null) return retry();
    const { node, voter } = active;
    const controller = voter.active;
    if (controller === null) return retry();
    const crashes = world.node(node).crashes;
    // The controller's process dying closes the admin's connection: it retries at once rather than waiting out
    // its request timeout. Polled, since nothing in the world calls back a dead process's requests.
    const watch = (waited: number): void => {
      world.schedule(RETRY_MS, () => {
        if (accepted || cancelled || mine !== attempt) return;
        if (world.node(node).crashes !== crashes || waited + RETRY_MS >= ATTEMPT_TIMEOUT_MS) return submit();
        watch(waited + RETRY_MS);
      });
    };
    watch(0);
    operation.kraft(controller, (error) => {
      if (mine !== attempt || accepted || cancelled) return;
      if (error === 'NONE') return accept(`controller ${node}`);
      attempt++;
      retry();
    });
  };
  world.schedule(0, submit);
  return {
    accepted: () => accepted,
    cancel: () => {
      cancelled = true;
    },
  };
}

function activeController(cluster: AdminTarget): { node: string; voter: KraftControllerNode } | null {
  let best: { node: string; voter: KraftControllerNode } | null = null;
  for (const v of cluster.voterIds) {
    const node = cluster.world.node(controllerNode(v));
    const program = node.program as KraftControllerNode | null;
    if (node.status !== 'running' || program === null || !program.isActive) continue;
    if (best === null || program.raft.epoch > best.voter.raft.epoch) best = { node: controllerNode(v), voter: program };
  }
  return best;
}
