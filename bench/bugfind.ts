// npm run bench:bugfind [-- --quick] [--streams K] [--max-seeds N] [--modern-seeds N] [--bugs 1,4,9]
//                         [--no-shrink] [--out dir] [--survey N]   (survey: detection rate per bug and its baseline)
//
// Does random fuzzing find Kafka's historical replication bugs (../shared notes, section 4, and KAFKA-14139)? For each
// bug: its protocol mode (or configuration) on, fault kinds that give it a fair chance, and no scripted
// schedule — each seed generates its own. Over K independent seed streams it reports the median number of
// seeds to the first detection, the signals seen, and the fault count of the first finding before and
// after shrinking. Then the modern protocol with clean election, over many seeds: no anomaly, no
// invariant violation, no divergence at rest, no consumer skipping records.
// Targets: every bug found within 500 seeds at the median, shrunk to at most 4 faults; modern clean over
// 10,000 seeds. The first finding of each bug and its shrunk case are written to --out (bugfind-out) as
// repro files that `kafkasim replay` reruns.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { reproRunOptions, reproText, type Repro, type RunOptions } from '../harness/index.ts';
import { minimizeSchedule, shrinkRepro } from '../harness/shrink.ts';
import { writeWhole } from '../harness/write-whole.ts';
import { generateSchedule, type FaultKind, type Schedule } from '../nemesis/index.ts';
import { POWER_LOSS_MODES, Random } from '../sim/world/index.ts';
import { runWithSignals, type SignalledRun } from './bugfind-signals.ts';

/** One bug to find: what to switch on, which faults to draw from, and which signals count as finding it. */
interface BugSpec {
  id: number;
  name: string;
  /** The mode or configuration, as the table shows it. */
  label: string;
  options: Partial<RunOptions>;
  nemesis: FaultKind[];
  /**
   * The run's first generated kill is a power loss (unsynced data lost) instead of a process crash. One
   * only: two brokers losing power one after the other can lose acknowledged data in modern Kafka too
   * (nothing is fsynced), which would hide what KIP-966 fixes.
   */
  powerLossKills?: boolean;
  /**
   * Generated disk replacements happen whatever the cluster's state (whenReplicated false): a disk fails when it
   * fails, and KAFKA-14139's replica was out of the ISR, catching up, when its disk was replaced.
   */
  disksAnyTime?: boolean;
  /** Signals that count as finding this bug (others may come along). */
  finds: (signals: readonly string[]) => boolean;
  /** What the bug's fix (or the safe configuration) changes: the same seeds must not find it. */
  baseline: Partial<RunOptions>;
  /**
   * Count a finding only if the baseline, on the same seed (the same schedule and workload draws), does
   * not find it too: only what the mode adds counts. The faults some bugs need (power loss everywhere,
   * unclean elections, heavy leader churn) at times lose or reorder data in modern Kafka as well, and a
   * KIP-320 consumer cannot see every truncation either (it compares end offsets only).
   */
  differential?: boolean;
}

const ANY = (s: readonly string[]): boolean => s.length > 0;
/** Faults a shrunk case should have at most. */
const SHRINK_TARGET = 4;
/** Findings shrunk at most per bug while none reaches the target. */
const MAX_SHRINKS = 8;
const LOSS = new Set(['lost-write', 'unseen', 'acked-write-lost', 'inconsistent-offsets']);
const DATA_LOSS = (s: readonly string[]): boolean => s.some((x) => LOSS.has(x));
/**
 * The configuration the bugs are searched on: Kafka 3.9 in ZooKeeper mode with KIP-966's eligible leader
 * replicas switched on (a what-if: ZooKeeper mode never had them), each bug's mode switched off on top
 * (`mode`). Before --kafka this was kafkasim's "modern" ZooKeeper mode, and the examples were found on it.
 * bench/versions.ts runs the releases themselves.
 */
const BASE: Partial<RunOptions> = { kafka: '3.9', metadata: 'zk', protocol: '+elr', killModes: 'process' };
const mode = (overrides: string): Partial<RunOptions> => ({ ...BASE, protocol: `+elr,${overrides}` });
const MODERN = BASE;
const EVERYDAY: FaultKind[] = ['kill', 'pause', 'partition', 'zk', 'leader-data-path'];

/** Preferred leader election every 5 s: leadership goes back and forth quickly, as bugs 5-7 need. */
const FAST_REBALANCE = { 'leader.imbalance.check.interval.seconds': 5 };
/** Long runs over more partitions, many faults: more leader changes per seed. */
const BUSY: Partial<RunOptions> = { broker: FAST_REBALANCE, intensity: 0.8, timeSeconds: 180, partitions: 6 };
const LEADER_CHURN: FaultKind[] = ['leader-data-path', 'kill', 'pause', 'zk'];
/** Leader churn plus lossy or slow links and partial partitions: one follower ahead of another. */
const ZOMBIE_CHURN: FaultKind[] = ['pause', 'zk', 'kill', 'packet', 'partition', 'leader-data-path'];
/**
 * The same with a slow inter-broker network (slow-link): a follower hears of leader changes seconds late,
 * so it sees its old leader again two epochs on, as KAFKA-7164 needs (about 2% of seeds at intensity 0.6,
 * against 0.25% without slow-link at 0.8).
 */
const ZOMBIE_CHURN_SLOW: FaultKind[] = [...ZOMBIE_CHURN, 'slow-link'];

const BUGS: BugSpec[] = [
  {
    id: 1,
    name: 'unclean election loses acked writes',
    label: 'unclean, min ISR 1',
    // A configured risk, not a bug: judged as Jepsen judges (--strict), so that the losses it allows count.
    options: { ...BASE, minIsr: 1, unclean: true, strict: true },
    nemesis: ['leader-data-path', 'partition', 'zk'],
    finds: DATA_LOSS,
    baseline: { minIsr: 2, unclean: false },
  },
  {
    id: 2,
    name: 'acks=1 loses writes on failover',
    label: 'acks=1',
    options: { ...BASE, acks: 1, strict: true },
    nemesis: ['kill', 'leader-data-path', 'partition'],
    finds: DATA_LOSS,
    baseline: { acks: 'all' },
  },
  {
    id: 3,
    name: 'HW truncation loses committed data',
    label: 'pre-kip-101',
    options: { ...mode('pre-kip-101') },
    nemesis: EVERYDAY,
    finds: ANY,
    baseline: MODERN,
    differential: true,
  },
  {
    id: 4,
    name: 'divergence after double power loss',
    label: 'pre-kip-101,pre-kip-966',
    options: { ...mode('pre-kip-101,pre-kip-966') },
    nemesis: ['power-loss'],
    finds: (s) => s.includes('divergence-at-rest'),
    baseline: MODERN,
    differential: true,
  },
  {
    id: 5,
    name: 'divergence after fast leader changes',
    label: 'pre-kip-279',
    options: { ...mode('pre-kip-279'), ...BUSY },
    nemesis: LEADER_CHURN,
    finds: ANY,
    baseline: MODERN,
    differential: true,
  },
  {
    id: 6,
    name: 'zombie replica rejoins with stale data',
    label: 'pre-kip-320',
    // Gentler than BUSY: a zombie must keep fetching through two leader changes, which fewer overlapping
    // faults leave it doing more often (about 0.8% of seeds at intensity 0.6, 0.3% at 0.8).
    options: { ...mode('pre-kip-320'), ...BUSY, intensity: 0.6 },
    nemesis: ZOMBIE_CHURN,
    finds: (s) => s.some((x) => x !== 'consumer-poll-skip'),
    baseline: MODERN,
    differential: true,
  },
  {
    id: 7,
    name: 'stale epoch skips truncation',
    label: 'kafka-7164',
    options: { ...mode('kafka-7164'), ...BUSY, intensity: 0.6 },
    nemesis: ZOMBIE_CHURN_SLOW,
    finds: ANY,
    baseline: MODERN,
    differential: true,
  },
  {
    id: 8,
    name: 'joining the ISR too early',
    label: 'kafka-7128',
    // The too-early member must be elected before the answer carrying the records reaches it: a slow
    // inter-broker network (slow-link) stretches that moment from a millisecond to seconds.
    options: { ...mode('kafka-7128'), intensity: 1, timeSeconds: 180, partitions: 6 },
    nemesis: ['kill', 'slow-link'],
    finds: ANY,
    baseline: MODERN,
    differential: true,
  },
  {
    id: 9,
    name: 'last replica standing',
    label: 'pre-kip-966 (first kill a power loss)',
    options: { ...mode('pre-kip-966') },
    nemesis: ['kill', 'leader-data-path', 'partition'],
    powerLossKills: true,
    finds: ANY,
    baseline: MODERN,
    differential: true,
  },
  {
    id: 10,
    name: 'consumer misses truncation',
    label: 'pre-kip-320, unclean, min ISR 1',
    options: { ...mode('pre-kip-320'), minIsr: 1, unclean: true, timeSeconds: 120, workload: { rate: 60 } },
    nemesis: ['leader-data-path', 'kill', 'pause'],
    finds: (s) => s.includes('consumer-poll-skip'),
    baseline: MODERN,
    differential: true,
  },
  {
    id: 11,
    name: 'a replaced disk rejoins the ISR (KAFKA-14139)',
    label: 'KRaft 3.5 -kip903 (3.4 the same)',
    // KRaft 3.5 without KIP-903 against 3.5 itself: only the broker epoch check differs. A slow inter-broker
    // network keeps a fetch of the replica's previous incarnation, or the leader's AlterPartition, in flight
    // across its disk replacement; kills and rolling restarts then move leadership while it is in the ISR empty.
    options: {
      kafka: '3.5',
      metadata: 'kraft',
      protocol: '-kip903',
      killModes: 'process',
      intensity: 0.9,
      timeSeconds: 180,
      partitions: 6,
    },
    nemesis: ['replace-disk', 'slow-link', 'rolling-restart', 'kill'],
    disksAnyTime: true,
    // The bug itself: a replica let into the ISR without what is committed. (Disks replaced whenever lose data
    // in 3.5 too, two at a time, so data loss alone would not tell.)
    finds: (s) => s.includes('StrongIsr'),
    baseline: { protocol: '' },
    differential: true,
  },
];

/** Modern, clean election: fault kinds that never lose what Kafka promised (power loss on every replica does). */
const MODERN_KINDS: FaultKind[] = ['kill', 'pause', 'partition', 'zk', 'leader-data-path', 'clock', 'packet'];

interface Flags {
  quick: boolean;
  streams: number;
  maxSeeds: number;
  modernSeeds: number;
  bugs: number[];
  shrink: boolean;
  /** Instead of searching: run this many seeds per bug and report how often each finds it. */
  survey: number;
  /** Where the findings' repro files go. */
  out: string;
}

function parseFlags(argv: string[]): Flags {
  const quick = argv.includes('--quick');
  const value = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const int = (name: string, fallback: number): number => {
    const v = value(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${name}: expected a non-negative integer, got ${v}`);
    return n;
  };
  const bugs = value('--bugs')?.split(',').map(Number) ?? BUGS.map((b) => b.id);
  return {
    quick,
    streams: int('--streams', quick ? 3 : 5),
    maxSeeds: int('--max-seeds', quick ? 100 : 500),
    modernSeeds: int('--modern-seeds', quick ? 100 : 10_000),
    bugs,
    shrink: !argv.includes('--no-shrink'),
    survey: int('--survey', 0),
    out: value('--out') ?? 'bugfind-out',
  };
}

/**
 * The options for one seed of one bug: the bug's own, plus a schedule when kills must lose power or disks be
 * replaced whenever.
 */
function optionsFor(bug: BugSpec, seed: string): RunOptions {
  const base: RunOptions = { seed, ...bug.options, nemesis: bug.nemesis };
  if (bug.powerLossKills !== true && bug.disksAnyTime !== true) return base;
  const random = Random.root(seed).fork('bugfind');
  const shape = {
    timeMs: (bug.options.timeSeconds ?? 60) * 1000,
    brokers: bug.options.brokers ?? 3,
    partitions: bug.options.partitions ?? 3,
    replicationFactor: bug.options.replicationFactor ?? 3,
  };
  const schedule = generateSchedule(random.fork('schedule'), {
    kinds: bug.nemesis,
    ...shape,
    ...(bug.options.intensity === undefined ? {} : { intensity: bug.options.intensity }),
  });
  if (bug.powerLossKills === true) {
    // The generator's kills are process crashes; here the first one loses power instead (a random mode),
    // drawn from the seed like everything else.
    const firstKill = schedule.ops.find((op) => op.action === 'start' && op.kind === 'kill');
    if (firstKill !== undefined && firstKill.kind === 'kill')
      firstKill.params = { ...firstKill.params, mode: random.pick(POWER_LOSS_MODES) };
  }
  if (bug.disksAnyTime === true) {
    for (const op of schedule.ops)
      if (op.action === 'start' && op.kind === 'replace-disk') op.params = { ...op.params, whenReplicated: false };
  }
  return { ...base, schedule };
}

interface StreamResult {
  /** Seeds run until the first detection (inclusive), or null if none within the budget. */
  seeds: number | null;
  finding: SignalledRun | null;
}

/** One seed of one bug: the run, and whether it found the bug (for a differential bug: and the baseline did not). */
function runBug(bug: BugSpec, seed: string): { run: SignalledRun; found: boolean } {
  const run = runWithSignals(optionsFor(bug, seed));
  if (!bug.finds(run.signals)) return { run, found: false };
  if (bug.differential !== true) return { run, found: true };
  return { run, found: !bug.finds(runWithSignals({ ...optionsFor(bug, seed), ...bug.baseline }).signals) };
}

function searchStream(bug: BugSpec, stream: number, maxSeeds: number, from = 1): StreamResult {
  for (let i = from; i <= maxSeeds; i++) {
    const r = runBug(bug, `bug${bug.id}-s${stream}-${i}`);
    if (r.found) return { seeds: i, finding: r.run };
  }
  return { seeds: null, finding: null };
}

// ---- shrinking ----

interface Shrunk {
  before: number;
  after: number;
  by: string;
  /** The shrunk case, as `kafkasim replay` reruns it. */
  repro: Repro;
  signals: string[];
}

/**
 * Shrinks the first finding's fault schedule. Bugs found by the judge's anomalies alone go through the
 * project's shrinker (harness/shrink.ts shrinkRepro: faults, then run length, then clients), and the
 * result is checked to still find the bug; differential ones use the same shrinker's fault minimisation
 * (ddmin, then small windows of faults) with the bug's own test, the baseline included.
 */
function shrinkFinding(bug: BugSpec, finding: SignalledRun): Shrunk {
  const options = finding.run.options;
  const schedule = finding.run.output.schedule;
  if (bug.differential !== true) {
    const out = shrinkRepro(finding.run.repro, { maxRuns: 300 });
    const again = runWithSignals(reproRunOptions(out.repro));
    if (bug.finds(again.signals))
      return {
        before: out.before.faults,
        after: out.after.faults,
        by: 'shrinkRepro',
        repro: out.repro,
        signals: again.signals,
      };
  }
  const minimal = minimizeSchedule(schedule, (candidate) => stillFinds(bug, { ...options, schedule: candidate }));
  const shrunk = runWithSignals({ ...options, schedule: minimal });
  const count = (s: Schedule): number => new Set(s.ops.map((op) => op.id)).size;
  return {
    before: count(schedule),
    after: count(minimal),
    by: 'faults minimised',
    repro: shrunk.run.repro,
    signals: shrunk.signals,
  };
}

function stillFinds(bug: BugSpec, options: RunOptions): boolean {
  if (!bug.finds(runWithSignals(options).signals)) return false;
  return bug.differential !== true || !bug.finds(runWithSignals({ ...options, ...bug.baseline }).signals);
}

// ---- report ----

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

/** How often a bug's configuration finds it, seed by seed, and how often its baseline does (should be never). */
function survey(bugs: BugSpec[], seeds: number): void {
  for (const bug of bugs) {
    const t0 = performance.now();
    let found = 0;
    let baselineFound = 0;
    const tally = new Map<string, number>();
    for (let i = 1; i <= seeds; i++) {
      const seed = `survey${bug.id}-${i}`;
      const r = runBug(bug, seed);
      if (r.found) found++;
      for (const sig of r.run.signals) tally.set(sig, (tally.get(sig) ?? 0) + 1);
      // The baseline alone: for a differential bug these seeds were not counted as findings above.
      const b = runWithSignals({ ...optionsFor(bug, seed), ...bug.baseline });
      if (bug.finds(b.signals)) {
        baselineFound++;
        console.log(`  baseline (${JSON.stringify(bug.baseline)}) shows it on seed ${seed}: ${b.signals.join(', ')}`);
      }
    }
    const sigs = [...tally].map(([k, v]) => `${k} ${v}`).join(', ');
    console.log(
      `bug ${bug.id} ${bug.label} [${bug.nemesis.join(',')}]: found in ${found} of ${seeds} seeds (baseline: ` +
        `${baselineFound}); signals: ${sigs} (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
    );
  }
}

function main(): void {
  const flags = parseFlags(process.argv.slice(2));
  if (flags.survey > 0)
    return survey(
      BUGS.filter((b) => flags.bugs.includes(b.id)),
      flags.survey,
    );
  const started = performance.now();
  console.log(
    `bugfind: ${flags.streams} streams per bug, at most ${flags.maxSeeds} seeds each; modern over ` +
      `${flags.modernSeeds} seeds`,
  );
  const rows: string[][] = [];
  let allFound = true;
  for (const bug of BUGS.filter((b) => flags.bugs.includes(b.id))) {
    const t0 = performance.now();
    const results = Array.from({ length: flags.streams }, (_, k) => searchStream(bug, k + 1, flags.maxSeeds));
    // A stream that found nothing counts as past the budget, so the median stays honest.
    const counts = results.map((r) => r.seeds ?? Infinity);
    const found = results.filter((r) => r.finding !== null);
    const signals = [...new Set(found.flatMap((r) => (r.finding as SignalledRun).signals))].sort();
    let shrunk = '-';
    let shrunkSignals = '-';
    if (found.length > 0) {
      mkdirSync(flags.out, { recursive: true });
      const first = found[0].finding as SignalledRun;
      const name = `bug-${String(bug.id).padStart(2, '0')}`;
      writeWhole(join(flags.out, `${name}.repro.json`), reproText(first.run.repro));
      if (flags.shrink) {
        // Findings in turn until one shrinks to the target: how small a case gets depends on the case
        // (removing a fault shifts every later event of the run), not only on the shrinker. First each
        // stream's first finding, then later findings of the streams, at most MAX_SHRINKS in all.
        const findings = found.map((r) => r.finding as SignalledRun);
        const next = results.map((r) => (r.seeds ?? flags.maxSeeds) + 1);
        let s = shrinkFinding(bug, findings[0]);
        const sizes = [s.after];
        for (let k = 1, stream = 0; s.after > SHRINK_TARGET && sizes.length < MAX_SHRINKS; k++) {
          let finding = k < findings.length ? findings[k] : null;
          while (finding === null && stream < results.length) {
            const more = searchStream(bug, stream + 1, flags.maxSeeds, next[stream]);
            if (more.seeds === null) stream++;
            else {
              next[stream] = more.seeds + 1;
              finding = more.finding;
            }
          }
          if (finding === null) break;
          const t = shrinkFinding(bug, finding);
          sizes.push(t.after);
          if (t.after < s.after) s = t;
        }
        const file = join(flags.out, `${name}.min.json`);
        writeWhole(file, reproText(s.repro));
        shrunk =
          `${s.before} → ${s.after} ` +
          `(${s.by}${sizes.length > 1 ? `, best of ${sizes.length} findings: ${sizes.join(' ')}` : ''}; ${file})`;
        shrunkSignals = s.signals.join(', ');
      }
    }
    const med = median(counts);
    if (!(med <= flags.maxSeeds)) allFound = false;
    rows.push([
      String(bug.id),
      bug.label,
      `[${bug.nemesis.join(',')}]`,
      Number.isFinite(med) ? String(med) : `>${flags.maxSeeds}`,
      counts.map((c) => (Number.isFinite(c) ? String(c) : '-')).join(' '),
      signals.join(', '),
      shrunk,
      shrunkSignals,
      `${((performance.now() - t0) / 1000).toFixed(1)} s`,
    ]);
    console.log(`bug ${bug.id} (${bug.name}): seeds to first detection per stream [${counts.join(', ')}]`);
  }
  const header = [
    'bug',
    'mode / config',
    'nemesis',
    'median seeds',
    'per stream',
    'signals seen',
    'faults: first finding → shrunk',
    'shrunk case shows',
    'wall',
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  console.log('');
  console.log('| ' + header.map((h, i) => pad(h, widths[i])).join(' | ') + ' |');
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const r of rows) console.log('| ' + r.map((c, i) => pad(c, widths[i])).join(' | ') + ' |');

  // ---- modern, clean election ----
  let bad = 0;
  const t1 = performance.now();
  for (let i = 1; i <= flags.modernSeeds; i++) {
    const r = runWithSignals({ ...MODERN, seed: `modern-${i}`, nemesis: MODERN_KINDS });
    if (r.signals.length > 0 || r.violations > 0) {
      bad++;
      console.log(
        `modern seed modern-${i}: ${r.signals.join(', ') || '(no anomaly)'}; ${r.violations} invariant violation(s)`,
      );
    }
    if (i % 500 === 0)
      console.log(`modern: ${i} seeds, ${bad} with findings (${((performance.now() - t1) / 1000).toFixed(0)} s)`);
  }
  console.log(
    `\nmodern (clean election, ${MODERN_KINDS.join(',')}): ${bad} of ${flags.modernSeeds} seeds with an anomaly, an ` +
      `invariant violation, a divergence at rest or a consumer skip`,
  );
  console.log(`wall time ${((performance.now() - started) / 1000).toFixed(0)} s`);
  process.exitCode = allFound && bad === 0 ? 0 : 1;
}

main();
