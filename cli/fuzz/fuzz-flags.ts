// `kafkasim fuzz`'s own flags (which seeds, how many workers, how long, where) → a FuzzConfig.
import { freshSeed } from '../fresh-seed.ts';
import { intOption } from '../options.ts';
import { UsageError } from '../usage-error.ts';
import type { FuzzConfig } from '../../harness/fuzz/fuzz-run.ts';
import { flagWordsOf } from '../../harness/index.ts';
import { usableCores } from '../../harness/fuzz/cores.ts';
import { sharedRunOptions, type SharedRunFlags } from './run-flags.ts';
import { countRange, parseSeedRange, parseShard, shardSize, type SeedRange } from '../../harness/fuzz/seeds.ts';

export interface FuzzFlags extends SharedRunFlags {
  count?: string;
  seeds?: string;
  seed?: string;
  jobs?: string;
  shard?: string;
  timeBudget?: string;
  seedTimeout?: string;
  out: string;
  quiet?: boolean;
}

export const DEFAULT_COUNT = 100;

/** One worker per usable core (cores.ts: the affinity mask, capped by a cgroup CPU quota). */
export function defaultJobs(): number {
  return usableCores();
}

function seconds(name: string, text: string): number {
  if (!/^\d+(\.\d+)?$/.test(text) || !(Number(text) > 0)) {
    throw new UsageError(`${name} must be a positive number of seconds, got "${text}"`);
  }
  return Number(text);
}

function seedRangeOf(flags: FuzzFlags): { range: SeedRange; fresh: boolean } {
  if (flags.seeds !== undefined) {
    if (flags.count !== undefined || flags.seed !== undefined)
      throw new UsageError('--seeds gives the whole range: use it without --count and --seed');
    return { range: parseSeedRange(flags.seeds), fresh: false };
  }
  const count = flags.count === undefined ? DEFAULT_COUNT : intOption('--count', flags.count, 1, 100_000_000);
  if (flags.seed !== undefined && !/^\d+$/.test(flags.seed))
    throw new UsageError(`--seed: fuzz seeds are integers, got "${flags.seed}"`);
  const base = flags.seed === undefined ? freshSeed() : Number(flags.seed);
  return { range: countRange(base, count), fresh: flags.seed === undefined };
}

/** The fuzz to run; `fresh` says the range starts at a fresh seed (to be printed). */
export function fuzzConfigFrom(flags: FuzzFlags): { config: FuzzConfig; fresh: boolean } {
  const shard = flags.shard === undefined ? null : parseShard(flags.shard);
  const { range, fresh } = seedRangeOf(flags);
  if (shard !== null && fresh) {
    throw new UsageError('--shard needs the same seeds on every shard: give --seeds a..b, or --seed with --count');
  }
  // A shard past the end of the range would run nothing and exit 0, which CI reads as a clean pass.
  if (shard !== null && shardSize(range, shard) === 0) {
    throw new UsageError(
      `--shard ${shard.index}/${shard.count} holds no seed of ${range.from}..${range.to} ` +
        `(${range.to - range.from + 1} seeds): give more seeds or fewer shards`,
    );
  }
  const jobs = flags.jobs === undefined ? defaultJobs() : intOption('--jobs', flags.jobs, 1, 256);
  const options = sharedRunOptions(flags);
  const config: FuzzConfig = {
    options,
    runFlags: flagWordsOf(options, { schedule: flags.schedule }).words,
    range,
    shard,
    jobs,
    outDir: flags.out,
  };
  if (flags.timeBudget !== undefined) config.timeBudgetSeconds = seconds('--time-budget', flags.timeBudget);
  if (flags.seedTimeout !== undefined) config.seedTimeoutSeconds = seconds('--seed-timeout', flags.seedTimeout);
  return { config, fresh };
}
