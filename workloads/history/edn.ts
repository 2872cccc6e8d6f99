// Histories as EDN, the format Jepsen and Knossos record: read theirs, and write ours for their tools.
import { EdnReader } from './edn-reader.ts';
import { HistoryFormatError } from './errors.ts';
import type { History, Op, OpType, Value } from './format.ts';

export { parseEdn } from './edn-reader.ts';

const OP_TYPES: ReadonlySet<string> = new Set<OpType>(['invoke', 'ok', 'fail', 'info']);
const NANOS_PER_MILLI = 1e6;

/**
 * Reads a history: one top-level vector or list of op maps, or op maps one after another.
 * Ops are numbered densely in file order; the file's own :index is ignored because Knossos files
 * leave it out or number events that are not in the file. :time is nanoseconds (ours is
 * milliseconds); without it an op's time is its position.
 */
export function readEdnHistory(text: string): History {
  const reader = new EdnReader(text);
  const history: History = [];
  if (reader.atEnd()) return history;
  const openedAt = reader.offset;
  const closer = reader.enterSequence();
  if (closer === undefined) {
    while (!reader.atEnd()) history.push(readOp(reader, history.length));
    return history;
  }
  while (!reader.atCollectionEnd(closer, openedAt)) history.push(readOp(reader, history.length));
  if (!reader.atEnd()) reader.fail('unexpected text after the history');
  return history;
}

function readOp(reader: EdnReader, position: number): Op {
  reader.skipSpace();
  const at = reader.offset;
  // No closure for failing: under tsx every function created per op costs a name definition.
  const form = reader.readForm();
  if (form === null || typeof form !== 'object' || Array.isArray(form)) return reader.fail('expected an op map', at);

  const process = form.process;
  if (typeof process !== 'number' && typeof process !== 'string')
    reader.fail(':process must be an integer or a keyword', at);

  const type = form.type;
  if (typeof type !== 'string' || !OP_TYPES.has(type))
    reader.fail(':type must be one of :invoke, :ok, :fail, :info', at);

  const f = form.f;
  if (typeof f !== 'string') reader.fail(':f must be a keyword or a string', at);

  const time = form.time;
  if (time !== undefined && typeof time !== 'number') reader.fail(':time must be a number of nanoseconds', at);

  const op: Op = {
    index: position,
    time: time === undefined ? position : (time as number) / NANOS_PER_MILLI,
    process: process as number | string,
    type: type as OpType,
    f: f as string,
    value: form.value ?? null,
  };
  const error = form.error;
  if (error !== undefined && error !== null) op.error = typeof error === 'string' ? error : JSON.stringify(error);
  const rebalanceLog = form['rebalance-log'];
  if (rebalanceLog !== undefined && rebalanceLog !== null) op.rebalanceLog = rebalanceLog;
  return op;
}

const KEYWORD_NAME = /^[a-zA-Z*+!_?<>=\-][a-zA-Z0-9*+!_?<>=\-./]*$/;
// Only integers that survive a round trip through a double are written as integer keys.
const INTEGER_KEY = /^(0|-?[1-9][0-9]{0,14})$/;

/** Writes one op map per line inside a vector, keys in the same order as the JSON lines format. */
export function writeEdnHistory(history: History): string {
  if (history.length === 0) return '[]\n';
  const lines = history.map(opToEdn);
  return '[' + lines.join('\n ') + ']\n';
}

function opToEdn(op: Op): string {
  const time = Math.round(op.time * NANOS_PER_MILLI);
  const process = typeof op.process === 'number' ? numberToEdn(op.process) : stringToEdn(op.process);
  let text =
    `{:index ${op.index}, :time ${numberToEdn(time)}, :process ${process}, :type :${op.type}, ` +
    `:f ${stringToEdn(op.f)}, :value ${valueToEdn(op.value)}`;
  if (op.error !== undefined) text += `, :error ${stringToEdn(op.error)}`;
  if (op.rebalanceLog !== undefined) text += `, :rebalance-log ${valueToEdn(op.rebalanceLog)}`;
  return text + '}';
}

/**
 * Jepsen's history.txt (jepsen.util/print-history): one op per line, tab-separated process, type, f and
 * value in EDN, and the error when there is one. For reading by eye, and for grep.
 */
export function writeHistoryText(history: History): string {
  let text = '';
  for (const op of history) {
    const process = typeof op.process === 'number' ? numberToEdn(op.process) : stringToEdn(op.process);
    text += `${process}\t:${op.type}\t${stringToEdn(op.f)}\t${valueToEdn(op.value)}`;
    text += op.error === undefined ? '\n' : `\t${stringToEdn(op.error)}\n`;
  }
  return text;
}

/** A Value as EDN; strings that can be keywords are written as keywords (both read back as strings). */
export function valueToEdn(value: Value): string {
  if (value === null) return 'nil';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return numberToEdn(value);
  if (typeof value === 'string') return stringToEdn(value);
  if (Array.isArray(value)) return '[' + value.map(valueToEdn).join(' ') + ']';
  const entries = Object.keys(value).map((key) => `${keyToEdn(key)} ${valueToEdn(value[key])}`);
  return '{' + entries.join(', ') + '}';
}

function keyToEdn(key: string): string {
  return INTEGER_KEY.test(key) ? key : stringToEdn(key);
}

function numberToEdn(n: number): string {
  if (!Number.isFinite(n)) throw new HistoryFormatError(`${n} cannot be written as EDN (not a JSON number)`);
  return String(n);
}

function stringToEdn(s: string): string {
  if (KEYWORD_NAME.test(s) && s !== 'nil' && s !== 'true' && s !== 'false') return ':' + s;
  return quoteString(s);
}

function quoteString(s: string): string {
  // Control characters and surrogates are escaped so the text stays valid UTF-8 whatever s holds.
  const body = s.replace(/[\\"\u0000-\u001f\u007f\ud800-\udfff]/g, (ch) => {
    switch (ch) {
      case '\\':
        return '\\\\';
      case '"':
        return '\\"';
      case '\n':
        return '\\n';
      case '\t':
        return '\\t';
      case '\r':
        return '\\r';
      default:
        return '\\u' + ch.charCodeAt(0).toString(16).padStart(4, '0');
    }
  });
  return '"' + body + '"';
}
