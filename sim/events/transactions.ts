// What the transaction coordinators tell the outside, as plain data (imports nothing): every transition of a
// transactional id's state that reached __transaction_state (TransactionMetadata.completeTransitionTo), so that a
// workload or a report can line a history up with the coordinator's decisions.

export interface TxnTransitionEvent {
  kind: 'txn-transition';
  time: number;
  /** The coordinator's broker. */
  broker: number;
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  from: string;
  to: string;
  /** The transaction's data partitions (global ids) in the new state. */
  partitions: number[];
  coordinatorEpoch: number;
  /** A coordinator loaded this state from __transaction_state (from = to): what it believes from now on. */
  loaded?: true;
}
