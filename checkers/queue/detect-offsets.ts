// inconsistent-offsets and duplicate: disagreements inside the offset index itself.
import type { AnomalyExample } from '../result.ts';
import { formatValue, listWords } from './describe.ts';
import { ALLOWED_NOTE, causeSentence, judgeLoss, type LossJudge } from './detect-sends.ts';
import type { EvidenceRequest } from './evidence.ts';
import { QUEUE_ANOMALIES } from './explanations.ts';
import type { RecordValue } from './micro-ops.ts';
import { offsetsOf, valuesAt, type KeyLog, type OffsetIndex } from './offset-index.ts';
import { AnomalyTally } from './tally.ts';

/**
 * Two values seen at one offset follow from a loss when all but one of them were lost from that offset; the
 * instance is allowed when the configuration allows each of those losses (LossJudge), and takes the first one's
 * cause.
 */
export function detectInconsistentOffsets(
  index: OffsetIndex,
  evidence: EvidenceRequest,
  judge?: LossJudge,
): { findings: AnomalyTally; allowed: AnomalyTally } {
  const tally = new AnomalyTally('inconsistent-offsets', QUEUE_ANOMALIES['inconsistent-offsets']);
  const allowedTally = new AnomalyTally('inconsistent-offsets', QUEUE_ANOMALIES['inconsistent-offsets'] + ALLOWED_NOTE);
  for (const log of index.values()) {
    for (const offset of log.extraValuesAt.keys()) {
      const values = valuesAt(log, offset);
      const verdicts = values.map((v) => judgeLoss(judge, log.key, v, offset));
      const lost = verdicts.filter((v) => v !== null && v.cause !== null);
      const explained = lost.length >= values.length - 1 ? lost[0] : undefined;
      const allowed = explained !== undefined && lost.every((v) => v?.allowed === true);
      const t = allowed ? allowedTally : tally;
      if (!t.recordCause(explained?.cause ?? null)) continue;
      const because = explained === undefined ? '' : causeSentence(explained);
      const example: AnomalyExample = {
        description:
          `Offset ${offset} of partition ${log.key} was seen holding ${values.length} different values: ` +
          `${listWords(values)}.${because}`,
        ops: [],
        detail: {
          key: log.key,
          offset,
          values,
          ...(explained === undefined || explained === null
            ? {}
            : { cause: explained.cause, allowed, why: explained.why }),
        },
      };
      t.examples.push(example);
      evidence.witnessesOfOffset(example, log.key, offset);
    }
  }
  return { findings: tally, allowed: allowedTally };
}

/**
 * Values at two offsets of one partition. Allowed (listed apart, not findings) when the producer was not
 * idempotent: Kafka then promises at least once, and a retried batch that had been written is written again. Also
 * allowed when every copy but one was lost from its offset, another value seen there since, by a loss the
 * configuration allows (LossJudge), and the copy left is not the value's last write: an earlier attempt's copy
 * outlived the retry's, as when an unclean election keeps a zombie leader's unacknowledged copy and loses the
 * acknowledged one written after it. It takes the first such loss's cause. When the copy left is the last write,
 * the other copy was acknowledged at an offset the batch had left, or the batch was appended twice: findings.
 */
export function detectDuplicates(
  index: OffsetIndex,
  evidence: EvidenceRequest,
  allowedByConfiguration: boolean,
  judge?: LossJudge,
): { findings: AnomalyTally; allowed: AnomalyTally } {
  const findings = new AnomalyTally('duplicate', QUEUE_ANOMALIES.duplicate);
  const allowedTally = new AnomalyTally('duplicate', QUEUE_ANOMALIES.duplicate);
  const noIdempotence =
    ' Allowed by the configuration (enable.idempotence=false): a producer without idempotence may write a ' +
    'retried batch again when the first attempt was written but its answer was lost (at least once).';
  for (const log of index.values()) {
    for (const value of log.extraOffsetsOf.keys()) {
      const offsets = offsetsOf(log, value);
      const lost = allowedByConfiguration ? null : lostCopies(log, value, offsets, judge);
      const allowed = allowedByConfiguration || (lost !== null && lost.verdicts.every((v) => v.allowed));
      const tally = allowed ? allowedTally : findings;
      const cause = allowedByConfiguration ? 'no-idempotence' : (lost?.verdicts[0].cause ?? null);
      if (!(allowedByConfiguration ? tally.record() : tally.recordCause(cause))) continue;
      const why = allowedByConfiguration
        ? noIdempotence
        : lost === null
          ? ''
          : (lost.offsets.length === 1
              ? ` The copy at offset ${lost.offsets[0]} was lost (another value was seen there since).`
              : ` The copies at offsets ${listWords(lost.offsets)} were lost (other values were seen there since).`) +
            causeSentence(lost.verdicts[0]);
      const knownBug =
        allowed || typeof value !== 'number' || typeof log.key !== 'number'
          ? ''
          : (judge?.knownDuplicateBug?.(log.key, value) ?? '');
      const example: AnomalyExample = {
        description:
          `Value ${formatValue(value)} appears at ${offsets.length} offsets of partition ${log.key}: ` +
          `${listWords(offsets)}.${why}${knownBug}`,
        ops: [],
        detail: {
          key: log.key,
          value,
          offsets,
          ...(allowedByConfiguration
            ? { cause: 'no-idempotence', allowed: true }
            : lost === null
              ? {}
              : { cause, allowed, why: lost.verdicts[0].why, lostAt: lost.offsets }),
          ...(knownBug === '' ? {} : { knownBug: 'KAFKA-14034' }),
        },
      };
      tally.examples.push(example);
      evidence.witnessesOfValue(example, log.key, value);
    }
  }
  return { findings, allowed: allowedTally };
}

/**
 * The copies of a duplicated value that a loss explains (another value was seen at the offset since, and the judge
 * names a cause for the value's loss there), when they are exactly all but one of its copies; null otherwise.
 */
function lostCopies(
  log: KeyLog,
  value: RecordValue,
  offsets: number[],
  judge: LossJudge | undefined,
): { offsets: number[]; verdicts: NonNullable<ReturnType<typeof judgeLoss>>[] } | null {
  const lostAt: number[] = [];
  const verdicts: NonNullable<ReturnType<typeof judgeLoss>>[] = [];
  for (const offset of offsets) {
    if (valuesAt(log, offset).length < 2) continue;
    const verdict = judgeLoss(judge, log.key, value, offset);
    if (verdict === null || verdict.cause === null) continue;
    lostAt.push(offset);
    verdicts.push(verdict);
  }
  // One copy must remain: a value lost from every offset it was seen at is not explained as in the log once.
  if (lostAt.length === 0 || lostAt.length !== offsets.length - 1) return null;
  const last =
    typeof value === 'number' && typeof log.key === 'number' ? (judge?.lastWrittenAt?.(log.key, value) ?? null) : null;
  return last !== null && lostAt.includes(last) ? { offsets: lostAt, verdicts } : null;
}
