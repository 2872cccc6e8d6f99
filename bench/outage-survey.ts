// Outage survey: per seed, the outages drawn and the acknowledged writes lost, clean against unclean.
// npx tsx bench/outage-survey.ts [first] [count] [extra JSON options]
import { blamedTruncation, groupTruncations, truncationsRemoving } from '../checkers/durability/index.ts';
import { runTest, testOf, type RunOptions, type TestRun } from '../harness/index.ts';

/** Lost acknowledged writes by the cause of the truncation the durability checker blames. */
function causes(run: TestRun): Record<string, number> {
  const held = new Set<string>();
  for (const log of run.facts.durability.finalLogs ?? [])
    log.values.forEach((v, i) => held.add(`${log.key}/${log.startOffset + i}/${v}`));
  const truncs = groupTruncations(run.facts.durability.truncations);
  const finalOp = run.history.find((op) => op.f === 'final-reads');
  const out: Record<string, number> = {};
  for (const op of run.history) {
    if (op.type !== 'ok' || op.f !== 'send') continue;
    const [[, key, [offset, value]]] = op.value as [[string, number, [number, number]]];
    if (held.has(`${key}/${offset}/${value}`)) continue;
    const blamed = blamedTruncation(truncationsRemoving(truncs, key, offset, op.time), finalOp?.time ?? Infinity);
    const kind = blamed?.cause.kind ?? 'unattributed';
    out[kind] = (out[kind] ?? 0) + 1;
  }
  return out;
}

const first = Number(process.argv[2] ?? 1);
const count = Number(process.argv[3] ?? 20);
const extra = JSON.parse(process.argv[4] ?? '{}') as Partial<RunOptions>;
let lostSeeds = 0;
let cleanLostSeeds = 0;
for (let seed = first; seed < first + count; seed++) {
  const base: RunOptions = { seed, nemesis: ['outage'], minIsr: 1, ...extra } as RunOptions;
  const unclean = runTest(testOf({ ...base, unclean: true }));
  const clean = runTest(testOf({ ...base, unclean: false }));
  const outages = unclean.schedule.ops
    .filter((o) => o.action === 'start')
    .map((o) => {
      const p = o.params as { failOrder?: string; failGapsMs?: number[]; order: string; gapMs: number };
      return `${p.failOrder ?? 'together'}[${(p.failGapsMs ?? []).join(',')}]/${p.order}+${p.gapMs}`;
    });
  const lost = unclean.result.stats.lost;
  if (lost > 0) lostSeeds++;
  if (clean.result.stats.lost > 0) cleanLostSeeds++;
  console.log(
    `seed ${seed}: unclean lost ${lost} (${unclean.result.valid}) clean lost ${clean.result.stats.lost} ` +
      `(${clean.result.valid} ${Object.keys(clean.result.anomalies).join(',')}) causes ` +
      `${JSON.stringify(causes(unclean))} outages ${outages.join(' ')}`,
  );
}
console.log(`unclean: ${lostSeeds}/${count} seeds lost acked writes; clean: ${cleanLostSeeds}/${count}`);
