// JSON lines: one Op per line. The native format of kafkasim histories: streamable and diff-friendly.
import { MAX_DEPTH, nestedDeeperThan } from './depth.ts';
import { HistoryFormatError } from './errors.ts';
import type { History, Op, OpType, ProcessId, Value } from './format.ts';

const OP_TYPES: ReadonlySet<string> = new Set<OpType>(['invoke', 'ok', 'fail', 'info']);

/** One line per op, keys always in the order index, time, process, type, f, value, error, rebalanceLog. */
export function writeJsonl(history: History): string {
  let text = '';
  for (const op of history) text += jsonlLine(op);
  return text;
}

/** One op's line, newline included. */
export function jsonlLine(op: Op): string {
  return JSON.stringify(orderedOp(op)) + '\n';
}

/** Where feedJsonlLine sends a line's text: literal pieces, and values as JSON.stringify would write them. */
export interface JsonFeed {
  feed(text: string): unknown;
  feedJson(value: unknown): unknown;
}

const LINE_KEYS = ['index', 'time', 'process', 'type', 'f', 'value', 'error', 'rebalanceLog'] as const;
const KEY_TEXT = LINE_KEYS.map((k) => `"${k}":`);

/**
 * Sends exactly the text of jsonlLine(op) to `into`, piece by piece, without building it: the history
 * hash reads every line of every run, and the line strings were a tenth of a fuzz seed's time.
 */
export function feedJsonlLine(op: Op, into: JsonFeed): void {
  let first = true;
  for (let i = 0; i < LINE_KEYS.length; i++) {
    const value: unknown = op[LINE_KEYS[i]];
    // JSON.stringify leaves out a key whose value is undefined (or a function).
    if (value === undefined || typeof value === 'function' || typeof value === 'symbol') continue;
    into.feed(first ? '{' : ',');
    first = false;
    into.feed(KEY_TEXT[i]);
    into.feedJson(value);
  }
  into.feed(first ? '{}\n' : '}\n');
}

function orderedOp(op: Op): Op {
  // A fresh literal fixes the key order, whatever order the caller built its object in.
  const ordered: Op = {
    index: op.index,
    time: op.time,
    process: op.process,
    type: op.type,
    f: op.f,
    value: op.value,
  };
  if (op.error !== undefined) ordered.error = op.error;
  if (op.rebalanceLog !== undefined) ordered.rebalanceLog = op.rebalanceLog;
  return ordered;
}

/** Reads what writeJsonl wrote. Blank lines are skipped; a missing index means "next position". */
export function readJsonl(text: string): History {
  const history: History = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    history.push(opFromLine(line, i + 1, history.length));
  }
  return history;
}

function opFromLine(line: string, lineNumber: number, position: number): Op {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (err) {
    throw new HistoryFormatError(`invalid JSON (${(err as Error).message})`, lineNumber);
  }
  const fail = (problem: string): never => {
    throw new HistoryFormatError(problem, lineNumber);
  };
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return fail('expected an op object');
  }
  const fields = parsed as Record<string, unknown>;
  if (nestedDeeperThan(parsed as Value, MAX_DEPTH)) fail(`nested deeper than ${MAX_DEPTH} levels`);

  const index = fields.index ?? position;
  if (index !== position) fail(`index ${JSON.stringify(index)} where ${position} was expected (indices are dense)`);

  const time = fields.time;
  if (typeof time !== 'number') fail('"time" must be a number');

  const process = fields.process;
  if (typeof process !== 'number' && typeof process !== 'string') fail('"process" must be a number or a string');

  const type = fields.type;
  if (typeof type !== 'string' || !OP_TYPES.has(type)) fail('"type" must be one of invoke, ok, fail, info');

  const f = fields.f;
  if (typeof f !== 'string') fail('"f" must be a string');

  const error = fields.error;
  if (error !== undefined && typeof error !== 'string') fail('"error" must be a string when present');

  const op: Op = {
    index: position,
    time: time as number,
    process: process as ProcessId,
    type: type as OpType,
    f: f as string,
    // JSON.parse only ever yields JSON values, which is exactly what Value describes.
    value: (fields.value ?? null) as Value,
  };
  if (error !== undefined) op.error = error as string;
  if (fields.rebalanceLog !== undefined && fields.rebalanceLog !== null) op.rebalanceLog = fields.rebalanceLog as Value;
  return op;
}
