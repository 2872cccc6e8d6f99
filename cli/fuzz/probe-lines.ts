// The coverage probes a fuzz (or a merge of shards) prints last: how many of the declared probes its seeds
// reached, and the names of those no seed reached, wrapped to fit a terminal; the other metadata mode's probes,
// which its seeds could not reach, are counted apart.
import { metadataModeOf, unreachedByMode, type ProbeTotals } from '../../harness/index.ts';
import type { FuzzSummary } from '../../harness/fuzz/summary.ts';

const WIDTH = 100;
const INDENT = ' '.repeat(14);

export function probeLines(summary: Pick<FuzzSummary, 'options' | 'probes'>): string[] {
  const probes: ProbeTotals | undefined = summary.probes;
  if (probes === undefined) return ['probes        not counted (an input has no probe totals)'];
  const mode = metadataModeOf(summary.options);
  const { missed, otherMode } = unreachedByMode(probes, mode);
  const declared = Object.keys(probes).length;
  const reached = declared - missed.length - otherMode.length;
  const other = mode === 'zk' ? 'KRaft' : 'ZooKeeper';
  const lines = [
    `probes        ${reached} of ${declared} coverage probes reached by some seed` +
      (otherMode.length === 0 ? '' : ` (${otherMode.length} are ${other} mode's, not run here)`),
  ];
  if (missed.length === 0) return lines;
  lines.push(`never reached ${missed.length}:`);
  let line = INDENT;
  for (const name of missed) {
    if (line.length > INDENT.length && line.length + name.length + 1 > WIDTH) {
      lines.push(line.trimEnd());
      line = INDENT;
    }
    line += `${name} `;
  }
  lines.push(line.trimEnd());
  return lines;
}
