// junit.xml for CI test-report tools: one test case per seed; a finding is a failure (anomaly,
// nondeterminism) or an error (harness crash) carrying the command that reproduces it.
import type { SeedOutcome } from './outcome.ts';
import { replayCommand, runCommand } from './run-seed.ts';
import type { FuzzSummary } from './summary.ts';

/** Escapes text for XML attributes and content, dropping characters XML 1.0 cannot hold at all. */
export function xmlEscape(text: string): string {
  return (
    text
      // Control characters and lone surrogates are not allowed in XML 1.0, even escaped.
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
      .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
  );
}

function anomalyText(anomalies: Record<string, number>): string {
  return Object.entries(anomalies)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

/** One test case; JUnit allows one <failure> or <error> per case, so several findings share it. */
function testCase(r: SeedOutcome, runFlags: string[]): string {
  const open = `    <testcase classname="kafkasim.fuzz" name="seed ${r.seed}" time="${seconds(r.wallMs)}"`;
  if (r.findings.length === 0) return `${open}/>`;
  if (r.findings.includes('harness-crash')) {
    const message = r.error ?? 'harness crash';
    const body = `${message}\nstack: ${r.dir ?? ''}/crash.txt\nrerun: ${runCommand(r.seed, runFlags)}`;
    return (
      `${open}>\n      <error type="harness-crash" ` +
      `message="${xmlEscape(message)}">${xmlEscape(body)}</error>\n    </testcase>`
    );
  }
  const messages: string[] = [];
  const body: string[] = [];
  if (r.findings.includes('anomaly')) {
    messages.push(anomalyText(r.anomalies));
    body.push(`replay: ${replayCommand(r.seed)}`);
  }
  if (r.findings.includes('nondeterminism')) {
    messages.push(`nondeterminism: history hash ${r.historyHash ?? '?'}, then ${r.rerunHash ?? '?'}`);
    body.push(`both runs' outputs: ${r.dir ?? ''} and ${r.dir ?? ''}/rerun`);
  }
  const message = messages.join('; ');
  return (
    `${open}>\n      <failure type="${r.findings.join(',')}" ` +
    `message="${xmlEscape(message)}">${xmlEscape([message, ...body].join('\n'))}</failure>\n    </testcase>`
  );
}

export function junitXml(summary: FuzzSummary): string {
  const runs = summary.runs;
  const errors = runs.filter((r) => r.findings.includes('harness-crash')).length;
  const failures = runs.filter((r) => r.findings.length > 0 && !r.findings.includes('harness-crash')).length;
  const time = seconds(summary.wallSeconds * 1000);
  const name = `kafkasim fuzz ${summary.seeds.from}..${summary.seeds.to}`;
  const counts = `tests="${runs.length}" failures="${failures}" errors="${errors}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xmlEscape(name)}" ${counts} time="${time}">`,
    `  <testsuite name="${xmlEscape(name)}" ${counts} skipped="0" time="${time}" ` +
      `timestamp="${xmlEscape(summary.startedAt)}">`,
    '    <properties>',
    `      <property name="kafkasim" value="${xmlEscape(summary.kafkasim)}"/>`,
    `      <property name="run-flags" value="${xmlEscape(summary.runFlags.join(' '))}"/>`,
    `      <property name="stopped-by" value="${summary.stoppedBy}"/>`,
    '    </properties>',
    ...runs.map((r) => testCase(r, summary.runFlags)),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
