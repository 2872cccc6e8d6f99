// The `kafkasim run` options that fuzz shares (every seed runs with them): declared by cli/run-flags.ts
// and turned into RunOptions by run's own parser, so run, compare and fuzz cannot drift apart.
import type { Command } from 'commander';
import { runOptionsFrom } from '../commands/run.ts';
import { addRunFlags, type RunFlagValues } from '../run-flags.ts';
import { resolveRun } from '../runner-config.ts';
import type { WorkerSetup } from './outcome.ts';

/** The run flags without --seed, which fuzz reads as the first seed of --count instead. */
export type SharedRunFlags = Omit<RunFlagValues, 'seed'>;

export function addRunOptions(cmd: Command): Command {
  addRunFlags(cmd);
  const seed = cmd.options.find((o) => o.long === '--seed');
  if (seed !== undefined) seed.description = 'the first seed for --count (default: a fresh one, printed)';
  return cmd;
}

/** The options every seed runs with (checked now, so a bad combination fails once, not per seed). */
export function sharedRunOptions(flags: SharedRunFlags): WorkerSetup['options'] {
  const { seed: _placeholder, onFinalPhase: _none, ...options } = runOptionsFrom({ ...flags, seed: '0' });
  resolveRun(0, options);
  return options;
}
