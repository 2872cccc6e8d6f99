// Losses the configuration allows in a transactional history: a committed record read by nobody and unreadable at
// the end is allowed (power-loss) only when the coordinator's log lost power with unsynced records on every replica
// of every __transaction_state partition after the transaction that made it unreadable began; otherwise, or under
// --strict, Jepsen's unseen stays a finding. From hand-written histories and facts.
import { describe, expect, it } from 'vitest';
import { attributeTxnLosses } from '../../checkers/durability/txn-losses.ts';
import type { DurabilityFacts, LossPolicy, TxnFacts } from '../../checkers/durability/facts.ts';
import { checkJepsenKafka } from '../../checkers/jepsen-kafka/index.ts';
import type { History, Op } from '../../workloads/history/format.ts';

const op = (index: number, time: number, process: number, type: Op['type'], f: string, value: Op['value']): Op => ({
  index,
  time,
  process,
  type,
  f,
  value,
});

/** Value 1 committed at offset 0 of key 0 and never read; value 2 committed and read at offset 1. */
const HISTORY: History = [
  op(0, 10, 0, 'invoke', 'txn', [['send', 0, 1]]),
  op(1, 20, 0, 'ok', 'txn', [['send', 0, [0, 1]]]),
  op(2, 30, 0, 'invoke', 'txn', [['send', 0, 2]]),
  op(3, 40, 0, 'ok', 'txn', [['send', 0, [1, 2]]]),
  op(4, 100, 1, 'invoke', 'poll', [['poll']]),
  op(5, 110, 1, 'ok', 'poll', [['poll', { 0: [[1, 2]] }]]),
];

const POLICY: LossPolicy = { uncleanElection: false, lastKnownLeaderRecovery: true, acks: 'all', strict: false };

function facts(txn: TxnFacts, strict = false): DurabilityFacts {
  return {
    truncations: [],
    finalLogs: [{ broker: 0, key: 0, highWatermark: 2, startOffset: 0, values: [1, 2] }],
    loss: { policy: { ...POLICY, strict }, removals: [], elections: [] },
    txn,
  };
}

const replicas = [
  { partition: 100000, brokers: [0, 1] },
  { partition: 100001, brokers: [1, 2] },
];
const every = (time: number): TxnFacts['coordinatorLosses'] =>
  replicas.flatMap((r) => r.brokers.map((broker) => ({ time, broker, partition: r.partition })));
const aborted: TxnFacts['unreadable'] = [{ key: 0, value: 1, offset: 0, why: 'aborted' }];

describe('attributeTxnLosses', () => {
  const jepsen = checkJepsenKafka(HISTORY);

  it('starts from an unseen, lost committed record', () => {
    // Polled at offset 1 past offset 0: Jepsen also calls it a lost write.
    expect(jepsen.anomalies.map((a) => a.name)).toEqual(['lost-write', 'unseen']);
  });

  it('allows it when every coordinator replica lost unsynced records after its transaction began', () => {
    const txn = { unreadable: aborted, firstUnstable: [], coordinatorLosses: every(15), coordinatorReplicas: replicas };
    const r = attributeTxnLosses(jepsen, HISTORY, facts(txn));
    expect(r.valid).toBe(true);
    expect(r.anomalies).toEqual([]);
    expect(r.allowed?.find((a) => a.name === 'unseen')?.byCause).toEqual({ 'power-loss': 1 });
  });

  it('keeps it a finding when a replica lost nothing, the loss came first, it is readable, or under --strict', () => {
    const base = { unreadable: aborted, firstUnstable: [], coordinatorReplicas: replicas };
    const cases: TxnFacts[] = [
      { ...base, coordinatorLosses: every(15).slice(1) },
      { ...base, coordinatorLosses: every(5) },
      { ...base, unreadable: [], coordinatorLosses: every(15) },
    ];
    for (const txn of cases) expect(attributeTxnLosses(jepsen, HISTORY, facts(txn)).valid).toBe(false);
    const txn = { ...base, coordinatorLosses: every(15) };
    expect(attributeTxnLosses(jepsen, HISTORY, facts(txn, true)).valid).toBe(false);
  });

  it('dates a record held back by an open transaction by the one open at the last stable offset', () => {
    // Value 2 is behind value 1's open transaction; read by nobody now (the poll is gone).
    const history = HISTORY.slice(0, 4);
    const open: TxnFacts['unreadable'] = [
      { key: 0, value: 1, offset: 0, why: 'open' },
      { key: 0, value: 2, offset: 1, why: 'open' },
    ];
    const base = { unreadable: open, firstUnstable: [{ key: 0, offset: 0, value: 1 }], coordinatorReplicas: replicas };
    // The losses at 25: after value 1's transaction began (10), before value 2's (30).
    const result = checkJepsenKafka(history);
    expect(attributeTxnLosses(result, history, facts({ ...base, coordinatorLosses: every(25) })).valid).toBe(true);
    const later = { ...base, firstUnstable: [{ key: 0, offset: 1, value: 2 }], coordinatorLosses: every(25) };
    expect(attributeTxnLosses(result, history, facts(later)).valid).toBe(false);
  });
});
