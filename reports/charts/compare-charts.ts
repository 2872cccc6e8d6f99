// The comparison's charts: every metric per seed with clean and unclean side by side, and each metric's
// distribution over all seeds (box plot with one dot per seed).
import type { Chart, VlSpec } from '../page.ts';

export const MODE_SCALE = { domain: ['clean', 'unclean'], range: ['#2e86c1', '#d62728'] };

function perSeed(metrics: string[]): VlSpec {
  return {
    data: { name: 'values' },
    facet: {
      row: {
        field: 'metric',
        type: 'nominal',
        title: null,
        sort: metrics,
        header: { labelAngle: 0, labelAlign: 'left', labelAnchor: 'start', labelOrient: 'top' },
      },
    },
    spec: {
      width: 900,
      height: 90,
      mark: { type: 'bar' },
      encoding: {
        x: { field: 'seed', type: 'nominal', title: 'seed', sort: null, axis: { labelAngle: 0 } },
        xOffset: { field: 'mode', type: 'nominal' },
        y: { field: 'value', type: 'quantitative', title: null },
        color: { field: 'mode', type: 'nominal', title: 'election', scale: MODE_SCALE },
        tooltip: [{ field: 'seed' }, { field: 'mode', title: 'election' }, { field: 'metric' }, { field: 'value' }],
      },
    },
    resolve: { scale: { y: 'independent' } },
  };
}

function distributions(metrics: string[]): VlSpec {
  return {
    hconcat: metrics.map((metric) => ({
      width: 130,
      height: 200,
      title: { text: metric, fontSize: 11 },
      transform: [{ filter: { field: 'metric', equal: metric } }],
      data: { name: 'values' },
      layer: [
        {
          mark: { type: 'boxplot', extent: 'min-max', opacity: 0.5 },
          encoding: {
            x: { field: 'mode', type: 'nominal', title: null, axis: { labelAngle: 0 } },
            y: { field: 'value', type: 'quantitative', title: null },
            color: { field: 'mode', type: 'nominal', title: 'election', scale: MODE_SCALE },
          },
        },
        {
          mark: { type: 'point', filled: true, size: 30 },
          encoding: {
            x: { field: 'mode', type: 'nominal', title: null },
            y: { field: 'value', type: 'quantitative' },
            color: { field: 'mode', type: 'nominal', scale: MODE_SCALE },
            tooltip: [{ field: 'seed' }, { field: 'mode', title: 'election' }, { field: 'value' }],
          },
        },
      ],
    })),
  };
}

export function compareCharts(metrics: string[]): Chart[] {
  return [
    { id: 'chart-per-seed', spec: perSeed(metrics), uses: ['values'] },
    { id: 'chart-distributions', spec: distributions(metrics), uses: ['values'] },
  ];
}
