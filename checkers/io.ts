// Reads a history from text in either format, so checkers can judge runs recorded anywhere.
import { readEdnHistory } from '../workloads/history/edn.ts';
import type { History } from '../workloads/history/format.ts';
import { readJsonl } from '../workloads/history/jsonl.ts';

export type HistoryTextFormat = 'jsonl' | 'edn';

/** JSON lines start with `{"`; anything else (`[`, `(`, `;`, `{:`) is taken to be EDN. */
export function sniffHistoryFormat(text: string): HistoryTextFormat {
  const match = /^\s*\{\s*"/.exec(text);
  return match === null ? 'edn' : 'jsonl';
}

/** Parses a history; `hint` skips the sniffing when the caller knows the format (from a file name). */
export function parseHistoryText(text: string, hint?: HistoryTextFormat): History {
  const format = hint ?? sniffHistoryFormat(text);
  return format === 'jsonl' ? readJsonl(text) : readEdnHistory(text);
}
