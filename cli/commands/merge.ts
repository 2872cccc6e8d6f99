// `kafkasim merge <dirs...> --out <dir>`: combines the outputs of fuzz shards (summary.json, junit.xml,
// the failing seeds' directories) into one, with the fuzz index over all of them.
// Exit codes: 0 merged (findings or not: the shards' own exit codes report those), 2 bad input.
import type { Command } from 'commander';
import { NOT_FINISHED } from '../../harness/fuzz/summary.ts';
import { mergeDirs, missingShards } from '../fuzz/merge.ts';
import { probeLines } from '../fuzz/probe-lines.ts';

export function registerMerge(program: Command): void {
  program
    .command('merge')
    .description('combine the output directories of fuzz shards into one summary, junit.xml and index')
    .argument('<dirs...>', 'fuzz output directories (each with a summary.json)')
    .option('--out <dir>', 'where the merged output goes (must not hold an earlier fuzz)', 'fuzz-merged')
    .action((dirs: string[], flags: { out: string }) => {
      const merged = mergeDirs(dirs, flags.out, (dir, summary) =>
        process.stderr.write(
          `kafkasim: warning: ${dir}: ${NOT_FINISHED}; its ${summary.runs.length} finished seeds are merged\n`,
        ),
      );
      const missing = missingShards(merged);
      if (missing.length > 0)
        process.stderr.write(
          `kafkasim: warning: no output from shard${missing.length === 1 ? '' : 's'} ${missing.join(', ')}\n`,
        );
      const t = merged.totals;
      console.log(
        `merged        ${dirs.length} director${dirs.length === 1 ? 'y' : 'ies'}, seeds ` +
          `${merged.seeds.from}..${merged.seeds.to}: ${merged.seeds.run} of ${merged.seeds.planned} run`,
      );
      console.log(
        `findings      ${t.findings} (anomaly ${t.invalid}, harness-crash ${t.crashes}, nondeterminism ` +
          `${t.nondeterministic})`,
      );
      for (const line of probeLines(merged)) console.log(line);
      console.log(`written to    ${flags.out}`);
    });
}
