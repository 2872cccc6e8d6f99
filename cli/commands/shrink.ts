// `kafkasim shrink <repro.json>`: a smaller failing case (fewer faults, a shorter run, fewer clients)
// that still shows one of the recorded anomaly kinds, written as repro.min.json.
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { intOption } from '../options.ts';
import { checkOutFile, makeOutDir } from '../../harness/out-path.ts';
import { readRepro, reproText } from '../../harness/repro.ts';
import { shrinkRepro, type ShrinkSize } from '../../harness/shrink.ts';
import { writeWhole } from '../../harness/write-whole.ts';

interface ShrinkFlags {
  out?: string;
  maxRuns: string;
  quiet?: boolean;
}

function describe(s: ShrinkSize): string {
  return (
    `${s.faults} fault${s.faults === 1 ? '' : 's'}, ${s.timeSeconds} s, ${s.clients} ` +
    `client${s.clients === 1 ? '' : 's'}`
  );
}

export function registerShrink(program: Command): void {
  program
    .command('shrink <repro>')
    .description('find a smaller failing case with the same anomaly kind; writes repro.min.json')
    .option('--out <file>', 'where to write the shrunk repro (default: repro.min.json beside the input)')
    .option('--max-runs <n>', 'give up shrinking after this many runs', '200')
    .option('--quiet', 'no progress lines')
    .action((path: string, flags: ShrinkFlags) => {
      const repro = readRepro(path);
      const maxRuns = intOption('--max-runs', flags.maxRuns, 1, 100_000);
      const out = flags.out ?? join(dirname(path), 'repro.min.json');
      // Before shrinking (up to --max-runs runs), so that the shrunk case has somewhere to go.
      checkOutFile(out);
      const outcome = shrinkRepro(repro, {
        maxRuns,
        log: flags.quiet ? undefined : (line) => process.stderr.write(`shrink: ${line}\n`),
      });
      makeOutDir(dirname(out));
      writeWhole(out, reproText(outcome.repro));
      console.log(`anomaly       ${outcome.anomalies.join(', ')}`);
      console.log(`before        ${describe(outcome.before)}`);
      console.log(`after         ${describe(outcome.after)}`);
      console.log(`runs          ${outcome.runs}`);
      console.log(`written to    ${out}`);
      console.log(`replay with   kafkasim replay ${out}`);
    });
}
