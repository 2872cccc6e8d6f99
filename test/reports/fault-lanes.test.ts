// Faults as lanes (issue 19): each fault's lane names its kind and the nodes it hit, and a partition's
// charts shade only the faults that touched its replicas (or named no broker).
import { describe, expect, it } from 'vitest';
import { runOnce, runReportData } from '../../harness/index.ts';
import { runDatasets } from '../../reports/run-datasets.ts';

describe('the faults dataset', () => {
  it('gives each fault a lane of kind and targets, and the partitions whose replicas it touched', () => {
    const run = runOnce({ seed: 42, timeSeconds: 20, partitions: 6, brokers: 5 });
    const data = runReportData(run.output, run.result, 'replay');
    const faults = runDatasets(data).faults;
    const field = (name: string) => faults.fields.indexOf(name);
    expect(faults.rows.length).toBeGreaterThan(0);
    const replicas = new Map(data.partitions.map((t) => [t.partition, new Set(t.logEndOffsets.map((l) => l.broker))]));
    for (const row of faults.rows) {
      const nodes = String(row[field('nodes')]);
      const brokers =
        nodes === ''
          ? []
          : nodes
              .split(', ')
              .filter((n) => n.startsWith('b'))
              .map((n) => Number(n.slice(1)));
      expect(row[field('lane')]).toBe(
        `${String(row[field('kind')])} ${nodes === '' ? 'cluster' : nodes.split(', ').join(' ')}`,
      );
      const partitions = String(row[field('partitions')]);
      if (brokers.length === 0) {
        expect(partitions).toBe('*');
        continue;
      }
      for (const [p, on] of replicas) {
        expect(partitions.includes(`,${p},`), `partition ${p} for ${nodes}`).toBe(brokers.some((b) => on.has(b)));
      }
    }
  });
});
