// Kafka's own health metrics over time, under the names operators graph them, one panel each, with the
// faults shaded behind: UnderReplicatedPartitions, OfflinePartitionsCount, IsrShrinksPerSec and
// IsrExpandsPerSec, MaxLag, ActiveControllerCount.
import type { VlSpec } from '../page.ts';
import { timeX, WIDTH, withFaults } from './common.ts';

interface Panel {
  title: string;
  metrics: string[];
  height: number;
  /** Rates are drawn per bucket; the others are step functions. */
  rate?: boolean;
}

export const HEALTH_PANELS: Panel[] = [
  { title: 'UnderReplicatedPartitions', metrics: ['UnderReplicatedPartitions'], height: 80 },
  { title: 'offline partitions', metrics: ['OfflinePartitionsCount', 'partitions without a live leader'], height: 80 },
  { title: 'ISR changes per second', metrics: ['IsrShrinksPerSec', 'IsrExpandsPerSec'], height: 80, rate: true },
  { title: 'MaxLag (records)', metrics: ['MaxLag'], height: 80 },
  { title: 'ActiveControllerCount', metrics: ['ActiveControllerCount'], height: 60 },
];

const METRIC_COLOURS: Record<string, string> = {
  UnderReplicatedPartitions: '#e67e22',
  OfflinePartitionsCount: '#c0392b',
  'partitions without a live leader': '#f1948a',
  IsrShrinksPerSec: '#8e44ad',
  IsrExpandsPerSec: '#27ae60',
  MaxLag: '#2980b9',
  ActiveControllerCount: '#2c3e50',
};

export function healthChart(endS: number): VlSpec {
  return {
    vconcat: HEALTH_PANELS.map((panel, i) => ({
      width: WIDTH,
      height: panel.height,
      ...withFaults(endS, [
        {
          data: { name: 'health' },
          transform: [{ filter: { field: 'metric', oneOf: panel.metrics } }],
          mark:
            panel.rate === true
              ? { type: 'line', interpolate: 'step-after', point: { size: 10 } }
              : { type: 'line', interpolate: 'step-after' },
          encoding: {
            x: timeX(endS, 'time', i === HEALTH_PANELS.length - 1 ? 'time (s)' : null),
            y: {
              field: 'value',
              type: 'quantitative',
              title: panel.title,
              axis: panel.rate === true ? {} : { tickMinStep: 1, format: 'd' },
            },
            color: {
              field: 'metric',
              type: 'nominal',
              title: 'metric',
              scale: { domain: panel.metrics, range: panel.metrics.map((m) => METRIC_COLOURS[m]) },
              legend: panel.metrics.length > 1 ? { orient: 'right' } : null,
            },
            strokeDash: {
              condition: { test: "datum.metric === 'partitions without a live leader'", value: [4, 3] },
              value: [1, 0],
            },
            tooltip: [{ field: 'metric' }, { field: 'time', title: 'from (s)' }, { field: 'value' }],
          },
        },
      ]),
    })),
    resolve: { scale: { color: 'independent' } },
  };
}
