// The flags that describe one test run, made from the options schema (harness/options.ts), so that every
// command that runs tests (run, compare, fuzz) takes them with the same names, defaults and help, and a
// new option needs no change here. Commands add their own output options (--out, --json) themselves.
import { Option, type Command } from 'commander';
import { optionsFromFlags, RUN_FLAGS, SEED_FLAG, type RunFlag, type RunOptions } from '../harness/index.ts';
import { parseSeed } from '../sim/world/seed.ts';
import { freshSeed } from './fresh-seed.ts';

/** What commander hands an action for the run flags: an attribute per flag given (seed included). */
export type RunFlagValues = { seed?: string; schedule?: string } & Record<string, unknown>;

export function addRunFlags(
  command: Command,
  seedHelp: string = SEED_FLAG.help,
  hidden: readonly RunFlag['key'][] = [],
): Command {
  command.option(SEED_FLAG.syntax, seedHelp);
  // No commander defaults: a flag not given stays undefined and the schema's default applies, so that
  // repro files and replay commands carry only what was chosen.
  for (const f of RUN_FLAGS) {
    const help = f.defaultText === undefined ? f.help : `${f.help} (default: ${f.defaultText})`;
    // A hidden flag (one the command sets itself, as compare sets --unclean) is still parsed, so that the
    // command can refuse it with its own line, but its help does not offer it.
    const hide = hidden.includes(f.key);
    command.addOption(hide ? new Option(f.syntax, help).hideHelp() : new Option(f.syntax, help));
    if (f.negation !== undefined) {
      const negation = new Option(f.negation.syntax, f.negation.help);
      command.addOption(hide ? negation.hideHelp() : negation);
    }
  }
  return command;
}

/** The run options the flags give, with a fresh seed when none was given. */
export function runOptionsFrom(flags: RunFlagValues): RunOptions {
  const seed = flags.seed === undefined ? freshSeed() : parseSeed(flags.seed);
  return { seed, ...optionsFromFlags(flags) };
}
