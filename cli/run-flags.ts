// The flags that describe one test run, made from the options schema (harness/options.ts), so that every
// command that runs tests (run, compare, fuzz) takes them with the same names, defaults and help, and a
// new option needs no change here. Commands add their own output options (--out, --json) themselves.
import type { Command } from 'commander';
import { optionsFromFlags, RUN_FLAGS, SEED_FLAG, type RunOptions } from '../harness/index.ts';
import { parseSeed } from '../sim/world/seed.ts';
import { freshSeed } from './fresh-seed.ts';

/** What commander hands an action for the run flags: an attribute per flag given (seed included). */
export type RunFlagValues = { seed?: string; schedule?: string } & Record<string, unknown>;

export function addRunFlags(command: Command, seedHelp: string = SEED_FLAG.help): Command {
  command.option(SEED_FLAG.syntax, seedHelp);
  // No commander defaults: a flag not given stays undefined and the schema's default applies, so that
  // repro files and replay commands carry only what was chosen.
  for (const f of RUN_FLAGS) {
    command.option(f.syntax, f.defaultText === undefined ? f.help : `${f.help} (default: ${f.defaultText})`);
    if (f.negation !== undefined) command.option(f.negation.syntax, f.negation.help);
  }
  return command;
}

/** The run options the flags give, with a fresh seed when none was given. */
export function runOptionsFrom(flags: RunFlagValues): RunOptions {
  const seed = flags.seed === undefined ? freshSeed() : parseSeed(flags.seed);
  return { seed, ...optionsFromFlags(flags) };
}
