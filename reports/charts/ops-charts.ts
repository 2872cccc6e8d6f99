// Jepsen's three views of the ops: latency of every op over time (log scale), throughput over time, and
// the timeline of ops per process. Ops named by an anomaly are ringed in red; faults are shaded behind.
import type { VlSpec } from '../page.ts';
import { OUTCOME_SCALE, timeX, WIDTH, withFaults } from './common.ts';

const OP_TOOLTIP = [
  { field: 'index', title: 'op' },
  { field: 'process' },
  { field: 'f' },
  { field: 'type' },
  { field: 'start', title: 'invoked (s)' },
  { field: 'latency', title: 'latency (ms)' },
  { field: 'error' },
  { field: 'value' },
];

export function latencyChart(endS: number): VlSpec {
  const x = timeX(endS, 'start');
  const y = { field: 'latency', type: 'quantitative', title: 'latency (ms, log scale)', scale: { type: 'log' } };
  return {
    width: WIDTH,
    height: 320,
    ...withFaults(endS, [
      {
        data: { name: 'ops' },
        transform: [{ filter: 'datum.completion >= 0' }],
        mark: { type: 'point', filled: true, size: 16, opacity: 0.85 },
        encoding: {
          x,
          y,
          color: { field: 'type', type: 'nominal', title: 'outcome', scale: OUTCOME_SCALE },
          shape: { field: 'f', type: 'nominal', title: 'op' },
          tooltip: OP_TOOLTIP,
        },
      },
      {
        // Every completed op gets a ring, visible only on anomalous ones: a layer filtered down to nothing
        // (a valid run) leaves the log scale an empty extent, which Vega warns about in the console.
        data: { name: 'ops' },
        transform: [{ filter: 'datum.completion >= 0' }],
        mark: { type: 'point', filled: false, size: 110, stroke: '#c0392b', strokeWidth: 1.6 },
        encoding: {
          x,
          y,
          strokeOpacity: { condition: { test: 'datum.anomalous', value: 1 }, value: 0 },
          tooltip: OP_TOOLTIP,
        },
      },
    ]),
  };
}

/** Jepsen's rate.png: completions per second, one line per operation and outcome. */
export function throughputChart(endS: number): VlSpec {
  return {
    width: WIDTH,
    height: 200,
    ...withFaults(endS, [
      {
        data: { name: 'throughput' },
        mark: { type: 'line', interpolate: 'step-after', point: { size: 12 } },
        encoding: {
          x: timeX(endS),
          y: { field: 'rate', type: 'quantitative', title: 'completions per second' },
          color: { field: 'type', type: 'nominal', title: 'outcome', scale: OUTCOME_SCALE },
          strokeDash: { field: 'f', type: 'nominal', title: 'op' },
          detail: { field: 'f' },
          tooltip: [
            { field: 'time', title: 'from (s)' },
            { field: 'f', title: 'op' },
            { field: 'type' },
            { field: 'rate', title: 'per second' },
          ],
        },
      },
    ]),
  };
}

/** Jepsen's latency-quantiles.png: p50, p95, p99 and max latency per time bucket, per operation. */
export function quantilesChart(endS: number): VlSpec {
  return {
    width: WIDTH,
    height: 220,
    ...withFaults(endS, [
      {
        data: { name: 'quantiles' },
        mark: { type: 'line', interpolate: 'step-after', point: { size: 10 } },
        encoding: {
          x: timeX(endS),
          y: { field: 'latency', type: 'quantitative', title: 'latency (ms, log scale)', scale: { type: 'log' } },
          color: {
            field: 'quantile',
            type: 'nominal',
            scale: { domain: ['p50', 'p95', 'p99', 'max'], range: ['#1f77b4', '#ff7f0e', '#d62728', '#7f7f7f'] },
          },
          strokeDash: { field: 'f', type: 'nominal', title: 'op' },
          detail: { field: 'f' },
          tooltip: [
            { field: 'time', title: 'from (s)' },
            { field: 'f', title: 'op' },
            { field: 'quantile' },
            { field: 'latency', title: 'latency (ms)' },
          ],
        },
      },
    ]),
  };
}

export function timelineChart(endS: number, processes: number): VlSpec {
  const x = timeX(endS, 'start');
  // Rows named by what each client does ("producer 3"), in process order.
  const y = { field: 'who', type: 'nominal', title: 'process', sort: { field: 'process', op: 'min' } };
  return {
    width: WIDTH,
    height: Math.max(120, processes * 14),
    ...withFaults(endS, [
      {
        data: { name: 'ops' },
        mark: { type: 'bar', height: { band: 0.8 } },
        encoding: {
          x,
          x2: { field: 'tEnd' },
          y,
          color: { field: 'type', type: 'nominal', title: 'outcome', scale: OUTCOME_SCALE },
          tooltip: OP_TOOLTIP,
        },
      },
      {
        data: { name: 'ops' },
        transform: [{ filter: 'datum.anomalous' }],
        mark: { type: 'bar', height: { band: 0.8 }, fillOpacity: 0, stroke: '#c0392b', strokeWidth: 1.5 },
        encoding: { x, x2: { field: 'tEnd' }, y, tooltip: OP_TOOLTIP },
      },
    ]),
  };
}
