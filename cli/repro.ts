// Repro files: everything needed to rerun a test exactly (kafkasim version, seed, every run option and
// the fault schedule) and the history hash the rerun must reproduce. Written by run, fuzz and shrink;
// read by replay and shrink. A malformed or foreign file is a usage error naming the problem.
import { readFileSync } from 'node:fs';
import { validateSchedule, type Schedule } from '../nemesis/index.ts';
import { parseSeed, type Seed } from '../sim/world/index.ts';
import type { RunOptions } from './runner.ts';
import { UsageError } from './usage-error.ts';

export const KAFKASIM_VERSION = '0.1.0';

/** The run options a repro records: plain JSON, the schedule always explicit. */
export type ReproOptions = Omit<RunOptions, 'onFinalPhase' | 'seed'> & { schedule: Schedule };

export interface Repro {
  kafkasim: string;
  seed: Seed;
  options: ReproOptions;
  expectedHistoryHash: string;
  /** Anomaly names the recorded run found (what shrink must keep showing). */
  anomalies?: string[];
}

export function makeRepro(options: RunOptions, schedule: Schedule, historyHash: string, anomalies: string[]): Repro {
  const { seed, onFinalPhase: _ignored, ...rest } = options;
  return { kafkasim: KAFKASIM_VERSION, seed, options: { ...rest, schedule }, expectedHistoryHash: historyHash, anomalies };
}

export function reproText(r: Repro): string {
  return JSON.stringify(r, null, 2) + '\n';
}

/** The options to rerun a repro with. */
export function reproRunOptions(r: Repro): RunOptions {
  return { ...r.options, seed: r.seed };
}

const OPTION_KEYS = new Set([
  'brokers', 'partitions', 'replicationFactor', 'minIsr', 'acks', 'unclean', 'protocol', 'timeSeconds', 'nemesis',
  'intensity', 'schedule', 'broker', 'workload', 'readyTimeoutMs', 'metadata',
]);

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
  if (!isObject(json) || typeof json.kafkasim !== 'string') throw new UsageError(`${name}: not a kafkasim repro file (no "kafkasim" version field)`);
  if (json.kafkasim.split('.')[0] !== KAFKASIM_VERSION.split('.')[0] || json.kafkasim.split('.')[1] !== KAFKASIM_VERSION.split('.')[1]) {
    throw new UsageError(`${name}: written by kafkasim ${json.kafkasim}, this is ${KAFKASIM_VERSION}; replay it with that version`);
  }
  if (typeof json.seed !== 'number' && typeof json.seed !== 'string') throw new UsageError(`${name}: "seed" must be a number or a name`);
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
  for (const k of Object.keys(json.options)) {
    if (!OPTION_KEYS.has(k)) throw new UsageError(`${name}: unknown option "${k}" in "options"`);
  }
  if (json.options.schedule === undefined) throw new UsageError(`${name}: "options.schedule" is missing`);
  let schedule: Schedule;
  try {
    schedule = validateSchedule(json.options.schedule);
  } catch (e) {
    throw new UsageError(`${name}: ${(e as Error).message.split('\n')[0]}`);
  }
  const anomalies = Array.isArray(json.anomalies) ? json.anomalies.filter((a): a is string => typeof a === 'string') : undefined;
  // Option values are checked by the runner itself (ConfigError, one line) when the repro runs.
  return { kafkasim: json.kafkasim, seed, options: { ...(json.options as Omit<ReproOptions, 'schedule'>), schedule }, expectedHistoryHash: json.expectedHistoryHash, anomalies };
}

export function readRepro(path: string): Repro {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UsageError(`cannot read repro file ${path}`);
  }
  return parseRepro(text, path);
}
