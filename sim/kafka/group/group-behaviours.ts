// The classic group protocol's changes across the releases kafkasim models, by the release that brought them.
// Derived from the release's version rather than added to KafkaBehaviours: none of them is a replication
// what-if worth a `--protocol` switch.
import { ConfigError } from '../../world/errors.ts';

export interface GroupBehaviours {
  /** Kafka-stored consumer groups (the group coordinator, 0.9.0); 0.8.2's consumers kept offsets in ZooKeeper. */
  groups: boolean;
  /** KIP-394 (2.2.0, JoinGroup v4): a member joining without an id gets MEMBER_ID_REQUIRED and one to rejoin with. */
  kip394: boolean;
  /** KIP-429 (2.4.0): the cooperative rebalance protocol and CooperativeStickyAssignor. */
  kip429: boolean;
  /**
   * KIP-447 (2.5.0): TxnOffsetCommit v3 carries the consumer's generation and member id, checked as an
   * OffsetCommit's, and the consumer's OffsetFetch asks requireStable (UNSTABLE_OFFSET_COMMIT while pending).
   */
  kip447: boolean;
  /** KAFKA-12890 (3.0.0, DelayedSync): members that do not send SyncGroup within the rebalance timeout are removed. */
  delayedSync: boolean;
  /** KIP-735 (3.0.0): session.timeout.ms defaults to 45 s, 10 s before. */
  sessionTimeoutMs: number;
}

function atLeast(version: string, than: string): boolean {
  const a = version.split('.').map(Number);
  const b = than.split('.').map(Number);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d > 0;
  }
  return true;
}

export function groupBehaviours(version: string): GroupBehaviours {
  return {
    groups: atLeast(version, '0.9'),
    kip394: atLeast(version, '2.2'),
    kip429: atLeast(version, '2.4'),
    kip447: atLeast(version, '2.5'),
    delayedSync: atLeast(version, '3.0'),
    sessionTimeoutMs: atLeast(version, '3.0') ? 45_000 : 10_000,
  };
}

/** Refuses subscribe mode on a release without Kafka-stored groups. */
export function requireGroups(version: string): void {
  if (!groupBehaviours(version).groups) {
    throw new ConfigError(`--consumer-mode subscribe: Kafka ${version} has no group coordinator (from 0.9)`);
  }
}
