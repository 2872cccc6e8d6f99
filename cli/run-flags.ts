// The options that describe one test run (cluster, client acks, faults, length, protocol), declared
// once so every command that runs tests (run, compare, fuzz) takes them with the same names, defaults
// and help. Commands add their own output options (--out, --json) themselves.
import type { Command } from 'commander';

/** What commander hands an action for the flags below (runOptionsFrom in commands/run.ts reads them). */
export interface RunFlagValues {
  seed?: string;
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

export function addRunFlags(command: Command): Command {
  return command
    .option('--seed <seed>', 'the seed (default: a fresh one, printed)')
    .option('--brokers <n>', 'brokers', '3')
    .option('--partitions <n>', 'partitions of the test topic', '3')
    .option('--rf <n>', 'replication factor', '3')
    .option('--min-isr <n>', 'min.insync.replicas', '2')
    .option('--acks <0|1|all>', 'producer acks', 'all')
    .option('--unclean', 'unclean.leader.election.enable=true')
    .option('--nemesis <kinds>', 'fault kinds: a comma list, none, all or swarm', 'partition,kill,pause')
    .option('--schedule <file>', 'a saved fault schedule instead of a generated one')
    .option('--time <seconds>', 'simulated seconds of workload and faults', '60')
    .option('--protocol <mode>', 'modern, or historical modes (comma list)', 'modern')
    .option('--metadata <zk|kraft>', 'metadata mode', 'zk');
}
