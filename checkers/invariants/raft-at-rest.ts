// The KRaft metadata quorum at rest: when the run is over (faults healed, the final reads done), every running voter
// must agree with the leader's log below the leader's high watermark wherever it holds entries. Raft's log matching
// lets a follower hold uncommitted entries of a deposed leader only until its next fetch: the leader answers with the
// diverging epoch and the follower truncates (KafkaRaftClient.handleFetchResponse, divergingEpoch). A voter still
// holding an entry of another epoch at an offset the leader has committed, seconds after the last heal, never
// reconciled its log: it can neither catch up nor safely vote. Entries are compared by epoch, as Raft identifies
// them (same offset and epoch: the same entry).
import type { CheckResult } from '../result.ts';
import { MAX_EXAMPLES } from '../result.ts';

export const METADATA_DIVERGENCE_AT_REST = 'metadata-divergence-at-rest';

export const METADATA_DIVERGENCE_AT_REST_EXPLANATION =
  'After every fault was healed and the final reads were done, a KRaft voter still holds a metadata log entry ' +
  "of another epoch at an offset the quorum leader has committed: its log diverged from the leader's and " +
  'its fetches never truncated it (Raft log matching).';

/** One running voter's metadata log as the run left it. */
export interface VoterAtRest {
  voter: number;
  /** Whether it led the quorum at the end (the log the others are compared with). */
  leader: boolean;
  epoch: number;
  highWatermark: number;
  /** Offset of epochs[0]: entries below it are in a snapshot. */
  startOffset: number;
  /** The epoch of each entry from startOffset on. */
  epochs: number[];
}

export function checkMetadataAtRest(voters: readonly VoterAtRest[]): CheckResult {
  const leaders = voters.filter((v) => v.leader).sort((a, b) => b.epoch - a.epoch);
  const leader = leaders[0];
  const examples: CheckResult['anomalies'][number]['examples'] = [];
  let count = 0;
  if (leader !== undefined) {
    for (const v of voters) {
      if (v === leader) continue;
      const from = Math.max(v.startOffset, leader.startOffset);
      const to = Math.min(v.startOffset + v.epochs.length, leader.highWatermark);
      for (let o = from; o < to; o++) {
        const mine = v.epochs[o - v.startOffset];
        const theirs = leader.epochs[o - leader.startOffset];
        if (mine === theirs) continue;
        count++;
        if (examples.length < MAX_EXAMPLES) {
          examples.push({
            description:
              `voter ${v.voter} holds an entry of epoch ${mine} at offset ${o}, where leader ${leader.voter} ` +
              `(epoch ${leader.epoch}) committed one of epoch ${theirs} (its high watermark is ` +
              `${leader.highWatermark}); voter ${v.voter}'s log ends at ${v.startOffset + v.epochs.length}`,
            ops: [],
            detail: { voter: v.voter, leader: leader.voter, offset: o, epoch: mine, leaderEpochAt: theirs },
          });
        }
        break;
      }
    }
  }
  const anomalies =
    count === 0
      ? []
      : [
          {
            name: METADATA_DIVERGENCE_AT_REST,
            count,
            explanation: METADATA_DIVERGENCE_AT_REST_EXPLANATION,
            examples,
          },
        ];
  return {
    checker: METADATA_DIVERGENCE_AT_REST,
    valid: count === 0,
    anomalies,
    stats: { voters: voters.length, leader: leader?.voter ?? null },
  };
}
