// The transactions and group generations views as the page's chart datasets (none when the run had neither).
import { sec } from './charts/common.ts';
import type { Dataset } from './page.ts';
import type { RunReportData } from './run-data.ts';

export function txnGroupDatasets(data: RunReportData): Record<string, Dataset> {
  const out: Record<string, Dataset> = {};
  // Bars at least 1/2000 of the run wide, as the timeline's.
  const minWidth = data.endMs / 2000;
  const t = data.transactions;
  if (t !== undefined) {
    out.txns = {
      fields: ['index', 'process', 'who', 'outcome', 'sent', 'polled', 'mops', 'start', 'end', 'tEnd'],
      rows: t.spans.map((s) => [
        s.index,
        s.process,
        `process ${s.process}`,
        s.outcome,
        s.sent.join(', '),
        s.polled.join(', '),
        s.mops,
        sec(s.start),
        sec(s.end),
        sec(Math.max(s.end, s.start + minWidth)),
      ]),
    };
  }
  const g = data.groups;
  if (g !== undefined) {
    out.generations = {
      fields: [
        'group',
        'generation',
        'coordinator',
        'protocol',
        'members',
        'assignment',
        'label',
        'start',
        'end',
        'tEnd',
      ],
      rows: g.generations.map((s) => [
        s.groupId,
        s.generation,
        s.coordinator,
        s.protocol,
        s.members.length,
        s.members.map((m) => `${m.memberId}: ${m.partitions.join(',') || 'none'}`).join('; '),
        // Labelled only where the bar is wide enough for it (a twentieth of the run).
        s.to - s.from >= data.endMs / 20 ? `gen ${s.generation}` : '',
        sec(s.from),
        sec(s.to),
        sec(Math.max(s.to, s.from + minWidth)),
      ]),
    };
  }
  return out;
}
