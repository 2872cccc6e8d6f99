// `kafkasim run`: one simulated test — a cluster, a workload, faults, the checkers — with a summary, and
// the history (JSON lines and EDN), result.json, repro.json and the report in the output directory.
// The seed and every resolved option are printed before the first simulated event, as TigerBeetle's VOPR
// does, so that a run that crashes the harness still leaves its seed; a harness crash prints the seed, the
// command that reruns it and one line of error, writes the stack trace to a file, and exits 70.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { describeSwarmConfig } from '../../harness/swarm-config.ts';
import {
  accountOfRun,
  checkOutDir,
  makeOutDir,
  replayCommandFor,
  runOnce,
  runProbes,
  testOf,
  writeRunOutputs,
  writeWhole,
  type RunOptions,
  type RunResult,
  type Test,
  type TestRun,
} from '../../harness/index.ts';
import { givenFlags } from '../given-flags.ts';
import { addRunFlags, runOptionsFrom, type RunFlagValues } from '../run-flags.ts';
import { EXIT_ANOMALY, EXIT_HARNESS_CRASH, EXIT_UNKNOWN, EXIT_VALID, isUserError, UsageError } from '../usage-error.ts';

type RunFlags = RunFlagValues & {
  /** A directory, or false with --no-out. */
  out: string | false;
  json?: boolean;
};

export function exitCodeOf(valid: RunResult['valid']): number {
  return valid === true ? EXIT_VALID : valid === false ? EXIT_ANOMALY : EXIT_UNKNOWN;
}

export function registerRun(program: Command): void {
  const command = program.command('run');
  const given = givenFlags(command, ['out', 'no-out']);
  addRunFlags(command)
    .description('run one simulated test: a Kafka cluster, the queue workload, faults, and every checker')
    .option(
      '--out <dir>',
      'where to write history.jsonl, history.edn, result.json, repro.json and the report (index.html)',
      'kafkasim-out/seed-<seed>',
    )
    .option('--no-out', 'write no files')
    .option('--json', 'print result.json on stdout')
    .action((flags: RunFlags) => {
      if (given.has('out') && given.has('no-out')) throw new UsageError('--out and --no-out contradict: give one');
      const options = runOptionsFrom(flags);
      const test = testOf(options);
      const out = flags.out === false ? undefined : flags.out.replace('<seed>', String(options.seed));
      // Before the run, not after it: a run of minutes is not lost to an output path that cannot be.
      if (out !== undefined) checkOutDir(out);
      // With --json, stdout carries result.json alone; the preamble goes to stderr.
      const say =
        flags.json === true
          ? (line: string): void => void process.stderr.write(`${line}\n`)
          : (line: string): void => console.log(line);
      for (const line of preamble(test, options, flags.schedule)) say(line);
      let run;
      try {
        run = runOnce(options, {}, test);
      } catch (e) {
        if (isUserError(e)) throw e;
        reportHarnessCrash(e, options, out, flags.schedule);
        process.exitCode = EXIT_HARNESS_CRASH;
        return;
      }
      if (out !== undefined) writeRunOutputs(out, run);
      if (flags.json) process.stdout.write(JSON.stringify(run.result, null, 2) + '\n');
      else printSummary(run, out);
      process.exitCode = exitCodeOf(run.result.valid);
    });
}

/** The seed, the command that reruns it, and the resolved test, before anything runs. */
export function preamble(test: Test, options: RunOptions, scheduleFile: string | undefined): string[] {
  const c = test.cluster;
  const broker = c.broker;
  const nemesis =
    'schedule' in test.nemesis ? `schedule of ${test.nemesis.schedule.ops.length} ops` : nemesisText(test.nemesis);
  return [
    `seed          ${String(test.seed)}`,
    `rerun with    ${replayCommandFor(options, { scheduleFile })}`,
    `kafka         ${c.kafka}, ` +
      (c.metadata === 'kraft' ? `KRaft (${c.kraft['controller.quorum.voters']} controllers)` : 'ZooKeeper') +
      (test.protocolOverrides.length === 0 ? '' : `, overrides ${test.protocolOverrides.join(',')}`),
    `cluster       ${c.brokers} brokers, ${c.partitions} partitions, replication factor ${c.replicationFactor}`,
    `broker        min.insync.replicas=${broker['min.insync.replicas']} ` +
      `unclean.leader.election.enable=${broker['unclean.leader.election.enable']} ` +
      `replica.lag.time.max.ms=${broker['replica.lag.time.max.ms']}` +
      (c.metadata === 'zk' ? ` zookeeper.session.timeout.ms=${broker['zookeeper.session.timeout.ms']}` : ''),
    `producer      acks=${test.workload.producer.acks} ` +
      `enable.idempotence=${test.workload.producer['enable.idempotence']}, ` +
      (test.workloadKind === 'txn'
        ? `${test.workload.producers} transactional clients, isolation.level=${test.isolation}`
        : `${test.workload.producers} producers, ${test.workload.consumers} consumers, ${test.workload.rate} sends/s`),
    `nemesis       ${nemesis}, ${test.timeSeconds} simulated ` +
      `s${test.stopOnViolation ? ', stop at the first violation' : ''}`,
    `checkers      ${test.checkers.map((ch) => ch.name).join(', ')}`,
    ...(options.swarmConfig === true
      ? [`swarm config  ${describeSwarmConfig(options).replace(/^swarm-config: /, '')}`]
      : []),
  ];
}

function nemesisText(plan: { kinds: string[] | 'swarm'; intensity: number | undefined }): string {
  const kinds =
    plan.kinds === 'swarm'
      ? 'swarm (the seed picks the kinds)'
      : plan.kinds.length === 0
        ? 'none'
        : plan.kinds.join(',');
  return plan.intensity === undefined ? kinds : `${kinds} at intensity ${plan.intensity}`;
}

/**
 * A bug of kafkasim itself (the simulator, a checker) rather than a finding about Kafka: the seed, the
 * rerun command and one line on stderr; the stack trace in crash.txt of the output directory (or of a
 * temporary one with --no-out).
 */
function reportHarnessCrash(
  e: unknown,
  options: RunOptions,
  out: string | undefined,
  scheduleFile: string | undefined,
): void {
  const stack = e instanceof Error && e.stack !== undefined ? e.stack : String(e);
  const line = e instanceof Error ? `${e.name}: ${e.message.split('\n')[0]}` : String(e).split('\n')[0];
  const rerun = replayCommandFor(options, { scheduleFile });
  let file: string;
  try {
    const dir = out ?? join(tmpdir(), `kafkasim-crash-${String(options.seed)}`);
    makeOutDir(dir);
    file = join(dir, 'crash.txt');
    writeWhole(file, `seed ${String(options.seed)}\nrerun: ${rerun}\n\n${stack}\n`);
  } catch {
    file = '(could not be written)';
  }
  process.stderr.write(`kafkasim: harness crash on seed ${String(options.seed)}: ${line}\n`);
  process.stderr.write(`kafkasim: rerun with: ${rerun}\n`);
  process.stderr.write(`kafkasim: stack trace in ${file}\n`);
}

/** The short terminal summary of a run: what happened first, as the report opens. */
export function printSummary(run: { output: TestRun; result: RunResult }, out?: string): void {
  const result = run.result;
  const account = accountOfRun(run.output, result);
  const anomalies =
    Object.entries(result.anomalies)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ') || 'none';
  console.log(`seed          ${result.seed}`);
  if (result.swarm) console.log(`swarm         ${result.swarm}`);
  console.log(`verdict       ${result.valid === true ? 'valid' : result.valid === false ? 'INVALID' : 'unknown'}`);
  console.log(`what happened ${account.headline}`);
  if (account.alsoFound.length > 0) console.log(`also found    ${account.alsoFound.join(', ')}`);
  console.log(`anomalies     ${anomalies}${result.config.strict ? ' (--strict: every loss is a finding)' : ''}`);
  const allowed = Object.entries(result.allowed.anomalies)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  if (allowed !== '') {
    const causes = Object.entries(result.allowed.lostByCause)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    console.log(
      `allowed       ${allowed} (by the configuration, not findings` +
        `${causes === '' ? '' : `; acknowledged writes lost by cause: ${causes}`})`,
    );
  }
  for (const line of violationLines(result)) console.log(line);
  if (result.stoppedAt !== undefined) {
    console.log(
      `stopped       at world event ${result.stoppedAt.step} (t=${result.stoppedAt.time} ms): ` +
        `${result.stoppedAt.checker} found a violation`,
    );
  }
  console.log(
    `acked writes  ${result.stats.acked} (lost: ${result.stats.lost}` +
      `${result.stats.lostAllowed > 0 ? `, ${result.stats.lostAllowed} of them allowed by the configuration` : ''})`,
  );
  console.log(`ops           ${result.stats.ops}, events ${result.stats.events}`);
  console.log(
    `time          ${result.stats.simSeconds.toFixed(1)} simulated s in ${result.stats.wallMs} ms of wall time`,
  );
  console.log(`history hash  ${result.historyHash}`);
  const probes = runProbes(run.output.probes);
  console.log(`probes        ${probes.reached} of ${probes.declared} coverage probes reached`);
  if (out !== undefined) console.log(`report        ${out}/index.html (history, result.json and repro.json beside it)`);
}

/** The first violation of each online monitor that found one, with its world event and time. */
function violationLines(result: RunResult): string[] {
  const lines: string[] = [];
  for (const c of result.checkers) {
    if (c.checker !== 'invariants' && c.checker !== 'raft-invariants') continue;
    for (const a of c.anomalies) {
      const first = a.examples[0];
      const step = first?.detail?.step;
      const time = first?.detail?.time;
      if (typeof step === 'number' && typeof time === 'number') {
        lines.push(`violation     ${a.name} first at world event ${step} (t=${time} ms): ${first.description}`);
      }
    }
  }
  return lines;
}
