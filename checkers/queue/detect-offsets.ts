// inconsistent-offsets and duplicate: disagreements inside the offset index itself.
import type { AnomalyExample } from '../result.ts';
import { formatValue, listWords } from './describe.ts';
import type { EvidenceRequest } from './evidence.ts';
import { QUEUE_ANOMALIES } from './explanations.ts';
import { offsetsOf, valuesAt, type OffsetIndex } from './offset-index.ts';
import { AnomalyTally } from './tally.ts';

export function detectInconsistentOffsets(index: OffsetIndex, evidence: EvidenceRequest): AnomalyTally {
  const tally = new AnomalyTally('inconsistent-offsets', QUEUE_ANOMALIES['inconsistent-offsets']);
  for (const log of index.values()) {
    for (const offset of log.extraValuesAt.keys()) {
      if (!tally.record()) continue;
      const values = valuesAt(log, offset);
      const example: AnomalyExample = {
        description:
          `Offset ${offset} of partition ${log.key} was seen holding ${values.length} different values: ` +
          `${listWords(values)}.`,
        ops: [],
        detail: { key: log.key, offset, values },
      };
      tally.examples.push(example);
      evidence.witnessesOfOffset(example, log.key, offset);
    }
  }
  return tally;
}

export function detectDuplicates(index: OffsetIndex, evidence: EvidenceRequest): AnomalyTally {
  const tally = new AnomalyTally('duplicate', QUEUE_ANOMALIES.duplicate);
  for (const log of index.values()) {
    for (const value of log.extraOffsetsOf.keys()) {
      if (!tally.record()) continue;
      const offsets = offsetsOf(log, value);
      const example: AnomalyExample = {
        description:
          `Value ${formatValue(value)} appears at ${offsets.length} offsets of partition ${log.key}: ` +
          `${listWords(offsets)}.`,
        ops: [],
        detail: { key: log.key, value, offsets },
      };
      tally.examples.push(example);
      evidence.witnessesOfValue(example, log.key, value);
    }
  }
  return tally;
}
