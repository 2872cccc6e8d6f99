// The transactions and consumer group generations under the run's shared time axis. Transactions: one lane per
// client process, each a bar from invocation to completion coloured by outcome as Jepsen colours ops (committed
// ok blue, aborted fail pink, unknown info orange; grey: never completed), its keys in the tooltip. Groups: one
// lane per group, each generation a bar from the moment it was stable to the next, labelled with its number.
import type { VlSpec } from '../page.ts';
import { OUTCOME_SCALE, timeX, WIDTH, withFaults } from './common.ts';

const TXN_SCALE = { domain: [...OUTCOME_SCALE.domain, 'open'], range: [...OUTCOME_SCALE.range, '#95a5a6'] };

export function txnChart(endS: number, processes: number): VlSpec {
  const y = { field: 'who', type: 'nominal', title: 'client process', sort: { field: 'process', op: 'min' } };
  return {
    width: WIDTH,
    height: Math.max(80, processes * 16),
    ...withFaults(endS, [
      {
        data: { name: 'txns' },
        mark: { type: 'bar', height: { band: 0.8 } },
        encoding: {
          x: timeX(endS, 'start'),
          x2: { field: 'tEnd' },
          y,
          color: { field: 'outcome', type: 'nominal', title: 'transaction', scale: TXN_SCALE },
          tooltip: [
            { field: 'index', title: 'op' },
            { field: 'who', title: 'process' },
            { field: 'outcome' },
            { field: 'sent', title: 'sent to keys' },
            { field: 'polled', title: 'polled keys' },
            { field: 'mops', title: 'micro-ops' },
            { field: 'start', title: 'from (s)' },
            { field: 'end', title: 'to (s)' },
          ],
        },
      },
    ]),
  };
}

export function groupChart(endS: number, groups: number): VlSpec {
  const y = { field: 'group', type: 'nominal', title: 'consumer group' };
  return {
    width: WIDTH,
    height: Math.max(40, groups * 24),
    ...withFaults(endS, [
      {
        data: { name: 'generations' },
        mark: { type: 'bar', height: { band: 0.8 }, stroke: 'white', strokeWidth: 1 },
        encoding: {
          x: timeX(endS, 'start'),
          x2: { field: 'tEnd' },
          y,
          // Ordinal: member counts are whole, so the legend lists the counts drawn, not a gradient with 1.5 on it.
          color: { field: 'members', type: 'ordinal', title: 'members', scale: { scheme: 'blues' } },
          tooltip: [
            { field: 'group' },
            { field: 'generation' },
            { field: 'coordinator', title: 'coordinator broker' },
            { field: 'protocol', title: 'assignor' },
            { field: 'assignment', title: 'members: partitions' },
            { field: 'start', title: 'from (s)' },
            { field: 'end', title: 'to (s)' },
          ],
        },
      },
      {
        data: { name: 'generations' },
        mark: { type: 'text', align: 'left', dx: 3, fontSize: 10 },
        encoding: { x: timeX(endS, 'start'), y, text: { field: 'label' } },
      },
    ]),
  };
}
