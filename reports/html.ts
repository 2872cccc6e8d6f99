// Small HTML builders. Each takes plain strings and escapes them itself, so callers never pass text
// from a history or a configuration into the page unescaped.
import type { Op } from '../workloads/history/format.ts';
import { escapeHtml, safeHref } from './escape.ts';
import { seconds, shortJson } from './format.ts';

/** Already-escaped HTML, so a builder can tell it from text that still needs escaping. */
export class Html {
  constructor(readonly html: string) {}
  toString(): string {
    return this.html;
  }
}

export type CellContent = string | number | boolean | null | Html;

export function cell(c: CellContent): string {
  if (c instanceof Html) return c.html;
  if (c === null) return '–';
  return escapeHtml(String(c));
}

export function table(
  headers: string[],
  rows: CellContent[][],
  numeric: ReadonlySet<number> = new Set(),
  rowClass?: (i: number) => string,
): string {
  const th = headers.map((h, i) => `<th${numeric.has(i) ? ' class="num"' : ''}>${escapeHtml(h)}</th>`).join('');
  const body = rows
    .map((r, i) => {
      const cls = rowClass?.(i);
      const tds = r.map((c, j) => `<td${numeric.has(j) ? ' class="num"' : ''}>${cell(c)}</td>`).join('');
      return `<tr${cls ? ` class="${escapeHtml(cls)}"` : ''}>${tds}</tr>`;
    })
    .join('\n');
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** A two-column table of labels and values. */
export function kvTable(rows: [string, CellContent][], cls = 'kv'): string {
  const body = rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${cell(v)}</td></tr>`).join('');
  return `<table class="${cls}"><tbody>${body}</tbody></table>`;
}

export function link(href: string | undefined, text: string): Html {
  const safe = safeHref(href);
  return new Html(safe === undefined ? escapeHtml(text) : `<a href="${escapeHtml(safe)}">${escapeHtml(text)}</a>`);
}

export function pre(text: string): Html {
  return new Html(`<pre>${escapeHtml(text)}</pre>`);
}

export function code(text: string): Html {
  return new Html(`<code>${escapeHtml(text)}</code>`);
}

/** Ops as Jepsen prints them: index, time, process, type, f, value, error; the type cell coloured. */
export function opsTable(ops: readonly Op[], highlight?: (op: Op) => boolean): string {
  const rows = ops.map((op) => {
    const cls = highlight?.(op) === true ? 'op-unplaced' : `op-${op.type}`;
    return (
      `<tr class="${escapeHtml(cls)}"><td class="num">${op.index}</td><td>${escapeHtml(seconds(op.time))}</td>` +
      `<td>${escapeHtml(String(op.process))}</td><td ` +
      `class="type">${escapeHtml(op.type)}</td><td>${escapeHtml(op.f)}</td>` +
      `<td><code>${escapeHtml(shortJson(op.value, 400))}</code></td><td>${escapeHtml(op.error ?? '')}</td></tr>`
    );
  });
  return (
    '<table class="ops"><thead><tr><th class="num">index</th><th>time</th><th>process</th>' +
    '<th>type</th><th>f</th><th>value</th><th>error</th></tr></thead>' +
    `<tbody>${rows.join('\n')}</tbody></table>`
  );
}
