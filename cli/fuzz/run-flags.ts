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

/** The same options as `kafkasim run` flags, every one explicit, for rerun commands. */
export function runFlagsOf(flags: SharedRunFlags): string[] {
  const out = ['--brokers', flags.brokers, '--partitions', flags.partitions, '--rf', flags.rf, '--min-isr', flags.minIsr, '--acks', flags.acks];
  if (flags.unclean === true) out.push('--unclean');
  out.push('--nemesis', flags.nemesis);
  if (flags.schedule !== undefined) out.push('--schedule', flags.schedule);
  out.push('--time', flags.time, '--protocol', flags.protocol, '--metadata', flags.metadata);
  return out;
}
