// `kafkasim replay <repro.json>`: reruns a recorded run exactly and says whether its history hash is the
// one recorded. A different hash means the run is not the one recorded: nondeterminism, or a different
// kafkasim.
import type { Command } from 'commander';
import { checkOutDir } from '../../harness/out-path.ts';
import { readRepro, reproRunOptions } from '../../harness/repro.ts';
import { runOnce, writeRunOutputs } from '../../harness/run.ts';
import { EXIT_REPLAY_DIVERGED } from '../usage-error.ts';
import { exitCodeOf, printSummary } from './run.ts';

interface ReplayFlags {
  out?: string;
  json?: boolean;
}

export function registerReplay(program: Command): void {
  program
    .command('replay <repro>')
    .description('rerun a repro.json exactly and check that the history hash matches the recorded one')
    .option('--out <dir>', "write the rerun's history, result and repro there")
    .option('--json', 'print result.json (with "replay": {expected, actual, matches}) on stdout')
    .action((path: string, flags: ReplayFlags) => {
      const repro = readRepro(path);
      if (flags.out !== undefined) checkOutDir(flags.out);
      const run = runOnce(reproRunOptions(repro));
      const matches = run.output.historyHash === repro.expectedHistoryHash;
      if (flags.out !== undefined) writeRunOutputs(flags.out, run);
      if (flags.json) {
        const replay = { expected: repro.expectedHistoryHash, actual: run.output.historyHash, matches };
        process.stdout.write(JSON.stringify({ ...run.result, replay }, null, 2) + '\n');
      } else {
        printSummary(run, flags.out);
        console.log(
          matches
            ? `replay        the history hash matches the recorded one (${repro.expectedHistoryHash})`
            : `replay        DIVERGED: recorded ${repro.expectedHistoryHash}, got ${run.output.historyHash}`,
        );
      }
      process.exitCode = matches ? exitCodeOf(run.result.valid) : EXIT_REPLAY_DIVERGED;
    });
}
