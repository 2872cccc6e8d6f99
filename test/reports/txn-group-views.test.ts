// The report's transactions view (each :txn op a span on its process, by outcome, with the keys it touched) and
// its consumer group generations view (each generation a span from Stable to the next, with its members), from
// hand-written histories and events and from real runs; a queue run in assign mode has neither.
import { describe, expect, it } from 'vitest';
import { runOnce, runReportData } from '../../harness/index.ts';
import { groupView } from '../../reports/group-view.ts';
import { renderRunReport } from '../../reports/run-report.ts';
import { runDatasets } from '../../reports/run-datasets.ts';
import { txnView } from '../../reports/txn-view.ts';
import type { GroupStableEvent } from '../../sim/events/index.ts';
import type { History, Op } from '../../workloads/history/format.ts';

const op = (index: number, time: number, process: number, type: Op['type'], value: Op['value']): Op => ({
  index,
  time,
  process,
  type,
  f: 'txn',
  value,
});

describe('txnView', () => {
  it('spans each transaction from invocation to completion, with its outcome and keys', () => {
    const history: History = [
      op(0, 10, 0, 'invoke', [['send', 1, 5], ['poll'], ['send', 2, 6]]),
      op(1, 11, 1, 'invoke', [['send', 0, 7]]),
      op(2, 30, 0, 'ok', [
        ['send', 1, [3, 5]],
        ['poll', { 0: [[1, 2]], 2: [] }],
        ['send', 2, [4, 6]],
      ]),
      op(3, 40, 1, 'fail', [['send', 0, 7]]),
      op(4, 50, 0, 'invoke', [['poll']]),
      op(5, 55, 2, 'invoke', [['send', 2, 8]]),
      op(6, 60, 2, 'info', [['send', 2, 8]]),
    ];
    const view = txnView(history, 100);
    expect(view?.counts).toEqual({ ok: 1, fail: 1, info: 1, open: 1 });
    expect(view?.spans).toEqual([
      { index: 0, process: 0, start: 10, end: 30, outcome: 'ok', sent: [1, 2], polled: [0], mops: 3 },
      { index: 1, process: 1, start: 11, end: 40, outcome: 'fail', sent: [0], polled: [], mops: 1 },
      // Never completed: it runs to the end of the run.
      { index: 4, process: 0, start: 50, end: 100, outcome: 'open', sent: [], polled: [], mops: 1 },
      { index: 5, process: 2, start: 55, end: 60, outcome: 'info', sent: [2], polled: [], mops: 1 },
    ]);
  });

  it('is absent for a history without transactions', () => {
    expect(txnView([{ index: 0, time: 1, process: 0, type: 'invoke', f: 'send', value: [] }], 10)).toBeUndefined();
  });
});

describe('groupView', () => {
  const stable = (time: number, generationId: number, members: string[], broker = 1): GroupStableEvent => ({
    kind: 'group-stable',
    time,
    broker,
    partition: -1,
    groupId: 'g',
    generationId,
    protocol: 'range',
    members: members.map((memberId, i) => ({ memberId, partitions: [i], owned: [] })),
  });

  it('ends a generation at the next one, and takes a reloaded generation once', () => {
    const view = groupView([stable(10, 1, ['a']), stable(20, 2, ['a', 'b']), stable(25, 2, ['a', 'b'], 2)], 100);
    expect(view?.groups).toEqual(['g']);
    expect(view?.generations.map((g) => [g.generation, g.from, g.to, g.members.length])).toEqual([
      [1, 10, 20, 1],
      [2, 20, 100, 2],
    ]);
    expect(groupView([], 100)).toBeUndefined();
  });
});

describe('the report of a run', () => {
  it('draws the transactions of a txn run', () => {
    const run = runOnce({ seed: 3, timeSeconds: 20, workloadKind: 'txn' });
    const data = runReportData(run.output, run.result, 'replay');
    const t = data.transactions;
    expect(t?.total).toBe(run.output.stats.workload.sends);
    expect(t?.counts.ok).toBe(run.output.stats.workload.acked);
    expect(data.groups).toBeUndefined();
    const rows = runDatasets(data).txns.rows;
    expect(rows.length).toBe(t?.spans.length);
    const html = renderRunReport(data);
    expect(html).toContain('<section id="transactions">');
    expect(html).toContain('chart-txns');
    expect(html).not.toContain('<section id="groups">');
  });

  it('draws the group generations of a subscribe run, and neither view for a queue run in assign mode', () => {
    const run = runOnce({ seed: 1, timeSeconds: 20, consumerMode: 'subscribe' });
    const data = runReportData(run.output, run.result, 'replay');
    expect(data.transactions).toBeUndefined();
    expect(data.groups?.generations.length).toBeGreaterThan(0);
    expect(data.groups?.generations[0].members.length).toBeGreaterThan(0);
    expect(runDatasets(data).generations.rows.length).toBe(data.groups?.generations.length);
    expect(renderRunReport(data)).toContain('<section id="groups">');
    const queue = runOnce({ seed: 1, timeSeconds: 10 });
    const plain = runReportData(queue.output, queue.result, 'r');
    expect(plain.transactions).toBeUndefined();
    expect(plain.groups).toBeUndefined();
    expect(Object.keys(runDatasets(plain))).not.toContain('txns');
  });
});
