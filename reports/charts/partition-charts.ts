// One chart per partition: which broker led when (and when none did), the ISR's size, and the leader's
// high watermark against every replica's log end offset. Elections are vertical rules on every panel:
// clean ones grey and dashed, unclean ones red and solid, KIP-966's last-known-leader recoveries orange and solid.
import type { VlSpec } from '../page.ts';
import { timeX, WIDTH, withFaults } from './common.ts';

const ELECTION_SCALE = {
  domain: ['clean', 'unclean', 'last-known-leader'],
  range: ['#666666', '#d62728', '#ff7f0e'],
};

function electionRules(partition: number, endS: number): VlSpec {
  return {
    data: { name: 'elections' },
    transform: [{ filter: { field: 'partition', equal: partition } }],
    mark: { type: 'rule', strokeWidth: 1.5 },
    encoding: {
      x: timeX(endS),
      stroke: { field: 'election', type: 'nominal', title: 'election', scale: ELECTION_SCALE },
      // Same field and title as the stroke, so the two merge into one legend showing colour and dash.
      strokeDash: {
        field: 'election',
        type: 'nominal',
        title: 'election',
        scale: {
          domain: ['clean', 'unclean', 'last-known-leader'],
          range: [
            [4, 3],
            [1, 0],
            [1, 0],
          ],
        },
      },
      tooltip: [
        { field: 'election' },
        { field: 'time', title: 'at (s)' },
        { field: 'leader', title: 'new leader' },
        { field: 'previous', title: 'previous leader' },
        { field: 'epoch', title: 'leader epoch' },
        { field: 'isr', title: 'ISR' },
        { field: 'reason' },
      ],
    },
  };
}

/**
 * `brokers` are the broker ids in colour order: a broker has the same colour as leader and as the LEO
 * line of its replica; "none" (no live leader) is red and the high watermark black.
 */
export function partitionChart(partition: number, endS: number, brokers: number[]): VlSpec {
  const colours = brokerColours(brokers.length);
  const only = [{ filter: { field: 'partition', equal: partition } }];
  return {
    title: { text: `partition ${partition}`, anchor: 'start' },
    vconcat: [
      {
        width: WIDTH,
        height: 26,
        layer: [
          {
            data: { name: 'leaders' },
            transform: only,
            mark: { type: 'bar' },
            encoding: {
              x: timeX(endS, 'start', null),
              x2: { field: 'end' },
              color: {
                field: 'leader',
                type: 'nominal',
                title: 'leader',
                scale: { domain: [...brokers.map((b) => `broker ${b}`), 'none'], range: [...colours, '#e74c3c'] },
              },
              tooltip: [
                { field: 'leader' },
                { field: 'epoch', title: 'leader epoch' },
                { field: 'start', title: 'from (s)' },
                { field: 'end', title: 'to (s)' },
              ],
            },
          },
          electionRules(partition, endS),
        ],
        resolve: { scale: { color: 'independent' } },
      },
      {
        width: WIDTH,
        height: 70,
        ...withFaults(
          endS,
          [
            {
              data: { name: 'isr' },
              transform: only,
              mark: { type: 'line', interpolate: 'step-after', color: '#2c3e50' },
              encoding: {
                x: timeX(endS),
                y: { field: 'size', type: 'quantitative', title: 'ISR size', axis: { tickMinStep: 1, format: 'd' } },
                tooltip: [
                  { field: 'time', title: 'from (s)' },
                  { field: 'size', title: 'ISR size' },
                ],
              },
            },
            electionRules(partition, endS),
          ],
          partition,
        ),
      },
      {
        width: WIDTH,
        height: 180,
        ...withFaults(
          endS,
          [
            {
              data: { name: 'offsets' },
              transform: only,
              mark: { type: 'line', interpolate: 'step-after', strokeWidth: 1.3 },
              encoding: {
                x: timeX(endS),
                y: { field: 'value', type: 'quantitative', title: 'offset' },
                color: {
                  field: 'series',
                  type: 'nominal',
                  title: 'HW and LEO',
                  scale: {
                    domain: ['high watermark', ...brokers.map((b) => `LEO broker ${b}`)],
                    range: ['#000000', ...colours],
                  },
                },
                strokeWidth: { condition: { test: "datum.series === 'high watermark'", value: 2.2 }, value: 1.3 },
                tooltip: [
                  { field: 'series' },
                  { field: 'time', title: 'from (s)' },
                  { field: 'value', title: 'offset' },
                ],
              },
            },
            electionRules(partition, endS),
          ],
          partition,
        ),
      },
    ],
  };
}

const CATEGORY10 = ['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

function brokerColours(n: number): string[] {
  return Array.from({ length: n }, (_, i) => CATEGORY10[i % CATEGORY10.length]);
}
