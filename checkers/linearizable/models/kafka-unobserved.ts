// Sends whose values no poll ever returned: only their offsets can matter, since no reader can tell
// those values apart (each differs from every value a poll returned). Marking them lets the search
// treat such indeterminate sends as interchangeable, and logs differing only in them as equal: without
// it, a few dozen indeterminate sends make refuting a history take exponential time.
import type { Value } from '../../../workloads/history/format.ts';
import type { Operation } from '../model.ts';
import type { KafkaMicroOp, KafkaOutcome } from './kafka-log.ts';
import { hashValue, sameValue } from './values.ts';

/** Marks the sends whose values no poll of their partition returned. */
export function markUnobservedSends(
  operations: Operation<KafkaMicroOp[], KafkaOutcome[]>[],
): Operation<KafkaMicroOp[], KafkaOutcome[]>[] {
  const polled = new Map<string, Value[]>();
  for (const op of operations) {
    op.input.forEach((micro, i) => {
      const outcome = op.output?.[i];
      if (micro.f !== 'poll' || outcome === undefined || outcome === null || typeof outcome !== 'object') return;
      let values = polled.get(micro.key);
      if (values === undefined) polled.set(micro.key, (values = []));
      for (const record of outcome) values.push(record[1]);
    });
  }
  const seen = new Map([...polled].map(([key, values]) => [key, new ValueSet(values)]));
  return operations.map((op) => {
    if (!op.input.some((micro) => micro.f === 'send' && seen.get(micro.key)?.has(micro.value) !== true)) return op;
    const input = op.input.map((micro) =>
      micro.f === 'send' && seen.get(micro.key)?.has(micro.value) !== true ? { ...micro, unobserved: true } : micro,
    );
    return { ...op, input };
  });
}

/** Membership of Values by sameValue, bucketed by hash. */
class ValueSet {
  private readonly buckets = new Map<number, Value[]>();
  constructor(values: Value[]) {
    for (const v of values) {
      const h = hashValue(v);
      const bucket = this.buckets.get(h);
      if (bucket === undefined) this.buckets.set(h, [v]);
      else bucket.push(v);
    }
  }
  has(v: Value): boolean {
    return this.buckets.get(hashValue(v))?.some((w) => sameValue(v, w)) ?? false;
  }
}

export function interchangeKey(input: KafkaMicroOp[]): string {
  // Unobserved sends differ only in values nobody saw: leave those values out of the key.
  return JSON.stringify(
    input.map((micro) => (micro.f === 'send' && micro.unobserved === true ? { ...micro, value: null } : micro)),
  );
}
