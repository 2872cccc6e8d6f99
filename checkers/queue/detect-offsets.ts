// inconsistent-offsets and duplicate: disagreements inside the offset index itself.
import type { AnomalyExample } from '../result.ts';
import { formatValue, listWords } from './describe.ts';
import { ALLOWED_NOTE, causeSentence, judgeLoss, type LossJudge } from './detect-sends.ts';
import type { EvidenceRequest } from './evidence.ts';
import { QUEUE_ANOMALIES } from './explanations.ts';
import { offsetsOf, valuesAt, type OffsetIndex } from './offset-index.ts';
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
 * idempotent: Kafka then promises at least once, and a retried batch that had been written is written again.
 */
export function detectDuplicates(
  index: OffsetIndex,
  evidence: EvidenceRequest,
  allowed: boolean,
): { findings: AnomalyTally; allowed: AnomalyTally } {
  const findings = new AnomalyTally('duplicate', QUEUE_ANOMALIES.duplicate);
  const allowedTally = new AnomalyTally('duplicate', QUEUE_ANOMALIES.duplicate);
  const tally = allowed ? allowedTally : findings;
  const why = allowed
    ? ' Allowed by the configuration (enable.idempotence=false): a producer without idempotence may write a ' +
      'retried batch again when the first attempt was written but its answer was lost (at least once).'
    : '';
  for (const log of index.values()) {
    for (const value of log.extraOffsetsOf.keys()) {
      if (!tally.record()) continue;
      const offsets = offsetsOf(log, value);
      const example: AnomalyExample = {
        description:
          `Value ${formatValue(value)} appears at ${offsets.length} offsets of partition ${log.key}: ` +
          `${listWords(offsets)}.${why}`,
        ops: [],
        detail: { key: log.key, value, offsets, ...(allowed ? { cause: 'no-idempotence', allowed: true } : {}) },
      };
      tally.examples.push(example);
      evidence.witnessesOfValue(example, log.key, value);
    }
  }
  return { findings, allowed: allowedTally };
}
