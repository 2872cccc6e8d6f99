// Which flags the command line named, as commander hears them: its parsed values cannot tell
// `--out x --no-out` (the last one wins) from `--no-out` alone, and a flag contradicting another one the
// same line gives is the user's mistake to hear about, not one to settle silently.
import type { Command } from 'commander';

/** A set that fills, as `command` parses, with the names given among `names` ('out', 'no-out'). */
export function givenFlags(command: Command, names: string[]): ReadonlySet<string> {
  const given = new Set<string>();
  for (const name of names) command.on(`option:${name}`, () => given.add(name));
  return given;
}
