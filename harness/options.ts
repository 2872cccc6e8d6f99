// The one schema of a run's options. Each entry says, once: the option's key (in run options and repro
// files), its default, how a value from a repro file or an API caller is checked, where the value goes in
// the test (test.ts), and, when it has one, its command-line flag: the syntax and help commander shows,
// how the flag's text is parsed, and which words give the value back (the replay command). The CLI's flags,
// the defaults, the repro keys, the replay command and the configuration a report shows are all derived
// from it: adding a Kafka setting to runs means one entry here and the code that uses the setting.
import { EVERY_FAULT_KIND, isFaultKind, loadSchedule, parseNemesisOption, validateSchedule } from '../nemesis/index.ts';
import type { FaultKind, KillModes, Schedule } from '../nemesis/index.ts';
import type { BrokerConfig, ProducerConfig } from '../sim/kafka/config.ts';
import type { IsolationLevel } from '../sim/kafka/messages.ts';
import type { MetadataMode } from '../sim/kafka/kraft/config.ts';
import { HISTORICAL_MODES, parseOverrides } from '../sim/kafka/protocol.ts';
import { NEWEST_RELEASE, RELEASES, releaseOf } from '../sim/kafka/releases.ts';
import { ConfigError, FILE_SYSTEMS, type FileSystem, type Seed } from '../sim/world/index.ts';
import type { Distribution } from '../sim/world/distribution.ts';
import { DEFAULT_LATENCY } from '../sim/kafka/cluster.ts';
import type { QueueWorkloadOverrides } from '../workloads/queue/index.ts';
import type { ConsumerMode } from '../workloads/queue/options.ts';
import { readInput } from './input.ts';
import { UsageError } from './errors.ts';
import { checkBrokerSettings, checkWorkloadSettings } from './kafka-settings.ts';

/** What the options fill in; test.ts checks it and completes it into a Test. */
export interface TestDraft {
  brokers: number;
  partitions: number;
  replicationFactor: number;
  /** The Kafka release (releases.ts). */
  kafka: string;
  /** The metadata mode asked for; undefined: the release's default. */
  metadata: MetadataMode | undefined;
  /** The --protocol overrides (historical modes, +name/-name), applied over the release's behaviours. */
  protocol: string;
  /** Broker settings by Kafka's keys, over sim/kafka's defaults. */
  broker: Partial<BrokerConfig>;
  producer: Partial<ProducerConfig>;
  workload: QueueWorkloadOverrides;
  timeSeconds: number;
  nemesis: FaultKind[] | 'swarm';
  intensity: number | undefined;
  killModes: KillModes;
  schedule: Schedule | undefined;
  readyTimeoutMs: number;
  stopOnViolation: boolean;
  strict: boolean;
  /** The network's latency between nodes (NETWORK_PROFILES). */
  network: NetworkProfile;
  /** Events due at the same simulated time run in a seeded random order instead of the order they were queued. */
  shuffleSameTime: boolean;
  /** The nodes' file system: `journaled` (ext4, XFS) or `posix` (a truncation durable only by its own fsync). */
  fileSystem: FileSystem;
  /** Which workload runs: the queue (sends and polls) or Jepsen's transactional one. */
  workloadKind: WorkloadKind;
  /** The consumers' isolation.level; undefined: the workload's (read_uncommitted for queue, Kafka's default). */
  isolation: IsolationLevel | undefined;
}

/** The workloads a run can drive: Jepsen's Kafka queue test, or the same with transactions (:txn? true). */
export const WORKLOAD_KINDS = ['queue', 'txn'] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];
const ISOLATION_LEVELS = ['read_committed', 'read_uncommitted'] as const;

/**
 * Latency profiles of the simulated network, one-way per message: `lan` (0.5–2 ms, the default), `jittery` (a busy
 * LAN: mostly a few ms, tails to 50 ms) and `wan` (links across zones: exponential, mean 15 ms, up to 300 ms).
 */
export const NETWORK_PROFILES = {
  lan: DEFAULT_LATENCY,
  jittery: { kind: 'normal', mean: 3, stddev: 6, min: 0.2, max: 50 },
  wan: { kind: 'exponential', mean: 15, max: 300 },
} as const satisfies Record<string, Distribution>;

export type NetworkProfile = keyof typeof NETWORK_PROFILES;
const NETWORK_NAMES = Object.keys(NETWORK_PROFILES) as NetworkProfile[];

/** Files the flags of a run came from, so that the replay command can name them again. */
export interface FlagFiles {
  schedule?: string;
}

export interface FlagSpec<V> {
  /** Commander's syntax: '--min-isr <n>', or '--unclean' for a switch. */
  syntax: string;
  help: string;
  /** A switch's negation ('--no-unclean'), for a switch whose default a release may turn on. */
  negation?: { syntax: string; help: string };
  /** The flag's text (true or false for a switch) → the value; a UsageError naming the flag on bad input. */
  parse(text: string | boolean): V;
  /** The words that give `value` back on a command line, or null when no flag can (a generated value). */
  words(value: V, files: FlagFiles): string[] | null;
}

export interface OptionSpec<V> {
  default: V;
  /** A value from a repro file or an API caller → the value, or a UsageError naming `where`. */
  check(value: unknown, where: string): V;
  /** Puts the value where it belongs in the test being built. */
  apply(value: V, draft: TestDraft): void;
  /** Object-valued options merge a given value over the default instead of replacing it. */
  merge?(defaults: V, given: V): V;
  /** Whether the option says nothing beside these (a generated schedule's kinds, with a schedule given). */
  ignoredWith?(knobs: { schedule: Schedule | undefined }): boolean;
  flag?: FlagSpec<V>;
}

function option<V>(spec: OptionSpec<V>): OptionSpec<V> {
  return spec;
}

// ---- checks shared by the entries ----

function integerFlag(flag: string, min: number, max: number): (text: string | boolean) => number {
  return (text) => {
    if (typeof text !== 'string' || !/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
      throw new UsageError(`${flag} must be an integer from ${min} to ${max}, got "${String(text)}"`);
    }
    return Number(text);
  };
}

function integerValue(min: number, max: number): (value: unknown, where: string) => number {
  return (value, where) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new UsageError(`${where} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
    }
    return value;
  };
}

/** A check (for option values) and a parse (for the flag's text) that accept one of `names`. */
function oneOf<T extends string>(names: readonly T[], flag: string) {
  const known = (v: unknown): v is T => typeof v === 'string' && (names as readonly string[]).includes(v);
  return {
    check: (v: unknown, where: string): T => {
      if (!known(v)) throw new UsageError(`${where} must be one of ${names.join(', ')}, got ${JSON.stringify(v)}`);
      return v;
    },
    parse: (text: string | boolean): T => {
      if (!known(text)) throw new UsageError(`${flag} must be one of ${names.join(', ')}, got "${String(text)}"`);
      return text;
    },
  };
}

const NETWORK_VALUE = oneOf(NETWORK_NAMES, '--network');
const FILE_SYSTEM_VALUE = oneOf(FILE_SYSTEMS, '--file-system');
const CONSUMER_MODES = ['assign', 'subscribe'] as const;
const CONSUMER_MODE_VALUE = oneOf(CONSUMER_MODES, '--consumer-mode');
const WORKLOAD_KIND_VALUE = oneOf(WORKLOAD_KINDS, '--workload');
const ISOLATION_VALUE = oneOf(ISOLATION_LEVELS, '--isolation');

function booleanValue(value: unknown, where: string): boolean {
  if (typeof value !== 'boolean') throw new UsageError(`${where} must be true or false, got ${JSON.stringify(value)}`);
  return value;
}

/** A ConfigError from a parser, said as a UsageError naming where the value came from. */
function asUsage<T>(where: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(`${where}: ${e.message.replace(/^--[a-z-]+: /, '')}`);
    throw e;
  }
}

const words = (flag: string, value: string | number): string[] => [flag, String(value)];

/** A simulated day: longer runs take hours of wall time and are a typo more often than a plan. */
const MAX_TIME_SECONDS = 86_400;
const MAX_FLUSH_MESSAGES = 1_000_000_000;

function nemesisWords(kinds: FaultKind[] | 'swarm'): string {
  return kinds === 'swarm' ? 'swarm' : kinds.length === 0 ? 'none' : kinds.join(',');
}

// ---- the schema ----

/**
 * Every run option, in the order they apply: object-valued settings first, so that a flag that sets one
 * key of them (--min-isr, --unclean, --acks) wins over a whole object given beside it.
 */
export const RUN_OPTIONS = {
  /** The Kafka release simulated: its replication behaviours and the defaults it shipped (releases.ts). */
  kafka: option<string>({
    default: NEWEST_RELEASE,
    check: (v, where) => {
      if (typeof v !== 'string')
        throw new UsageError(`${where} must be a Kafka release such as "3.9", got ${JSON.stringify(v)}`);
      return asUsage(where, () => releaseOf(v).version);
    },
    apply: (v, d) => void (d.kafka = v),
    flag: {
      syntax: '--kafka <version>',
      help: `the Kafka release (${RELEASES.map((r) => r.version).join(', ')})`,
      parse: (text) => asUsage('--kafka', () => releaseOf(String(text)).version),
      words: (v) => words('--kafka', v),
    },
  }),
  /**
   * Broker settings by Kafka's keys. The run's defaults are Kafka's before 2.5 for
   * zookeeper.session.timeout.ms (6000) and replica.lag.time.max.ms (10000): with the modern 18 s and 30 s
   * a fault must last half a minute before the ISR shrinks, so in a one-minute run most faults end first.
   */
  broker: option<Partial<BrokerConfig>>({
    default: { 'zookeeper.session.timeout.ms': 6000, 'replica.lag.time.max.ms': 10000 },
    check: checkBrokerSettings,
    apply: (v, d) => void Object.assign(d.broker, v),
    merge: (defaults, given) => ({ ...defaults, ...given }),
  }),
  /** The queue workload's settings (workloads/queue/options.ts), producer and consumer settings included. */
  workload: option<QueueWorkloadOverrides>({
    default: { rate: 20 },
    check: checkWorkloadSettings,
    apply: (v, d) => {
      Object.assign(d.workload, v);
      if (v.producer !== undefined) Object.assign(d.producer, v.producer);
    },
    merge: (defaults, given) => ({ ...defaults, ...given }),
  }),
  brokers: option<number>({
    default: 3,
    check: integerValue(1, 64),
    apply: (v, d) => void (d.brokers = v),
    flag: {
      syntax: '--brokers <n>',
      help: 'brokers',
      parse: integerFlag('--brokers', 1, 64),
      words: (v) => words('--brokers', v),
    },
  }),
  partitions: option<number>({
    default: 3,
    check: integerValue(1, 1024),
    apply: (v, d) => void (d.partitions = v),
    flag: {
      syntax: '--partitions <n>',
      help: 'partitions of the test topic',
      parse: integerFlag('--partitions', 1, 1024),
      words: (v) => words('--partitions', v),
    },
  }),
  replicationFactor: option<number>({
    default: 3,
    check: integerValue(1, 64),
    apply: (v, d) => void (d.replicationFactor = v),
    flag: {
      syntax: '--rf <n>',
      help: 'replication factor',
      parse: integerFlag('--rf', 1, 64),
      words: (v) => words('--rf', v),
    },
  }),
  minIsr: option<number>({
    default: 2,
    check: integerValue(1, 64),
    apply: (v, d) => void (d.broker['min.insync.replicas'] = v),
    flag: {
      syntax: '--min-isr <n>',
      help: 'min.insync.replicas',
      parse: integerFlag('--min-isr', 1, 64),
      words: (v) => words('--min-isr', v),
    },
  }),
  /** The producer's acks; undefined: the release's default (1 before 3.0, all since, KIP-679). */
  acks: option<0 | 1 | 'all' | undefined>({
    default: undefined,
    check: (v, where) => {
      if (v !== undefined && v !== 0 && v !== 1 && v !== 'all')
        throw new UsageError(`${where} must be 0, 1 or "all", got ${JSON.stringify(v)}`);
      return v;
    },
    apply: (v, d) => {
      if (v !== undefined) d.producer.acks = v;
    },
    flag: {
      syntax: '--acks <0|1|all>',
      help: "producer acks (default: the release's: 1 before 3.0, all since)",
      parse: (text) => {
        if (text !== '0' && text !== '1' && text !== 'all')
          throw new UsageError(`--acks must be 0, 1 or all, got "${String(text)}"`);
        return text === 'all' ? 'all' : text === '1' ? 1 : 0;
      },
      words: (v) => (v === undefined ? [] : words('--acks', v)),
    },
  }),
  /** unclean.leader.election.enable; undefined: the release's default (true before 0.11, KIP-106). */
  unclean: option<boolean | undefined>({
    default: undefined,
    check: (v, where) => (v === undefined ? v : booleanValue(v, where)),
    apply: (v, d) => {
      if (v !== undefined) d.broker['unclean.leader.election.enable'] = v;
    },
    flag: {
      syntax: '--unclean',
      help: "unclean.leader.election.enable=true (default: the release's: true before 0.11)",
      negation: { syntax: '--no-unclean', help: 'unclean.leader.election.enable=false' },
      parse: (text) => text !== false,
      words: (v) => (v === undefined ? [] : v ? ['--unclean'] : ['--no-unclean']),
    },
  }),
  /** Overrides over the release's behaviours, for what-if runs: historical modes and +name / -name. */
  protocol: option<string>({
    default: '',
    check: (v, where) => {
      if (typeof v !== 'string') throw new UsageError(`${where} must be a list of overrides, got ${JSON.stringify(v)}`);
      asUsage(where, () => parseOverrides(v));
      return v;
    },
    apply: (v, d) => void (d.protocol = v),
    flag: {
      syntax: '--protocol <overrides>',
      help:
        `overrides over the release's behaviours: historical modes (${HISTORICAL_MODES.join(', ')}) or ` +
        '+name / -name (e.g. +elr, -kip101)',
      parse: (text) => {
        const overrides = String(text);
        if (overrides.split(',').some((o) => o.trim() === 'modern')) {
          throw new UsageError(
            `--protocol: "modern" is gone; name a release with --kafka (the newest: ${NEWEST_RELEASE})`,
          );
        }
        asUsage('--protocol', () => parseOverrides(overrides));
        return overrides;
      },
      words: (v) => (v === '' ? [] : words('--protocol', v)),
    },
  }),
  /** The metadata mode; undefined: the release's default (KRaft where it is production-ready, 3.3 on). */
  metadata: option<MetadataMode | undefined>({
    default: undefined,
    check: (v, where) => {
      if (v !== undefined && v !== 'zk' && v !== 'kraft')
        throw new UsageError(`${where} must be "zk" or "kraft", got ${JSON.stringify(v)}`);
      return v;
    },
    apply: (v, d) => {
      if (v !== undefined) d.metadata = v;
    },
    flag: {
      syntax: '--metadata <zk|kraft>',
      help: "metadata mode: ZooKeeper or a KRaft controller quorum (default: the release's; KRaft from 3.3)",
      parse: (text) => {
        if (text !== 'zk' && text !== 'kraft')
          throw new UsageError(`--metadata must be zk or kraft, got "${String(text)}"`);
        return text;
      },
      words: (v) => (v === undefined ? [] : words('--metadata', v)),
    },
  }),
  /**
   * flush.messages: records between fsyncs of a partition log. Kafka's default is never (it relies on
   * replication), so a power loss on every replica loses what none had flushed; 1 fsyncs every append.
   */
  flushMessages: option<number | 'never' | undefined>({
    default: undefined,
    check: (v, where) => {
      if (v === undefined || v === 'never') return v;
      return integerValue(1, MAX_FLUSH_MESSAGES)(v, where);
    },
    apply: (v, d) => {
      if (v !== undefined) d.broker['flush.messages'] = v === 'never' ? Infinity : v;
    },
    flag: {
      syntax: '--flush-messages <n|never>',
      help: 'flush.messages: fsync a partition log every n records (default: never, as Kafka)',
      parse: (text) => (text === 'never' ? 'never' : integerFlag('--flush-messages', 1, MAX_FLUSH_MESSAGES)(text)),
      words: (v) => (v === undefined ? [] : words('--flush-messages', v)),
    },
  }),
  /** The network's latency profile: a LAN (the default), a jittery LAN, or links across zones. */
  network: option<NetworkProfile>({
    default: 'lan',
    check: NETWORK_VALUE.check,
    apply: (v, d) => void (d.network = v),
    flag: {
      syntax: `--network <${NETWORK_NAMES.join('|')}>`,
      help: 'one-way latency: lan 0.5-2 ms, jittery (a busy LAN, tails to 50 ms), wan (mean 15 ms, to 300 ms)',
      parse: NETWORK_VALUE.parse,
      words: (v) => (v === 'lan' ? [] : words('--network', v)),
    },
  }),
  /**
   * Events due at the same simulated time run in an order drawn from the seed rather than the order they were
   * queued (FoundationDB's simulator does the same): orderings a fixed tie-break never shows.
   */
  shuffleSameTime: option<boolean>({
    default: false,
    check: booleanValue,
    apply: (v, d) => void (d.shuffleSameTime = v),
    flag: {
      syntax: '--shuffle-same-time',
      help: 'run events due at the same simulated time in a seeded random order (default: the order queued)',
      parse: () => true,
      words: (v) => (v ? ['--shuffle-same-time'] : []),
    },
  }),
  /**
   * What a power loss does to a truncation not yet synced: on a journaling file system (ext4, XFS, the default)
   * the journal commit behind any later fsync makes it durable; with `posix`, only the file's own fsync does,
   * so a log may come back with records its broker had truncated (allowed by POSIX, rare in practice).
   */
  fileSystem: option<FileSystem>({
    default: 'journaled',
    check: FILE_SYSTEM_VALUE.check,
    apply: (v, d) => void (d.fileSystem = v),
    flag: {
      syntax: `--file-system <${FILE_SYSTEMS.join('|')}>`,
      help: 'journaled (ext4, XFS: a truncation durable at the next journal commit) or posix (only at its fsync)',
      parse: FILE_SYSTEM_VALUE.parse,
      words: (v) => (v === 'journaled' ? [] : words('--file-system', v)),
    },
  }),
  /**
   * How the queue workload's consumers get partitions: assign (each its own) or subscribe (one consumer group, with
   * the group coordinator on __consumer_offsets, which the run then creates).
   */
  consumerMode: option<ConsumerMode>({
    default: 'assign',
    check: CONSUMER_MODE_VALUE.check,
    apply: (v, d) => void (d.workload.consumerMode = v),
    flag: {
      syntax: `--consumer-mode <${CONSUMER_MODES.join('|')}>`,
      help: 'assign (each consumer picks partitions) or subscribe (a consumer group shares them out)',
      parse: CONSUMER_MODE_VALUE.parse,
      words: (v) => (v === 'assign' ? [] : words('--consumer-mode', v)),
    },
  }),
  /**
   * The workload: queue (Jepsen's Kafka test: single sends and polls) or txn (its :txn? form: transactions of
   * sends and polls across keys, committed or aborted, judged by Jepsen's Kafka checker). Keyed apart from
   * `workload`, which holds the queue workload's settings.
   */
  workloadKind: option<WorkloadKind>({
    default: 'queue',
    check: WORKLOAD_KIND_VALUE.check,
    apply: (v, d) => void (d.workloadKind = v),
    flag: {
      syntax: `--workload <${WORKLOAD_KINDS.join('|')}>`,
      help: 'queue (sends and polls) or txn (transactions of sends and polls across keys, as Jepsen)',
      parse: WORKLOAD_KIND_VALUE.parse,
      words: (v) => (v === 'queue' ? [] : words('--workload', v)),
    },
  }),
  /**
   * The consumers' isolation.level (KIP-98); undefined: the workload's own, read_uncommitted (Kafka's default) for
   * queue and read_committed for txn. Set after `workload`, so that the flag wins over a consumer setting there.
   */
  isolation: option<IsolationLevel | undefined>({
    default: undefined,
    check: (v, where) => (v === undefined ? v : ISOLATION_VALUE.check(v, where)),
    apply: (v, d) => void (d.isolation = v),
    flag: {
      syntax: `--isolation <${ISOLATION_LEVELS.join('|')}>`,
      help: "consumers' isolation.level (default: read_uncommitted for queue, read_committed for txn)",
      parse: ISOLATION_VALUE.parse,
      words: (v) => (v === undefined ? [] : words('--isolation', v)),
    },
  }),
  /** Length of the main phase (workload and faults), in simulated seconds; the final phase comes after. */
  timeSeconds: option<number>({
    default: 60,
    // Whole seconds, as the flag takes them and shrink writes them: a repro says nothing a flag cannot.
    check: integerValue(1, MAX_TIME_SECONDS),
    apply: (v, d) => void (d.timeSeconds = v),
    flag: {
      syntax: '--time <seconds>',
      help: 'simulated seconds of workload and faults',
      parse: integerFlag('--time', 1, MAX_TIME_SECONDS),
      words: (v) => words('--time', v),
    },
  }),
  /** Fault kinds to generate a schedule from, or 'swarm' to let the seed choose them. Ignored with a schedule. */
  nemesis: option<FaultKind[] | 'swarm'>({
    default: ['partition', 'kill', 'pause'],
    // Kept in the order given: a generated schedule draws from the kinds in that order.
    check: (v, where) => {
      if (v === 'swarm') return v;
      if (!Array.isArray(v))
        throw new UsageError(`${where} must be a list of fault kinds or "swarm", got ${JSON.stringify(v)}`);
      for (const k of v as unknown[]) {
        if (!isFaultKind(k))
          throw new UsageError(
            `${where}: unknown fault kind ${JSON.stringify(k)} (one of ${EVERY_FAULT_KIND.join(', ')})`,
          );
      }
      return v as FaultKind[];
    },
    apply: (v, d) => void (d.nemesis = v),
    ignoredWith: (knobs) => knobs.schedule !== undefined,
    flag: {
      syntax: '--nemesis <kinds>',
      help: 'fault kinds: a comma list, none, all or swarm',
      parse: (text) => asUsage('--nemesis', () => parseNemesisOption(String(text))),
      words: (v) => words('--nemesis', nemesisWords(v)),
    },
  }),
  /** How hard generated faults hit, 0..1 (swarm chooses its own). */
  intensity: option<number | undefined>({
    default: undefined,
    check: (v, where) => {
      if (v === undefined) return v;
      if (typeof v !== 'number' || !(v >= 0 && v <= 1))
        throw new UsageError(`${where} must be a number from 0 to 1, got ${JSON.stringify(v)}`);
      return v;
    },
    apply: (v, d) => void (d.intensity = v),
    ignoredWith: (knobs) => knobs.schedule !== undefined,
    flag: {
      syntax: '--intensity <0..1>',
      help: 'how hard generated faults hit (default: 0.5; swarm draws its own)',
      // Any decimal JavaScript writes a number in (1e-7 included), so that a repro's value has a flag too.
      parse: (text) => {
        const n = Number(text);
        if (typeof text !== 'string' || !/^(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text) || !(n >= 0 && n <= 1)) {
          throw new UsageError(`--intensity must be a number from 0 to 1, got "${String(text)}"`);
        }
        return n;
      },
      words: (v) => (v === undefined ? [] : words('--intensity', v)),
    },
  }),
  /**
   * What a generated kill is: a process crash (kill -9, the page cache survives), or mixed: one kill in four
   * is its machines losing power, unflushed data gone. Ignored with a schedule. The default stays 'process'
   * until the verdict tells a loss the configuration allows (every replica holding a record lost it
   * unflushed) from a finding (issue 18): mixed kills on today's verdict report Kafka's design as findings.
   */
  killModes: option<KillModes>({
    default: 'process',
    check: (v, where) => {
      if (v !== 'process' && v !== 'mixed')
        throw new UsageError(`${where} must be "process" or "mixed", got ${JSON.stringify(v)}`);
      return v;
    },
    apply: (v, d) => void (d.killModes = v),
    ignoredWith: (knobs) => knobs.schedule !== undefined,
    flag: {
      syntax: '--kill-modes <process|mixed>',
      help: 'generated kills: process crashes (kill -9) only, or one in four a machine losing power',
      parse: (text) => {
        if (text !== 'process' && text !== 'mixed') {
          throw new UsageError(`--kill-modes must be process or mixed, got "${String(text)}"`);
        }
        return text;
      },
      words: (v) => words('--kill-modes', v),
    },
  }),
  /** An explicit fault schedule, used as given instead of a generated one. */
  schedule: option<Schedule | undefined>({
    default: undefined,
    check: (v, where) => (v === undefined ? v : asUsage(where, () => validateSchedule(v))),
    apply: (v, d) => void (d.schedule = v),
    flag: {
      syntax: '--schedule <file>',
      help: 'a saved fault schedule instead of a generated one',
      parse: (text) => {
        const file = String(text);
        return asUsage(`--schedule ${file}`, () => loadSchedule(readInput(file, 'schedule file')));
      },
      words: (v, files) =>
        v === undefined ? [] : files.schedule === undefined ? null : ['--schedule', files.schedule],
    },
  }),
  /** How long to wait for a controller and a leader for every partition before the workload starts. */
  readyTimeoutMs: option<number>({
    default: 30000,
    check: integerValue(1, 3_600_000),
    apply: (v, d) => void (d.readyTimeoutMs = v),
  }),
  /** Stop at the first invariant violation nothing explains, instead of recording it and going on. */
  stopOnViolation: option<boolean>({
    default: false,
    check: booleanValue,
    apply: (v, d) => void (d.stopOnViolation = v),
    flag: {
      syntax: '--stop-on-violation',
      help: 'stop the run at the first invariant violation (default: record it and go on)',
      parse: () => true,
      words: (v) => (v ? ['--stop-on-violation'] : []),
    },
  }),
  /**
   * Judge as Jepsen does: every lost write is a finding, even one the configuration allows (an unclean election,
   * a power loss of unflushed records, acks=1 failing over).
   */
  /**
   * Swarm testing of configurations: the seed draws every setting of harness/swarm-config.ts not given
   * (brokers, replication, min ISR, acks, idempotence, in-flight requests, unclean election, flush.messages,
   * timeouts, rebalancing, clients and rate); the drawn values are written to the repro file.
   */
  swarmConfig: option<boolean>({
    default: false,
    check: booleanValue,
    apply: () => undefined,
    flag: {
      syntax: '--swarm-config',
      help: 'let the seed draw every setting not given (brokers, RF, min ISR, acks, idempotence, timeouts, rates)',
      parse: (v) => v === true,
      words: (v) => (v ? ['--swarm-config'] : []),
    },
  }),
  strict: option<boolean>({
    default: false,
    check: booleanValue,
    apply: (v, d) => void (d.strict = v),
    flag: {
      syntax: '--strict',
      help:
        'every lost write is a finding, as Jepsen judges (default: losses the configuration allows, ' +
        'with their cause checked, are reported but are not findings)',
      parse: () => true,
      words: (v) => (v ? ['--strict'] : []),
    },
  }),
};

type Specs = typeof RUN_OPTIONS;
export type RunOptionKey = keyof Specs;

/** Every run option's value. */
export type RunKnobs = { [K in RunOptionKey]: Specs[K] extends OptionSpec<infer V> ? V : never };

/** A run: the seed, and any options (the rest take their defaults). */
export type RunOptions = { seed: Seed } & Partial<RunKnobs>;

export const RUN_OPTION_KEYS = Object.keys(RUN_OPTIONS) as RunOptionKey[];

export const RUN_DEFAULTS: RunKnobs = Object.fromEntries(
  RUN_OPTION_KEYS.map((k) => [k, RUN_OPTIONS[k].default]),
) as RunKnobs;

function spec<K extends RunOptionKey>(key: K): OptionSpec<RunKnobs[K]> {
  return RUN_OPTIONS[key] as unknown as OptionSpec<RunKnobs[K]>;
}

/** The options with defaults filled in (object-valued ones merged over theirs); undefined means default. */
export function knobsOf(options: Partial<RunKnobs>): RunKnobs {
  const knobs = { ...RUN_DEFAULTS };
  for (const key of RUN_OPTION_KEYS) {
    const given = options[key];
    if (given === undefined) continue;
    const s = spec(key);
    (knobs as Record<RunOptionKey, unknown>)[key] =
      s.merge === undefined ? given : s.merge(s.default as never, given as never);
  }
  return knobs;
}

/** Applies every option to a draft, in schema order. */
export function applyKnobs(knobs: RunKnobs, draft: TestDraft): void {
  for (const key of RUN_OPTION_KEYS) spec(key).apply(knobs[key] as never, draft);
}

/**
 * Checks run options from a repro file or an API caller: every key must be an option, every value of its
 * type (undefined: the default). `where` names them in errors ("repro.json: options", "options").
 */
export function checkOptions(json: Record<string, unknown>, where: string): Partial<RunKnobs> {
  const out: Partial<Record<RunOptionKey, unknown>> = {};
  for (const [key, value] of Object.entries(json)) {
    if (!Object.hasOwn(RUN_OPTIONS, key)) throw new UsageError(`${where}: unknown option "${key}"`);
    if (value === undefined) continue;
    out[key as RunOptionKey] = spec(key as RunOptionKey).check(value, `${where}.${key}`);
  }
  return out as Partial<RunKnobs>;
}

// ---- flags ----

/** An option with a flag, as the CLI declares it. */
export interface RunFlag {
  key: RunOptionKey;
  syntax: string;
  help: string;
  /** Commander's attribute name for the flag ('--min-isr' → 'minIsr'). */
  attribute: string;
  /** The default as the flag would say it, for help (undefined: none). */
  defaultText: string | undefined;
  /** A switch's negation ('--no-unclean'), declared beside it. */
  negation?: { syntax: string; help: string };
}

function attributeOf(syntax: string): string {
  const long = syntax.split(' ')[0].replace(/^--/, '');
  return long.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

export const RUN_FLAGS: RunFlag[] = RUN_OPTION_KEYS.flatMap((key) => {
  const f = spec(key).flag;
  if (f === undefined) return [];
  const defaultWords = f.words(spec(key).default as never, {});
  const defaultText = defaultWords === null || defaultWords.length < 2 ? undefined : defaultWords.slice(1).join(' ');
  const flag: RunFlag = { key, syntax: f.syntax, help: f.help, attribute: attributeOf(f.syntax), defaultText };
  if (f.negation !== undefined) flag.negation = f.negation;
  return [flag];
});

/** The seed's flag, beside the options: a fresh seed is drawn (and printed) when it is missing. */
export const SEED_FLAG = { syntax: '--seed <seed>', help: 'the seed (default: a fresh one, printed)' };

/** Run options from commander's parsed flags (an attribute per flag; absent flags keep their defaults). */
export function optionsFromFlags(flags: Record<string, unknown>): Partial<RunKnobs> {
  const out: Partial<Record<RunOptionKey, unknown>> = {};
  for (const f of RUN_FLAGS) {
    const text = flags[f.attribute];
    if (text === undefined) continue;
    out[f.key] = (spec(f.key).flag as FlagSpec<unknown>).parse(text as string | boolean);
  }
  // A flag the rest of the line makes meaningless (--nemesis beside --schedule) is refused rather than
  // ignored: whoever typed it expects it to change the run.
  const schedule = out.schedule as Schedule | undefined;
  for (const f of RUN_FLAGS) {
    if (out[f.key] !== undefined && spec(f.key).ignoredWith?.({ schedule }) === true) {
      const flag = f.syntax.split(' ')[0];
      throw new UsageError(`${flag} has no effect with --schedule (the schedule says which faults run): give one`);
    }
  }
  return out as Partial<RunKnobs>;
}

/**
 * The flags that give these options (the seed aside), one for each option that differs from its default.
 * `complete` is false when some option has no flag that can say its value (an object-valued setting, a
 * generated schedule): then only a repro file carries the run whole.
 */
export function flagWordsOf(options: Partial<RunKnobs>, files: FlagFiles = {}): { words: string[]; complete: boolean } {
  const knobs = knobsOf(options);
  const words: string[] = [];
  let complete = true;
  for (const key of RUN_OPTION_KEYS) {
    if (options[key] === undefined) continue;
    const s = spec(key);
    const value = knobs[key];
    if (s.ignoredWith?.(knobs) === true || canonical(value) === canonical(s.default)) continue;
    const w = s.flag?.words(value as never, files) ?? null;
    if (w === null) complete = false;
    else words.push(...w);
  }
  return { words, complete };
}

/** JSON with sorted keys: equal values give equal text. */
function canonical(v: unknown): string {
  return (
    JSON.stringify(v, (_k, x: unknown) =>
      typeof x === 'object' && x !== null && !Array.isArray(x)
        ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b)))
        : x,
    ) ?? 'undefined'
  );
}
