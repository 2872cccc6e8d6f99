// Pieces every chart shares: Jepsen's colours for ok / fail / info, the time axis in simulated seconds,
// and the nemesis bands shaded behind a chart over the time each fault was active.
import type { VlSpec } from '../page.ts';

/** Jepsen's palette: ok blue, fail pink, info (indeterminate) orange. */
export const OUTCOME_SCALE = { domain: ['ok', 'fail', 'info'], range: ['#6DB6FE', '#FEB5DA', '#FFAA26'] };

/** Distinct from the outcome colours, so a band never looks like an op. */
export const FAULT_SCHEME = 'set2';

export const WIDTH = 960;

/** Times in datasets are seconds with millisecond precision. */
export function sec(ms: number): number {
  return Math.round(ms) / 1000;
}

export function timeX(endS: number, field = 'time', title: string | null = 'time (s)'): VlSpec {
  return { field, type: 'quantitative', title, scale: { domain: [0, endS], nice: false, zero: true } };
}

/** The nemesis bands as a layer: full height, light, coloured by fault kind, with their detail on hover. */
export function faultLayer(endS: number, legend: boolean): VlSpec {
  return {
    data: { name: 'faults' },
    mark: { type: 'rect', opacity: 0.22 },
    encoding: {
      x: timeX(endS, 'start'),
      x2: { field: 'end' },
      color: {
        field: 'kind',
        type: 'nominal',
        title: 'fault',
        scale: { scheme: FAULT_SCHEME },
        legend: legend ? { orient: 'top' } : null,
      },
      tooltip: [
        { field: 'kind', title: 'fault' },
        { field: 'id', title: 'id' },
        { field: 'start', title: 'from (s)' },
        { field: 'end', title: 'to (s)' },
        { field: 'detail', title: 'what' },
      ],
    },
  };
}

/** Layers drawn over shaded fault bands: the colour scales stay apart (fault kinds vs outcomes). */
export function withFaults(endS: number, layers: VlSpec[], legend = true): VlSpec {
  return { layer: [faultLayer(endS, legend), ...layers], resolve: { scale: { color: 'independent' } } };
}
