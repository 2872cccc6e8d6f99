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

const FAULT_TOOLTIP = [
  { field: 'kind', title: 'fault' },
  { field: 'id', title: 'id' },
  { field: 'nodes', title: 'nodes' },
  { field: 'start', title: 'from (s)' },
  { field: 'end', title: 'to (s)' },
  { field: 'detail', title: 'what' },
];

/**
 * The nemesis bands behind a chart: one light grey, so that overlapping faults only darken (the faults
 * chart above says which is which, coloured by kind); on a partition's charts only the faults that
 * touched its replicas, or named no broker.
 */
export function faultLayer(endS: number, partition?: number): VlSpec {
  const only =
    partition === undefined
      ? []
      : [{ filter: `datum.partitions === '*' || indexof(datum.partitions, ',${partition},') >= 0` }];
  return {
    data: { name: 'faults' },
    transform: only,
    mark: { type: 'rect', opacity: 0.1, color: '#34495e' },
    encoding: { x: timeX(endS, 'start'), x2: { field: 'end' }, tooltip: FAULT_TOOLTIP },
  };
}

/**
 * Every time-series chart gives its y axis this many pixels (ticks and labels; the title beside them), so
 * that all of a report's plots start at one left edge and their time axes line up.
 */
export const Y_AXIS_EXTENT = 150;

/** A chart spec whose y axes all take Y_AXIS_EXTENT pixels: the shared left edge. */
export function withSharedLeftEdge(spec: VlSpec): VlSpec {
  const extent = { minExtent: Y_AXIS_EXTENT, maxExtent: Y_AXIS_EXTENT };
  return { ...spec, config: { axisY: extent, axisLeft: extent } };
}

/** Lane labels are cut to the shared extent. */
const LANE_AXIS = { labelLimit: Y_AXIS_EXTENT - 10 };

/**
 * Every fault on its own lane under the shared time axis: one lane per kind and targets (a fault repeated
 * on the same nodes stays on its lane, so an hour-long run stays a few dozen lanes), coloured by kind.
 */
export function faultLanesChart(endS: number): VlSpec {
  return {
    width: WIDTH,
    height: { step: 16 },
    data: { name: 'faults' },
    mark: { type: 'bar', opacity: 0.9, cornerRadius: 2 },
    encoding: {
      x: timeX(endS, 'start'),
      x2: { field: 'end' },
      y: { field: 'lane', type: 'nominal', title: 'fault', sort: { field: 'start', op: 'min' }, axis: LANE_AXIS },
      color: {
        field: 'kind',
        type: 'nominal',
        title: 'fault',
        scale: { scheme: FAULT_SCHEME },
        legend: { orient: 'top' },
      },
      tooltip: FAULT_TOOLTIP,
    },
  };
}

/** Layers drawn over the shaded fault bands (on a partition's chart, only the faults that touched it). */
export function withFaults(endS: number, layers: VlSpec[], partition?: number): VlSpec {
  return { layer: [faultLayer(endS, partition), ...layers] };
}
