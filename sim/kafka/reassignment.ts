// An operator's partition reassignment (KIP-455), as kafka-reassign-partitions.sh --execute submits it: in KRaft
// mode AlterPartitionReassignments to the active controller (QuorumController.alterPartitionReassignments), retried
// as Kafka's AdminClient retries (admin.ts); in ZooKeeper mode the /admin/reassign_partitions znode that every
// KafkaController since 0.8 watches (PartitionReassignmentHandler; 2.4+ reads it beside the
// AlterPartitionReassignments API, and 3.9 still does), written again later while an earlier reassignment still
// holds it (the tool refuses: "There is an existing assignment running"). Submitting is all the admin does: the
// controllers carry the reassignment to its end, across failovers, from what the metadata log or ZooKeeper holds.
import type { AdminTarget, SubmittedOperation } from './admin.ts';
import { submitAdminOperation } from './admin.ts';
import { REASSIGN_PARTITIONS, TOPIC } from './zk-layout.ts';

export type ReassignmentTarget = AdminTarget;
export type SubmittedReassignment = SubmittedOperation;

/** Submits `partition`'s new replica list until a controller or ZooKeeper has taken it. */
export function submitReassignment(
  cluster: ReassignmentTarget,
  partition: number,
  replicas: number[],
  onAccepted: (how: string) => void = () => {},
): SubmittedReassignment {
  return submitAdminOperation(
    cluster,
    {
      zk: (server) => {
        const data = JSON.stringify({ version: 1, partitions: [{ topic: TOPIC, partition, replicas }] });
        return server.operatorWrite([{ type: 'create', path: REASSIGN_PARTITIONS, data }]) === null;
      },
      kraft: (active, answer) => active.alterPartitionReassignments(partition, replicas, answer),
    },
    onAccepted,
  );
}
