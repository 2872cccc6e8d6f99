// One self-contained HTML page: styles, the sections' HTML, all chart data as one JSON script element,
// the inlined libraries, and a small bootstrap that draws every chart. Nothing is fetched: a content
// security policy forbids any request, so a stray URL fails loudly in the console instead of leaking.
import { BOOTSTRAP } from './bootstrap.ts';
import { escapeHtml, jsonForScript } from './escape.ts';
import { STYLE } from './style.ts';
import { inlinedLibraries } from './vendor.ts';

/** A cell of a chart's dataset: rows are stored as arrays and expanded to objects in the page. */
export type Cell = number | string | boolean | null;

/** A table of rows under named fields, stored column names once to keep pages small. */
export interface Dataset {
  fields: string[];
  rows: Cell[][];
}

/** A vega-lite specification (plain JSON; vega-lite checks it when the page draws it). */
export type VlSpec = { [key: string]: unknown };

export interface Chart {
  /** The element id the chart is drawn into (the section's HTML holds `chartDiv(id)`). */
  id: string;
  spec: VlSpec;
  /** Names of the datasets the spec refers to as `data: { name }`. */
  uses: string[];
}

export interface PageParts {
  title: string;
  /** HTML, already escaped by whoever built it. */
  body: string;
  charts: Chart[];
  datasets: Record<string, Dataset>;
}

// vega compiles its expressions with `new Function`, hence 'unsafe-eval'; everything else is inline.
const CSP =
  "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data: blob:; " +
  "font-src 'none'; connect-src 'none'; worker-src 'none'; frame-src 'none'; base-uri 'none'; form-action 'none'";

/** The placeholder a chart is drawn into. */
export function chartDiv(id: string, caption?: string): string {
  const cap = caption === undefined ? '' : `<p class="caption">${escapeHtml(caption)}</p>`;
  return `<figure class="chart"><div id="${escapeHtml(id)}" class="vega"></div>${cap}</figure>`;
}

export function renderPage(parts: PageParts): string {
  const data = { datasets: parts.datasets, charts: parts.charts };
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(parts.title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head><body data-charts="pending">',
    parts.body,
    `<script type="application/json" id="kafkasim-data">${jsonForScript(data)}</script>`,
    inlinedLibraries(),
    `<script>${BOOTSTRAP}</script>`,
    '</body></html>',
    '',
  ].join('\n');
}
