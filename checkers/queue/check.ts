// The queue checker: Jepsen's Kafka queue anomalies over one history, in a few linear passes.
import type { History } from '../../workloads/history/format.ts';
import type { CheckResult } from '../result.ts';
import { detectDuplicates, detectInconsistentOffsets } from './detect-offsets.ts';
import { detectPollOrder, type SkipJudge } from './detect-polls.ts';
import { detectAbortedReads, detectMissingAcked, detectNonmonotonicSends, type LossJudge } from './detect-sends.ts';
import { EvidenceRequest } from './evidence.ts';
import { scanQueueHistory } from './scan.ts';
import { reportedAnomalies, type AnomalyTally } from './tally.ts';

export interface QueueCheckOptions {
  /**
   * Whether acknowledged values never read count as the anomaly `unseen`. By default they do exactly
   * when the history has a final-reads marker: only then did the test claim to read everything, and
   * otherwise an unread value may simply not have been polled yet (it is still counted in stats).
   */
  unseenIsAnomaly?: boolean;
  /**
   * Judges whether the configuration allows each lost record (checkers/durability/causes.ts): lost-write, unseen
   * inconsistent-offsets and duplicate instances that follow from an allowed loss are listed as allowed, not as
   * findings.
   */
  loss?: LossJudge;
  /** Judges whether a poll skip follows from an allowed loss (final-log-reads.ts): such skips are listed apart. */
  pollSkip?: SkipJudge;
}

export function checkQueue(history: History, opts: QueueCheckOptions = {}): CheckResult {
  const scan = scanQueueHistory(history);
  const evidence = new EvidenceRequest();
  const missing = detectMissingAcked(history, scan, opts.loss);
  const polls = detectPollOrder(history, scan.offsets, scan.invocationOf, opts.pollSkip);
  const inconsistent = detectInconsistentOffsets(scan.offsets, evidence, opts.loss);
  const nonmonotonicSends = detectNonmonotonicSends(history, scan, opts.loss);
  const duplicates = detectDuplicates(scan.offsets, evidence, opts.loss?.allowsDuplicates?.() === true, opts.loss);
  const tallies: AnomalyTally[] = [
    inconsistent.findings,
    duplicates.findings,
    detectAbortedReads(history, scan, evidence),
    nonmonotonicSends.findings,
    missing.lostWrite,
    polls.pollSkip,
    polls.nonmonotonicPoll,
    polls.intPollSkip,
    polls.intNonmonotonicPoll,
  ];
  const allowedTallies = [
    inconsistent.allowed,
    duplicates.allowed,
    nonmonotonicSends.allowed,
    missing.lostWriteAllowed,
    polls.pollSkipAllowed,
    polls.intPollSkipAllowed,
  ];
  if (opts.unseenIsAnomaly ?? scan.finalReads >= 0) tallies.push(missing.unseen);
  if (opts.unseenIsAnomaly ?? scan.finalReads >= 0) allowedTallies.push(missing.unseenAllowed);
  evidence.fulfil(history, scan.invocationOf);
  const anomalies = reportedAnomalies(tallies);
  const allowed = reportedAnomalies(allowedTallies);
  return {
    checker: 'queue',
    valid: anomalies.length === 0,
    anomalies,
    ...(allowed.length > 0 ? { allowed } : {}),
    stats: {
      sends: scan.sends,
      acked: scan.acked.key.length,
      polls: scan.polls,
      recordsRead: scan.recordsRead,
      keys: scan.offsets.size,
      unseen: missing.unseen.count + missing.unseenAllowed.count,
    },
  };
}
