// One fuzzed seed, in a worker: run it (twice if it is in the determinism sample), judge it, and write a
// finding's outputs to its own directory at once, so an interrupted fuzz keeps every finished finding.
import { mkdirSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { accountOfRun } from '../report-data.ts';
import { runOnce, writeRunOutputs, type JudgedRun } from '../run.ts';
import { writeWhole } from '../write-whole.ts';
import { seedDir, type FindingKind, type SeedOutcome, type SeedTask, type WorkerSetup } from './outcome.ts';
import { selfTestFault } from '../self-test.ts';

/** The shell command that reruns a seed's repro, from inside the fuzz's output directory. */
export function replayCommand(seed: number): string {
  return `npx kafkasim replay ${seedDir(seed)}/repro.json`;
}

/** The shell command that reruns a seed from scratch with the fuzz's options (for crashes: no repro). */
export function runCommand(seed: number, runFlags: string[]): string {
  return ['npx kafkasim run --seed', String(seed), ...runFlags.map(shellWord)].join(' ');
}

function shellWord(w: string): string {
  return /^[A-Za-z0-9_./:=,@%+-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`;
}

function firstLine(e: unknown): string {
  const text = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return text.split('\n')[0];
}

/** Writes what we know of a seed whose run threw or whose worker died: the error and how to rerun it. */
export function writeCrash(setup: WorkerSetup, seed: number, error: string): string {
  const dir = seedDir(seed);
  const abs = join(setup.outDir, dir);
  mkdirSync(abs, { recursive: true });
  writeWhole(join(abs, 'crash.txt'), `${error}\n\nrerun: ${runCommand(seed, setup.runFlags)}\n`);
  return dir;
}

export function runSeed(setup: WorkerSetup, task: SeedTask): SeedOutcome {
  const started = performance.now();
  let first: JudgedRun;
  let second: JudgedRun | undefined;
  try {
    const fault = selfTestFault(task.seed);
    if (fault === 'exit') process.exit(70);
    if (fault === 'hang') {
      // Said before spinning, so that a test can act while the worker is surely stuck in this seed.
      writeSync(2, `self-test: seed ${task.seed} hangs in worker ${process.pid}\n`);
      for (;;);
    }
    first = runOnce({ ...setup.options, seed: task.seed });
    if (task.twice) second = runOnce({ ...setup.options, seed: task.seed });
  } catch (e) {
    const stack = e instanceof Error && e.stack !== undefined ? e.stack : String(e);
    const dir = writeCrash(setup, task.seed, stack);
    return {
      seed: task.seed,
      valid: null,
      anomalies: {},
      historyHash: null,
      wallMs: Math.round(performance.now() - started),
      events: 0,
      findings: ['harness-crash'],
      error: firstLine(e),
      dir,
    };
  }
  const { result } = first;
  const findings: FindingKind[] = [];
  if (result.valid === false) findings.push('anomaly');
  if (second !== undefined && second.result.historyHash !== result.historyHash) findings.push('nondeterminism');
  const outcome: SeedOutcome = {
    seed: task.seed,
    valid: result.valid,
    anomalies: result.anomalies,
    historyHash: result.historyHash,
    wallMs: Math.round(performance.now() - started),
    events: result.stats.events,
    findings,
    probes: first.output.probes,
  };
  if (Object.keys(result.allowed.anomalies).length > 0) outcome.allowed = result.allowed;
  if (second !== undefined) outcome.rerunHash = second.result.historyHash;
  if (result.valid === false) outcome.cause = accountOfRun(first.output, result).headline;
  if (findings.length > 0) {
    outcome.dir = seedDir(task.seed);
    const abs = join(setup.outDir, outcome.dir);
    writeRunOutputs(abs, first, { replayCommand: replayCommand(task.seed) });
    // Both runs of a nondeterministic seed, so their histories can be diffed.
    if (second !== undefined && findings.includes('nondeterminism')) writeRunOutputs(join(abs, 'rerun'), second);
  }
  return outcome;
}
