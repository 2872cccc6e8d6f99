// An operator's partition reassignment (KIP-455), as kafka-reassign-partitions.sh --execute submits it: in KRaft
// mode AlterPartitionReassignments to the active controller (QuorumController.alterPartitionReassignments), retried
// as Kafka's AdminClient retries (NOT_CONTROLLER, a connection lost with the controller: retry.backoff.ms, then the
// controller it finds next); in ZooKeeper mode the /admin/reassign_partitions znode that every KafkaController since
// 0.8 watches (PartitionReassignmentHandler; 2.4+ reads it beside the AlterPartitionReassignments API, and 3.9 still
// does), written again later while an earlier reassignment still holds it (the tool refuses: "There is an existing
// assignment running"). Submitting is all the admin does: the controllers carry the reassignment to its end, across
// failovers, from what the metadata log or ZooKeeper holds. The admin lives outside the simulated network, as the
// operator's shell does; it reads the controllers directly and keeps time with the world's queue.
import type { World } from '../world/world.ts';
import type { KraftControllerNode } from './kraft/controller-node.ts';
import { controllerNode } from './kraft/config.ts';
import { REASSIGN_PARTITIONS, TOPIC, ZK_NODE } from './zk-layout.ts';
import { zkServerOf } from './zookeeper/index.ts';

/** AdminClient's retry.backoff.ms is 100; the tool is run by hand, so kafkasim retries once a second. */
const RETRY_MS = 1000;
/** An admin gives up after default.api.timeout.ms (60 s), and the operator runs the tool again. */
const ATTEMPT_TIMEOUT_MS = 60_000;

/**
 * What the operator has done so far, shared by the cluster's brokers: whether anyone submitted a reassignment.
 * ZooKeeper-mode controllers watch /admin/reassign_partitions only from then on (Kafka's always do; the watch's
 * ZooKeeper requests would change the timing, hence the history, of every run without reassignments).
 */
export class AdminState {
  reassignmentsSubmitted = false;
}

export interface ReassignmentTarget {
  metadata: 'zk' | 'kraft';
  world: World;
  voterIds: readonly number[];
}

export interface SubmittedReassignment {
  /** Whether the controller (or ZooKeeper) took it. */
  readonly accepted: () => boolean;
  /** Stops retrying (the run is over). */
  cancel(): void;
}

/** Submits `partition`'s new replica list until a controller or ZooKeeper has taken it. */
export function submitReassignment(
  cluster: ReassignmentTarget,
  partition: number,
  replicas: number[],
  onAccepted: (how: string) => void = () => {},
): SubmittedReassignment {
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
      const data = JSON.stringify({ version: 1, partitions: [{ topic: TOPIC, partition, replicas }] });
      const server = zkServerOf(zk.program);
      // The parent first, once (NODEEXISTS after that, as for the tool's createRecursive).
      server.operatorWrite([{ type: 'create', path: '/admin', data: '' }]);
      const err = server.operatorWrite([{ type: 'create', path: REASSIGN_PARTITIONS, data }]);
      return err === null ? accept('zookeeper') : retry();
    }
    const active = activeController(cluster);
    if (active === null) return retry();
    const { node, voter } = active;
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
    voter.active?.alterPartitionReassignments(partition, replicas, (error) => {
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

function activeController(cluster: ReassignmentTarget): { node: string; voter: KraftControllerNode } | null {
  let best: { node: string; voter: KraftControllerNode } | null = null;
  for (const v of cluster.voterIds) {
    const node = cluster.world.node(controllerNode(v));
    const program = node.program as KraftControllerNode | null;
    if (node.status !== 'running' || program === null || !program.isActive) continue;
    if (best === null || program.raft.epoch > best.voter.raft.epoch) best = { node: controllerNode(v), voter: program };
  }
  return best;
}
