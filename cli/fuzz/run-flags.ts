// The `kafkasim run` options that fuzz shares (every seed runs with them): the same flags as run, from the
// options schema, so that run, compare and fuzz cannot drift apart.
import type { Command } from 'commander';
import { optionsFromFlags, testOf } from '../../harness/index.ts';
import type { WorkerSetup } from '../../harness/fuzz/outcome.ts';
import { addRunFlags } from '../run-flags.ts';

/** The run flags without --seed, which fuzz reads as the first seed of --count instead. */
export type SharedRunFlags = { schedule?: string } & Record<string, unknown>;

export function addRunOptions(cmd: Command): Command {
  return addRunFlags(cmd, 'the first seed for --count (default: a fresh one, printed)');
}

/** The options every seed runs with (checked now, so a bad combination fails once, not per seed). */
export function sharedRunOptions(flags: SharedRunFlags): WorkerSetup['options'] {
  const options = optionsFromFlags(flags);
  testOf({ seed: 0, ...options });
  return options;
}
