// Bad input never shows a stack trace: one line naming the problem, exit code 2.
import { UsageError } from '../harness/errors.ts';
import { ConfigError } from '../sim/world/errors.ts';

export { UsageError };

export const EXIT_VALID = 0;
export const EXIT_ANOMALY = 1;
export const EXIT_USAGE = 2;
export const EXIT_UNKNOWN = 3;
/** `kafkasim replay`: the rerun's history hash differs from the recorded one. */
export const EXIT_REPLAY_DIVERGED = 4;
/** A bug of kafkasim itself (EX_SOFTWARE): the seed and the command that reruns it are printed. */
export const EXIT_HARNESS_CRASH = 70;

export function isUserError(e: unknown): e is Error {
  return e instanceof UsageError || e instanceof ConfigError || (e instanceof Error && e.name === 'HistoryFormatError');
}

/** Prints a user error as one line and exits 2; anything else is a bug and keeps its stack. */
export function exitOnError(e: unknown): never {
  if (isUserError(e)) {
    process.stderr.write(`kafkasim: ${e.message.split('\n')[0]}\n`);
    process.exit(EXIT_USAGE);
  }
  throw e;
}
