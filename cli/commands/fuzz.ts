// `kafkasim fuzz`: many seeds on worker processes, a progress bar, and in --out: summary.json, junit.xml,
// index.html and, for every seed with a finding, its own directory (repro.json, history, report).
// Exit codes: 0 no findings, 1 findings, 2 bad usage, 130 interrupted (what finished is on disk).
import type { Command } from 'commander';
import { FuzzRun, prepareOutDir } from '../../harness/fuzz/fuzz-run.ts';
import { DEFAULT_COUNT, fuzzConfigFrom, type FuzzFlags } from '../fuzz/fuzz-flags.ts';
import type { SeedOutcome } from '../../harness/fuzz/outcome.ts';
import { probeLines } from '../fuzz/probe-lines.ts';
import { Progress } from '../fuzz/progress.ts';
import { addRunOptions } from '../fuzz/run-flags.ts';
import type { FuzzSummary } from '../../harness/fuzz/summary.ts';
import { EXIT_ANOMALY, EXIT_VALID } from '../usage-error.ts';

/** The shell's convention for a process ended by SIGINT. */
export const EXIT_INTERRUPTED = 130;

/**
 * What the fuzz takes as an interrupt: Ctrl-C, a termination (a CI job cancelled), its terminal gone. Its
 * workers ignore the same signals (harness/fuzz/worker.ts), since they reach the whole process group.
 */
const INTERRUPT_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** How long a second interrupt waits for the killed workers to be gone before it leaves anyway. */
const STOP_NOW_GRACE_MS = 5000;

function findingLine(o: SeedOutcome, outDir: string): string {
  const what = o.findings.map((f) => {
    if (f === 'anomaly')
      return `anomaly ${Object.entries(o.anomalies)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')}`;
    if (f === 'harness-crash') return `harness crash (${o.error ?? '?'})`;
    return `nondeterminism (history hash ${o.historyHash ?? '?'}, then ${o.rerunHash ?? '?'})`;
  });
  return `finding: seed ${o.seed}: ${what.join('; ')} -> ${outDir}/${o.dir ?? ''}`;
}

function printSummary(s: FuzzSummary, outDir: string): void {
  const t = s.totals;
  const shard = s.shards[0] ? ` (shard ${s.shards[0].index}/${s.shards[0].count})` : '';
  const kinds = `anomaly ${t.invalid}, harness-crash ${t.crashes}, nondeterminism ${t.nondeterministic}`;
  const anomalies =
    Object.entries(t.byAnomaly)
      .map(([k, v]) => `${k} in ${v}`)
      .join(', ') || 'none';
  console.log(
    `seeds         ${s.seeds.from}..${s.seeds.to}${shard}: ${s.seeds.run} of ${s.seeds.planned} run, ${t.rerun} twice`,
  );
  console.log(`verdicts      ${t.valid} valid, ${t.invalid} invalid, ${t.unknown} unknown`);
  console.log(`findings      ${t.findings} (${kinds})`);
  console.log(`anomalies     ${anomalies}`);
  const lost = Object.values(t.lostByCause ?? {}).reduce((a, b) => a + b, 0);
  const causes = Object.entries(t.lostByCause ?? {})
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const allowedKinds = Object.entries(t.allowedByAnomaly ?? {})
    .map(([k, v]) => `${k} in ${v}`)
    .join(', ');
  console.log(
    `allowed       ${t.allowedSeeds ?? 0} seeds with losses or anomalies the configuration allows (not findings)` +
      (lost > 0 ? `: ${lost} acknowledged writes lost (${causes})` : '') +
      (allowedKinds === '' ? '' : `; ${allowedKinds}`),
  );
  console.log(
    `throughput    ${s.seedsPerSecond.toFixed(1)} seeds/s on ${s.jobs} jobs, ${s.wallSeconds.toFixed(1)} s of wall ` +
      `time`,
  );
  for (const line of probeLines(s)) console.log(line);
  if (s.stoppedBy !== 'done') console.log(`stopped by    ${s.stoppedBy}`);
  console.log(`written to    ${outDir}`);
}

export function registerFuzz(program: Command): void {
  const cmd = program
    .command('fuzz')
    .description("run many seeds on worker processes; write summary.json, junit.xml and every finding's repro")
    .option('--count <n>', `how many seeds, from --seed on (default ${DEFAULT_COUNT})`)
    .option('--seeds <a..b>', 'an inclusive range of seeds, instead of --count')
    .option('--jobs <n>', 'worker processes (default: the number of cores, or of CPUs a cgroup quota allows if fewer)')
    .option(
      '--shard <i/n>',
      'run shard i of n (0-based, as a Kubernetes completion index): seeds at positions i, i+n, ... of the range',
    )
    .option('--time-budget <seconds>', 'stop handing out seeds after this many wall seconds; seeds handed out finish')
    .option(
      '--seed-timeout <seconds>',
      'wall seconds a seed may run before it counts as a hang (default: --time, at least 60)',
    )
    .option('--out <dir>', 'output directory (must not hold an earlier fuzz)', 'fuzz-out')
    .option('--quiet', 'print findings and the final summary, no progress');
  addRunOptions(cmd).action(async (flags: FuzzFlags) => {
    const { config, fresh } = fuzzConfigFrom(flags);
    prepareOutDir(config.outDir);
    const run = new FuzzRun(config);
    const progress = new Progress(process.stderr, run.total, {
      tty: process.stderr.isTTY === true,
      quiet: flags.quiet === true,
    });
    if (fresh)
      progress.note(
        `fuzz: seeds ${config.range.from}..${config.range.to} (a fresh base; rerun them with --seed ` +
          `${config.range.from})`,
      );

    // The first signal stops handing out seeds and lets those in flight finish; a second one kills the
    // workers and leaves with what has finished as soon as they are gone; later ones change nothing.
    // The handlers stay until the process exits: without one a signal kills the fuzz outright, and a
    // second Ctrl-C in the moment between its summary and its exit would end it by signal, not with 130.
    let signals = 0;
    let over = false;
    const onSignal = (): void => {
      if (over) return;
      signals++;
      if (signals === 1) {
        run.interrupt();
        progress.note('fuzz: interrupted; finishing the seeds in flight (interrupt again to stop now)');
      } else if (signals === 2) {
        run.stopNow();
        // SIGKILL is not refused, but a process stuck in the kernel can take its time dying: leave anyway.
        setTimeout(() => {
          run.writeLastWord();
          process.exit(EXIT_INTERRUPTED);
        }, STOP_NOW_GRACE_MS).unref();
      }
    };
    for (const signal of INTERRUPT_SIGNALS) process.on(signal, onSignal);

    const summary = await run.run((outcome, done, findings) => {
      progress.update(done, findings);
      if (outcome.findings.length > 0) progress.note(findingLine(outcome, config.outDir));
    });
    over = true;
    progress.finish();
    printSummary(summary, config.outDir);
    process.exitCode = summary.interrupted ? EXIT_INTERRUPTED : summary.totals.findings > 0 ? EXIT_ANOMALY : EXIT_VALID;
  });
}
