// The simulator's events as plain data, one declaration each (see each file). Imports nothing.
export type {
  BrokerState,
  ElectionEvent,
  GroupStableEvent,
  RemovedRecord,
  ReplicationEvent,
  ReplicationEventKind,
  TruncationReason,
} from './replication.ts';
export type { RaftEvent, RaftRole } from './raft.ts';
export type { BrokerCrash } from './crash.ts';
export type { TxnTransitionEvent } from './transactions.ts';
