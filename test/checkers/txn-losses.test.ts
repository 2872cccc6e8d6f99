// Losses the configuration allows in a transactional history: a committed record read by nobody and unreadable at
// the end is allowed (power-loss) only when the coordinator's log lost power with unsynced records on every replica
// of every __transaction_state partition after the transaction that made it unreadable began; otherwise, or under
// --strict, Jepsen's unseen stays a finding. From hand-written histories and facts.
import { describe, expect, it } from 'vitest';
import { attributeTxnLosses } from '../../checkers/durability/txn-losses.ts';
import type { DurabilityFacts, LossPolicy, Removal, TxnFacts } from '../../checkers/durability/facts.ts';
import { checkJepsenKafka } from '../../checkers/jepsen-kafka/index.ts';
import type { Anomaly, CheckResult } from '../../checkers/result.ts';
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

describe('attributeTxnLosses: a transaction marker the data partition lost', () => {
  // Value 1 committed at offset 0 of key 0 by producer 7, read by nobody; its COMMIT marker (value -5) went to
  // offset 1, and a later ABORT of the same producer (value -6) to offset 2.
  const history = HISTORY.slice(0, 2);
  const jepsen = checkJepsenKafka(history);
  const commit = { key: 0, offset: 1, value: -5, producerId: 7, type: 'COMMIT' as const, time: 30 };
  const abort = { key: 0, offset: 2, value: -6, producerId: 7, type: 'ABORT' as const, time: 60 };
  // The coordinator's PrepareCommit (before the marker) and CompleteCommit (after it), both kept.
  const coordinator = { partition: 100000, transactionalId: 't', producerId: 7, txnStart: 12, kept: true };
  const prepareCommit = { ...coordinator, offset: 3, value: -11, state: 'PrepareCommit', time: 25 };
  const completeCommit = { ...coordinator, offset: 4, value: -12, state: 'CompleteCommit', time: 35 };
  const powerLoss = { time: 50, broker: 0, key: 0, how: 'power-loss' as const, fromOffset: 1, values: [-5] };
  const open: TxnFacts = {
    unreadable: [{ key: 0, value: 1, offset: 0, why: 'open', producerId: 7 }],
    firstUnstable: [{ key: 0, offset: 0, value: 1, producerId: 7 }],
    coordinatorLosses: [],
    coordinatorReplicas: replicas,
    markers: [commit],
    coordinatorRecords: [prepareCommit, completeCommit],
  };
  const withLoss = (txn: TxnFacts, removal = { ...powerLoss, epochs: [0], syncedOffset: 1 }, log = [1]) => ({
    ...facts(txn),
    finalLogs: [{ broker: 0, key: 0, highWatermark: log.length, startOffset: 0, values: log }],
    loss: { policy: POLICY, removals: [removal], elections: [] },
  });

  it('allows a record left open by a COMMIT marker every replica lost unflushed', () => {
    const r = attributeTxnLosses(jepsen, history, withLoss(open));
    expect(r.valid).toBe(true);
    expect(r.allowed?.find((a) => a.name === 'unseen')?.byCause).toEqual({ 'power-loss': 1 });
  });

  it('allows a record aborted by a later ABORT after its COMMIT marker was lost', () => {
    const aborted: TxnFacts = {
      ...open,
      unreadable: [{ key: 0, value: 1, offset: 0, why: 'aborted', producerId: 7 }],
      firstUnstable: [],
      markers: [commit, abort],
    };
    expect(attributeTxnLosses(jepsen, history, withLoss(aborted, undefined, [1, -6])).valid).toBe(true);
    // Its first marker an ABORT: the coordinator aborted it, no marker was lost.
    const abortedFirst = { ...aborted, markers: [{ ...abort, offset: 1, value: -5 }] };
    expect(attributeTxnLosses(jepsen, history, withLoss(abortedFirst, undefined, [1, -6])).valid).toBe(false);
  });

  it('keeps it a finding when the marker was synced, held, of another producer, unwritten, or due again', () => {
    const synced = { ...powerLoss, epochs: [0], syncedOffset: 2 };
    expect(attributeTxnLosses(jepsen, history, withLoss(open, synced)).valid).toBe(false);
    expect(attributeTxnLosses(jepsen, history, withLoss(open, undefined, [1, -5])).valid).toBe(false);
    const other = { ...open, markers: [{ ...commit, producerId: 8 }] };
    expect(attributeTxnLosses(jepsen, history, withLoss(other)).valid).toBe(false);
    expect(attributeTxnLosses(jepsen, history, withLoss({ ...open, markers: [] })).valid).toBe(false);
    // The coordinator still holds it prepared and not complete: it sends the marker again when it loads it.
    const stillPrepared = { ...open, coordinatorRecords: [prepareCommit, { ...completeCommit, kept: false }] };
    expect(attributeTxnLosses(jepsen, history, withLoss(stillPrepared)).valid).toBe(false);
    const lostPrepare = { ...open, coordinatorRecords: [{ ...prepareCommit, kept: false }] };
    expect(attributeTxnLosses(jepsen, history, withLoss(lostPrepare)).valid).toBe(true);
    const strict = withLoss(open);
    strict.loss = { ...strict.loss, policy: { ...POLICY, strict: true } };
    expect(attributeTxnLosses(jepsen, history, strict).valid).toBe(false);
  });
});

describe('attributeTxnLosses: a send acknowledged below an earlier one', () => {
  // Process 0 sent 1 to offset 1 of key 0; a power loss took it; its next send, 2, got offset 0 (written again).
  const history: History = [
    op(0, 10, 0, 'invoke', 'txn', [['send', 0, 1]]),
    op(1, 20, 0, 'ok', 'txn', [['send', 0, [1, 1]]]),
    op(2, 30, 0, 'invoke', 'txn', [['send', 0, 2]]),
    op(3, 40, 0, 'ok', 'txn', [['send', 0, [0, 2]]]),
    op(4, 100, 1, 'invoke', 'poll', [['poll']]),
    op(5, 110, 1, 'ok', 'poll', [['poll', { 0: [[0, 2]] }]]),
  ];
  const removal = { time: 25, broker: 0, key: 0, how: 'power-loss' as const, fromOffset: 1, values: [1], epochs: [0] };
  const lostFacts: DurabilityFacts = {
    truncations: [],
    finalLogs: [{ broker: 0, key: 0, highWatermark: 1, startOffset: 0, values: [2] }],
    loss: { policy: POLICY, removals: [{ ...removal, syncedOffset: 0 }], elections: [] },
    txn: { unreadable: [], firstUnstable: [], coordinatorLosses: [], coordinatorReplicas: replicas, markers: [] },
  };
  const jepsen = checkJepsenKafka(history);

  it('is allowed when the earlier record is among the losses the configuration allows', () => {
    expect(jepsen.anomalies.map((a) => a.name)).toContain('nonmonotonic-send');
    const r = attributeTxnLosses(jepsen, history, lostFacts);
    expect(r.anomalies).toEqual([]);
    expect(r.allowed?.map((a) => a.name)).toContain('nonmonotonic-send');
  });

  it('stays a finding when the earlier record was not lost, or an instance is not shown', () => {
    const edit = (f: (a: Anomaly) => Anomaly): CheckResult => ({
      ...jepsen,
      anomalies: jepsen.anomalies.map((a) => (a.name === 'nonmonotonic-send' ? f(a) : a)),
    });
    const other = edit((a) => ({ ...a, examples: a.examples.map((e) => ({ ...e, detail: { key: 0, values: [2] } })) }));
    expect(attributeTxnLosses(other, history, lostFacts).anomalies.map((a) => a.name)).toEqual(['nonmonotonic-send']);
    const more = edit((a) => ({ ...a, count: a.count + 1 }));
    expect(attributeTxnLosses(more, history, lostFacts).anomalies.map((a) => a.name)).toEqual(['nonmonotonic-send']);
  });
});

describe('attributeTxnLosses: a transaction the coordinator forgot', () => {
  // Value 1 committed at offset 0 of key 0 by producer 7 (transactional id t), read by nobody. The coordinator
  // wrote the transaction's Ongoing record at offset 5 and its PrepareCommit at offset 6 of __transaction_state-0.
  const history = HISTORY.slice(0, 2);
  const jepsen = checkJepsenKafka(history);
  const record = { partition: 100000, transactionalId: 't', producerId: 7, txnStart: 12, kept: false };
  const ongoing = { ...record, offset: 5, value: -9, state: 'Ongoing', time: 12 };
  const prepared = { ...record, offset: 6, value: -10, state: 'PrepareCommit', time: 18 };
  const lost = (syncedOffset: number) => ({
    policy: POLICY,
    removals: [
      {
        time: 50,
        broker: 1,
        key: 100000,
        how: 'power-loss' as const,
        fromOffset: 5,
        values: [-9, -10],
        epochs: [0, 0],
      },
    ].map((r) => ({ ...r, syncedOffset })),
    elections: [],
  });
  const txn = (
    why: 'open' | 'aborted',
    records: NonNullable<TxnFacts['coordinatorRecords']>,
    synced = 5,
  ): TxnFacts => ({
    unreadable: [{ key: 0, value: 1, offset: 0, why, producerId: 7 }],
    firstUnstable: why === 'open' ? [{ key: 0, offset: 0, value: 1, producerId: 7 }] : [],
    coordinatorLosses: [],
    coordinatorReplicas: replicas,
    markers: [],
    coordinatorRecords: records,
    coordinatorLoss: lost(synced),
  });

  it('allows a record left open when every record of its transaction was lost unflushed', () => {
    const r = attributeTxnLosses(jepsen, history, facts(txn('open', [ongoing])));
    expect(r.valid).toBe(true);
    expect(r.allowed?.find((a) => a.name === 'unseen')?.byCause).toEqual({ 'power-loss': 1 });
  });

  it('allows a committed record aborted when its PrepareCommit was lost, the rest kept', () => {
    const r = attributeTxnLosses(jepsen, history, facts(txn('aborted', [{ ...ongoing, kept: true }, prepared])));
    expect(r.valid).toBe(true);
  });

  it('keeps it a finding when a record was kept, synced, or written before the transaction began', () => {
    const cases: TxnFacts[] = [
      txn('open', [{ ...ongoing, kept: true }]),
      txn('open', [ongoing], 6),
      txn('open', [{ ...ongoing, time: 5 }]),
      txn('aborted', [ongoing, { ...prepared, kept: true }]),
      txn('open', []),
    ];
    for (const t of cases) expect(attributeTxnLosses(jepsen, history, facts(t)).valid).toBe(false);
  });
});

describe('attributeTxnLosses: a partition the coordinator forgot its transaction held', () => {
  // Value 1 committed at offset 0 of key 0 by producer 7, read by nobody, left open at the end. The coordinator
  // wrote Ongoing [1] at offset 5 (kept) and Ongoing [1, 0] at offset 6 of __transaction_state-0, when the
  // transaction added key 0; a power loss at 50 took offset 6 unflushed, so the reloaded coordinator never sent
  // key 0 a marker (seed 642 of the txn fuzz with client crashes).
  const history = HISTORY.slice(0, 2);
  const jepsen = checkJepsenKafka(history);
  const record = { partition: 100000, transactionalId: 't', producerId: 7, txnStart: 12 };
  const before = { ...record, offset: 5, value: -9, state: 'Ongoing', time: 12, partitions: [1], kept: true };
  const added = { ...record, offset: 6, value: -10, state: 'Ongoing', time: 14, partitions: [1, 0], kept: false };
  const removal = { time: 50, broker: 1, key: 100000, how: 'power-loss' as const, epochs: [0], syncedOffset: 6 };
  const txn = (appendedAt: number | undefined, records = [before, added]): TxnFacts => ({
    unreadable: [{ key: 0, value: 1, offset: 0, why: 'open', producerId: 7 }],
    firstUnstable: [{ key: 0, offset: 0, value: 1, producerId: 7, appendedAt }],
    coordinatorLosses: [],
    coordinatorReplicas: replicas,
    markers: [],
    coordinatorRecords: records,
    coordinatorLoss: { policy: POLICY, removals: [{ ...removal, fromOffset: 6, values: [-10] }], elections: [] },
  });

  it('allows the record left open when the record that added its partition was lost after it was appended', () => {
    const r = attributeTxnLosses(jepsen, history, facts(txn(15)));
    expect(r.valid).toBe(true);
    expect(r.allowed?.find((a) => a.name === 'unseen')?.byCause).toEqual({ 'power-loss': 1 });
  });

  it('keeps it a finding when appended after the loss (KAFKA-14402), undated, or the partition is still held', () => {
    const cases: TxnFacts[] = [
      txn(60),
      txn(undefined),
      txn(15, [before, { ...added, kept: true }]),
      txn(15, [before, { ...added, partitions: [1] }]),
    ];
    for (const t of cases) expect(attributeTxnLosses(jepsen, history, facts(t)).valid).toBe(false);
  });
});

describe('attributeTxnLosses: a committed record read, then aborted once its marker was lost', () => {
  // Producer 7 committed 10 (offset 0) and 1 (offset 1), COMMIT marker -5 at offset 2, then 2 at offset 3; a reader
  // read all three. The marker was lost from every replica unflushed, and the producer's next ABORT (-6) took its
  // offset: the final poll skips 1 (swarm seed 887 before the KIP-890 merge).
  const history: History = [
    op(0, 10, 0, 'invoke', 'txn', [['send', 0, 10]]),
    op(1, 20, 0, 'ok', 'txn', [
      ['send', 0, [0, 10]],
      ['send', 0, [1, 1]],
    ]),
    op(2, 30, 0, 'invoke', 'txn', [['send', 0, 2]]),
    op(3, 40, 0, 'ok', 'txn', [['send', 0, [3, 2]]]),
    op(4, 50, 1, 'invoke', 'poll', [['poll']]),
    op(5, 60, 1, 'ok', 'poll', [
      [
        'poll',
        {
          0: [
            [0, 10],
            [1, 1],
            [3, 2],
          ],
        },
      ],
    ]),
    op(6, 100, 2, 'invoke', 'poll', [['poll']]),
    op(7, 110, 2, 'ok', 'poll', [
      [
        'poll',
        {
          0: [
            [0, 10],
            [3, 2],
          ],
        },
      ],
    ]),
  ];
  const coordinator = { partition: 100000, transactionalId: 't', producerId: 7, txnStart: 12, kept: true };
  const removal = { time: 70, broker: 0, key: 0, how: 'power-loss' as const, fromOffset: 2, values: [-5], epochs: [0] };
  const lostFacts = (removals: Removal[]): DurabilityFacts => ({
    truncations: [],
    finalLogs: [{ broker: 0, key: 0, highWatermark: 4, startOffset: 0, values: [10, 1, -6, 2] }],
    loss: { policy: POLICY, removals, elections: [] },
    txn: {
      unreadable: [
        { key: 0, value: 10, offset: 0, why: 'aborted', producerId: 7 },
        { key: 0, value: 1, offset: 1, why: 'aborted', producerId: 7 },
      ],
      firstUnstable: [],
      coordinatorLosses: [],
      coordinatorReplicas: replicas,
      markers: [
        { key: 0, offset: 2, value: -5, producerId: 7, type: 'COMMIT', time: 30 },
        { key: 0, offset: 2, value: -6, producerId: 7, type: 'ABORT', time: 80 },
      ],
      coordinatorRecords: [
        { ...coordinator, offset: 3, value: -11, state: 'PrepareCommit', time: 25 },
        { ...coordinator, offset: 4, value: -12, state: 'CompleteCommit', time: 35 },
      ],
    },
  });
  const jepsen = checkJepsenKafka(history);

  it('allows the final poll skipping it when the marker was lost for a cause the configuration allows', () => {
    expect(jepsen.anomalies.map((a) => a.name)).toEqual(['int-poll-skip']);
    const r = attributeTxnLosses(jepsen, history, lostFacts([{ ...removal, syncedOffset: 2 }]));
    expect(r.valid).toBe(true);
    expect(r.allowed?.find((a) => a.name === 'int-poll-skip')?.byCause).toEqual({ 'power-loss': 2 });
  });

  it('leaves the skip a finding when the marker had been synced', () => {
    const r = attributeTxnLosses(jepsen, history, lostFacts([{ ...removal, syncedOffset: 3 }]));
    expect(r.anomalies.map((a) => a.name)).toEqual(['int-poll-skip']);
  });
});

/**
 * Value 1 sent at offset 0 of key 0 by producer 7 in a transaction that failed, then 2 committed at offset 1 by the
 * producer's next transaction, and a poll returning both: Jepsen's G1a, whose causes the next two cases tell apart.
 */
const FAILED_THEN_COMMITTED: History = [
  op(0, 10, 0, 'invoke', 'txn', [['send', 0, 1]]),
  op(1, 20, 0, 'fail', 'txn', [['send', 0, 1]]),
  op(2, 30, 0, 'invoke', 'txn', [['send', 0, 2]]),
  op(3, 40, 0, 'ok', 'txn', [['send', 0, [1, 2]]]),
  op(4, 100, 1, 'invoke', 'poll', [['poll']]),
  op(5, 110, 1, 'ok', 'poll', [
    [
      'poll',
      {
        0: [
          [0, 1],
          [1, 2],
        ],
      },
    ],
  ]),
];

describe('an aborted read left by a lost ABORT marker a later COMMIT covered', () => {
  // Value 1 sent at offset 0 of key 0 by producer 7 in a transaction that failed; its ABORT marker (value -6) went
  // to offset 1 and was lost; the producer's next transaction sent 2 and committed (-7) at offsets 1 and 2, which
  // ends the transaction 1 began: a poll returns 1 (G1a).
  const history = FAILED_THEN_COMMITTED;
  const jepsen = checkJepsenKafka(history);
  const revived: TxnFacts['revivedByCommit'] = [
    { key: 0, offset: 0, value: 1, producerId: 7, abort: { offset: 1, value: -6 } },
  ];
  const txn: TxnFacts = { unreadable: [], firstUnstable: [], coordinatorLosses: [], coordinatorReplicas: replicas };
  const powerLoss = { time: 25, broker: 0, key: 0, how: 'power-loss' as const, fromOffset: 1, values: [-6] };
  const withLoss = (t: TxnFacts, removal = { ...powerLoss, epochs: [0], syncedOffset: 1 }, strict = false) => ({
    ...facts(t),
    finalLogs: [{ broker: 0, key: 0, highWatermark: 3, startOffset: 0, values: [1, 2, -7] }],
    loss: { policy: { ...POLICY, strict }, removals: [removal], elections: [] },
  });

  it('starts from G1a', () => {
    expect(jepsen.anomalies.map((a) => a.name)).toEqual(['G1a']);
  });

  it('allows it when the ABORT marker was lost for a cause the configuration allows', () => {
    const r = attributeTxnLosses(jepsen, history, withLoss({ ...txn, revivedByCommit: revived }));
    expect(r.valid).toBe(true);
    expect(r.allowed?.find((a) => a.name === 'G1a')?.byCause).toEqual({ 'power-loss': 1 });
  });

  it('keeps it a finding when the record is not revived, the marker was synced, or under --strict', () => {
    expect(attributeTxnLosses(jepsen, history, withLoss({ ...txn, revivedByCommit: [] })).valid).toBe(false);
    const synced = { ...powerLoss, epochs: [0], syncedOffset: 2 };
    expect(attributeTxnLosses(jepsen, history, withLoss({ ...txn, revivedByCommit: revived }, synced)).valid).toBe(
      false,
    );
    const strict = withLoss({ ...txn, revivedByCommit: revived }, undefined, true);
    expect(attributeTxnLosses(jepsen, history, strict).valid).toBe(false);
  });
});

describe('an aborted read a COMMIT ended with records a lost marker had left open', () => {
  // Producer 7 committed 2 at offset 0 of key 0; its COMMIT marker (value -6, offset 1) was lost, leaving 2 open in
  // the partition's producer state. A zombie of the same producer id then appended 1, of a transaction that failed,
  // at offset 1 without verification (the producer had an ongoing transaction), and the producer id's next COMMIT
  // (-7, offset 2) ended both: a poll returns 1 (swarm-config seed 98 of the txn fuzz).
  const history: History = [
    op(0, 10, 0, 'invoke', 'txn', [['send', 0, 2]]),
    op(1, 20, 0, 'ok', 'txn', [['send', 0, [0, 2]]]),
    op(2, 30, 1, 'invoke', 'txn', [['send', 0, 1]]),
    op(3, 40, 1, 'fail', 'txn', [['send', 0, 1]]),
    op(4, 100, 2, 'invoke', 'poll', [['poll']]),
    op(5, 110, 2, 'ok', 'poll', [
      [
        'poll',
        {
          0: [
            [0, 2],
            [1, 1],
          ],
        },
      ],
    ]),
  ];
  const jepsen = checkJepsenKafka(history);
  const marker = { offset: 1, value: -6, type: 'COMMIT' as const };
  const joined: TxnFacts['joinedAfterLostMarker'] = [{ key: 0, offset: 1, value: 1, producerId: 7, marker }];
  const txn: TxnFacts = { unreadable: [], firstUnstable: [], coordinatorLosses: [], coordinatorReplicas: replicas };
  const powerLoss = { time: 25, broker: 0, key: 0, how: 'power-loss' as const, fromOffset: 1, values: [-6] };
  const withLoss = (t: TxnFacts, syncedOffset = 1) => ({
    ...facts(t),
    finalLogs: [{ broker: 0, key: 0, highWatermark: 3, startOffset: 0, values: [2, 1, -7] }],
    loss: { policy: POLICY, removals: [{ ...powerLoss, epochs: [0], syncedOffset }], elections: [] },
  });

  it('allows it when the marker was lost for a cause the configuration allows', () => {
    expect(jepsen.anomalies.map((a) => a.name)).toEqual(['G1a']);
    const r = attributeTxnLosses(jepsen, history, withLoss({ ...txn, joinedAfterLostMarker: joined }));
    expect(r.valid).toBe(true);
    expect(r.allowed?.find((a) => a.name === 'G1a')?.byCause).toEqual({ 'power-loss': 1 });
  });

  it('keeps it a finding when the record joined nothing open or the marker was synced', () => {
    expect(attributeTxnLosses(jepsen, history, withLoss({ ...txn, joinedAfterLostMarker: [] })).valid).toBe(false);
    expect(attributeTxnLosses(jepsen, history, withLoss({ ...txn, joinedAfterLostMarker: joined }, 2)).valid).toBe(
      false,
    );
  });
});

describe('attributeTxnLosses: a send answered as a duplicate of a batch from a forgotten epoch', () => {
  // Producer 7 (transactional id t) sent 1 to offset 0 of key 0 in epoch 3, sequence 0 (its transaction went
  // Ongoing at 12). Every replica of __transaction_state-0 lost that transaction's records unflushed (offsets 5 and
  // 6), so the coordinator, back at epoch 2 (its record at 90), handed epoch 3 out again (Ongoing at 105). The
  // producer's next send, 2, sequence 0 in epoch 3 again, was answered with offset 0 and never appended.
  const history: History = [
    op(0, 10, 0, 'invoke', 'txn', [['send', 0, 1]]),
    op(1, 20, 0, 'ok', 'txn', [['send', 0, [0, 1]]]),
    op(2, 100, 0, 'invoke', 'txn', [['send', 0, 2]]),
    op(3, 120, 0, 'ok', 'txn', [['send', 0, [0, 2]]]),
    op(4, 200, 1, 'invoke', 'poll', [['poll']]),
    op(5, 210, 1, 'ok', 'poll', [['poll', { 0: [[0, 1]] }]]),
  ];
  const jepsen = checkJepsenKafka(history);
  const record = { partition: 100000, transactionalId: 't', producerId: 7 };
  const records: NonNullable<TxnFacts['coordinatorRecords']> = [
    { ...record, offset: 4, value: -8, producerEpoch: 2, state: 'Empty', txnStart: -1, time: 5, kept: true },
    { ...record, offset: 5, value: -9, producerEpoch: 3, state: 'Ongoing', txnStart: 12, time: 12, kept: false },
    { ...record, offset: 6, value: -10, producerEpoch: 4, state: 'PrepareCommit', txnStart: 12, time: 18, kept: false },
    { ...record, offset: 5, value: -20, producerEpoch: 2, state: 'Empty', txnStart: -1, time: 90, kept: true },
    { ...record, offset: 6, value: -21, producerEpoch: 3, state: 'Ongoing', txnStart: 105, time: 105, kept: true },
  ];
  const written = [{ key: 0, offset: 0, value: 1, epoch: 0, producer: { id: 7, epoch: 3, sequence: 0 } }];
  const dupFacts = (
    opts: { records?: typeof records; written?: typeof written; synced?: number; strict?: boolean } = {},
  ): DurabilityFacts => ({
    truncations: [],
    finalLogs: [{ broker: 0, key: 0, highWatermark: 1, startOffset: 0, values: [1] }],
    loss: {
      policy: { ...POLICY, strict: opts.strict ?? false },
      removals: [],
      elections: [],
      written: opts.written ?? written,
    },
    txn: {
      unreadable: [],
      firstUnstable: [],
      coordinatorLosses: [],
      coordinatorReplicas: replicas,
      markers: [],
      coordinatorRecords: opts.records ?? records,
      coordinatorLoss: {
        policy: POLICY,
        removals: [
          {
            time: 50,
            broker: 1,
            key: 100000,
            how: 'power-loss',
            fromOffset: 5,
            values: [-9, -10],
            epochs: [0, 0],
            syncedOffset: opts.synced ?? 5,
          },
        ],
        elections: [],
      },
    },
  });

  it('starts from an inconsistent offset and a lost, unseen record', () => {
    expect(jepsen.anomalies.map((a) => a.name)).toEqual(['inconsistent-offsets', 'lost-write', 'unseen']);
  });

  it('allows them, the cause the coordinator loss', () => {
    const r = attributeTxnLosses(jepsen, history, dupFacts());
    expect(r.valid).toBe(true);
    expect(r.allowed?.find((a) => a.name === 'unseen')?.byCause).toEqual({ 'power-loss': 1 });
    expect(r.stats?.lostCommitted).toBe(1);
  });

  it('keeps them findings when the epoch was remembered, the send appended, the records synced, or strict', () => {
    const kept = records.map((r, i) => (i === 1 ? { ...r, kept: true } : r));
    const resumedAtE = records.map((r, i) => (i === 3 ? { ...r, producerEpoch: 3 } : r));
    const noReissue = records.slice(0, 4);
    const appended = [
      ...written,
      { key: 0, offset: 1, value: 2, epoch: 0, producer: { id: 7, epoch: 3, sequence: 0 } },
    ];
    const cases = [
      dupFacts({ records: kept }),
      dupFacts({ records: resumedAtE }),
      dupFacts({ records: noReissue }),
      dupFacts({ written: appended }),
      dupFacts({ synced: 7 }),
      dupFacts({ strict: true }),
    ];
    expect(cases.map((f) => attributeTxnLosses(jepsen, history, f).valid)).toEqual(cases.map(() => false));
  });

  it('tells each lost record why it stays a finding, and lists the losses no allowed cause explains', () => {
    const r = attributeTxnLosses(jepsen, history, dupFacts({ synced: 7 }));
    const unseen = r.anomalies.find((a) => a.name === 'unseen');
    expect(unseen?.examples[0].description).toMatch(/never returned by an ok poll\. Lost: no replica is known to/);
    const note = r.notes?.find((n) => n.name === 'lost-committed-write');
    expect(note?.count).toBe(1);
    expect(note?.examples[0].description).toMatch(/^2 of key 0, committed at offset 0, was lost: /);
    // Allowed, it is no finding and no note.
    expect(attributeTxnLosses(jepsen, history, dupFacts()).notes ?? []).toEqual([]);
  });
});

describe('an aborted read a COMMIT ended on a partition the coordinator forgot', () => {
  // Producer 7 (transactional id t, epoch 3) sent 1 to offset 0 of key 0 in a transaction that failed; the
  // coordinator's Ongoing record that added key 0 (offset 5 of __transaction_state-0, at 12) was lost unflushed from
  // every replica at 50, after 1 was appended (15). The abort named no key 0, so 1 stayed open until the producer's
  // next transaction committed 2 on key 0, which ended it: a poll returns 1 (subscribe seed 683).
  const history = FAILED_THEN_COMMITTED;
  const jepsen = checkJepsenKafka(history);
  const added = {
    partition: 100000,
    offset: 5,
    value: -9,
    transactionalId: 't',
    producerId: 7,
    producerEpoch: 3,
    state: 'Ongoing',
    txnStart: 12,
    time: 12,
    kept: false,
    partitions: [0],
  };
  const forgotten = (o: { record?: typeof added; appendedAt?: number; synced?: number; strict?: boolean } = {}) => ({
    ...facts({
      unreadable: [],
      firstUnstable: [],
      coordinatorLosses: [],
      coordinatorReplicas: replicas,
      coordinatorRecords: [o.record ?? added],
      appendedAt: { '0/1': o.appendedAt ?? 15, '0/2': 75 },
      coordinatorLoss: {
        policy: POLICY,
        removals: [
          {
            time: 50,
            broker: 1,
            key: 100000,
            how: 'power-loss' as const,
            fromOffset: 5,
            values: [-9],
            epochs: [0],
            syncedOffset: o.synced ?? 5,
          },
        ],
        elections: [],
      },
    }),
    finalLogs: [{ broker: 0, key: 0, highWatermark: 3, startOffset: 0, values: [1, 2, -7] }],
    loss: {
      policy: { ...POLICY, strict: o.strict ?? false },
      removals: [],
      elections: [],
      written: [{ key: 0, offset: 0, value: 1, epoch: 0, producer: { id: 7, epoch: 3, sequence: 0 } }],
    },
  });

  it('starts from G1a', () => {
    expect(jepsen.anomalies.map((a) => a.name)).toEqual(['G1a']);
  });

  it('allows it when the record that added the partition was lost after the append, for an allowed cause', () => {
    const r = attributeTxnLosses(jepsen, history, forgotten());
    expect(r.valid).toBe(true);
    expect(r.allowed?.find((a) => a.name === 'G1a')?.byCause).toEqual({ 'power-loss': 1 });
  });

  it('keeps it a finding when the record was kept, synced, lost before the append, of another epoch, or strict', () => {
    const cases = [
      forgotten({ record: { ...added, kept: true } }),
      forgotten({ synced: 6 }),
      forgotten({ appendedAt: 55 }),
      forgotten({ record: { ...added, producerEpoch: 2 } }),
      forgotten({ strict: true }),
    ];
    expect(cases.map((f) => attributeTxnLosses(jepsen, history, f).valid)).toEqual(cases.map(() => false));
  });
});
