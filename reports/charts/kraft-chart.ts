// The KRaft metadata quorum over time, under the run's shared time axis: which controller led the quorum in
// which epoch (a tick at each election), how far the quorum had committed the metadata log (its high
// watermark) and each broker had applied it, and when each broker was fenced or in controlled shutdown.
import type { VlSpec } from '../page.ts';
import { timeX, WIDTH, withFaults } from './common.ts';

const REGISTRATION_SCALE = { domain: ['fenced', 'controlled shutdown'], range: ['#c0392b', '#f39c12'] };

export function kraftChart(endS: number): VlSpec {
  return {
    vconcat: [
      {
        width: WIDTH,
        height: { step: 18 },
        ...withFaults(endS, [
          {
            data: { name: 'kraft-leaders' },
            mark: { type: 'bar', cornerRadius: 2 },
            encoding: {
              x: timeX(endS, 'start', null),
              x2: { field: 'end' },
              y: { field: 'voter', type: 'nominal', title: 'quorum leader' },
              color: { field: 'voter', type: 'nominal', legend: null },
              tooltip: [
                { field: 'voter', title: 'leader' },
                { field: 'epoch', title: 'epoch' },
                { field: 'start', title: 'from (s)' },
                { field: 'end', title: 'to (s)' },
              ],
            },
          },
          {
            data: { name: 'kraft-leaders' },
            mark: { type: 'text', align: 'left', dx: 4, color: 'white', fontSize: 10 },
            encoding: {
              x: timeX(endS, 'start', null),
              y: { field: 'voter', type: 'nominal', title: 'quorum leader' },
              text: { field: 'label' },
            },
          },
          {
            data: { name: 'kraft-elections' },
            mark: { type: 'tick', color: 'black', thickness: 2 },
            encoding: {
              x: timeX(endS, 'time', null),
              y: { field: 'voter', type: 'nominal', title: 'quorum leader' },
              tooltip: [
                { field: 'voter', title: 'elected' },
                { field: 'epoch', title: 'epoch' },
                { field: 'time', title: 'at (s)' },
              ],
            },
          },
        ]),
      },
      {
        width: WIDTH,
        height: 110,
        ...withFaults(endS, [
          {
            data: { name: 'kraft-offsets' },
            mark: { type: 'line', interpolate: 'step-after' },
            encoding: {
              x: timeX(endS, 'time', null),
              y: { field: 'offset', type: 'quantitative', title: 'metadata offset' },
              color: { field: 'series', type: 'nominal', title: 'metadata log', legend: { orient: 'right' } },
              strokeWidth: { condition: { test: "datum.series === 'quorum high watermark'", value: 3 }, value: 1.5 },
              tooltip: [{ field: 'series' }, { field: 'time', title: 'from (s)' }, { field: 'offset' }],
            },
          },
        ]),
      },
      {
        width: WIDTH,
        height: { step: 18 },
        ...withFaults(endS, [
          {
            data: { name: 'kraft-registrations' },
            mark: { type: 'bar', cornerRadius: 2 },
            encoding: {
              x: timeX(endS, 'start'),
              x2: { field: 'tEnd' },
              y: { field: 'broker', type: 'nominal', title: 'registration' },
              color: {
                field: 'state',
                type: 'nominal',
                title: 'broker',
                scale: REGISTRATION_SCALE,
                legend: { orient: 'right' },
              },
              tooltip: [
                { field: 'broker' },
                { field: 'state' },
                { field: 'brokerEpoch', title: 'broker epoch' },
                { field: 'start', title: 'from (s)' },
                { field: 'end', title: 'to (s)' },
              ],
            },
          },
        ]),
      },
    ],
    resolve: { scale: { color: 'independent' } },
  };
}
