// The coverage probes section of a run's report and of a fuzz index: which of the simulator's named code
// points (FoundationDB's code probes) were reached, how often, and, first, which never were.
import { escapeHtml } from './escape.ts';
import { code, table, type CellContent } from './html.ts';

/** A probe as a report shows it: hits, and for a fuzz the seeds that reached it. */
export interface ProbeView {
  name: string;
  description: string;
  hits: number;
  seeds?: number;
  /** The probe belongs to the metadata mode these runs did not use: out of their reach. */
  otherMode?: boolean;
}

/**
 * The section's HTML: a headline (reached of declared), the probes nothing reached, then every probe with its
 * hits (and seeds). `runs` names what was counted: "this run", or "412 seeds".
 */
export function probesSection(probes: readonly ProbeView[], runs: string): string {
  const reached = probes.filter((p) => p.hits > 0);
  const unreached = probes.filter((p) => p.hits === 0 && p.otherMode !== true);
  const outOfReach = probes.filter((p) => p.hits === 0 && p.otherMode === true);
  const perSeed = probes.some((p) => p.seeds !== undefined);
  const headline =
    `<p>${reached.length} of ${probes.length} coverage probes reached in ${escapeHtml(runs)}. A probe is a named ` +
    `point of the simulated Kafka (sim/kafka/probes.ts), counted each time a run passes it; one that nothing ` +
    `reached is a path this testing never exercised.</p>`;
  const never =
    (unreached.length === 0
      ? '<p>Every probe was reached.</p>'
      : `<h3>Never reached (${unreached.length})</h3>` +
        table(
          ['probe', 'what it means'],
          unreached.map((p) => [code(p.name), p.description]),
        )) +
    (outOfReach.length === 0
      ? ''
      : `<p class="note">Not counted as missed: ${outOfReach.length} probes of the other metadata mode, which ` +
        `these runs did not use (${outOfReach.map((p) => escapeHtml(p.name)).join(', ')}).</p>`);
  const headers = perSeed ? ['probe', 'seeds', 'hits', 'what it means'] : ['probe', 'hits', 'what it means'];
  const rows = probes.map((p): CellContent[] =>
    perSeed ? [code(p.name), p.seeds ?? 0, p.hits, p.description] : [code(p.name), p.hits, p.description],
  );
  const numeric = new Set(perSeed ? [1, 2] : [1]);
  const all = `<details><summary>All ${probes.length} probes</summary>${table(headers, rows, numeric, (i) =>
    probes[i].hits === 0 ? 'op-fail' : '',
  )}</details>`;
  return headline + never + all;
}
