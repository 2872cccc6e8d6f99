// The `kafkasim run` options that fuzz shares (every seed runs with them), declared with run's names and
// defaults, and turned into RunOptions by run's own parser so the two commands cannot drift apart.
import type { Command } from 'commander';
import { runOptionsFrom } from '../commands/run.ts';
import { resolveRun } from '../runner-config.ts';
import type { WorkerSetup } from './outcome.ts';

export interface SharedRunFlags {
  brokers: string;
  partitions: string;
  rf: string;
  minIsr: string;
  acks: string;
  unclean?: boolean;
  nemesis: string;
  schedule?: string;
  time: string;
  protocol: string;
  metadata: string;
}

export function addRunOptions(cmd: Command): Command {
  return cmd
    .option('--brokers <n>', 'brokers', '3')
    .option('--partitions <n>', 'partitions of the test topic', '3')
    .option('--rf <n>', 'replication factor', '3')
    .option('--min-isr <n>', 'min.insync.replicas', '2')
    .option('--acks <0|1|all>', 'producer acks', 'all')
    .option('--unclean', 'unclean.leader.election.enable=true')
    .option('--nemesis <kinds>', 'fault kinds: a comma list, none, all or swarm', 'partition,kill,pause')
    .option('--schedule <file>', 'a saved fault schedule for every seed instead of generated ones')
    .option('--time <seconds>', 'simulated seconds of workload and faults per seed', '60')
    .option('--protocol <mode>', 'modern, or historical modes (comma list)', 'modern')
    .option('--metadata <zk|kraft>', 'metadata mode', 'zk');
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
