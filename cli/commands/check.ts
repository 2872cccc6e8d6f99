// `kafkasim check <history> --model <name>`: the checkers on a history recorded anywhere (JSON lines or
// Jepsen EDN): linearizability against a model, or Kafka's queue and durability checkers.
import type { Command } from 'commander';
import { parseHistoryText } from '../../checkers/io.ts';
import { checkLinearizableWithin, MalformedOperationError } from '../../checkers/linearizable/index.ts';
import type { CheckResult } from '../../checkers/result.ts';
import { checkOutDir, checkReportData, makeOutDir, writeRunReport } from '../../harness/index.ts';
import { MAX_HISTORY_BYTES, readInput } from '../../harness/input.ts';
import type { History, Value } from '../../workloads/history/format.ts';
import { checkWellFormed } from '../../workloads/history/well-formed.ts';
import type { JepsenKafkaOptions, SubscribeVia } from '../../checkers/jepsen-kafka/index.ts';
import { CHECK_MODELS, checkSomethingToRead, JEPSEN_OPTION_MODELS, MODELS } from '../check/models.ts';
import { intOption } from '../options.ts';
import { EXIT_ANOMALY, EXIT_UNKNOWN, EXIT_VALID, UsageError } from '../usage-error.ts';

export { CHECK_MODELS };

interface CheckFlags {
  model: string;
  initial?: string;
  timeLimit: string;
  json?: boolean;
  out?: string;
  /** Jepsen's test options, for --model jepsen-kafka. */
  wwDeps?: boolean;
  rwDeps?: boolean;
  subVia?: string;
}

const SUB_VIA: readonly SubscribeVia[] = ['assign', 'subscribe'];

/** Jepsen's test options from the flags, refused for a model that would ignore them. */
function jepsenOptions(flags: CheckFlags): JepsenKafkaOptions {
  const given = [
    flags.wwDeps === false ? '--no-ww-deps' : null,
    flags.rwDeps === true ? '--rw-deps' : null,
    flags.subVia !== undefined ? '--sub-via' : null,
  ].filter((f) => f !== null);
  if (!JEPSEN_OPTION_MODELS.includes(flags.model)) {
    if (given.length > 0)
      throw new UsageError(`${given[0]} applies only to --model ${JEPSEN_OPTION_MODELS.join(', ')}`);
    return {};
  }
  const subVia = flags.subVia === undefined ? undefined : flags.subVia.split(',');
  if (subVia !== undefined && (subVia.length === 0 || !subVia.every((v) => (SUB_VIA as string[]).includes(v))))
    throw new UsageError(`--sub-via must be assign, subscribe or assign,subscribe; got "${flags.subVia}"`);
  return { wwDeps: flags.wwDeps ?? true, rwDeps: flags.rwDeps ?? false, subVia: subVia as SubscribeVia[] | undefined };
}

export function checkHistoryFile(path: string, flags: CheckFlags): CheckResult[] {
  return checkHistory(path, flags).results;
}

function checkHistory(path: string, flags: CheckFlags): { history: History; results: CheckResult[] } {
  const name = flags.model;
  if (!CHECK_MODELS.includes(name))
    throw new UsageError(`--model must be one of ${CHECK_MODELS.join(', ')}; got "${name}"`);
  const model = MODELS[name];
  // Options first, then the file: a typo in a flag is not worth reading 256 MiB for.
  const seconds = intOption('--time-limit', flags.timeLimit, 1, 86_400);
  const jepsen = jepsenOptions(flags);
  let initial = model.kind === 'linearizable' ? model.initial : undefined;
  if (flags.initial !== undefined) {
    if (initial === undefined) throw new UsageError(`--initial does not apply to the ${name} model`);
    try {
      initial = JSON.parse(flags.initial) as Value;
    } catch {
      throw new UsageError(`--initial must be JSON, got ${flags.initial}`);
    }
  }
  const text = readInput(path, 'history file', MAX_HISTORY_BYTES);
  const hint = path.endsWith('.edn') ? 'edn' : path.endsWith('.jsonl') || path.endsWith('.json') ? 'jsonl' : undefined;
  const history = parseHistoryText(text, hint);
  checkWellFormed(history);
  checkSomethingToRead(name, history, path);
  if (model.kind === 'queue') return { history, results: model.check(history, jepsen) };
  try {
    return { history, results: [checkLinearizableWithin(history, model.build(initial), seconds * 1000)] };
  } catch (e) {
    // An op the model cannot read (a value of the wrong shape) is the file's problem, not a checker bug.
    if (e instanceof MalformedOperationError) throw new UsageError(`${path}: ${e.message}`);
    throw e;
  }
}

function verdictOf(results: CheckResult[]): true | false | 'unknown' {
  if (results.some((r) => r.valid === false)) return false;
  if (results.some((r) => r.valid === 'unknown')) return 'unknown';
  return true;
}

export function registerCheck(program: Command): void {
  program
    .command('check <history>')
    .description(
      'check a history file (JSON lines or Jepsen EDN) for linearizability, Kafka queue anomalies or, as ' +
        "Jepsen's Kafka checker does, transaction cycles",
    )
    .requiredOption('--model <name>', `one of ${CHECK_MODELS.join(', ')}`)
    .option('--initial <json>', 'initial value for register, cas-register, multi-register and mutex')
    .option('--time-limit <seconds>', 'give up with "unknown" after this long', '60')
    .option('--json', 'print the verdict as JSON')
    .option('--out <dir>', 'also write an HTML report of the history and its verdict (index.html, report.json)')
    .option('--no-ww-deps', "jepsen-kafka: infer no ww edges from offsets (Jepsen's --no-ww-deps; G1c then a finding)")
    .option('--rw-deps', 'jepsen-kafka: also draw rw edges, which Jepsen describes but never draws (G-single, G2-item)')
    .option('--sub-via <how>', "jepsen-kafka: assign (default), subscribe or assign,subscribe (Jepsen's --sub-via)")
    .action((path: string, flags: CheckFlags) => {
      // Checked before the history is read and judged: a bad --out is not worth a long check.
      if (flags.out !== undefined) checkOutDir(flags.out);
      const { history, results } = checkHistory(path, flags);
      const valid = verdictOf(results);
      if (flags.out !== undefined) {
        makeOutDir(flags.out);
        writeRunReport(flags.out, checkReportData(path, flags.model, history, results, valid));
      }
      if (flags.json) {
        process.stdout.write(JSON.stringify({ valid, model: flags.model, checkers: results }, null, 2) + '\n');
      } else {
        console.log(`verdict  ${valid === true ? 'valid' : valid === false ? 'INVALID' : 'unknown'}`);
        if (flags.out !== undefined) console.log(`report   ${flags.out}/index.html`);
        for (const r of results) {
          console.log(`${r.checker}: ${r.valid}`);
          for (const a of r.anomalies) {
            console.log(`  ${a.name} × ${a.count}: ${a.examples[0]?.description ?? ''}`);
          }
          // Found but allowed by the configuration, and what the checker could not settle: not findings.
          for (const a of r.allowed ?? []) console.log(`  allowed ${a.name} × ${a.count}`);
          for (const n of r.notes ?? []) console.log(`  note ${n.name} × ${n.count}`);
        }
      }
      process.exitCode = valid === true ? EXIT_VALID : valid === false ? EXIT_ANOMALY : EXIT_UNKNOWN;
    });
}
