// kafkasim's command line.
import { Command, CommanderError } from 'commander';
import { registerCheck } from './commands/check.ts';
import { registerCompare } from './commands/compare.ts';
import { registerDemo } from './commands/demo.ts';
import { registerFuzz } from './commands/fuzz.ts';
import { registerMerge } from './commands/merge.ts';
import { registerReplay } from './commands/replay.ts';
import { registerReport } from './commands/report.ts';
import { registerRun } from './commands/run.ts';
import { registerShrink } from './commands/shrink.ts';
import { EXIT_USAGE, exitOnError } from './usage-error.ts';

// `kafkasim run | head` closes our stdout early: that is the reader's choice, not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

const program = new Command();
program
  .name('kafkasim')
  .description('Deterministic simulation testing of Kafka replication under faults')
  .exitOverride()
  .configureOutput({
    // Commander's own errors (unknown option, missing argument) as one line, its suggestion included.
    writeErr: (text) =>
      process.stderr.write(
        text.startsWith('error:')
          ? `kafkasim: ${text.replace(/\n\(Did you mean (.+)\)\n?$/, ' (did you mean $1)\n')}`
          : text,
      ),
  });

registerRun(program);
registerCompare(program);
registerFuzz(program);
registerMerge(program);
registerReplay(program);
registerShrink(program);
registerCheck(program);
registerReport(program);
registerDemo(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    process.exit(e.exitCode === 0 ? 0 : EXIT_USAGE);
  }
  exitOnError(e);
}
