// npm run bench:versions [-- --seeds N] [--bugs 3,6] [--releases 2.0,2.1]
//
// The version matrix: does plain fuzzing find each historical replication bug on the Kafka releases that
// had it, and never on those that did not? For every bug and release, seeds 1..N of the bug's fault kinds
// and configuration run on the release as it shipped (no override). On a release without the bug's fix a
// cell counts a seed as a finding when the bug's signals appear and disappear on the same seed with that
// one fix switched on (`--protocol +fix`): the bug, not another one of that release. On a release with the
// fix there is nothing to switch on, and the cell counts the seeds that show the bug's signals at all
// (other bugs of an older release can show them too: the last column says which releases have all fixes).
// Prints the matrix and whether it matches history: found before the fix, never after.
import { runOnce, type RunOptions } from '../harness/index.ts';
import { generateSchedule, type FaultKind } from '../nemesis/index.ts';
import type { BehaviourName } from '../sim/kafka/protocol.ts';
import { RELEASES, releaseOf, type KafkaRelease } from '../sim/kafka/releases.ts';
import { POWER_LOSS_MODES, Random } from '../sim/world/index.ts';

interface VersionBug {
  id: number;
  name: string;
  /** The behaviour whose fix removes the bug, or null when a configuration does (bugs 1 and 2). */
  fix: BehaviourName | null;
  /** The metadata mode it is looked for in (the newest releases have KRaft only). */
  modes: ('zk' | 'kraft')[];
  options: Partial<RunOptions>;
  nemesis: FaultKind[];
  /** The first kill of each seed is a power loss (bug 9 needs one broker losing its unflushed tail). */
  powerLossKills?: boolean;
  /** Disk replacements happen whatever the cluster's state (KAFKA-14139's replica was catching up). */
  disksAnyTime?: boolean;
  finds: (signals: readonly string[]) => boolean;
}

const LOSS = new Set(['lost-write', 'unseen', 'acked-write-lost', 'inconsistent-offsets']);
const DATA_LOSS = (s: readonly string[]): boolean => s.some((x) => LOSS.has(x));
/** Replication signals: anything but what a producer without idempotence does on its own (duplicates, reorders). */
const REPLICATION = (s: readonly string[]): boolean =>
  s.some((x) => x !== 'duplicate' && x !== 'nonmonotonic-send' && x !== 'consumer-poll-skip');
/** What every bug but 1, 2 and 10 runs with: safe settings, so that only the protocol can lose data. */
const SAFE: Partial<RunOptions> = { acks: 'all', unclean: false, minIsr: 2, killModes: 'process' };
const BUSY: Partial<RunOptions> = {
  ...SAFE,
  broker: { 'leader.imbalance.check.interval.seconds': 5 },
  intensity: 0.8,
  timeSeconds: 180,
  partitions: 6,
};
const LEADER_CHURN: FaultKind[] = ['leader-data-path', 'kill', 'pause', 'zk'];
const ZOMBIE_CHURN: FaultKind[] = ['pause', 'zk', 'kill', 'packet', 'partition', 'leader-data-path'];

const BUGS: VersionBug[] = [
  {
    id: 1,
    name: 'unclean election loses acked writes (unclean, min ISR 1)',
    fix: null,
    modes: ['zk', 'kraft'],
    // Configured risks, not bugs: judged as Jepsen judges (--strict), so that the losses they allow are signals.
    options: { acks: 'all', unclean: true, minIsr: 1, killModes: 'process', strict: true },
    nemesis: ['leader-data-path', 'partition', 'zk'],
    finds: DATA_LOSS,
  },
  {
    id: 2,
    name: 'acks=1 loses writes on failover',
    fix: null,
    modes: ['zk', 'kraft'],
    options: { acks: 1, unclean: false, minIsr: 2, killModes: 'process', strict: true },
    nemesis: ['kill', 'leader-data-path', 'partition'],
    finds: DATA_LOSS,
  },
  {
    id: 3,
    name: 'HW truncation loses committed data',
    fix: 'kip101',
    modes: ['zk'],
    options: SAFE,
    nemesis: ['kill', 'pause', 'partition', 'zk', 'leader-data-path'],
    finds: REPLICATION,
  },
  {
    id: 4,
    name: 'divergence after double power loss',
    fix: 'kip101',
    modes: ['zk'],
    options: SAFE,
    nemesis: ['power-loss'],
    finds: (s) => s.includes('divergence-at-rest'),
  },
  {
    id: 5,
    name: 'divergence after fast leader changes',
    fix: 'kip279',
    modes: ['zk'],
    options: BUSY,
    nemesis: LEADER_CHURN,
    finds: REPLICATION,
  },
  {
    id: 6,
    name: 'zombie replica rejoins with stale data',
    fix: 'kip320',
    modes: ['zk'],
    options: { ...BUSY, intensity: 0.6 },
    nemesis: ZOMBIE_CHURN,
    finds: REPLICATION,
  },
  {
    id: 7,
    name: 'stale epoch skips truncation',
    fix: 'kafka7164',
    modes: ['zk'],
    options: { ...BUSY, intensity: 0.6 },
    nemesis: [...ZOMBIE_CHURN, 'slow-link'],
    finds: REPLICATION,
  },
  {
    id: 8,
    name: 'joining the ISR too early',
    fix: 'kafka7128',
    modes: ['zk'],
    options: { ...SAFE, intensity: 1, timeSeconds: 180, partitions: 6 },
    nemesis: ['kill', 'slow-link'],
    finds: REPLICATION,
  },
  {
    id: 9,
    name: 'last replica standing',
    fix: 'elr',
    modes: ['zk', 'kraft'],
    // Plain fuzzing: generated kills are process crashes or, one in four, a machine losing power.
    options: { ...SAFE, killModes: 'mixed' },
    nemesis: ['kill', 'leader-data-path', 'partition'],
    finds: REPLICATION,
  },
  {
    id: 10,
    name: 'consumer misses truncation (unclean, min ISR 1)',
    fix: 'kip320Consumer',
    modes: ['zk'],
    options: { acks: 'all', unclean: true, minIsr: 1, timeSeconds: 120, workload: { rate: 60 }, killModes: 'process' },
    nemesis: ['leader-data-path', 'kill', 'pause'],
    finds: (s) => s.includes('consumer-poll-skip'),
  },
  {
    id: 11,
    name: 'a replaced disk rejoins the ISR (KAFKA-14139)',
    fix: 'kip903',
    // ZooKeeper mode was never protected (KIP-903 is KRaft's); its cells would only say so.
    modes: ['kraft'],
    options: { ...SAFE, intensity: 0.9, timeSeconds: 180, partitions: 6 },
    nemesis: ['replace-disk', 'slow-link', 'rolling-restart', 'kill'],
    disksAnyTime: true,
    // The bug itself: a replica let into the ISR without what is committed.
    finds: (s) => s.includes('StrongIsr'),
  },
];

interface Flags {
  seeds: number;
  bugs: number[];
  releases: KafkaRelease[];
}

function parseFlags(argv: string[]): Flags {
  const value = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const seeds = Number(value('--seeds') ?? 50);
  if (!Number.isInteger(seeds) || seeds < 1) throw new Error(`--seeds: a positive integer, got ${value('--seeds')}`);
  return {
    seeds,
    bugs: value('--bugs')?.split(',').map(Number) ?? BUGS.map((b) => b.id),
    releases: value('--releases')?.split(',').map(releaseOf) ?? [...RELEASES],
  };
}

/** The options of one seed: the bug's, on the release, plus a schedule whose first kill loses power. */
function optionsFor(bug: VersionBug, release: KafkaRelease, mode: 'zk' | 'kraft', seed: string): RunOptions {
  const base: RunOptions = { seed, ...bug.options, kafka: release.version, metadata: mode, nemesis: bug.nemesis };
  if (bug.powerLossKills !== true && bug.disksAnyTime !== true) return base;
  const random = Random.root(seed).fork('bugfind');
  const schedule = generateSchedule(random.fork('schedule'), {
    kinds: bug.nemesis,
    timeMs: (bug.options.timeSeconds ?? 60) * 1000,
    brokers: 3,
    partitions: bug.options.partitions ?? 3,
    replicationFactor: 3,
    ...(bug.options.intensity === undefined ? {} : { intensity: bug.options.intensity }),
  });
  const firstKill = schedule.ops.find((op) => op.action === 'start' && op.kind === 'kill');
  if (bug.powerLossKills === true && firstKill !== undefined && firstKill.kind === 'kill') {
    firstKill.params = { ...firstKill.params, mode: random.pick(POWER_LOSS_MODES) };
  }
  if (bug.disksAnyTime === true) {
    for (const op of schedule.ops) {
      if (op.action === 'start' && op.kind === 'replace-disk') op.params = { ...op.params, whenReplicated: false };
    }
  }
  return { ...base, schedule };
}

function signals(options: RunOptions): string[] {
  return Object.keys(runOnce(options).result.anomalies);
}

interface Cell {
  /** Whether the release has the bug's fix (for bugs 1 and 2: always false, the configuration decides). */
  hasFix: boolean;
  /** Without the fix: the first seed that found the bug, or null. With it: seeds with the bug's signals. */
  firstFound: number | null;
  raw: number;
  seedsRun: number;
}

function runCell(bug: VersionBug, release: KafkaRelease, mode: 'zk' | 'kraft', seeds: number): Cell {
  const hasFix = bug.fix !== null && release.behaviours[bug.fix];
  let raw = 0;
  for (let i = 1; i <= seeds; i++) {
    const options = optionsFor(bug, release, mode, `v${bug.id}-${i}`);
    if (!bug.finds(signals(options))) continue;
    raw++;
    if (hasFix) continue;
    // Without the fix: the bug's own when the fix alone removes the signals on the same seed.
    if (bug.fix === null || !bug.finds(signals({ ...options, protocol: `+${bug.fix}` }))) {
      return { hasFix, firstFound: i, raw, seedsRun: i };
    }
  }
  return { hasFix, firstFound: null, raw, seedsRun: seeds };
}

function cellText(c: Cell | null): string {
  if (c === null) return '–';
  if (!c.hasFix) return c.firstFound === null ? `no (${c.seedsRun})` : `YES@${c.firstFound}`;
  return c.raw === 0 ? 'fixed' : `fixed, ${c.raw} raw`;
}

function main(): void {
  const flags = parseFlags(process.argv.slice(2));
  const started = performance.now();
  console.log(`version matrix: ${flags.seeds} seeds per cell; YES@k: found at seed k (gone with the fix alone)`);
  const bugs = BUGS.filter((b) => flags.bugs.includes(b.id));
  const header = ['bug', ...flags.releases.map((r) => r.version)];
  const rows: string[][] = [];
  let mismatches = 0;
  for (const bug of bugs) {
    const row = [`${bug.id} ${bug.name}`];
    for (const release of flags.releases) {
      const mode = bug.modes.find((m) => release.metadataModes.includes(m));
      const cell = mode === undefined ? null : runCell(bug, release, mode, flags.seeds);
      row.push(cellText(cell));
      // History: found where the fix is missing (for bugs 1 and 2: everywhere the configuration allows it).
      if (cell !== null && cell.hasFix && cell.raw > 0 && release.version === RELEASES[RELEASES.length - 1].version) {
        mismatches++;
      }
      process.stderr.write(`bug ${bug.id} on ${release.version}: ${cellText(cell)}\n`);
    }
    rows.push(row);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
  console.log(
    `wall time ${((performance.now() - started) / 1000).toFixed(0)} s; ` +
      `newest release with a fixed bug's signals: ${mismatches}`,
  );
}

main();
