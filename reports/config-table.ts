// A configuration as tables under Kafka's own keys: top-level settings in one table, each nested group
// (broker, producer, consumer, workload...) in its own.
import { escapeHtml } from './escape.ts';
import { kvTable, type CellContent } from './html.ts';
import { shortJson } from './format.ts';

function isGroup(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function scalar(v: unknown): CellContent {
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
    return v === null ? 'null' : v;
  return shortJson(v, 500);
}

/** A group's settings, nested groups written as dotted keys (protocol.fixes.kip101). */
function flatten(group: Record<string, unknown>, prefix: string): [string, CellContent][] {
  return Object.entries(group).flatMap(([k, v]): [string, CellContent][] =>
    isGroup(v) ? flatten(v, `${prefix}${k}.`) : [[`${prefix}${k}`, scalar(v)]],
  );
}

export function configTables(config: unknown): string {
  if (!isGroup(config)) return kvTable([['configuration', scalar(config)]]);
  const top: [string, CellContent][] = [];
  const groups: string[] = [];
  for (const [key, value] of Object.entries(config)) {
    if (isGroup(value)) {
      const rows = flatten(value, '');
      groups.push(`<div><h3>${escapeHtml(key)}</h3>${kvTable(rows)}</div>`);
    } else {
      top.push([key, scalar(value)]);
    }
  }
  const first = top.length > 0 ? `<div><h3>run</h3>${kvTable(top)}</div>` : '';
  return `<div class="config">${first}${groups.join('')}</div>`;
}
