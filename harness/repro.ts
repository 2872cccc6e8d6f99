// Repro files: everything needed to rerun a test exactly (kafkasim version, seed, the run options and the
// fault schedule) and the history hash the rerun must reproduce. Written by run, fuzz and shrink; read by
// replay and shrink. The options are the schema's (options.ts), checked value by value; a malformed or
// foreign file is a usage error naming the file and the problem.
import type { Schedule } from '../nemesis/index.ts';
import { ConfigError, parseSeed, type Seed } from '../sim/world/index.ts';
import { UsageError } from './errors.ts';
import { readInput } from './input.ts';
import { checkOptions, type RunKnobs, type RunOptions } from './options.ts';
import { testOf } from './test.ts';
import { KAFKASIM_VERSION } from './version.ts';

/** The run options a repro records: plain JSON, the schedule always explicit. */
export type ReproOptions = Partial<RunKnobs> & { schedule: Schedule };

export interface Repro {
  kafkasim: string;
  seed: Seed;
  options: ReproOptions;
  expectedHistoryHash: string;
  /** Anomaly names the recorded run found (what shrink must keep showing). */
  anomalies?: string[];
}

export function makeRepro(options: RunOptions, schedule: Schedule, historyHash: string, anomalies: string[]): Repro {
  const { seed, ...rest } = options;
  const given = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) as Partial<RunKnobs>;
  return {
    kafkasim: KAFKASIM_VERSION,
    seed,
    options: { ...given, schedule },
    expectedHistoryHash: historyHash,
    anomalies,
  };
}

export function reproText(r: Repro): string {
  return JSON.stringify(r, null, 2) + '\n';
}

/** The options to rerun a repro with. */
export function reproRunOptions(r: Repro): RunOptions {
  return { ...r.options, seed: r.seed };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses and checks a repro file's text; `name` names the file in errors. */
export function parseRepro(text: string, name: string): Repro {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError(`${name}: not a repro file (invalid JSON)`);
  }
  if (!isObject(json) || typeof json.kafkasim !== 'string')
    throw new UsageError(`${name}: not a kafkasim repro file (no "kafkasim" version field)`);
  const [major, minor] = json.kafkasim.split('.');
  const [ourMajor, ourMinor] = KAFKASIM_VERSION.split('.');
  if (major !== ourMajor || minor !== ourMinor) {
    throw new UsageError(
      `${name}: written by kafkasim ${json.kafkasim}, this is ${KAFKASIM_VERSION}; replay it with that version`,
    );
  }
  if (typeof json.seed !== 'number' && typeof json.seed !== 'string')
    throw new UsageError(`${name}: "seed" must be a number or a name`);
  let seed: Seed;
  try {
    seed = parseSeed(String(json.seed));
  } catch (e) {
    throw new UsageError(`${name}: ${(e as Error).message}`);
  }
  if (typeof json.expectedHistoryHash !== 'string' || !/^[0-9a-f]{16}$/.test(json.expectedHistoryHash)) {
    throw new UsageError(`${name}: "expectedHistoryHash" must be 16 hex digits`);
  }
  if (!isObject(json.options)) throw new UsageError(`${name}: "options" must be an object`);
  if (json.options.schedule === undefined) throw new UsageError(`${name}: "options.schedule" is missing`);
  const options = checkOptions(json.options, `${name}: options`);
  const anomalies = Array.isArray(json.anomalies)
    ? json.anomalies.filter((a): a is string => typeof a === 'string')
    : undefined;
  const repro: Repro = {
    kafkasim: json.kafkasim,
    seed,
    options: { ...options, schedule: options.schedule as Schedule },
    expectedHistoryHash: json.expectedHistoryHash,
    anomalies,
  };
  // The options together, as `run` checks its flags before running: a replication factor above the
  // brokers, a fault past the end of the run. Refused now, not after (or instead of) a run.
  try {
    testOf(reproRunOptions(repro));
  } catch (e) {
    if (e instanceof UsageError || e instanceof ConfigError) throw new UsageError(`${name}: ${e.message}`);
    throw e;
  }
  return repro;
}

export function readRepro(path: string): Repro {
  return parseRepro(readInput(path, 'repro file'), path);
}
