// junit.xml: one test case per seed, findings as failures or errors with the command that reproduces
// them, and text from anywhere (anomaly names, error messages) escaped so the file stays well-formed.
import { describe, expect, it } from 'vitest';
import { junitXml, xmlEscape } from '../../harness/fuzz/junit.ts';
import type { SeedOutcome } from '../../harness/fuzz/outcome.ts';
import { totalsOf, type FuzzSummary } from '../../harness/fuzz/summary.ts';

function summaryOf(runs: SeedOutcome[]): FuzzSummary {
  return {
    kafkasim: '0.3.0',
    startedAt: '2025-01-01T00:00:00.000Z',
    options: { timeSeconds: 10 },
    runFlags: ['--time', '10'],
    shards: [null],
    seeds: { from: 1, to: 4, planned: 4, run: runs.length },
    runs,
    totals: totalsOf(runs),
    seedsPerSecond: 2,
    wallSeconds: 2,
    jobs: 2,
    stoppedBy: 'done',
    interrupted: false,
  };
}

const ok: SeedOutcome = {
  seed: 1,
  valid: true,
  anomalies: {},
  historyHash: 'a'.repeat(16),
  wallMs: 120,
  events: 10,
  findings: [],
};
const lost: SeedOutcome = {
  seed: 2,
  valid: false,
  anomalies: { 'acked-write-lost': 3, unseen: 3 },
  historyHash: 'b'.repeat(16),
  wallMs: 80,
  events: 10,
  findings: ['anomaly'],
  dir: 'seeds/2',
};
const crash: SeedOutcome = {
  seed: 3,
  valid: null,
  anomalies: {},
  historyHash: null,
  wallMs: 5,
  events: 0,
  findings: ['harness-crash'],
  error: 'TypeError: x <y> & "z"\u0001',
  dir: 'seeds/3',
};
const flaky: SeedOutcome = {
  seed: 4,
  valid: false,
  anomalies: { unseen: 1 },
  historyHash: 'c'.repeat(16),
  rerunHash: 'd'.repeat(16),
  wallMs: 80,
  events: 10,
  findings: ['anomaly', 'nondeterminism'],
  dir: 'seeds/4',
};

describe('junit.xml', () => {
  it('escapes markup and drops characters XML cannot hold', () => {
    expect(xmlEscape(`a<b>&"c'`)).toBe('a&lt;b&gt;&amp;&quot;c&apos;');
    expect(xmlEscape('bell\u0007 tab\t nl\n lone\uD800 pair\uD83D\uDE00')).toBe(
      'bell tab\t nl\n lone pair\uD83D\uDE00',
    );
  });

  it('has one test case per seed; anomalies fail, crashes err, each with how to reproduce it', () => {
    const xml = junitXml(summaryOf([ok, lost, crash, flaky]));
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites')).toBe(true);
    expect(xml).toContain('tests="4" failures="2" errors="1"');
    expect(xml.match(/<testcase /g)).toHaveLength(4);
    expect(xml).toContain('<testcase classname="kafkasim.fuzz" name="seed 1" time="0.120"/>');
    const failure = '<failure type="anomaly" message="acked-write-lost=3, unseen=3">';
    expect(xml).toContain(failure);
    expect(xml.slice(xml.indexOf(failure)).split('</failure>')[0]).toContain(
      'replay: npx kafkasim replay seeds/2/repro.json',
    );
    const error = '<error type="harness-crash" message="TypeError: x &lt;y&gt; &amp; &quot;z&quot;">';
    expect(xml).toContain(error);
    expect(xml.slice(xml.indexOf(error)).split('</error>')[0]).toContain('rerun: npx kafkasim run --seed 3 --time 10');
    // Two findings on one seed share its one <failure> element.
    expect(xml).toMatch(
      new RegExp(
        'name="seed 4"[^>]*>\\s*<failure type="anomaly,nondeterminism" ' +
          'message="unseen=1; nondeterminism: history hash c{16}, then d{16}">',
      ),
    );
    expect(xml).not.toMatch(/\u0001/);
  });
});
