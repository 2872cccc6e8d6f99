// `kafkasim run`: one simulated test — a cluster, a workload, faults, the checkers — with a summary,
// and with --out the history (JSON lines and EDN), result.json and repro.json.
import type { Command } from 'commander';
import { addRunFlags, type RunFlagValues } from '../run-flags.ts';
import { parseNemesisOption } from '../../nemesis/index.ts';
import { loadSchedule } from '../../nemesis/index.ts';
import { parseProtocol } from '../../sim/kafka/protocol.ts';
import { parseSeed } from '../../sim/world/seed.ts';
import { freshSeed } from '../fresh-seed.ts';
import type { RunResult } from '../judge.ts';
import { intOption } from '../options.ts';
import { KAFKASIM_VERSION } from '../repro.ts';
import { runOnce, writeRunOutputs } from '../run-once.ts';
import type { RunOptions } from '../runner.ts';
import { EXIT_ANOMALY, EXIT_UNKNOWN, EXIT_VALID, UsageError } from '../usage-error.ts';
import { readFileSync } from 'node:fs';

export const VERSION = KAFKASIM_VERSION;

type RunFlags = RunFlagValues & {
  /** A directory, or false with --no-out. */
  out: string | false;
  json?: boolean;
};

export function runOptionsFrom(flags: RunFlagValues): RunOptions {
  const seed = flags.seed === undefined ? freshSeed() : parseSeed(flags.seed);
  if (!['0', '1', 'all'].includes(flags.acks)) throw new UsageError(`--acks must be 0, 1 or all, got "${flags.acks}"`);
  if (flags.metadata !== 'zk' && flags.metadata !== 'kraft') throw new UsageError(`--metadata must be zk or kraft, got "${flags.metadata}"`);
  parseProtocol(flags.protocol);
  const options: RunOptions = {
    seed,
    brokers: intOption('--brokers', flags.brokers, 1, 64),
    partitions: intOption('--partitions', flags.partitions, 1, 1024),
    replicationFactor: intOption('--rf', flags.rf, 1, 64),
    minIsr: intOption('--min-isr', flags.minIsr, 1, 64),
    acks: flags.acks === 'all' ? 'all' : (Number(flags.acks) as 0 | 1),
    unclean: flags.unclean === true,
    protocol: flags.protocol,
    timeSeconds: intOption('--time', flags.time, 1, 86_400),
    nemesis: parseNemesisOption(flags.nemesis),
  };
  // Only set in KRaft mode, so ZooKeeper-mode repro files stay as they were.
  if (flags.metadata === 'kraft') options.metadata = 'kraft';
  if (flags.schedule !== undefined) {
    let text: string;
    try {
      text = readFileSync(flags.schedule, 'utf8');
    } catch {
      throw new UsageError(`--schedule: cannot read ${flags.schedule}`);
    }
    options.schedule = loadSchedule(text);
  }
  return options;
}

export function exitCodeOf(valid: RunResult['valid']): number {
  return valid === true ? EXIT_VALID : valid === false ? EXIT_ANOMALY : EXIT_UNKNOWN;
}

export function registerRun(program: Command): void {
  addRunFlags(program.command('run'))
    .description('run one simulated test: a Kafka cluster, the queue workload, faults, and every checker')
    .option('--out <dir>', 'where to write history.jsonl, history.edn, result.json, repro.json and the report (index.html)', 'kafkasim-out/seed-<seed>')
    .option('--no-out', 'write no files')
    .option('--json', 'print result.json on stdout')
    .action((flags: RunFlags) => {
      const options = runOptionsFrom(flags);
      const run = runOnce(options);
      const result = run.result;
      const out = flags.out === false ? undefined : flags.out.replace('<seed>', String(options.seed));
      if (out !== undefined) writeRunOutputs(out, run);
      if (flags.json) {
        process.stdout.write(JSON.stringify(result, null, 2) + '\n');
      } else {
        printSummary(result, out);
      }
      process.exitCode = exitCodeOf(result.valid);
    });
}

/** The short terminal summary of a run. */
export function printSummary(result: RunResult, out?: string): void {
  const anomalies = Object.entries(result.anomalies).map(([k, v]) => `${k}=${v}`).join(', ') || 'none';
  console.log(`seed          ${result.seed}`);
  if (result.swarm) console.log(`swarm         ${result.swarm}`);
  console.log(`verdict       ${result.valid === true ? 'valid' : result.valid === false ? 'INVALID' : 'unknown'}`);
  console.log(`anomalies     ${anomalies}`);
  console.log(`acked writes  ${result.stats.acked} (lost: ${result.stats.lost})`);
  console.log(`ops           ${result.stats.ops}, events ${result.stats.events}`);
  console.log(`time          ${result.stats.simSeconds.toFixed(1)} simulated s in ${result.stats.wallMs} ms of wall time`);
  console.log(`history hash  ${result.historyHash}`);
  if (out !== undefined) console.log(`report        ${out}/index.html (history, result.json and repro.json beside it)`);
}
