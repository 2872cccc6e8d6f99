// Partition reassignment in ZooKeeper mode, the parts that are plain data (Kafka 2.4+'s ReplicaAssignment and
// TopicZNode v2, KafkaController.isReassignmentComplete, ReassignPartitionsZNode): a partition's replicas with those a
// reassignment adds and removes, the topic znode that keeps them (so that a new controller resumes a reassignment
// from ZooKeeper), the operator's /admin/reassign_partitions, and the partition state that completes one. The
// controller's steps (onPartitionReassignment) are controller.ts's.
import type { ZkPartitionState } from './zk-layout.ts';

/** ReplicaAssignment: the full replica set (the target's, then the original ones it removes), adding, removing. */
export interface ReplicaAssignment {
  replicas: number[];
  adding: number[];
  removing: number[];
}

/** ReplicaAssignment.targetReplicas: the replicas that stay once the reassignment is done. */
export const targetReplicas = (a: ReplicaAssignment): number[] => a.replicas.filter((r) => !a.removing.includes(r));

export const isBeingReassigned = (a: ReplicaAssignment): boolean => a.adding.length > 0 || a.removing.length > 0;

/**
 * ReplicaAssignment.reassignTo: from the original replicas (those not being added), RS = TRS + ORS, adding TRS - ORS,
 * removing ORS - TRS. A reassignment replacing one in progress starts from that one's original replicas.
 */
export function reassignTo(current: ReplicaAssignment, target: number[]): ReplicaAssignment {
  const origin = current.replicas.filter((r) => !current.adding.includes(r));
  return {
    replicas: [...new Set([...target, ...origin])],
    adding: target.filter((r) => !origin.includes(r)),
    removing: origin.filter((r) => !target.includes(r)),
  };
}

/** KafkaController.isReassignmentComplete: every target replica is in the ISR. */
export const isReassignmentComplete = (a: ReplicaAssignment, isr: readonly number[]): boolean =>
  targetReplicas(a).every((r) => isr.includes(r));

/**
 * Phase B's state (moveReassignedPartitionLeaderIfRequired, then the removed replicas' OfflineReplica transition): the
 * leader kept if it is a live target replica, else the first live target replica in the ISR
 * (ReassignPartitionLeaderElectionStrategy), none if there is none; the removed replicas out of the ISR; one new
 * leader epoch (Kafka writes the leader move and each removal apart, each with its own epoch: the same end state).
 */
export function completedState(
  current: ZkPartitionState,
  target: readonly number[],
  isLive: (b: number) => boolean,
  controllerEpoch: number,
): ZkPartitionState {
  const isr = current.isr.filter((r) => target.includes(r));
  const keep = target.includes(current.leader) && isLive(current.leader);
  const leader = keep ? current.leader : (target.find((r) => isLive(r) && isr.includes(r)) ?? -1);
  return {
    ...current,
    leader,
    leader_epoch: current.leader_epoch + 1,
    isr,
    controller_epoch: controllerEpoch,
    eligible_leader_replicas: current.eligible_leader_replicas.filter((r) => target.includes(r)),
  };
}

/** The topic znode (TopicZNode v2 keeps adding_replicas and removing_replicas beside the assignment). */
interface TopicData {
  version: number;
  partitions: number[][];
  adding_replicas?: Record<string, number[]>;
  removing_replicas?: Record<string, number[]>;
}

export function decodeTopic(data: string): ReplicaAssignment[] {
  const t = JSON.parse(data) as TopicData;
  return t.partitions.map((replicas, p) => ({
    replicas,
    adding: t.adding_replicas?.[String(p)] ?? [],
    removing: t.removing_replicas?.[String(p)] ?? [],
  }));
}

/** The topic znode's data; without a reassignment in progress, exactly what topic creation wrote. */
export function encodeTopic(assignments: readonly ReplicaAssignment[]): string {
  const data: TopicData = { version: 1, partitions: assignments.map((a) => [...a.replicas]) };
  const reassigning = assignments.map((a, p) => [p, a] as const).filter(([, a]) => isBeingReassigned(a));
  if (reassigning.length > 0) {
    data.version = 2;
    data.adding_replicas = Object.fromEntries(reassigning.map(([p, a]) => [String(p), [...a.adding]]));
    data.removing_replicas = Object.fromEntries(reassigning.map(([p, a]) => [String(p), [...a.removing]]));
  }
  return JSON.stringify(data);
}

/** ReassignPartitionsZNode's data: each partition of the topic and its target replicas (other topics ignored). */
export function decodeReassignments(data: string, topic: string): { partition: number; replicas: number[] }[] {
  const parsed = JSON.parse(data) as { partitions?: { topic: string; partition: number; replicas: number[] }[] };
  return (parsed.partitions ?? [])
    .filter((e) => e.topic === topic && Array.isArray(e.replicas) && e.replicas.length > 0)
    .map((e) => ({ partition: e.partition, replicas: [...e.replicas] }));
}
