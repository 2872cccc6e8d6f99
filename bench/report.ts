// The run report of a 100,000-op run: how long building it takes (report data from the run's output,
// then the HTML page) and how large the page is. Target: under 2 s and under 5 MB. The run itself is
// a real one (a busy queue workload under partitions, kills and pauses); its time is printed apart.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { replayCommandFor, runOnce, runReportData, writeRunReport, type RunOptions } from '../harness/index.ts';
import { renderRunReport } from '../reports/run-report.ts';

const TARGET_OPS = 100_000;
const MB = 1024 * 1024;

const options: RunOptions = {
  seed: Number(process.argv[2] ?? 1),
  timeSeconds: 80,
  workload: { rate: 6000, producers: 40, consumers: 8 },
  nemesis: ['partition', 'kill', 'pause'],
};

const t0 = performance.now();
const run = runOnce(options);
const runMs = performance.now() - t0;
console.log(
  `run        ${run.result.stats.ops.toLocaleString('en')} ops (${run.output.history.length.toLocaleString('en')} ` +
    `history entries), ` +
    `${run.output.replicationEvents.length.toLocaleString('en')} replication events, in ` +
    `${(runMs / 1000).toFixed(1)} s (not part of the figure)`,
);
if (run.result.stats.ops < TARGET_OPS) console.log(`warning    fewer than ${TARGET_OPS.toLocaleString('en')} ops`);

const replay = replayCommandFor(options);
const times: number[] = [];
const dataTimes: number[] = [];
let html = '';
for (let i = 0; i < 4; i++) {
  const start = performance.now();
  const data = runReportData(run.output, run.result, replay);
  dataTimes.push(performance.now() - start);
  html = renderRunReport(data);
  times.push(performance.now() - start);
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const warm = median(times.slice(1));
console.log(
  `build      ${times[0].toFixed(0)} ms first (${dataTimes[0].toFixed(0)} ms data, the rest HTML and reading the ` +
    `libraries), ` +
    `${warm.toFixed(0)} ms warm (median of 3; ${median(dataTimes.slice(1)).toFixed(0)} ms data)`,
);
console.log(
  `load       ${loadavg()[0].toFixed(1)} (1-minute load average on ${availableParallelism()} cores: other work ` +
    `slows every figure)`,
);
console.log(
  `page       ${(Buffer.byteLength(html) / MB).toFixed(2)} MB (of which the inlined vega, vega-lite and vega-embed: ` +
    `~0.79 MB)`,
);

const dir = mkdtempSync(join(tmpdir(), 'kafkasim-bench-report-'));
const w0 = performance.now();
writeRunReport(dir, runReportData(run.output, run.result, replay));
const writeMs = performance.now() - w0;
console.log(
  `written    ${writeMs.toFixed(0)} ms for report.json ` +
    `(${(statSync(join(dir, 'report.json')).size / MB).toFixed(2)} MB) and index.html`,
);
rmSync(dir, { recursive: true, force: true });
const ok = times[0] < 2000 && Buffer.byteLength(html) < 5 * MB;
console.log(ok ? 'target     met (under 2 s, under 5 MB)' : 'target     MISSED (2 s, 5 MB)');
