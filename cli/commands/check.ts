// `kafkasim check <history> --model <name>`: the checkers on a history recorded anywhere (JSON lines or
// Jepsen EDN): linearizability against a model, or Kafka's queue and durability checkers.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { checkDurability } from '../../checkers/durability/index.ts';
import { parseHistoryText } from '../../checkers/io.ts';
import {
  casRegisterModel,
  checkLinearizableWithin,
  kafkaLogModel,
  keyValueModel,
  multiRegisterModel,
  mutexModel,
  registerModel,
  type AnyModel,
} from '../../checkers/linearizable/index.ts';
import { checkQueue } from '../../checkers/queue/index.ts';
import type { CheckResult } from '../../checkers/result.ts';
import type { Value } from '../../workloads/history/format.ts';
import { intOption } from '../options.ts';
import { EXIT_ANOMALY, EXIT_UNKNOWN, EXIT_VALID, UsageError } from '../usage-error.ts';

/** Models that take an initial value, and what they start from without --initial. */
const LINEARIZABLE_MODELS: Record<
  string,
  { initial: Value | undefined; build: (initial: Value | undefined) => AnyModel }
> = {
  register: { initial: null, build: (i) => registerModel(i ?? null) },
  'cas-register': { initial: 0, build: (i) => casRegisterModel(i ?? 0) },
  'multi-register': { initial: {}, build: (i) => multiRegisterModel(asObject(i ?? {})) },
  mutex: { initial: false, build: (i) => mutexModel(i === true) },
  'key-value': { initial: undefined, build: () => keyValueModel() },
  'kafka-log': { initial: undefined, build: () => kafkaLogModel() },
};
const QUEUE_MODELS = ['queue', 'durability', 'kafka'];
export const CHECK_MODELS = [...Object.keys(LINEARIZABLE_MODELS), ...QUEUE_MODELS];

function asObject(v: Value): { [key: string]: Value } {
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw new UsageError('--initial for multi-register must be a JSON object, e.g. {"x":0,"y":0}');
  return v;
}

interface CheckFlags {
  model: string;
  initial?: string;
  timeLimit: string;
  json?: boolean;
}

export function checkHistoryFile(path: string, flags: CheckFlags): CheckResult[] {
  const model = flags.model;
  if (!CHECK_MODELS.includes(model))
    throw new UsageError(`--model must be one of ${CHECK_MODELS.join(', ')}; got "${model}"`);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UsageError(`cannot read history file ${path}`);
  }
  const hint = path.endsWith('.edn') ? 'edn' : path.endsWith('.jsonl') || path.endsWith('.json') ? 'jsonl' : undefined;
  const history = parseHistoryText(text, hint);
  if (model === 'queue') return [checkQueue(history)];
  if (model === 'durability') return [checkDurability(history)];
  if (model === 'kafka') return [checkQueue(history), checkDurability(history)];
  const spec = LINEARIZABLE_MODELS[model];
  let initial = spec.initial;
  if (flags.initial !== undefined) {
    if (spec.initial === undefined) throw new UsageError(`--initial does not apply to the ${model} model`);
    try {
      initial = JSON.parse(flags.initial) as Value;
    } catch {
      throw new UsageError(`--initial must be JSON, got ${flags.initial}`);
    }
  }
  const seconds = intOption('--time-limit', flags.timeLimit, 1, 86_400);
  return [checkLinearizableWithin(history, spec.build(initial), seconds * 1000)];
}

function verdictOf(results: CheckResult[]): true | false | 'unknown' {
  if (results.some((r) => r.valid === false)) return false;
  if (results.some((r) => r.valid === 'unknown')) return 'unknown';
  return true;
}

export function registerCheck(program: Command): void {
  program
    .command('check <history>')
    .description('check a history file (JSON lines or Jepsen EDN) for linearizability or Kafka queue anomalies')
    .requiredOption('--model <name>', `one of ${CHECK_MODELS.join(', ')}`)
    .option('--initial <json>', 'initial value for register, cas-register, multi-register and mutex')
    .option('--time-limit <seconds>', 'give up with "unknown" after this long', '60')
    .option('--json', 'print the verdict as JSON')
    .action((path: string, flags: CheckFlags) => {
      const results = checkHistoryFile(path, flags);
      const valid = verdictOf(results);
      if (flags.json) {
        process.stdout.write(JSON.stringify({ valid, model: flags.model, checkers: results }, null, 2) + '\n');
      } else {
        console.log(`verdict  ${valid === true ? 'valid' : valid === false ? 'INVALID' : 'unknown'}`);
        for (const r of results) {
          console.log(`${r.checker}: ${r.valid}`);
          for (const a of r.anomalies) {
            console.log(`  ${a.name} × ${a.count}: ${a.examples[0]?.description ?? ''}`);
          }
        }
      }
      process.exitCode = valid === true ? EXIT_VALID : valid === false ? EXIT_ANOMALY : EXIT_UNKNOWN;
    });
}
