// The set of values read per key, restricted to polls invoked after some point (the durability
// checker asks for the final phase only).
import type { History } from '../../workloads/history/format.ts';
import { microOps, pollRecordsByKey, toKey, toRecordValue, type Key, type RecordValue } from './micro-ops.ts';

/** key → values returned by ok polls whose invocation comes after history position `after`. */
export function collectReadValues(
  history: History,
  invocationOf: Int32Array,
  after: number,
): Map<Key, Set<RecordValue>> {
  const byKey = new Map<Key, Set<RecordValue>>();
  for (let position = after + 1; position < history.length; position++) {
    const op = history[position];
    if (op.type !== 'ok' || invocationOf[position] <= after) continue;
    const mops = microOps(op);
    if (mops === null) continue;
    for (const mop of mops) {
      const records = pollRecordsByKey(mop);
      if (records === null) continue;
      for (const keyText in records) {
        const list = records[keyText];
        const key = toKey(keyText);
        if (!Array.isArray(list) || key === null) continue;
        let values = byKey.get(key);
        if (values === undefined) {
          values = new Set();
          byKey.set(key, values);
        }
        for (const record of list) {
          if (Array.isArray(record) && typeof record[0] === 'number') values.add(toRecordValue(record[1]));
        }
      }
    }
  }
  return byKey;
}
