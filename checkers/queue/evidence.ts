// Examples need the ops that showed a conflicting record, but remembering a witness for every record
// would cost memory on every history. Detectors instead ask for witnesses of the few records their
// examples mention, and one extra pass (run only when some anomaly was found) finds them.
import type { History, Op } from '../../workloads/history/format.ts';
import type { AnomalyExample } from '../result.ts';
import {
  microOps,
  newSendFields,
  pollRecordsByKey,
  readSend,
  toKey,
  toRecordValue,
  UNKNOWN_OFFSET,
  type Key,
  type RecordValue,
} from './micro-ops.ts';
import { opPair } from './pairing.ts';

interface Need {
  example: AnomalyExample;
  /** Ops the detector already knew, shown before the witnesses. */
  leading: Op[];
  witnesses: Map<RecordValue, number> | Map<number, number>;
}

export class EvidenceRequest {
  /** key → offset → (value → first completion showing it there). */
  private readonly atOffset = new Map<Key, Map<number, Map<RecordValue, number>>>();
  /** key → value → (offset → first completion showing it there). */
  private readonly ofValue = new Map<Key, Map<RecordValue, Map<number, number>>>();
  private readonly needs: Need[] = [];

  /** The example will show one op for each distinct value seen at (key, offset). */
  witnessesOfOffset(example: AnomalyExample, key: Key, offset: number, leading: Op[] = []): void {
    const witnesses = nestedEntry(this.atOffset, key, offset, () => new Map<RecordValue, number>());
    this.needs.push({ example, leading, witnesses });
  }

  /** The example will show one op for each distinct offset `value` was seen at in `key`. */
  witnessesOfValue(example: AnomalyExample, key: Key, value: RecordValue, leading: Op[] = []): void {
    const witnesses = nestedEntry(this.ofValue, key, value, () => new Map<number, number>());
    this.needs.push({ example, leading, witnesses });
  }

  /** Finds the witnesses in one pass and writes them into the examples' ops. */
  fulfil(history: History, invocationOf: Int32Array): void {
    if (this.needs.length === 0) return;
    const send = newSendFields();
    for (let position = 0; position < history.length; position++) {
      const op = history[position];
      // Only ok completions: an info send's claimed offset counts only when read, and then polls show it.
      if (op.type !== 'ok') continue;
      const mops = microOps(op);
      if (mops === null) continue;
      for (const mop of mops) {
        if (readSend(mop, send)) {
          if (send.offset !== UNKNOWN_OFFSET) this.witness(send.key, send.offset, send.value, position);
          continue;
        }
        const byKey = pollRecordsByKey(mop);
        if (byKey === null) continue;
        for (const keyText in byKey) {
          const key = toKey(keyText);
          const records = byKey[keyText];
          if (key === null || !Array.isArray(records) || (!this.atOffset.has(key) && !this.ofValue.has(key))) continue;
          for (const record of records) {
            if (Array.isArray(record) && typeof record[0] === 'number') {
              this.witness(key, record[0], toRecordValue(record[1]), position);
            }
          }
        }
      }
    }
    for (const need of this.needs) {
      const positions = [...need.witnesses.values()].sort((a, b) => a - b);
      need.example.ops = [...need.leading, ...positions.flatMap((p) => opPair(history, invocationOf, p))];
    }
  }

  private witness(key: Key, offset: number, value: RecordValue, position: number): void {
    const byValue = this.atOffset.get(key)?.get(offset);
    if (byValue !== undefined && !byValue.has(value)) byValue.set(value, position);
    const byOffset = this.ofValue.get(key)?.get(value);
    if (byOffset !== undefined && !byOffset.has(offset)) byOffset.set(offset, position);
  }
}

function nestedEntry<K1, K2, V>(outer: Map<K1, Map<K2, V>>, k1: K1, k2: K2, create: () => V): V {
  let inner = outer.get(k1);
  if (inner === undefined) {
    inner = new Map();
    outer.set(k1, inner);
  }
  let entry = inner.get(k2);
  if (entry === undefined) {
    entry = create();
    inner.set(k2, entry);
  }
  return entry;
}
