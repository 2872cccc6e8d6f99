// The fuzz index a fuzz leaves behind (index.html beside summary.json); each finding's run report is
// written with its outputs (harness/run.ts). The renderers live in reports/.
import { join } from 'node:path';
import { renderFuzzIndex, type FuzzRun } from '../../reports/fuzz-index.ts';
import type { ProbeView } from '../../reports/probes.ts';
import { isOtherMode, metadataModeOf, probeDescription, type ProbeTotals } from '../probes.ts';
import { writeWhole } from '../write-whole.ts';
import type { SeedOutcome } from './outcome.ts';
import { NOT_FINISHED, type FuzzSummary, type StopReason } from './summary.ts';

function indexRun(r: SeedOutcome): FuzzRun {
  const run: FuzzRun = {
    seed: r.seed,
    valid: r.valid ?? 'unknown',
    anomalies: r.anomalies,
    wallMs: r.wallMs,
    events: r.events,
    findings: r.findings,
  };
  if (r.dir !== undefined) {
    // A crash has no run to report on: its link goes to the stack and the command that reruns it.
    const crashed = r.findings.includes('harness-crash');
    run.reportHref = `${r.dir}/${crashed ? 'crash.txt' : 'index.html'}`;
    if (!crashed) run.reproHref = `${r.dir}/repro.json`;
  }
  if (r.error !== undefined) run.error = r.error;
  if (r.cause !== undefined) run.cause = r.cause;
  if (r.allowed !== undefined) run.allowed = r.allowed;
  return run;
}

/** The fuzz's probe totals as the index shows them, with what each probe means. */
function probeViews(totals: ProbeTotals, mode: 'zk' | 'kraft'): ProbeView[] {
  return Object.entries(totals).map(([name, t]) => ({
    name,
    description: probeDescription(name),
    hits: t.hits,
    seeds: t.seeds,
    otherMode: isOtherMode(name, mode),
  }));
}

function title(s: FuzzSummary): string {
  const shards = s.shards.filter((x) => x !== null);
  const which =
    shards.length === 1
      ? `, shard ${shards[0].index}/${shards[0].count}`
      : shards.length > 1
        ? `, ${shards.length} shards`
        : '';
  return `kafkasim fuzz: seeds ${s.seeds.from}..${s.seeds.to}${which}`;
}

function stoppedText(stoppedBy: StopReason): string {
  if (stoppedBy === 'done') return '';
  return stoppedBy === 'running' ? ` (${NOT_FINISHED})` : ` (stopped by ${stoppedBy})`;
}

/** Writes `<outDir>/index.html`, the fuzz index built from the summary. */
export function writeFuzzIndex(outDir: string, summary: FuzzSummary): void {
  const generatedBy =
    `kafkasim ${summary.kafkasim} · ${summary.runFlags.join(' ')} · started ${summary.startedAt} ` +
    `· ${summary.seeds.run} of ${summary.seeds.planned} seeds ` +
    `run${stoppedText(summary.stoppedBy)}`;
  writeWhole(
    join(outDir, 'index.html'),
    renderFuzzIndex({
      title: title(summary),
      generatedBy,
      runs: summary.runs.map(indexRun),
      elapsedSeconds: summary.wallSeconds,
      finished: summary.stoppedBy !== 'running',
      ...(summary.probes === undefined ? {} : { probes: probeViews(summary.probes, metadataModeOf(summary.options)) }),
    }),
  );
}
