// The timeline's rows are labelled by what each client process does ("producer 3", "consumer 5"), as the
// issue asks, and the chart draws its rows from those labels.
import { describe, expect, it } from 'vitest';
import { timelineChart } from '../../reports/charts/ops-charts.ts';
import { runDatasets } from '../../reports/run-datasets.ts';
import { hostileRunReport } from '../helpers/report-fixtures.ts';

describe('the timeline', () => {
  it('labels every row of a real run "producer N" or "consumer N", and draws its rows from the labels', () => {
    const ops = runDatasets(hostileRunReport()).ops;
    const who = ops.fields.indexOf('who');
    const process = ops.fields.indexOf('process');
    const labels = new Map(ops.rows.map((r) => [r[process], r[who]]));
    expect(labels.size).toBeGreaterThan(1);
    const named = [...labels.values()].filter((l) => /^(producer|consumer) \S+$/.test(String(l)));
    // Every process that sent or polled is named by its role (the hostile fixture adds one odd process).
    expect(named.length).toBeGreaterThanOrEqual(labels.size - 1);
    expect(named.some((l) => String(l).startsWith('producer'))).toBe(true);
    expect(named.some((l) => String(l).startsWith('consumer'))).toBe(true);
    expect(JSON.stringify(timelineChart(60, labels.size))).toContain('"field":"who"');
  });
});
