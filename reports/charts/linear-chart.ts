// The end of the longest linearizable prefix, the op that could not be placed after it, and the ops
// concurrent with that op, per process over time; prefix ops are labelled with their position in the
// order found.
import type { VlSpec } from '../page.ts';
import { WIDTH } from './common.ts';

const ROLE_SCALE = {
  domain: ['linearized', 'cannot be placed', 'concurrent'],
  range: ['#7fbf7f', '#d62728', '#bbbbbb'],
};

export function linearChart(view: number): VlSpec {
  const only = [{ filter: { field: 'view', equal: view } }];
  const x = { field: 'start', type: 'quantitative', title: 'time (s)', scale: { zero: false } };
  const y = { field: 'process', type: 'ordinal', title: 'process' };
  return {
    width: WIDTH,
    height: { step: 22 },
    layer: [
      {
        data: { name: 'linear' },
        transform: only,
        mark: { type: 'bar', height: { band: 0.75 } },
        encoding: {
          x,
          x2: { field: 'tEnd' },
          y,
          color: { field: 'role', type: 'nominal', title: 'op', scale: ROLE_SCALE },
          tooltip: [
            { field: 'role' },
            { field: 'order', title: 'position' },
            { field: 'index', title: 'op' },
            { field: 'process' },
            { field: 'f' },
            { field: 'type' },
            { field: 'value' },
            { field: 'state', title: 'state after' },
          ],
        },
      },
      {
        // The linearization: its points in order, joined across the processes.
        data: { name: 'linear' },
        transform: [...only, { filter: 'datum.at !== null' }],
        mark: { type: 'line', color: '#1f5f1f', strokeWidth: 1.5, point: { filled: true, size: 30, color: '#1f5f1f' } },
        encoding: {
          x: { ...x, field: 'at' },
          y,
          order: { field: 'order', type: 'quantitative' },
          tooltip: [
            { field: 'order', title: 'position' },
            { field: 'f' },
            { field: 'value' },
            { field: 'state', title: 'state after' },
          ],
        },
      },
      {
        data: { name: 'linear' },
        transform: only,
        mark: { type: 'text', align: 'left', dx: 3, fontSize: 10 },
        encoding: { x, y, text: { field: 'label' } },
      },
    ],
  };
}
