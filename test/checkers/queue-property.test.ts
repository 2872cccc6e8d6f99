import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkDurability } from '../../checkers/durability/index.ts';
import { checkQueue } from '../../checkers/queue/index.ts';
import type { History, Value } from '../../workloads/history/format.ts';
import {
  generateQueueHistory,
  type LogRecord,
  type ModelHistory,
  type QueueModelParams,
} from '../helpers/queue-history.ts';

const params: fc.Arbitrary<QueueModelParams> = fc.record({
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  keys: fc.integer({ min: 1, max: 4 }),
  producers: fc.integer({ min: 1, max: 3 }),
  consumers: fc.integer({ min: 1, max: 3 }),
  ops: fc.integer({ min: 20, max: 300 }),
  failRate: fc.constantFrom(0, 0.1, 0.3),
  infoRate: fc.constantFrom(0, 0.1, 0.2),
  gapRate: fc.constantFrom(0, 0.2),
  assignRate: fc.constantFrom(0.02, 0.2),
  keysPerConsumer: fc.integer({ min: 1, max: 4 }),
  maxRecordsPerKey: fc.integer({ min: 1, max: 4 }),
  finalReaders: fc.integer({ min: 1, max: 3 }),
});

type Records = Value[];

/** Every ok poll's record list for `key`, in history order, as mutable arrays of a cloned history. */
function polledLists(history: History, key: number): Records[] {
  const lists: Records[] = [];
  for (const op of history) {
    if (op.type !== 'ok' || op.f !== 'poll' || !Array.isArray(op.value)) continue;
    const mop = op.value[0];
    if (!Array.isArray(mop) || typeof mop[1] !== 'object' || mop[1] === null || Array.isArray(mop[1])) continue;
    const list = mop[1][String(key)];
    if (Array.isArray(list)) lists.push(list);
  }
  return lists;
}

function ackedRecords(model: ModelHistory): { key: number; record: LogRecord; last: boolean }[] {
  return model.logs.flatMap((log, key) =>
    log.flatMap((record, i) => (record.acked ? [{ key, record, last: i === log.length - 1 }] : [])),
  );
}

function isRecordAt(offset: number) {
  return (r: Value): boolean => Array.isArray(r) && r[0] === offset;
}

describe('checkQueue on histories from a correct sequential model', () => {
  it('finds nothing wrong with a correct history', () => {
    fc.assert(
      fc.property(params, (p) => {
        const { history } = generateQueueHistory(p);
        const queue = checkQueue(history);
        expect(queue.anomalies).toEqual([]);
        expect(queue.valid).toBe(true);
        expect(checkDurability(history).valid).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('reports lost-write or unseen (and acked-write-lost) when an acked record is dropped from every read', () => {
    fc.assert(
      fc.property(params, fc.nat(), (p, choice) => {
        const model = generateQueueHistory(p);
        const acked = ackedRecords(model);
        fc.pre(acked.length > 0);
        const { key, record, last } = acked[choice % acked.length];
        const history = structuredClone(model.history);
        for (const list of polledLists(history, key)) {
          const at = list.findIndex(isRecordAt(record.offset));
          if (at >= 0) list.splice(at, 1);
        }
        const found = checkQueue(history).anomalies.map((a) => a.name);
        // Later records of the key were still read, so readers passed over it; otherwise nothing reached it.
        expect(found).toContain(last ? 'unseen' : 'lost-write');
        const durability = checkDurability(history);
        expect(durability.anomalies.map((a) => [a.name, a.count])).toEqual([['acked-write-lost', 1]]);
      }),
      { numRuns: 150 },
    );
  });

  it('reports duplicate when a read value reappears at a new offset', () => {
    fc.assert(
      fc.property(params, fc.nat(), (p, choice) => {
        const model = generateQueueHistory(p);
        const readable = model.logs.flatMap((log, key) =>
          log.map((record) => ({ key, record, end: log[log.length - 1].offset })),
        );
        fc.pre(readable.length > 0);
        const { key, record, end } = readable[choice % readable.length];
        const history = structuredClone(model.history);
        const lists = polledLists(history, key);
        lists[lists.length - 1].push([end + 1, record.value]);
        const duplicate = checkQueue(history).anomalies.find((a) => a.name === 'duplicate');
        expect(duplicate?.count).toBe(1);
      }),
      { numRuns: 150 },
    );
  });

  it('reports inconsistent-offsets when a polled value is changed', () => {
    fc.assert(
      fc.property(params, fc.nat(), fc.nat(), (p, choice, whichRead) => {
        const model = generateQueueHistory(p);
        const acked = ackedRecords(model);
        fc.pre(acked.length > 0);
        const { key, record } = acked[choice % acked.length];
        const history = structuredClone(model.history);
        const reads = polledLists(history, key).filter((list) => list.some(isRecordAt(record.offset)));
        const list = reads[whichRead % reads.length];
        list[list.findIndex(isRecordAt(record.offset))] = [record.offset, -1];
        const found = checkQueue(history).anomalies;
        expect(found.find((a) => a.name === 'inconsistent-offsets')?.count).toBe(1);
      }),
      { numRuns: 150 },
    );
  });
});
